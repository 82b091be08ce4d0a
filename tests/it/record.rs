//! `brownfield record` and `brownfield plan -- COMMAND` on real Python programs run by the
//! machine's `python3`, sampled by the built-in py-spy. These attach to a child process: they
//! need ptrace (root, or `kernel.yama.ptrace_scope` 0/1 for one's own children), and fail,
//! never skip, when it is refused.

use std::path::{Path, PathBuf};

use crate::{brownfield, read, show};

/// A program whose time is almost all in `hot`, then a garbage-heavy `churn`; exits with
/// `EXIT` (an environment variable, default 0).
const PROGRAM: &str = "\
import os
import sys


def hot(n):
    s = 0
    for i in range(n):
        s += i * i % 7
    return s


def churn(n):
    keep = []
    for i in range(n):
        node = {'i': i, 'next': None}
        node['next'] = node
        keep.append(node)
        if len(keep) > 2000:
            keep = []
    return len(keep)


def main():
    for _ in range(int(os.environ.get('ROUNDS', '12'))):
        hot(400_000)
    churn(int(os.environ.get('CHURN', '0')))
    sys.exit(int(os.environ.get('EXIT', '0')))


main()
";

fn program(dir: &Path) -> PathBuf {
    let path = dir.join("hotapp.py");
    std::fs::write(&path, PROGRAM).unwrap();
    path
}

fn record(dir: &Path, format: &str, out: &str, env: &[(&str, &str)]) -> std::process::Output {
    let prog = program(dir);
    let out = dir.join(out);
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_brownfield"));
    cmd.args([
        "record",
        "--format",
        format,
        "--rate",
        "200",
        "-o",
        out.to_str().unwrap(),
        "--",
        "python3",
        prog.to_str().unwrap(),
    ]);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("brownfield runs")
}

