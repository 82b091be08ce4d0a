//! `brownfield plan` end to end on the committed captures.

use crate::independent;
use crate::{brownfield, plan_into_temp, read, repo, show};

const CAPTURE: &str = "sample-profiles/logpipe.pyspy.txt";
const CAPTURE_FULL: &str = "sample-profiles/logpipe-full-idle.pyspy.txt";
const SOURCE: &str = "sample-profiles/app";

/// One row of plan.md's "Hot functions" table.
#[derive(Debug)]
struct Row {
    rank: usize,
    function: String,
    self_samples: u64,
    total_samples: u64,
}

fn hot_function_rows(md: &str) -> Vec<Row> {
    let section = md
        .split("## Hot functions")
        .nth(1)
        .expect("plan.md has a Hot functions section");
    let section = section.split("\n## ").next().unwrap_or(section);
    section
        .lines()
        .filter(|l| l.starts_with("| ") && l.as_bytes().get(2).is_some_and(|b| b.is_ascii_digit()))
        .map(|l| {
            let cells: Vec<&str> = l.trim_matches('|').split(" | ").map(str::trim).collect();
            Row {
                rank: cells[0].parse().expect("rank"),
                function: cells[1].trim_matches('`').to_string(),
                self_samples: cells[5].parse().expect("self samples"),
                total_samples: cells[6].parse().expect("total samples"),
            }
        })
        .collect()
}

#[test]
fn ranked_shares_match_an_independent_reading_of_the_capture() {
    let (dir, out) = plan_into_temp(CAPTURE, SOURCE, &["--top", "1000"]);
    assert!(out.status.success(), "{}", show(&out));
    let md = read(&dir.path().join("plan/plan.md"));
    let rows = hot_function_rows(&md);
    assert!(
        rows.len() >= 20,
        "expected many ranked functions, got {}",
        rows.len()
    );

    let raw = read(&repo().join(CAPTURE));
    let expected = independent::compute(&raw, "logpipe");
    assert!(md.contains(&format!("- Samples: {} samples", expected.total)));

    for row in &rows {
        let (s, t) = expected
            .functions
            .get(&row.function)
            .unwrap_or_else(|| panic!("{} is ranked but never in the capture", row.function));
        assert_eq!(
            (row.self_samples, row.total_samples),
            (*s, *t),
            "self/total samples of {}",
            row.function
        );
    }
    // Ranks follow self samples, descending.
    for pair in rows.windows(2) {
        assert!(pair[0].self_samples >= pair[1].self_samples, "{pair:?}");
        assert_eq!(pair[0].rank + 1, pair[1].rank);
    }
    // Nothing with self time is missing from the ranking.
    let (top_name, top_self) = expected
        .functions
        .iter()
        .max_by_key(|(name, (s, _))| (*s, std::cmp::Reverse((*name).clone())))
        .map(|(n, (s, _))| (n.clone(), *s))
        .unwrap();
    assert_eq!(
        (rows[0].function.clone(), rows[0].self_samples),
        (top_name, top_self)
    );
    let ranked: std::collections::BTreeSet<&str> =
        rows.iter().map(|r| r.function.as_str()).collect();
    for (name, (s, _)) in &expected.functions {
        if *s > 0 {
            assert!(
                ranked.contains(name.as_str()),
                "{name} has {s} self samples but is not ranked"
            );
        }
    }
}

