//! Fuzz regressions: every input under `tests/fixtures/fuzz-regressions/` once crashed, hung or
//! exhausted memory in a `fuzz/` target. Each is replayed through the real binary
//! (`brownfield top FILE`), which must finish with status 0 (read) or 2 (a clean error), never
//! panic, within [`TIME_LIMIT`] and, on Linux, under [`RSS_LIMIT_KIB`] of resident memory.
//!
//! File names are `<target>-<short-description>.<ext>`. The targets `collapsed`, `speedscope` and
//! `pprof` force their format, so those files are replayed with `--input-format <target>`; `sniff`
//! files are read with format detection. Like the fuzz targets, gzip input is capped at 1 MiB.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::{repo, show};

/// Relative to the repository root, where the tests run the binary.
const DIR: &str = "tests/fixtures/fuzz-regressions";

/// The fuzz targets' decompressed-size cap (`fuzz/fuzz_targets/common.rs`).
const MAX_DECOMPRESSED: &str = "1048576";

/// A regression that used to hang must not hang the test suite: give up after this long. Every
/// fixture is at most 1 MiB (decompressed); reading one takes well under a second when fixed.
const TIME_LIMIT: Duration = Duration::from_secs(30);

/// Resident-memory budget of one replay (Linux only, polled from `/proc`): the fixtures are at
/// most 1 MiB, and memory amplification (a small file expanding into millions of stack nodes) is
/// one of the bugs they pin. The child is killed as soon as it goes over.
const RSS_LIMIT_KIB: u64 = 512 * 1024;

/// The replayable inputs: every regular file but the README, in name order.
fn inputs() -> Vec<PathBuf> {
    let dir = repo().join(DIR);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.is_file())
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            name != "README.md" && !name.starts_with('.')
        })
        .collect();
    files.sort();
    files
}

/// `--input-format` for a file named after a format-forcing target, none for `sniff-*`.
fn forced_format(name: &str) -> Option<&'static str> {
    ["collapsed", "speedscope", "pprof"]
        .into_iter()
        .find(|f| name.starts_with(&format!("{f}-")))
}

/// Why a replay was stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Killed {
    /// Still running after [`TIME_LIMIT`].
    Time,
    /// Resident memory over [`RSS_LIMIT_KIB`] (this many KiB when seen).
    Memory(u64),
}

/// Resident memory of a running process in KiB (`VmRSS`), when the platform tells.
fn rss_kib(pid: u32) -> Option<u64> {
    if !cfg!(target_os = "linux") {
        return None;
    }
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Runs the binary from the repository root, killing it after [`TIME_LIMIT`] or over
/// [`RSS_LIMIT_KIB`].
fn run_with_limit(args: &[&str]) -> (Output, Option<Killed>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_brownfield"))
        .args(args)
        .current_dir(repo())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the brownfield binary runs");
    // Drain the pipes on threads so a chatty child cannot block on a full pipe.
    let mut stdout = child.stdout.take().expect("piped stdout");
    let mut stderr = child.stderr.take().expect("piped stderr");
    let out_reader = std::thread::spawn(move || {
        let mut b = Vec::new();
        std::io::Read::read_to_end(&mut stdout, &mut b).ok();
        b
    });
    let err_reader = std::thread::spawn(move || {
        let mut b = Vec::new();
        std::io::Read::read_to_end(&mut stderr, &mut b).ok();
        b
    });
    let start = Instant::now();
    let mut killed = None;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for brownfield") {
            break status;
        }
        if start.elapsed() > TIME_LIMIT {
            killed = Some(Killed::Time);
        } else if let Some(kib) = rss_kib(child.id()).filter(|&k| k > RSS_LIMIT_KIB) {
            killed = Some(Killed::Memory(kib));
        }
        if killed.is_some() {
            child.kill().ok();
            break child.wait().expect("wait for killed brownfield");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let output = Output {
        status,
        stdout: out_reader.join().expect("stdout reader"),
        stderr: err_reader.join().expect("stderr reader"),
    };
    (output, killed)
}

#[test]
fn fuzz_regression_directory_exists_with_its_readme() {
    let dir = repo().join(DIR);
    assert!(dir.is_dir(), "{} is missing", dir.display());
    assert!(
        dir.join("README.md").is_file(),
        "{}/README.md is missing",
        dir.display()
    );
}

#[test]
fn fuzz_regressions_replay_without_panic() {
    let mut failures = Vec::new();
    let files = inputs();
    for file in &files {
        let name = file
            .file_name()
            .and_then(|n| n.to_str())
            .expect("utf-8 name");
        let rel = Path::new(DIR).join(name);
        let rel = rel.to_str().expect("utf-8 path");
        let mut args = vec!["top", rel, "--max-decompressed-size", MAX_DECOMPRESSED];
        if let Some(format) = forced_format(name) {
            args.extend(["--input-format", format]);
        }
        let (out, killed) = run_with_limit(&args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        let code = out.status.code();
        if let Some(Killed::Time) = killed {
            failures.push(format!(
                "{name}: still running after {TIME_LIMIT:?} (killed)"
            ));
        } else if let Some(Killed::Memory(kib)) = killed {
            failures.push(format!(
                "{name}: resident memory {} MiB, over the {} MiB budget (killed)",
                kib / 1024,
                RSS_LIMIT_KIB / 1024
            ));
        } else if !matches!(code, Some(0) | Some(2)) || stderr.contains("panicked") {
            failures.push(format!("{name} ({}):\n{}", args.join(" "), show(&out)));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} fuzz regressions failed:\n\n{}",
        failures.len(),
        files.len(),
        failures.join("\n\n")
    );
}
