//! The model's classes of time that is not movable Python (issue 16), each on the small real
//! py-spy captures of `sample-profiles/classes/` (raw and `--native`).

use serde_json::Value;

use crate::rank::{f, row as candidate, strings};
use crate::{brownfield, plan_into_temp, read, show};

const SOURCE: &str = "sample-profiles/classes/app";
const RAW: &str = "sample-profiles/classes/kinds.pyspy.txt";
const NATIVE: &str = "sample-profiles/classes/kinds-native.pyspy.txt";

fn rank(profile: &str) -> (Value, String) {
    let out = brownfield(&["rank", profile, "--source", SOURCE, "--format", "json"]);
    assert!(out.status.success(), "{}", show(&out));
    (
        serde_json::from_slice(&out.stdout).expect("rank JSON"),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn share(v: &Value, key: &str) -> f64 {
    f(&v[key])
}

#[test]
fn garbage_collection_in_native_frames_is_not_movable() {
    let (doc, _) = rank(NATIVE);
    assert!(share(&doc["work"], "gc") > 0.2, "{}", doc["work"]);
    let tree = candidate(&doc, "kinds.churn.build_tree");
    assert!(share(&tree["work"], "gc") > 0.4, "{}", tree["work"]);
    assert_eq!(tree["category"], "native_bound");
    // Without native frames the collector is invisible: the same code looks pure Python.
    let (raw, _) = rank(RAW);
    assert_eq!(share(&raw["work"], "gc"), 0.0);
}

#[test]
fn regex_behind_a_method_chain_is_the_regex_engine() {
    for profile in [RAW, NATIVE] {
        let (doc, _) = rank(profile);
        let scan = candidate(&doc, "kinds.patterns.Scanner.find_all");
        assert!(
            share(&scan["work"], "regex") > 0.4,
            "{profile}: {}",
            scan["work"]
        );
        assert_eq!(scan["category"], "native_bound", "{profile}");
    }
}

#[test]
fn ast_parse_is_the_compiler_and_library_code_is_costed() {
    for profile in [RAW, NATIVE] {
        let (doc, _) = rank(profile);
        let parse = candidate(&doc, "kinds.parsing.parse_all");
        assert!(
            share(&parse["work"], "compile") > 0.3,
            "{profile}: {}",
            parse["work"]
        );
        // ast.walk's own Python moves only if the rewrite replaces it: it is in the effort.
        let walk = candidate(&doc, "kinds.parsing.count_calls");
        let library = strings(&walk["library_functions"]);
        assert!(library.contains(&"ast.walk"), "{profile}: {library:?}");
        let term = walk["effort_terms"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["name"] == "library_functions")
            .unwrap();
        assert!(share(term, "days") >= 1.0, "{term}");
    }
}

#[test]
fn empty_stacks_are_counted_warned_and_left_out_of_the_shares() {
    let raw = std::fs::read_to_string(crate::repo().join(RAW)).unwrap();
    let (mut all, mut empty) = (0u64, 0u64);
    for line in raw.lines() {
        let (stack, count) = line.rsplit_once(' ').unwrap();
        let n: u64 = count.parse().unwrap();
        all += n;
        if stack.trim().is_empty() {
            empty += n;
        }
    }
    assert!(empty > 0, "the capture has empty stacks");
    let (doc, stderr) = rank(RAW);
    assert_eq!(doc["total"].as_u64().unwrap(), all - empty);
    assert!(stderr.contains("have an empty stack"), "{stderr}");
    assert!(stderr.contains(&format!("({empty})")), "{stderr}");
}

#[test]
fn the_plan_says_where_gc_goes_and_what_to_do_in_python() {
    let (dir, out) = plan_into_temp(NATIVE, SOURCE, &[]);
    assert!(out.status.success(), "{}", show(&out));
    let md = read(&dir.path().join("plan/plan.md"));
    assert!(md.contains("- Garbage collection: "), "{md}");
    assert!(md.contains("### Fix in Python first"), "{md}");
    assert!(md.contains("gc.freeze()"), "{md}");
    let json: Value = serde_json::from_str(&read(&dir.path().join("plan/plan.json"))).unwrap();
    assert_eq!(json["fix_in_python"][0]["kind"], "garbage_collection");
    assert_eq!(json["native_frames"], true);

    let (dir, out) = plan_into_temp(RAW, SOURCE, &[]);
    assert!(out.status.success(), "{}", show(&out));
    let md = read(&dir.path().join("plan/plan.md"));
    assert!(md.contains("Garbage collection is invisible"), "{md}");
    assert!(md.contains("Empty stacks, left out of every share"), "{md}");
}
