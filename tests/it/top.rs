//! `brownfield top` against `go tool pprof -top` on the same files.

use crate::{brownfield, read, repo, show};

#[derive(Debug, serde::Deserialize)]
struct Table {
    unit: String,
    total: u64,
    rows: Vec<Row>,
}

#[derive(Debug, serde::Deserialize)]
struct Row {
    name: String,
    flat: u64,
    cum: u64,
}

fn top_json(args: &[&str]) -> Table {
    let mut all = vec!["top", "--format", "json", "--top", "0"];
    all.extend_from_slice(args);
    let out = brownfield(&all);
    assert!(out.status.success(), "{}", show(&out));
    serde_json::from_slice(&out.stdout).expect("top --format json is JSON")
}

/// pprof's rounded durations (`0.85s`, `1760ms`, `5020.65ms`) in nanoseconds.
fn pprof_nanos(v: &str) -> u64 {
    let (num, scale) = if let Some(n) = v.strip_suffix("ms") {
        (n, 1e6)
    } else if let Some(n) = v.strip_suffix("us") {
        (n, 1e3)
    } else if let Some(n) = v.strip_suffix("ns") {
        (n, 1.0)
    } else if let Some(n) = v.strip_suffix('s') {
        (n, 1e9)
    } else {
        (v, 1.0)
    };
    (num.parse::<f64>().expect("a number") * scale).round() as u64
}

/// pprof prints 2 to 3 significant digits: compare at the precision of its text.
fn close(ours: u64, pprof: &str) -> bool {
    let theirs = pprof_nanos(pprof);
    let tolerance = (theirs / 100).max(5_000_000);
    ours.abs_diff(theirs) <= tolerance
}

#[test]
fn go_wordfreq_matches_go_tool_pprof_top() {
    // Reference written by sample-profiles/go/capture.sh:
    //   cd sample-profiles && go tool pprof -top go-wordfreq.pprof.pb.gz   (Go 1.19.8)
    let reference = read(&repo().join("sample-profiles/go-wordfreq.pprof.top.txt"));
    let section = reference.split("\n$ ").next().unwrap();
    let total = section
        .lines()
        .find_map(|l| l.split("% of ").nth(1))
        .and_then(|t| t.strip_suffix(" total"))
        .expect("pprof's Showing line");
    let rows: Vec<(String, String, String)> = section
        .lines()
        .skip_while(|l| !l.trim_start().starts_with("flat"))
        .skip(1)
        .take(10)
        .map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            let name = f[5..].join(" ");
            let name = name.strip_suffix(" (inline)").unwrap_or(&name).to_string();
            (name, f[0].to_string(), f[3].to_string())
        })
        .collect();
    assert_eq!(rows.len(), 10);

    let t = top_json(&["sample-profiles/go-wordfreq.pprof.pb.gz"]);
    assert_eq!(t.unit, "nanoseconds");
    assert!(close(t.total, total), "total {} vs pprof {total}", t.total);
    for (i, (name, flat, cum)) in rows.iter().enumerate() {
        let ours = t
            .rows
            .iter()
            .find(|r| &r.name == name)
            .unwrap_or_else(|| panic!("{name} missing from brownfield top"));
        assert!(
            close(ours.flat, flat) && close(ours.cum, cum),
            "{name}: ours {}/{} vs pprof {flat}/{cum}",
            ours.flat,
            ours.cum
        );
        // Same order where pprof's flat values differ.
        if i + 1 < rows.len() && pprof_nanos(flat) > pprof_nanos(&rows[i + 1].1) {
            let pos = |n: &str| t.rows.iter().position(|r| r.name == n).unwrap();
            assert!(pos(name) < pos(&rows[i + 1].0), "order of {name}");
        }
    }
    // The samples sample type gives the sample count.
    let s = top_json(&[
        "--sample-type",
        "samples",
        "sample-profiles/go-wordfreq.pprof.pb.gz",
    ]);
    assert_eq!(s.unit, "samples");
    assert_eq!(s.total * 10_000_000, t.total, "488 samples of 10ms each");
}

