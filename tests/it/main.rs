//! Integration tests: the real `brownfield` binary on the real py-spy captures committed under
//! `sample-profiles/`. One test binary (modules below), linked once.

mod boundary;
mod callgraph;
mod fuzz_regressions;
mod independent;
mod plan;
mod plan_outputs;
mod properties;
mod rank;
mod record;
mod sources;
mod time_classes;
mod top;
mod unmapped;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root (tests run the binary from here, with relative paths like a user).
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs the built binary with `args` from the repository root.
pub fn brownfield(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_brownfield"))
        .args(args)
        .current_dir(repo())
        .output()
        .expect("the brownfield binary runs")
}

/// stdout and stderr of a run, for assertion messages.
pub fn show(out: &Output) -> String {
    format!(
        "status {:?}\n--- stdout\n{}\n--- stderr\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Runs `brownfield plan PROFILE --source SOURCE --out <tmp>` and returns the temp dir.
pub fn plan_into_temp(profile: &str, source: &str, extra: &[&str]) -> (tempfile::TempDir, Output) {
    let dir = tempfile::tempdir().expect("temp dir");
    let out_dir = dir.path().join("plan");
    let out_str = out_dir.to_str().expect("utf-8 temp path").to_string();
    let mut args = vec!["plan", profile, "--source", source, "--out", &out_str];
    args.extend_from_slice(extra);
    let out = brownfield(&args);
    (dir, out)
}

/// Reads a file produced by a run.
pub fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}
