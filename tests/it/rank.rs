//! `brownfield rank`: each model component on a small hand-made program and profile where the
//! right answer is obvious, invariants under proptest, configuration handling, and the real
//! sample capture end to end.

use std::path::Path;

use proptest::prelude::*;
use serde_json::Value;

use super::{brownfield, show};

/// The hand-made program. Line numbers matter: the profile below points into it.
const PROGRAM: &str = "\
import time
import zlib

CACHE = {}


def leaf(x):
    s = 0
    for i in range(x):
        s += i * i
    return s


def shared(x):
    return x + 1


def work(n):
    t = 0
    for i in range(n):
        t += leaf(i)
    t += shared(t)
    return t


def pack(data):
    return zlib.compress(data)


def wait():
    time.sleep(0.1)


def ping(n):
    if n:
        pong(n - 1)


def pong(n):
    if n:
        ping(n - 1)


def risky(path, expr):
    global CACHE
    CACHE = eval(expr)
    with open(path) as f:
        yield f.read()


def main():
    work(10)
    shared(1)
    pack(b\"x\")
    wait()
    ping(3)
    list(risky(\"p\", \"{}\"))
";

/// 1-based line of the first line containing `needle`.
fn line_of(needle: &str) -> usize {
    PROGRAM
        .lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("{needle} not in the program"))
        + 1
}

/// A py-spy raw profile over [`PROGRAM`] (100 samples).
fn profile() -> String {
    let main = |needle: &str| format!("main (m.py:{})", line_of(needle));
    let f = |name: &str, needle: &str| format!("{name} (m.py:{})", line_of(needle));
    let stacks = [
        (
            vec![
                main("work(10)"),
                f("work", "t += leaf(i)"),
                f("leaf", "s += i * i"),
            ],
            40,
        ),
        (vec![main("work(10)"), f("work", "for i in range(n)")], 10),
        (
            vec![
                main("work(10)"),
                f("work", "t += shared(t)"),
                f("shared", "return x + 1"),
            ],
            5,
        ),
        (vec![main("shared(1)"), f("shared", "return x + 1")], 5),
        (vec![main("pack(b"), f("pack", "zlib.compress")], 20),
        (vec![main("wait()"), f("wait", "time.sleep")], 10),
        (
            vec![
                main("ping(3)"),
                f("ping", "pong(n - 1)"),
                f("pong", "ping(n - 1)"),
            ],
            8,
        ),
        (vec![main("list(risky"), f("risky", "CACHE = eval")], 2),
    ];
    stacks
        .iter()
        .map(|(frames, n)| format!("{} {n}\n", frames.join(";")))
        .collect()
}

/// A temp dir with `app/m.py` and `profile.txt`.
pub fn fixture() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(dir.path().join("app")).unwrap();
    std::fs::write(dir.path().join("app/m.py"), PROGRAM).unwrap();
    std::fs::write(dir.path().join("profile.txt"), profile()).unwrap();
    dir
}

fn rank_json(dir: &Path, extra: &[&str]) -> Value {
    let profile = dir.join("profile.txt");
    let source = dir.join("app");
    let mut args = vec![
        "rank",
        profile.to_str().unwrap(),
        "--source",
        source.to_str().unwrap(),
        "--format",
        "json",
        "--top",
        "0",
    ];
    args.extend_from_slice(extra);
    let out = brownfield(&args);
    assert!(out.status.success(), "{}", show(&out));
    serde_json::from_slice(&out.stdout).expect("rank --format json prints JSON")
}

/// The candidate row of `function` in a rank JSON document (panics naming it when absent).
pub fn row<'a>(doc: &'a Value, function: &str) -> &'a Value {
    doc["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["function"] == function)
        .unwrap_or_else(|| panic!("{function} not ranked: {doc:#}"))
}

/// A JSON number as `f64` (panics naming the value otherwise).
pub fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("{v} is not a number"))
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

/// A JSON array of strings.
pub fn strings(v: &Value) -> Vec<&str> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap())
        .collect()
}

