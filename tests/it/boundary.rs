//! Units that pay for their boundary, and evidence that says how strong it is (docs/scoring.md
//! §2, §4 and §7), on the sample app's real py-spy capture.

use serde_json::Value;

use crate::rank::{f, row, strings};
use crate::{brownfield, plan_into_temp, read, show};

const CAPTURE: &str = "sample-profiles/logpipe.pyspy.txt";
const SOURCE: &str = "sample-profiles/app";

fn rank_all() -> Value {
    let out = brownfield(&[
        "rank", CAPTURE, "--source", SOURCE, "--format", "json", "--top", "0",
    ]);
    assert!(out.status.success(), "{}", show(&out));
    serde_json::from_slice(&out.stdout).expect("rank JSON")
}

fn plan_json(extra: &[&str], profile: &str) -> (Value, String) {
    let (dir, out) = plan_into_temp(profile, SOURCE, extra);
    assert!(out.status.success(), "{}", show(&out));
    let json = serde_json::from_str(&read(&dir.path().join("plan/plan.json"))).unwrap();
    let md = read(&dir.path().join("plan/plan.md"));
    (json, md)
}

fn unit<'a>(plan: &'a Value, id: &str) -> Option<&'a Value> {
    plan["units"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["id"] == id)
}

#[test]
fn a_one_line_method_called_per_element_is_not_credited_with_ten_times() {
    let doc = rank_all();
    // `TopK.add` is `self.counter[item] += weight`: a call runs about as much Python as a
    // PyO3 crossing costs.
    let add = row(&doc, "logpipe.stats.TopK.add");
    assert_eq!(add["crossing"]["eats_gain"], true, "{add:#}");
    assert!(f(&add["crossing"]["ceiling"]) < 2.0, "{add:#}");
    assert!(f(&add["effective_speedup"]["mid"]) < 1.5, "{add:#}");
    assert!(f(&add["assumed_speedup"]["mid"]) >= 10.0);
    // `_digits` loops over 2 to 4 digits: the samples on its once-per-call lines bound it.
    let digits = row(&doc, "logpipe.timefmt._digits");
    assert_eq!(digits["crossing"]["eats_gain"], true, "{digits:#}");
    assert!(f(&digits["effective_speedup"]["mid"]) < 4.0, "{digits:#}");
    // The function holding the loop that calls it takes it along, and pays nothing for it.
    let parse = row(&doc, "logpipe.timefmt.parse_clf");
    assert!(strings(&parse["copies"]).contains(&"logpipe.timefmt._digits"));
    assert_eq!(parse["crossing"]["eats_gain"], false, "{parse:#}");
    // A loop with its time inside the loop has no bound: the category's speedup stands.
    let edit = row(&doc, "logpipe.cluster.edit_distance");
    assert!(f(&edit["effective_speedup"]["mid"]) > 9.5, "{edit:#}");
}

#[test]
fn the_plan_moves_tiny_helpers_with_their_loop_and_never_on_their_own() {
    let (plan, md) = plan_json(&[], CAPTURE);
    for tiny in ["logpipe.stats.TopK.add", "logpipe.timefmt._digits"] {
        assert!(unit(&plan, tiny).is_none(), "{tiny} is a unit");
    }
    let parse = unit(&plan, "logpipe.timefmt.parse_clf").expect("parse_clf planned");
    assert!(strings(&parse["copies"]).contains(&"logpipe.timefmt._digits"));
    assert!(md.contains("**Helpers it takes along**"), "{md}");
    // No planned unit's crossing eats its gain, and every projection uses the effective speedup.
    for u in plan["units"].as_array().unwrap() {
        assert_ne!(u["crossing"]["eats_gain"], true, "{u:#}");
        assert!(f(&u["effective_speedup"]["mid"]) <= f(&u["assumed_speedup"]["mid"]) + 1e-9);
    }
    // Copies do not make units overlap: `TopK.add` goes along with more than one unit.
    let copying = plan["units"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|u| strings(&u["copies"]).contains(&"logpipe.stats.TopK.add"))
        .count();
    assert!(copying >= 1, "{plan:#}");
}

