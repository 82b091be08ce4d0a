//! A profile that does not belong to `--source` (a Go program's pprof against a Python
//! checkout): `rank` and `plan` stop with status 2 and write nothing, unless
//! `--allow-unmapped`, and then say that nothing maps.

use std::collections::BTreeMap;
use std::path::Path;

use crate::{brownfield, plan_into_temp, read, show};

const GO_PROFILE: &str = "sample-profiles/go-wordfreq.pprof.pb.gz";
const PYTHON_SOURCE: &str = "sample-profiles/app";

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The refusal names the profile, the share mapped, the source root(s), where the time is and
/// the override flag.
fn assert_refused(out: &std::process::Output, profile: &str, roots: &str, hot: &str) {
    assert_eq!(out.status.code(), Some(2), "{}", show(out));
    let err = stderr(out);
    for needle in [
        profile,
        "only 0.00% of samples",
        &format!("have a frame in --source {roots}"),
        "(at least 1% must)",
        hot,
        "Is --source the checkout of the profiled program",
        "in a container",
        "pass --allow-unmapped",
    ] {
        assert!(err.contains(needle), "{needle:?} missing from: {err}");
    }
    assert!(out.stdout.is_empty(), "{}", show(out));
}

#[test]
fn rank_refuses_a_profile_of_another_program() {
    let out = brownfield(&["rank", GO_PROFILE, "--source", PYTHON_SOURCE]);
    assert_refused(
        &out,
        GO_PROFILE,
        PYTHON_SOURCE,
        "compress/flate/deflate.go (26.4%)",
    );
    // A Python profile against the wrong checkout: the message shows the profile's own files,
    // and names every root.
    let out = brownfield(&[
        "rank",
        "sample-profiles/logpipe.pyspy.txt",
        "--source",
        "sample-profiles/chardet",
        "--source",
        "sample-profiles/calibration",
    ]);
    assert_refused(
        &out,
        "sample-profiles/logpipe.pyspy.txt",
        "sample-profiles/chardet, sample-profiles/calibration",
        "logpipe/",
    );
}

#[test]
fn plan_refuses_it_and_writes_nothing() {
    let (dir, out) = plan_into_temp(GO_PROFILE, PYTHON_SOURCE, &[]);
    assert_refused(&out, GO_PROFILE, PYTHON_SOURCE, "runtime/map.go");
    assert!(
        !dir.path().join("plan").exists(),
        "no plan directory is made"
    );
}

/// Every file of `dir` with its bytes.
fn contents(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

#[test]
fn a_refused_profile_leaves_an_existing_plan_untouched() {
    let (dir, out) = plan_into_temp("sample-profiles/logpipe.pyspy.txt", PYTHON_SOURCE, &[]);
    assert!(out.status.success(), "{}", show(&out));
    let plan_dir = dir.path().join("plan");
    let before = contents(&plan_dir);
    assert!(before.contains_key("plan.md"));
    let out = brownfield(&[
        "plan",
        GO_PROFILE,
        "--source",
        PYTHON_SOURCE,
        "--out",
        plan_dir.to_str().unwrap(),
        "--force",
    ]);
    assert_refused(&out, GO_PROFILE, PYTHON_SOURCE, "asm_amd64.s");
    assert!(contents(&plan_dir) == before, "the good plan is unchanged");
}

#[test]
fn allow_unmapped_ranks_and_plans_and_says_nothing_maps() {
    let out = brownfield(&[
        "rank",
        GO_PROFILE,
        "--source",
        PYTHON_SOURCE,
        "--allow-unmapped",
    ]);
    assert!(out.status.success(), "{}", show(&out));
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        table.starts_with("nothing in this profile maps to the source: only 0.0% of samples"),
        "{table}"
    );
    assert!(stderr(&out).contains("warning: only 0.0% of samples have a frame"));

    let (dir, out) = plan_into_temp(GO_PROFILE, PYTHON_SOURCE, &["--allow-unmapped"]);
    assert!(out.status.success(), "{}", show(&out));
    let md = read(&dir.path().join("plan/plan.md"));
    let summary = md.split("## Phases").next().unwrap();
    assert!(
        summary.contains(
            "**Nothing in this profile maps to the source: only 0.0% of samples have a frame \
             under `sample-profiles/app`.**"
        ),
        "{summary}"
    );
    assert!(
        summary.contains("made with `--allow-unmapped`"),
        "{summary}"
    );
    assert!(!md.contains("worth rewriting in Rust"), "{summary}");
    let html = read(&dir.path().join("plan/plan.html"));
    assert!(html.contains("Nothing in this profile maps to the source"));
    let json: serde_json::Value =
        serde_json::from_str(&read(&dir.path().join("plan/plan.json"))).unwrap();
    assert_eq!(json["coverage"]["in_codebase"], 0);
    assert_eq!(json["headline"]["units"], 0);
}

#[test]
fn a_mapped_profile_does_not_say_nothing_maps() {
    let (dir, out) = plan_into_temp(
        "sample-profiles/logpipe.pyspy.txt",
        PYTHON_SOURCE,
        &["--allow-unmapped"],
    );
    assert!(out.status.success(), "{}", show(&out));
    let md = read(&dir.path().join("plan/plan.md"));
    assert!(!md.contains("Nothing in this profile maps"), "{md}");
}