#[test]
fn shares_units_and_movable_time_follow_the_dominator_tree() {
    let dir = fixture();
    let doc = rank_json(dir.path(), &[]);
    assert_eq!(doc["schema_version"], 1);
    assert_eq!(doc["total"], 100);

    // leaf: all its time is its own pure-Python loop.
    let leaf = row(&doc, "m.leaf");
    assert!(close(f(&leaf["self_share"]), 0.40));
    assert!(close(f(&leaf["total_share"]), 0.40));
    assert!(close(f(&leaf["movable_share"]), 0.40));
    assert_eq!(leaf["category"], "pure_python");
    assert_eq!(strings(&leaf["unit"]), ["m.leaf"]);

    // work dominates leaf but not shared (main calls shared too). shared is one line: a
    // crossing per call would cost more than its body, so work takes a copy along, and the
    // 5% shared runs under work moves; the 5% under main does not.
    let work = row(&doc, "m.work");
    assert_eq!(strings(&work["unit"]), ["m.work", "m.leaf", "m.shared"]);
    assert_eq!(strings(&work["copies"]), ["m.shared"]);
    assert!(close(f(&work["total_share"]), 0.55));
    assert!(close(f(&work["movable_share"]), 0.55));
    assert!(work["callbacks"].as_array().unwrap().is_empty());
    let shared = row(&doc, "m.shared");
    assert_eq!(shared["crossing"]["eats_gain"], true, "{shared:#}");
    assert!(f(&shared["effective_speedup"]["mid"]) < 2.0, "{shared:#}");

    // main reaches everything alone: its unit is the whole program; 30% is C or sleeping.
    let main = row(&doc, "m.main");
    assert!(close(f(&main["movable_share"]), 0.70), "{main:#}");
    assert_eq!(main["category"], "mixed");

    // A recursion cluster moves whole, from either side.
    let pong = row(&doc, "m.pong");
    assert_eq!(strings(&pong["unit"]), ["m.pong", "m.ping"]);
    assert!(close(f(&pong["movable_share"]), 0.08));
}

#[test]
fn native_and_waiting_lines_are_not_movable_and_are_flagged() {
    let dir = fixture();
    let doc = rank_json(dir.path(), &[]);
    let pack = row(&doc, "m.pack");
    assert_eq!(pack["category"], "native_bound");
    assert!(close(f(&pack["movable_share"]), 0.0));
    assert!(close(f(&pack["work"]["native"]), 1.0));
    assert_eq!(pack["traps"][0]["kind"], "time_not_movable");
    assert!(close(f(&pack["projected_speedup"]["high"]), 1.0));

    let wait = row(&doc, "m.wait");
    assert_eq!(wait["category"], "io_bound");
    assert!(close(f(&wait["work"]["wait"]), 1.0));
    assert_eq!(wait["traps"][0]["kind"], "time_not_movable");
    assert!(wait["why"].as_str().unwrap().contains("TRAP"));
}

#[test]
fn amdahl_projection_uses_the_category_range() {
    let dir = fixture();
    let doc = rank_json(dir.path(), &[]);
    let leaf = row(&doc, "m.leaf");
    let p = 0.40;
    for (end, s) in [("low", 3.0), ("mid", 10.0), ("high", 30.0)] {
        let expected = 1.0 / ((1.0 - p) + p / s);
        assert!(
            close(f(&leaf["projected_speedup"][end]), expected),
            "{end}: {leaf:#}"
        );
    }
    assert!(close(f(&leaf["assumed_speedup"]["mid"]), 10.0));
    // Priority: fraction of the run saved at the mid speedup, per engineer-day.
    let saved = 1.0 - 1.0 / f(&leaf["projected_speedup"]["mid"]);
    assert!(close(f(&leaf["priority"]), saved / f(&leaf["effort"])));
}

#[test]
fn isolation_components_count_the_facts_of_the_unit() {
    let dir = fixture();
    let doc = rank_json(dir.path(), &[]);
    let component = |r: &Value, name: &str| -> f64 {
        let c = r["isolation_components"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == name)
            .unwrap_or_else(|| panic!("no component {name}"))
            .clone();
        let (x, penalty) = (f(&c["count"]), f(&c["penalty"]));
        assert!((0.0..1.0).contains(&penalty));
        x
    };
    let risky = row(&doc, "m.risky");
    assert_eq!(component(risky, "dynamic"), 1.0);
    assert_eq!(component(risky, "global_state"), 1.0);
    assert_eq!(component(risky, "io"), 1.0);
    assert_eq!(component(risky, "generators_async"), 1.0);
    let leaf = row(&doc, "m.leaf");
    for name in [
        "dynamic",
        "global_state",
        "io",
        "generators_async",
        "callbacks",
    ] {
        assert_eq!(component(leaf, name), 0.0, "{name}");
    }
    assert!(f(&leaf["isolation"]) > f(&risky["isolation"]));
    // Effort grows with what has to be redesigned.
    assert!(f(&risky["effort"]) > f(&leaf["effort"]));
    let terms = risky["effort_terms"].as_array().unwrap();
    let total: f64 = terms.iter().map(|t| f(&t["days"])).sum();
    assert!(close(total, f(&risky["effort"])));
    let [low, high] = [f(&risky["effort_range"][0]), f(&risky["effort_range"][1])];
    assert!(low < f(&risky["effort"]) && f(&risky["effort"]) < high);
}