#[test]
fn overridable_methods_stay_in_python_and_are_flagged() {
    let doc = rank_all();
    // `Validator.filter` calls `rule.check` on every rule: `Rule.check` is overridden by
    // every rule class, so none of them moves with the validator.
    let filter = row(&doc, "logpipe.validate.Validator.filter");
    let members = strings(&filter["unit"]);
    let public = filter["public_methods"].as_array().unwrap();
    for m in public {
        assert_eq!(m["kept_out"], true, "{m:#}");
        assert!(!members.contains(&m["function"].as_str().unwrap()));
    }
    assert!(
        public
            .iter()
            .any(|m| m["function"] == "logpipe.validate.IPv4Rule.check"
                && m["reason"]["kind"] == "overrides"),
        "{filter:#}"
    );
    // `BaseParser.parse_lines` calls `self.parse_line`, which each log format overrides: the
    // overrides stay out, and so does what only they reach (the timestamp parsing that
    // `parse_lines` dominates jointly through them).
    let lines = row(&doc, "logpipe.parser.BaseParser.parse_lines");
    let members = strings(&lines["unit"]);
    for out in [
        "logpipe.parser.AccessLogParser.parse_line",
        "logpipe.timefmt._digits",
    ] {
        assert!(!members.contains(&out), "{out} in {members:?}");
    }
    // A rule's own check can move, flagged: the Rust class must stay subclassable.
    let (plan, _) = plan_json(&[], CAPTURE);
    let ipv4 = unit(&plan, "logpipe.validate.IPv4Rule.check").expect("planned");
    assert!(
        ipv4["risks"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["kind"] == "public_boundary"),
        "{ipv4:#}"
    );
}

#[test]
fn a_unit_whose_gain_per_day_is_negligible_is_not_worth_migrating() {
    // Demand 1% of the run per engineer-day: the low-return units leave the plan as poor
    // return instead of filling a late phase.
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("b.toml");
    std::fs::write(&config, "[plan]\nmin_gain_per_day = 0.01\n").unwrap();
    let (plan, md) = plan_json(&["--config", config.to_str().unwrap()], CAPTURE);
    let poor: Vec<&Value> = plan["not_worth"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["reason"] == "poor_return")
        .collect();
    assert!(!poor.is_empty(), "{:#}", plan["not_worth"]);
    assert!(md.contains("**poor return**"), "{md}");
    for u in plan["units"].as_array().unwrap() {
        assert!(
            f(&u["marginal_gain"]) / f(&u["effort_days"]) >= 0.01 - 1e-12,
            "{u:#}"
        );
    }
}

/// Every `step`-th sample of the capture, in file order, as a py-spy raw profile.
fn thinned(step: usize) -> tempfile::NamedTempFile {
    let text = read(&crate::repo().join(CAPTURE));
    let mut counts: std::collections::BTreeMap<String, u64> = Default::default();
    let mut k = 0usize;
    for line in text.lines().filter(|l| !l.is_empty()) {
        let (stack, n) = line.rsplit_once(' ').unwrap();
        for _ in 0..n.parse::<u64>().unwrap() {
            if k.is_multiple_of(step) {
                *counts.entry(stack.to_string()).or_default() += 1;
            }
            k += 1;
        }
    }
    let mut out = tempfile::NamedTempFile::new().unwrap();
    for (stack, n) in counts {
        use std::io::Write;
        writeln!(out, "{stack} {n}").unwrap();
    }
    out
}