#[test]
fn speedscope_and_raw_captures_of_one_program_rank_alike() {
    let raw = top_json(&["sample-profiles/logpipe.pyspy.txt"]);
    let ss = top_json(&["sample-profiles/logpipe.speedscope.json"]);
    assert_eq!(ss.unit, "nanoseconds");
    // Different runs of the same workload: the same function is hottest.
    assert_eq!(raw.rows[0].name, "edit_distance");
    assert_eq!(ss.rows[0].name, "edit_distance");
    // Merging them needs --normalize, and then both weigh the same.
    let out = brownfield(&[
        "top",
        "sample-profiles/logpipe.pyspy.txt",
        "sample-profiles/logpipe.speedscope.json",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", show(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("pass --normalize"));
    let both = top_json(&[
        "--normalize",
        "sample-profiles/logpipe.pyspy.txt",
        "sample-profiles/logpipe.speedscope.json",
    ]);
    assert_eq!(both.unit, "weight");
}

#[test]
fn threads_and_native_variants_read() {
    for (file, extra) in [
        (
            "sample-profiles/logpipe-threads-idle-native.speedscope.json",
            vec!["--idle", "--threads"],
        ),
        ("sample-profiles/logpipe-native.pyspy.txt", vec![]),
        (
            "sample-profiles/logpipe-subprocesses.pyspy.txt",
            vec!["--threads"],
        ),
    ] {
        let mut args = extra.clone();
        args.push(file);
        let t = top_json(&args);
        assert!(t.total > 0 && !t.rows.is_empty(), "{file}");
        let with_all = t.total;
        let default = top_json(&[file]).total;
        assert!(default <= with_all, "{file}: filters only remove samples");
    }
}

/// Reads `../shared/testdata/pprof` (third-party profiles; present in CI, absent in a user's
/// clone, where this test passes without checking anything and says so).
#[test]
fn shared_testdata_pprof_totals_match_go_tool_pprof() {
    let dir = repo().join("../shared/testdata/pprof");
    if !dir.is_dir() {
        eprintln!("skipped: {} is absent", dir.display());
        return;
    }
    // Reference: `go tool pprof -symbolize=none -top FILE` (Go 1.19.8), from the README there.
    // (file, extra args, total, first row, its flat) with totals in brownfield's unit.
    let cases: &[(&str, &[&str], &str, &str, &str)] = &[
        (
            "go-cpu-sample.pb.gz",
            &[],
            "1760ms",
            "runtime.mapiternext",
            "1280ms",
        ),
        ("go-cpu-large.pb.gz", &[], "240.29s", "time.Now", "205.17s"),
        ("go-cpu-labels.pb.gz", &[], "8730ms", "main.work", "7910ms"),
        (
            "cpp-cpu-address-only.pb.gz",
            &[],
            "7.12s",
            "[cppbench_server_main]",
            "7.08s",
        ),
        (
            "java-cpu-async-profiler.pb.gz",
            &[],
            "5020.65ms",
            "java/io/UnixFileSystem.getNameMax0",
            "887.74ms",
        ),
        (
            "nodejs-wall.pb.gz",
            &["--idle"],
            "8980ms",
            "./index.js:(anonymous):22",
            "5860ms",
        ),
        (
            "dotnet-multi-type-labels.pb",
            &["--sample-type", "cpu"],
            "9093ms",
            "WebApplication1.Controllers!CpuController.fib",
            "3956ms",
        ),
    ];
    for (file, extra, total, first, flat) in cases {
        let path = dir.join(file);
        let mut args: Vec<&str> = extra.to_vec();
        args.push(path.to_str().unwrap());
        let t = top_json(&args);
        assert!(
            close(t.total, total),
            "{file}: total {} vs {total}",
            t.total
        );
        assert_eq!(t.rows[0].name, *first, "{file}");
        assert!(
            close(t.rows[0].flat, flat),
            "{file}: {} vs {flat}",
            t.rows[0].flat
        );
    }
    // Counts compare exactly.
    let counts: &[(&str, &[&str], u64, &str, u64)] = &[
        (
            "go-native-thread-labels.pb.gz",
            &[],
            462,
            "runtime.mallocgc",
            40,
        ),
        ("python-pyspy.pb", &[], 781, "work", 775),
        (
            "python-cpu.pb.gz",
            &["--idle"],
            234084,
            "find_nearest_vehicle",
            125945,
        ),
    ];
    for (file, extra, total, first, flat) in counts {
        let path = dir.join(file);
        let mut args: Vec<&str> = extra.to_vec();
        args.push(path.to_str().unwrap());
        let t = top_json(&args);
        assert_eq!(
            (t.total, t.rows[0].name.as_str(), t.rows[0].flat),
            (*total, *first, *flat),
            "{file}"
        );
    }
    let heap = top_json(&[dir.join("go-heap-default-type.pb.gz").to_str().unwrap()]);
    assert_eq!(heap.unit, "bytes");
    assert_eq!(heap.rows[0].name, "io.ReadAll");
    // 16.95MB in pprof's units (MB = 2^20 bytes).
    assert!(
        (heap.total as f64 / 1048576.0 - 16.95).abs() < 0.01,
        "{}",
        heap.total
    );

    // Hostile and legacy files fail cleanly with status 2 and a position.
    for (file, needle) in [
        ("bad-function-id-zero.pb", "function #0: id 0 is reserved"),
        ("bad-invalid-utf8.pb.gz", "not UTF-8"),
        ("legacy-cppbench.heap", "legacy pprof text profile"),
        (
            "legacy-gobench.cpu",
            "formats tried: collapsed, speedscope, pprof",
        ),
    ] {
        let out = brownfield(&["top", dir.join(file).to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(2), "{file}: {}", show(&out));
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(needle),
            "{file}: {}",
            show(&out)
        );
    }
}

#[test]
fn label_filters_partition_the_go_profile() {
    let file = "sample-profiles/go-wordfreq.pprof.pb.gz";
    let all = top_json(&[file]).total;
    let count = top_json(&["--tagfocus", "stage=^count$", file]).total;
    let tokenize = top_json(&["--tagfocus", "stage=^tokenize$", file]).total;
    let unlabelled = top_json(&["--tagignore", "stage=.", file]).total;
    assert!(count > 0 && tokenize > 0 && unlabelled > 0);
    assert_eq!(count + tokenize + unlabelled, all);
}

#[test]
fn csv_and_table_formats_carry_the_same_rows() {
    let file = "sample-profiles/logpipe.pyspy.txt";
    let out = brownfield(&["top", file, "--format", "csv", "--top", "3"]);
    assert!(out.status.success(), "{}", show(&out));
    let csv = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "name,flat,flat_share,sum_share,cum,cum_share");
    assert_eq!(lines.len(), 4);
    let json = top_json(&[file]);
    let first: Vec<&str> = lines[1].split(',').collect();
    assert_eq!(first[0], json.rows[0].name);
    assert_eq!(first[1].parse::<u64>().unwrap(), json.rows[0].flat);
    let out = brownfield(&["top", file, "--granularity", "file", "--top", "2"]);
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(
        table.starts_with("Type: samples/count\nShowing nodes accounting for"),
        "{table}"
    );
    assert!(table.contains("logpipe/cluster.py"), "{table}");
}