#[test]
fn a_small_function_called_in_a_hot_loop_is_flagged() {
    let dir = fixture();
    let doc = rank_json(dir.path(), &[]);
    let leaf = row(&doc, "m.leaf");
    let trap = &leaf["traps"][0];
    assert_eq!(trap["kind"], "called_in_hot_loop", "{leaf:#}");
    assert_eq!(trap["caller"], "m.work");
    assert_eq!(trap["line"], line_of("t += leaf(i)"));
    // work moves the loop with it: no such trap there.
    let work = row(&doc, "m.work");
    assert!(
        !work["traps"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["kind"] == "called_in_hot_loop")
    );
}

#[test]
fn configuration_is_found_validated_and_applied() {
    let dir = fixture();
    // init writes the commented defaults, and refuses to overwrite them.
    let app = dir.path().join("app");
    let out = brownfield(&["init", app.to_str().unwrap()]);
    assert!(out.status.success(), "{}", show(&out));
    let again = brownfield(&["init", app.to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("--force"));
    let defaults = rank_json(dir.path(), &[]);

    // The file in the source root is used; edits take effect.
    let toml = app.join("brownfield.toml");
    let text = std::fs::read_to_string(&toml).unwrap().replace(
        "pure_python = { low = 3.0, mid = 10.0, high = 30.0 }",
        "pure_python = { low = 2.0, mid = 4.0, high = 8.0 }",
    );
    let text = text.replace("functions = []", "functions = [\"m.risky\"]");
    std::fs::write(&toml, text).unwrap();
    let edited = rank_json(dir.path(), &[]);
    assert!(
        edited["config"]
            .as_str()
            .unwrap()
            .ends_with("brownfield.toml")
    );
    assert!(close(
        f(&row(&edited, "m.leaf")["assumed_speedup"]["mid"]),
        4.0
    ));
    assert!(
        f(&row(&edited, "m.leaf")["projected_speedup"]["mid"])
            < f(&row(&defaults, "m.leaf")["projected_speedup"]["mid"])
    );
    assert!(
        !edited["candidates"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["function"] == "m.risky")
    );

    // Unknown keys are errors naming the key and line, before any work is done.
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "[effort]\nbase_days = 1.0\nlines_per_dya = 3\n").unwrap();
    let profile = dir.path().join("profile.txt");
    let out = brownfield(&[
        "rank",
        profile.to_str().unwrap(),
        "--source",
        app.to_str().unwrap(),
        "--config",
        bad.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", show(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bad.toml") && err.contains("lines_per_dya") && err.contains("line 3"),
        "{err}"
    );
}

#[test]
fn output_is_deterministic_and_every_format_renders() {
    let dir = fixture();
    let profile = dir.path().join("profile.txt");
    let source = dir.path().join("app");
    let (p, s) = (profile.to_str().unwrap(), source.to_str().unwrap());
    for format in ["table", "json", "csv"] {
        let a = brownfield(&["rank", p, "--source", s, "--format", format]);
        let b = brownfield(&["rank", p, "--source", s, "--format", format]);
        assert!(a.status.success(), "{}", show(&a));
        assert_eq!(a.stdout, b.stdout, "{format} differs between runs");
    }
    let csv = brownfield(&["rank", p, "--source", s, "--format", "csv"]);
    let text = String::from_utf8(csv.stdout).unwrap();
    assert!(text.starts_with(
        "rank,function,file,line,self_share,total_share,movable_share,category,isolation,\
         effort_days,speedup_low,speedup_mid,speedup_high,priority,traps,why\n"
    ));
    let table = brownfield(&["rank", p, "--source", s, "--top", "3"]);
    let text = String::from_utf8(table.stdout).unwrap();
    assert!(text.contains("why:") && text.contains("m.leaf"), "{text}");
}