#[test]
fn plan_writes_markdown_and_a_flamegraph_and_prints_the_table() {
    let (dir, out) = plan_into_temp(CAPTURE, SOURCE, &[]);
    assert!(out.status.success(), "{}", show(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("Rank") && stdout.contains("logpipe."),
        "{}",
        show(&out)
    );
    assert!(stdout.contains("phase 1 (quick wins)"), "{}", show(&out));
    let md = read(&dir.path().join("plan/plan.md"));
    for heading in [
        "## Summary",
        "## Phases",
        "### Phase 1: quick wins",
        "## Hot functions",
        "## Flamegraph",
        "## Method and assumptions",
        "## Mapping coverage",
        "## Inputs",
    ] {
        assert!(md.contains(heading), "plan.md lacks {heading}");
    }
    assert!(md.contains("![Flamegraph of the whole profile](flamegraph.svg)"));
    let svg = read(&dir.path().join("plan/flamegraph.svg"));
    assert!(svg.starts_with("<?xml") && svg.trim_end().ends_with("</svg>"));
    assert!(
        svg.contains("logpipe."),
        "codebase frames are labelled by qualified name"
    );
}

#[test]
fn full_filenames_map_like_short_ones() {
    // --idle: the independent reading counts every sample, waiting threads included.
    let (dir, out) = plan_into_temp(CAPTURE_FULL, SOURCE, &["--top", "1000", "--idle"]);
    assert!(out.status.success(), "{}", show(&out));
    let md = read(&dir.path().join("plan/plan.md"));
    let raw = read(&repo().join(CAPTURE_FULL));
    assert!(raw.contains("/logpipe/"), "the capture uses absolute paths");
    let expected = independent::compute(&raw, "logpipe");
    let rows = hot_function_rows(&md);
    assert!(!rows.is_empty());
    for row in &rows {
        let (s, t) = expected.functions[&row.function];
        assert_eq!(
            (row.self_samples, row.total_samples),
            (s, t),
            "{}",
            row.function
        );
    }
}

#[test]
fn idle_samples_are_dropped_by_default() {
    let raw = read(&repo().join(CAPTURE_FULL));
    let all = independent::compute(&raw, "logpipe").total;
    let (dir, out) = plan_into_temp(CAPTURE_FULL, SOURCE, &[]);
    assert!(out.status.success(), "{}", show(&out));
    let md = read(&dir.path().join("plan/plan.md"));
    let samples: u64 = md
        .lines()
        .find_map(|l| l.strip_prefix("- Samples: "))
        .and_then(|l| l.split(' ').next())
        .and_then(|n| n.parse().ok())
        .expect("plan.md states the sample count");
    // The capture was taken with py-spy --idle while background threads mostly waited.
    assert!(samples < all / 2, "{samples} of {all} samples kept");
}

#[test]
fn same_input_gives_byte_identical_output() {
    let (a, out_a) = plan_into_temp(CAPTURE, SOURCE, &[]);
    let (b, out_b) = plan_into_temp(CAPTURE, SOURCE, &[]);
    assert!(out_a.status.success() && out_b.status.success());
    for file in ["plan.md", "flamegraph.svg"] {
        let x = std::fs::read(a.path().join("plan").join(file)).unwrap();
        let y = std::fs::read(b.path().join("plan").join(file)).unwrap();
        // The recorded command line differs only in the temp --out path.
        let x = String::from_utf8(x)
            .unwrap()
            .replace(a.path().to_str().unwrap(), "OUT");
        let y = String::from_utf8(y)
            .unwrap()
            .replace(b.path().to_str().unwrap(), "OUT");
        assert!(x == y, "{file} differs between two runs");
    }
}

#[test]
fn committed_example_plan_is_up_to_date() {
    let (dir, out) = plan_into_temp(CAPTURE, SOURCE, &[]);
    assert!(out.status.success(), "{}", show(&out));
    let out_dir = dir.path().join("plan");
    for file in ["plan.md", "flamegraph.svg"] {
        let fresh = read(&out_dir.join(file)).replace(out_dir.to_str().unwrap(), "plans/logpipe");
        let committed = read(&repo().join("plans/logpipe").join(file));
        if fresh != committed {
            let line = fresh
                .lines()
                .zip(committed.lines())
                .position(|(a, b)| a != b)
                .map_or(
                    fresh.lines().count().min(committed.lines().count()) + 1,
                    |i| i + 1,
                );
            panic!(
                "plans/logpipe/{file} is stale (first difference at line {line}); run plans/regenerate.sh"
            );
        }
    }
}

#[test]
fn malformed_profile_fails_with_file_and_line_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.txt");
    std::fs::write(&bad, "a (m.py:1);b (m.py:2) 3\nc (m.py:3) lots\n").unwrap();
    let out_dir = dir.path().join("out");
    let out = brownfield(&[
        "plan",
        bad.to_str().unwrap(),
        "--source",
        SOURCE,
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", show(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("{}:2: expected a sample count", bad.display())),
        "{}",
        show(&out)
    );
    assert!(!out_dir.exists(), "nothing is written on error");
}

#[test]
fn bad_inputs_exit_2_without_panicking() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.txt");
    std::fs::write(&empty, "").unwrap();
    let gz = dir.path().join("p.pb.gz");
    std::fs::write(&gz, [0x1f, 0x8b, 8, 0, 0, 0]).unwrap();
    let out_dir = dir.path().join("out");
    let out_dir = out_dir.to_str().unwrap();
    for (profile, source, needle) in [
        (
            empty.to_str().unwrap(),
            SOURCE,
            "is empty; expected a profile",
        ),
        (gz.to_str().unwrap(), SOURCE, "is truncated gzip"),
        (
            "no/such/profile.txt",
            SOURCE,
            "cannot read no/such/profile.txt",
        ),
        (
            CAPTURE,
            "no/such/dir",
            "source root no/such/dir is not a directory",
        ),
    ] {
        let out = brownfield(&["plan", profile, "--source", source, "--out", out_dir]);
        assert_eq!(out.status.code(), Some(2), "{}", show(&out));
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(needle),
            "{}",
            show(&out)
        );
        assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
    }
}

#[test]
fn wrong_source_tree_warns_about_low_coverage() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("other.py"), "def f():\n    pass\n").unwrap();
    let (_out_dir, out) = plan_into_temp(CAPTURE, dir.path().to_str().unwrap(), &[]);
    assert!(out.status.success(), "{}", show(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("is --source the code that was profiled?"),
        "{}",
        show(&out)
    );
}