/// The sample count the report line gives (`recorded N samples of ...`).
fn recorded_samples(out: &std::process::Output) -> u64 {
    let stderr = String::from_utf8_lossy(&out.stderr);
    let line = stderr
        .lines()
        .find(|l| l.starts_with("recorded "))
        .unwrap_or_else(|| panic!("no report line: {}", show(out)));
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// `brownfield top --format json` of a file: its total and the top rows.
fn top(path: &Path) -> serde_json::Value {
    let out = brownfield(&[
        "top",
        path.to_str().unwrap(),
        "--format",
        "json",
        "--top",
        "0",
    ]);
    assert!(out.status.success(), "{}", show(&out));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn a_recorded_program_shows_its_hot_function_and_passes_its_exit_status_through() {
    let dir = tempfile::tempdir().unwrap();
    let out = record(dir.path(), "raw", "p.pyspy.txt", &[("EXIT", "3")]);
    assert_eq!(out.status.code(), Some(3), "{}", show(&out));
    let text = read(&dir.path().join("p.pyspy.txt"));
    let (mut hot, mut all) = (0u64, 0u64);
    for line in text.lines() {
        let (stack, n) = line.rsplit_once(' ').unwrap();
        let n: u64 = n.parse().unwrap();
        all += n;
        if stack.contains("hot (hotapp.py:") {
            hot += n;
        }
    }
    assert_eq!(all, recorded_samples(&out));
    assert!(all >= 20, "too few samples: {all}\n{}", show(&out));
    assert!(
        hot * 10 >= all * 7,
        "hot has {hot} of {all} samples:\n{text}"
    );
}

#[test]
fn every_format_reads_back_with_the_recorded_total() {
    let dir = tempfile::tempdir().unwrap();
    for (format, file) in [
        ("raw", "p.pyspy.txt"),
        ("speedscope", "p.speedscope.json"),
        ("pprof", "p.pb.gz"),
    ] {
        let out = record(dir.path(), format, file, &[("ROUNDS", "20")]);
        assert!(out.status.success(), "{format}: {}", show(&out));
        let table = top(&dir.path().join(file));
        assert_eq!(
            table["total"].as_u64(),
            Some(recorded_samples(&out)),
            "{format}: {table:#}"
        );
        // With native stacks the leaves are the interpreter's C frames: `hot` is on most
        // stacks (cum), whatever its own (flat) share.
        let hot = table["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == "hot")
            .unwrap_or_else(|| panic!("{format}: no hot row: {table:#}"));
        assert!(
            hot["cum_share"].as_f64().unwrap() >= 0.6,
            "{format}: {table:#}"
        );
    }
}

#[test]
fn plan_records_then_plans_and_keeps_the_capture() {
    let dir = tempfile::tempdir().unwrap();
    let prog = program(dir.path());
    let out_dir = dir.path().join("plan");
    let out = brownfield(&[
        "plan",
        "--source",
        dir.path().to_str().unwrap(),
        "--out",
        out_dir.to_str().unwrap(),
        "--",
        "python3",
        prog.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", show(&out));
    assert!(out_dir.join("profile.pyspy.txt").is_file());
    let plan: serde_json::Value = serde_json::from_str(&read(&out_dir.join("plan.json"))).unwrap();
    // The first unit moves `hot` (alone, or with `main`, which holds its loop).
    let first = &plan["units"][0];
    assert!(
        first["members"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m == "hotapp.hot"),
        "{:#}",
        plan["units"]
    );
}

#[test]
fn errors_name_what_to_do_and_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("x.pyspy.txt");
    let path = file.to_str().unwrap();
    // No such process.
    let out = brownfield(&["record", "--pid", "999999999", "-o", path]);
    assert_eq!(out.status.code(), Some(2), "{}", show(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no process with PID 999999999"));
    // A process that is not Python.
    let mut sleeper = std::process::Command::new("sleep")
        .arg("30")
        .spawn()
        .unwrap();
    let pid = sleeper.id().to_string();
    let out = brownfield(&["record", "--pid", &pid, "--duration", "2", "-o", path]);
    let _ = sleeper.kill();
    let _ = sleeper.wait();
    assert_eq!(out.status.code(), Some(2), "{}", show(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("is not a Python process"),
        "{}",
        show(&out)
    );
    // A command that does not exist.
    let out = brownfield(&["record", "-o", path, "--", "no-such-command-brownfield"]);
    assert_eq!(out.status.code(), Some(2), "{}", show(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not found"));
    assert!(!file.exists(), "nothing written");
}

#[test]
fn duration_and_ctrl_c_stop_sampling_write_the_profile_and_stop_the_program() {
    let dir = tempfile::tempdir().unwrap();
    // --duration: the program would run for minutes; sampling stops after 1 s, the program
    // is stopped, and brownfield succeeds.
    let prog = program(dir.path());
    let file = dir.path().join("d.pyspy.txt");
    let started = std::time::Instant::now();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_brownfield"))
        .args([
            "record",
            "--duration",
            "1",
            "-o",
            file.to_str().unwrap(),
            "--",
            "python3",
        ])
        .arg(&prog)
        .env("ROUNDS", "100000")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", show(&out));
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
    assert!(String::from_utf8_lossy(&out.stderr).contains("stopped: the duration ended"));
    assert!(recorded_samples(&out) > 20, "{}", show(&out));
    assert!(file.is_file());

    // Ctrl-C (SIGINT to brownfield alone): the profile is still written, the program is
    // stopped, and the exit status is 130 as a shell reports an interrupt.
    let file = dir.path().join("c.pyspy.txt");
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_brownfield"))
        .args(["record", "-o", file.to_str().unwrap(), "--", "python3"])
        .arg(&prog)
        .env("ROUNDS", "100000")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    // SAFETY: kill(2) on a child this test started and has not waited for.
    unsafe {
        libc::kill(child.id() as libc::pid_t, libc::SIGINT);
    }
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130), "{}", show(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("stopped: Ctrl-C"));
    assert!(recorded_samples(&out) > 10, "{}", show(&out));
    assert!(file.is_file());
}

/// With native stacks, the garbage-heavy part shows the collector's own frames, which the
/// model classifies as garbage collection.
#[cfg(feature = "native")]
#[test]
fn native_stacks_show_garbage_collection() {
    let dir = tempfile::tempdir().unwrap();
    let out = record(
        dir.path(),
        "raw",
        "n.pyspy.txt",
        &[("ROUNDS", "1"), ("CHURN", "3000000")],
    );
    assert!(out.status.success(), "{}", show(&out));
    let file = dir.path().join("n.pyspy.txt");
    let text = read(&file);
    assert!(
        text.contains("gc_collect") || text.contains("collect_generation"),
        "no collector frame:\n{text}"
    );
    let out = brownfield(&[
        "rank",
        file.to_str().unwrap(),
        "--source",
        dir.path().to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert!(out.status.success(), "{}", show(&out));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let gc = doc["work"]["gc"].as_f64().unwrap();
    assert!(gc > 0.05, "garbage collection {gc}: {:#}", doc["work"]);
}

/// `go tool pprof -top` reads the pprof brownfield writes (when Go is installed; .ci/run
/// installs it).
#[test]
fn go_tool_pprof_reads_the_recorded_profile() {
    if std::process::Command::new("go")
        .arg("version")
        .output()
        .is_err()
    {
        eprintln!("skipped: `go` is not installed (Debian: apt install golang-go)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = record(dir.path(), "pprof", "g.pb.gz", &[("ROUNDS", "10")]);
    assert!(out.status.success(), "{}", show(&out));
    let go = std::process::Command::new("go")
        .args(["tool", "pprof", "-top"])
        .arg(dir.path().join("g.pb.gz"))
        .env("HOME", dir.path())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&go.stdout);
    assert!(go.status.success(), "{}", show(&go));
    assert!(text.contains("Type: samples"), "{text}");
    assert!(
        text.contains(&format!("Total samples = {}", recorded_samples(&out))),
        "{text}"
    );
    assert!(text.contains(" hot"), "{text}");
}