#[test]
fn the_sample_capture_ranks_the_pure_python_edit_distance_first() {
    // sample-profiles/README.md: edit_distance is 28.0% of samples, all pure Python; the
    // report writer's time is json.dumps and gzip (C); parse_line is regex-bound.
    let out = brownfield(&[
        "rank",
        "sample-profiles/logpipe.pyspy.txt",
        "--source",
        "sample-profiles/app",
        "--format",
        "json",
        "--top",
        "0",
    ]);
    assert!(out.status.success(), "{}", show(&out));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let first = &doc["candidates"][0];
    assert_eq!(first["function"], "logpipe.cluster.edit_distance");
    assert_eq!(first["category"], "pure_python");
    assert!(
        (f(&first["movable_share"]) - 0.28).abs() < 0.005,
        "{first:#}"
    );
    let writer = row(&doc, "logpipe.report.ReportWriter._write");
    assert_eq!(writer["category"], "native_bound");
    assert_eq!(writer["traps"][0]["kind"], "time_not_movable");
    assert_eq!(
        row(&doc, "logpipe.parser.AppLogParser.parse_line")["category"],
        "native_bound"
    );
    assert_eq!(
        row(&doc, "logpipe.tokenizer.split_fields")["category"],
        "pure_python"
    );
    let ranks: Vec<u64> = doc["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["rank"].as_u64().unwrap())
        .collect();
    assert_eq!(ranks, (1..=ranks.len() as u64).collect::<Vec<_>>());
}

/// Random profiles over [`PROGRAM`]: stacks of its functions (at real lines), library and
/// native frames, random counts.
fn random_profile() -> impl Strategy<Value = String> {
    let frames = [
        format!("main (m.py:{})", line_of("work(10)")),
        format!("work (m.py:{})", line_of("t += leaf(i)")),
        format!("leaf (m.py:{})", line_of("s += i * i")),
        format!("shared (m.py:{})", line_of("return x + 1")),
        format!("pack (m.py:{})", line_of("zlib.compress")),
        format!("wait (m.py:{})", line_of("time.sleep")),
        format!("ping (m.py:{})", line_of("pong(n - 1)")),
        format!("pong (m.py:{})", line_of("ping(n - 1)")),
        "dumps (json/__init__.py:231)".to_string(),
        "fill (textwrap.py:400)".to_string(),
        "deflate (libz.so.1)".to_string(),
    ];
    let frame = (0..frames.len()).prop_map(move |i| frames[i].clone());
    let stack = proptest::collection::vec(frame, 0..7);
    proptest::collection::vec((stack, 1u64..500), 1..16).prop_map(|lines| {
        lines
            .into_iter()
            .map(|(frames, count)| format!("{} {count}\n", frames.join(";")))
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn shares_and_projections_stay_in_their_ranges(text in random_profile()) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("app")).unwrap();
        std::fs::write(dir.path().join("app/m.py"), PROGRAM).unwrap();
        std::fs::write(dir.path().join("p.txt"), &text).unwrap();
        let mut request = brownfield::RankRequest::default();
        request.profiles = vec![dir.path().join("p.txt")];
        request.sources = vec![dir.path().join("app")];
        request.filters.idle = true;
        // Stacks of library and native frames only may map nothing: ranges still hold.
        request.allow_unmapped = true;
        let outcome = brownfield::run_rank(&request).unwrap();
        let work = outcome.scores.work;
        let mix = work.python + work.library + work.native + work.wait;
        prop_assert!(outcome.scores.total == 0 || (mix - 1.0).abs() < 1e-9);
        for (i, c) in outcome.scores.candidates.iter().enumerate() {
            prop_assert_eq!(c.rank, i + 1);
            for share in [c.self_share, c.total_share, c.movable_share, c.isolation.score] {
                prop_assert!((0.0..=1.0).contains(&share), "{:?}", c);
            }
            prop_assert!(c.self_share <= c.total_share + 1e-12, "{:?}", c);
            prop_assert!(c.movable_share <= c.total_share + 1e-12, "{:?}", c);
            let p = c.movable_share;
            let bound = if p < 1.0 { 1.0 / (1.0 - p) } else { f64::INFINITY };
            let s = c.projected_speedup;
            prop_assert!(1.0 <= s.low && s.low <= s.mid && s.mid <= s.high, "{:?}", s);
            prop_assert!(s.high <= bound * (1.0 + 1e-12), "{:?} > {}", s, bound);
            prop_assert!(c.effort.days > 0.0 && c.effort.low <= c.effort.days);
            prop_assert!(c.effort.days <= c.effort.high);
            prop_assert!(c.priority >= 0.0 && c.priority.is_finite());
            prop_assert_eq!(&c.unit[0], &c.function);
        }
        // Sorted by priority, then movable share, then id.
        for w in outcome.scores.candidates.windows(2) {
            let (a, b) = (&w[0], &w[1]);
            prop_assert!(
                a.priority > b.priority
                    || (a.priority == b.priority
                        && (a.movable_share > b.movable_share
                            || (a.movable_share == b.movable_share && a.function < b.function)))
            );
        }
    }
}