#[test]
fn intervals_widen_and_the_plan_warns_when_the_first_target_is_unstable() {
    let (full, full_md) = plan_json(&[], CAPTURE);
    let e = &full["evidence"];
    assert_eq!(e["samples"], 2618);
    assert_eq!(e["first_target"], "logpipe.cluster.edit_distance");
    assert!(f(&e["first_stays_first"]) >= 0.8, "{e:#}");
    assert_eq!(e["unstable"], false);
    assert!(
        full_md.contains("- Stability: the first target"),
        "{full_md}"
    );
    let width = |u: &Value| f(&u["movable_interval"]["high"]) - f(&u["movable_interval"]["low"]);
    let edit = unit(&full, "logpipe.cluster.edit_distance").unwrap();
    assert!(f(&edit["movable_interval"]["low"]) <= f(&edit["movable_share"]));
    assert!(f(&edit["movable_share"]) <= f(&edit["movable_interval"]["high"]));

    // A 30-sample thinning of the same capture: the intervals are several times wider, and
    // with a demand of 95% stability the plan says the first target is not settled (the
    // full capture meets it).
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("b.toml");
    std::fs::write(&config, "[evidence]\nmin_stability = 0.95\n").unwrap();
    let strict = ["--config", config.to_str().unwrap()];
    let (full_strict, _) = plan_json(&strict, CAPTURE);
    assert_eq!(full_strict["evidence"]["unstable"], false);
    let thin = thinned(87);
    let (small, small_md) = plan_json(&strict, thin.path().to_str().unwrap());
    let s = &small["evidence"];
    assert!(s["samples"].as_u64().unwrap() <= 31, "{s:#}");
    let small_edit = unit(&small, "logpipe.cluster.edit_distance").expect("still planned");
    assert!(width(small_edit) > 4.0 * width(edit));
    assert_eq!(s["unstable"], true, "{s:#}");
    assert!(small_md.contains("**Thin evidence"), "{small_md}");
    assert!(
        small["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w.as_str().unwrap().contains("stays first in only")),
        "{:#}",
        small["warnings"]
    );
}

#[test]
fn a_tiny_helper_no_planned_unit_takes_along_is_a_fix_in_python() {
    // Leave the timestamp parsers and the log parsers out: `_digits` (2.1% of samples,
    // crossing-bound) has no planned unit to go along with.
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("b.toml");
    std::fs::write(
        &config,
        "[exclude]\nfunctions = [\"logpipe.timefmt.parse_*\", \"logpipe.parser.*\"]\n",
    )
    .unwrap();
    let (plan, md) = plan_json(&["--config", config.to_str().unwrap()], CAPTURE);
    let left = plan["not_worth"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["function"] == "logpipe.timefmt._digits")
        .expect("listed");
    assert_eq!(left["reason"], "crossing_bound", "{left:#}");
    assert!(left["detail"].as_str().unwrap().contains("ns of Python"));
    let fix = plan["fix_in_python"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["lands_in"][0][0] == "logpipe.timefmt._digits")
        .expect("a fix for _digits");
    assert_eq!(fix["kind"], "per_call_overhead");
    assert!(md.contains("**Per-call overhead:"), "{md}");
}

#[test]
fn rank_says_how_stable_its_first_candidate_is() {
    let out = brownfield(&["rank", CAPTURE, "--source", SOURCE, "--top", "3"]);
    assert!(out.status.success(), "{}", show(&out));
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        table.contains("logpipe.cluster.edit_distance stays first in 100.0% of resamples"),
        "{table}"
    );
    // The "why" line carries the movable share's interval.
    assert!(
        table.contains("28.1% (26.4%–29.8%) would run in Rust"),
        "{table}"
    );
    // On 31 samples, with 95% demanded, the order is not settled: a warning says so.
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("b.toml");
    std::fs::write(&config, "[evidence]\nmin_stability = 0.95\n").unwrap();
    let thin = thinned(87);
    let out = brownfield(&[
        "rank",
        thin.path().to_str().unwrap(),
        "--source",
        SOURCE,
        "--config",
        config.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", show(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("stays first in only"), "{}", show(&out));
}
