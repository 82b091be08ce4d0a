//! `--source` given more than once (an application and the library it spends its time in),
//! a symlinked root, the same root twice, and where brownfield.toml is looked up.

use std::path::Path;

use serde_json::Value;

use crate::{brownfield, read, repo, show};

const CHARDET_CAPTURE: &str = "sample-profiles/chardet/chardet.pyspy.txt";
/// The driver script's directory (workload.py); `.cache/` under it is hidden, so its walk
/// never reaches the installed package.
const CHARDET_DRIVER: &str = "sample-profiles/chardet";
/// Where `sample-profiles/chardet/capture.sh --install-only` installs chardet (`.ci/run` does).
const CHARDET_SITE: &str = "sample-profiles/chardet/.cache/site";

/// Whether chardet is installed; prints why a test is skipped when it is not.
fn chardet_installed(test: &str) -> bool {
    let installed = repo().join(CHARDET_SITE).join("chardet").is_dir();
    if !installed {
        eprintln!(
            "skipping {test}: {CHARDET_SITE} is not installed (sample-profiles/chardet/capture.sh --install-only)"
        );
    }
    installed
}

/// Runs `brownfield plan` with `args` into a temp dir and returns it with plan.json.
fn plan_json(args: &[&str]) -> (tempfile::TempDir, Value) {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("plan");
    let mut argv = vec!["plan"];
    argv.extend_from_slice(args);
    argv.extend(["--out", out_dir.to_str().unwrap(), "--top", "0"]);
    let out = brownfield(&argv);
    assert!(out.status.success(), "{}", show(&out));
    let json = serde_json::from_str(&read(&out_dir.join("plan.json"))).expect("plan.json");
    (dir, json)
}

fn hot_files<'a>(plan: &'a Value, function_prefix: &str) -> Vec<&'a str> {
    plan["hot_functions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["function"].as_str().unwrap().starts_with(function_prefix))
        .map(|r| r["file"].as_str().unwrap())
        .collect()
}

#[test]
fn a_driver_and_its_library_both_map() {
    if !chardet_installed("a_driver_and_its_library_both_map") {
        return;
    }
    let both = [
        CHARDET_CAPTURE,
        "--source",
        CHARDET_DRIVER,
        "--source",
        CHARDET_SITE,
    ];
    let (dir, plan) = plan_json(&both);
    assert_eq!(
        plan["inputs"]["source_roots"],
        serde_json::json!([CHARDET_DRIVER, CHARDET_SITE])
    );
    assert_eq!(plan["inputs"]["source_root"], CHARDET_DRIVER);
    let md = read(&dir.path().join("plan/plan.md"));
    assert!(
        md.contains(&format!(
            "- Source roots: `{CHARDET_DRIVER}`, `{CHARDET_SITE}`"
        )),
        "{md}"
    );
    // The driver's functions and chardet's are both hot, each file shown under its root.
    let driver = hot_files(&plan, "workload.");
    let library = hot_files(&plan, "chardet.");
    assert!(!driver.is_empty() && !library.is_empty(), "{plan:#}");
    assert!(
        driver
            .iter()
            .all(|f| *f == format!("{CHARDET_DRIVER}/workload.py")),
        "{driver:?}"
    );
    let site_prefix = format!("{CHARDET_SITE}/chardet/");
    assert!(
        library.iter().all(|f| f.starts_with(&site_prefix)),
        "{library:?}"
    );
    // Every sample has a frame in one root or the other.
    let coverage = &plan["coverage"];
    assert_eq!(coverage["in_codebase"], coverage["total"], "{coverage}");

    // Each root alone maps only its part, and the two roots together index each file once.
    let (_d, driver_only) = plan_json(&[CHARDET_CAPTURE, "--source", CHARDET_DRIVER]);
    let (_s, site_only) = plan_json(&[CHARDET_CAPTURE, "--source", CHARDET_SITE]);
    assert!(hot_files(&driver_only, "chardet.").is_empty());
    assert!(hot_files(&site_only, "workload.").is_empty());
    let files = |p: &Value| p["codebase"]["files"].as_u64().unwrap();
    assert_eq!(files(&plan), files(&driver_only) + files(&site_only));
    // With one root, paths stay relative to it.
    assert!(
        hot_files(&site_only, "chardet.")
            .iter()
            .all(|f| f.starts_with("chardet/")),
        "{site_only:#}"
    );
}

#[test]
fn the_same_root_twice_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("plan");
    let out = brownfield(&[
        "plan",
        "sample-profiles/logpipe.pyspy.txt",
        "--source",
        "sample-profiles/app",
        "--source",
        "./sample-profiles/app/",
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", show(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(
            "--source sample-profiles/app and --source ./sample-profiles/app/ are the same directory"
        ),
        "{stderr}"
    );
    assert!(!out_dir.exists(), "nothing written");
}

/// `rank --format json` of the logpipe capture against `source`.
fn rank_logpipe(source: &Path) -> std::process::Output {
    brownfield(&[
        "rank",
        "sample-profiles/logpipe.pyspy.txt",
        "--source",
        source.to_str().unwrap(),
        "--format",
        "json",
        "--top",
        "0",
    ])
}

#[cfg(unix)]
#[test]
fn a_symlinked_root_ranks_like_the_real_one() {
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("app-link");
    std::os::unix::fs::symlink(repo().join("sample-profiles/app"), &link).unwrap();
    let real = rank_logpipe(&repo().join("sample-profiles/app"));
    let linked = rank_logpipe(&link);
    assert!(linked.status.success(), "{}", show(&linked));
    assert!(!real.stdout.is_empty());
    assert_eq!(
        String::from_utf8_lossy(&linked.stdout),
        String::from_utf8_lossy(&real.stdout)
    );
}

#[test]
fn the_configuration_is_looked_up_in_the_first_root() {
    let dir = tempfile::tempdir().unwrap();
    for (root, body) in [
        ("a", "def work():\n    return 1\n"),
        ("b", "def other():\n    return 2\n"),
    ] {
        std::fs::create_dir(dir.path().join(root)).unwrap();
        std::fs::write(dir.path().join(root).join(format!("{root}.py")), body).unwrap();
    }
    std::fs::write(
        dir.path().join("a/brownfield.toml"),
        "[candidates]\nmin_total_share = 0.01\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("profile.txt"),
        "work (a.py:2) 3\nother (b.py:2) 1\n",
    )
    .unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    let rank = |first: &Path, second: &Path| {
        let out = brownfield(&[
            "rank",
            dir.path().join("profile.txt").to_str().unwrap(),
            "--source",
            first.to_str().unwrap(),
            "--source",
            second.to_str().unwrap(),
        ]);
        assert!(out.status.success(), "{}", show(&out));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let config = a.join("brownfield.toml");
    let a_first = rank(&a, &b);
    assert!(
        a_first.contains(&format!("configuration: {}", config.display())),
        "{a_first}"
    );
    // Both roots' functions are ranked, each file shown under its root.
    assert!(
        a_first.contains(&format!("{}/a.py:1", a.display())),
        "{a_first}"
    );
    assert!(
        a_first.contains(&format!("{}/b.py:1", b.display())),
        "{a_first}"
    );
    let b_first = rank(&b, &a);
    assert!(b_first.contains("configuration: defaults"), "{b_first}");
}
