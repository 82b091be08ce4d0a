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
        "## Phase 0: safety net",
        "## Phase 1: quick wins",
        "## Not worth migrating",
        "## Hot subgraph",
        "```mermaid",
        "## Hot functions",
        "## Flamegraphs",
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
    assert!(
        md.contains(&format!("({all} samples as read)")),
        "the Inputs section gives the file's total before filters"
    );
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

/// The example plans of plans/plans.tsv: `(name, arguments)`.
fn example_plans() -> Vec<(String, Vec<String>)> {
    read(&repo().join("plans/plans.tsv"))
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let (name, args) = l.split_once('\t').expect("name<TAB>arguments");
            (
                name.to_string(),
                args.split_whitespace().map(str::to_string).collect(),
            )
        })
        .collect()
}

#[test]
fn committed_example_plans_are_up_to_date() {
    let plans = example_plans();
    assert!(plans.len() >= 6, "plans/plans.tsv lists the captures");
    for (name, args) in plans {
        let source = args
            .iter()
            .skip_while(|a| *a != "--source")
            .nth(1)
            .expect("--source");
        if !repo().join(source).is_dir() {
            // A PyPI package's source (see plans/README.md); .ci/run installs it.
            eprintln!("skipping plans/{name}: {source} is not installed");
            continue;
        }
        let dir = tempfile::tempdir().unwrap();
        let out_dir = dir.path().join(&name);
        let mut argv: Vec<&str> = vec!["plan"];
        argv.extend(args.iter().map(String::as_str));
        argv.extend(["--out", out_dir.to_str().unwrap(), "--force"]);
        let out = brownfield(&argv);
        assert!(out.status.success(), "{name}: {}", show(&out));
        let committed_dir = repo().join("plans").join(&name);
        let names = |d: &std::path::Path| -> Vec<String> {
            let mut v: Vec<String> = std::fs::read_dir(d)
                .unwrap_or_else(|e| panic!("{}: {e}", d.display()))
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            v.sort();
            v
        };
        assert_eq!(
            names(&out_dir),
            names(&committed_dir),
            "plans/{name} has other files than a fresh plan; run plans/regenerate.sh"
        );
        let prefix = format!("plans/{name}");
        for file in names(&out_dir) {
            let fresh = read(&out_dir.join(&file)).replace(out_dir.to_str().unwrap(), &prefix);
            let committed = read(&committed_dir.join(&file));
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
                    "plans/{name}/{file} is stale (first difference at line {line}); run plans/regenerate.sh"
                );
            }
        }
    }
}

#[test]
fn an_existing_plan_is_replaced_only_with_force() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("plan");
    std::fs::create_dir(&out_dir).unwrap();
    std::fs::write(out_dir.join("notes.txt"), "mine").unwrap();
    // A picture of an earlier plan with more phases.
    std::fs::write(out_dir.join("flamegraph-phase-9.svg"), "<svg/>").unwrap();
    let o = out_dir.to_str().unwrap();
    let out = brownfield(&["plan", CAPTURE, "--source", SOURCE, "--out", o]);
    assert_eq!(out.status.code(), Some(2), "{}", show(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--force"));
    assert!(!out_dir.join("plan.md").exists(), "nothing written");
    let out = brownfield(&["plan", CAPTURE, "--source", SOURCE, "--out", o, "--force"]);
    assert!(out.status.success(), "{}", show(&out));
    for file in [
        "plan.md",
        "plan.html",
        "plan.json",
        "flamegraph.svg",
        "impact-vs-ease.svg",
    ] {
        assert!(out_dir.join(file).is_file(), "{file}");
    }
    assert!(
        !out_dir.join("flamegraph-phase-9.svg").exists(),
        "a stale phase picture is removed"
    );
    assert_eq!(read(&out_dir.join("notes.txt")), "mine", "other files stay");
    // No temporary files are left behind.
    for e in std::fs::read_dir(&out_dir).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().into_owned();
        assert!(!name.starts_with(".brownfield-"), "{name}");
    }
}

#[test]
fn plan_json_carries_phases_units_and_left_out_functions() {
    let (dir, out) = plan_into_temp(CAPTURE, SOURCE, &[]);
    assert!(out.status.success(), "{}", show(&out));
    let json: serde_json::Value =
        serde_json::from_str(&read(&dir.path().join("plan/plan.json"))).unwrap();
    assert_eq!(json["schema_version"], 1);
    let phases = json["phases"].as_array().unwrap();
    assert_eq!(phases[0]["kind"], "safety_net");
    assert_eq!(phases[1]["number"], 1);
    let units = json["units"].as_array().unwrap();
    assert_eq!(units[0]["id"], "logpipe.cluster.edit_distance");
    assert!(
        units[0]["entry_points"][0]["signature"]
            .as_str()
            .unwrap()
            .starts_with("def edit_distance(a: str, b: str, limit: Optional[int] = None) -> int")
    );
    // Cumulative projections only grow, and stay below the bound.
    let mut last = 1.0;
    for p in &phases[1..] {
        let mid = p["projected_speedup"]["mid"].as_f64().unwrap();
        assert!(mid >= last && mid <= p["upper_bound"].as_f64().unwrap() + 1e-12);
        last = mid;
    }
    // Units do not overlap (copies of helpers taken along are each unit's own).
    let mut seen = std::collections::BTreeSet::new();
    for u in units {
        let copies = u["copies"].as_array().unwrap();
        for m in u["members"].as_array().unwrap() {
            if copies.contains(m) {
                continue;
            }
            assert!(
                seen.insert(m.as_str().unwrap().to_string()),
                "{m} in two units"
            );
        }
    }
    // The JSON writer lists the native-bound report writer as not worth migrating.
    let left: Vec<&serde_json::Value> = json["not_worth"].as_array().unwrap().iter().collect();
    let writer = left
        .iter()
        .find(|l| l["function"] == "logpipe.report.ReportWriter._write")
        .expect("ReportWriter._write is left out");
    assert_eq!(writer["reason"], "time_in_native");
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
    // Nothing maps: refused (tests/it/unmapped.rs), planned with --allow-unmapped, warned.
    let (out_dir, out) = plan_into_temp(CAPTURE, dir.path().to_str().unwrap(), &[]);
    assert_eq!(out.status.code(), Some(2), "{}", show(&out));
    assert!(!out_dir.path().join("plan").exists());
    let (_out_dir, out) =
        plan_into_temp(CAPTURE, dir.path().to_str().unwrap(), &["--allow-unmapped"]);
    assert!(out.status.success(), "{}", show(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("is --source the code that was profiled?"),
        "{}",
        show(&out)
    );
}
