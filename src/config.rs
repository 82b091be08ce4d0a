//! `brownfield.toml`: the ranking model's assumptions, weights and exclusions (serde + toml).
//!
//! Every key is optional; a missing key takes the default documented here and in
//! docs/scoring.md. Unknown keys are errors that name the key and its line, so a typo never
//! silently falls back to a default. [`DEFAULT_TOML`] is the fully commented file
//! `brownfield init` writes; a test checks that it parses to [`Config::default`].

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The file name looked up in the source root when `--config` is not given.
pub const FILE_NAME: &str = "brownfield.toml";

/// A problem with a configuration file.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("{path}: cannot read: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// TOML syntax error, unknown key or wrong type; `message` names the line and column.
    #[error("{path}: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// toml's message, with the line, column and offending key.
        message: String,
    },
    /// `brownfield init` was given something that is not a directory.
    #[error("{path} is not a directory")]
    NotADirectory {
        /// The path given.
        path: PathBuf,
    },
    /// `brownfield init` would overwrite a file.
    #[error("{path} exists; pass --force to replace it")]
    Exists {
        /// The file.
        path: PathBuf,
    },
    /// A value outside its allowed range.
    #[error("{}{}: `{key}` {problem}", path.display(), line.map_or(String::new(), |l| format!(":{l}")))]
    Invalid {
        /// The file (or `<defaults>`).
        path: PathBuf,
        /// The 1-based line that sets the key, when it is found in the text.
        line: Option<usize>,
        /// The dotted key, e.g. `speedup.pure_python.low`.
        key: String,
        /// What is wrong, e.g. `must be at least 1 (got 0.5)`.
        problem: String,
    },
}

/// The whole configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Assumed speedups of movable time by category.
    pub speedup: Speedups,
    /// Thresholds that decide a function's category.
    pub category: CategoryThresholds,
    /// Ease-of-isolation components: weights and half-points.
    pub isolation: Isolation,
    /// The effort estimate.
    pub effort: Effort,
    /// When to flag a candidate as a trap.
    pub traps: Traps,
    /// What is left out of the ranking.
    pub exclude: Exclude,
    /// Which functions are candidates.
    pub candidates: Candidates,
    /// How candidates become migration units and phases.
    pub plan: PlanRules,
    /// `[crossing]`: the cost of a call across the Python/Rust boundary.
    pub crossing: Crossing,
    /// `[evidence]`: confidence intervals and resampling.
    pub evidence: Evidence,
}

/// A low / mid / high range of a per-unit speedup factor (≥ 1).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Range {
    /// The pessimistic end.
    pub low: f64,
    /// The planning figure.
    pub mid: f64,
    /// The optimistic end.
    pub high: f64,
}

/// Per-unit speedup `s` of the movable (Python) time of a unit once rewritten in Rust, by the
/// unit's category. Amdahl's law turns it into an end-to-end figure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Speedups {
    /// Pure-Python compute (loops, arithmetic, string and dict work in interpreted code).
    pub pure_python: Range,
    /// Python interleaved with native calls or I/O: less glue to remove per unit of time.
    pub mixed: Range,
    /// Most time already in C: the Python part that moves is thin.
    pub native_bound: Range,
    /// Most time waiting on I/O or idle.
    pub io_bound: Range,
}

impl Default for Speedups {
    fn default() -> Self {
        Speedups {
            pure_python: Range {
                low: 3.0,
                mid: 10.0,
                high: 30.0,
            },
            mixed: Range {
                low: 1.5,
                mid: 3.0,
                high: 6.0,
            },
            native_bound: Range {
                low: 1.0,
                mid: 1.2,
                high: 2.0,
            },
            io_bound: Range {
                low: 1.0,
                mid: 1.1,
                high: 1.5,
            },
        }
    }
}

/// Fractions of a function's total samples, in [0, 1], that decide its category. Checked in
/// order: pure Python, native-bound, I/O-bound, else mixed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CategoryThresholds {
    /// Pure-Python compute when at least this fraction of its samples run Python code.
    pub pure_python_min: f64,
    /// Native-bound when at least this fraction run native code.
    pub native_bound_min: f64,
    /// I/O-bound when at least this fraction wait (I/O calls, idle).
    pub io_bound_min: f64,
}

impl Default for CategoryThresholds {
    fn default() -> Self {
        CategoryThresholds {
            pure_python_min: 0.75,
            native_bound_min: 0.5,
            io_bound_min: 0.5,
        }
    }
}

/// Declares a struct with one `f64` per isolation component (docs/scoring.md says what each
/// counts) and its defaults; partial tables keep the other defaults.
macro_rules! components {
    ($(#[$doc:meta])* $name:ident {
        fan_in: $a:expr, callbacks: $b:expr, dynamic: $c:expr, global_state: $d:expr,
        io: $e:expr, object_coupling: $f:expr, generators_async: $g:expr, size: $h:expr $(,)?
    }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(deny_unknown_fields, default)]
        pub struct $name {
            /// Call sites outside the unit that call into it, beyond the first.
            pub fan_in: f64,
            /// Codebase functions outside the unit that it calls back into.
            pub callbacks: f64,
            /// Dynamic features (eval, exec, getattr with computed names, ...).
            pub dynamic: f64,
            /// Global, nonlocal and module-state writes.
            pub global_state: f64,
            /// I/O calls.
            pub io: f64,
            /// Coupling to objects: `self` attributes read and written, methods (the object
            /// crosses the boundary).
            pub object_coupling: f64,
            /// Generators and async functions (1 when the unit has any).
            pub generators_async: f64,
            /// Lines of code.
            pub size: f64,
        }

        impl Default for $name {
            fn default() -> Self {
                $name {
                    fan_in: $a,
                    callbacks: $b,
                    dynamic: $c,
                    global_state: $d,
                    io: $e,
                    object_coupling: $f,
                    generators_async: $g,
                    size: $h,
                }
            }
        }

        impl $name {
            /// The components with their key names, in documentation order.
            pub fn named(&self) -> [(&'static str, f64); 8] {
                [
                    ("fan_in", self.fan_in),
                    ("callbacks", self.callbacks),
                    ("dynamic", self.dynamic),
                    ("global_state", self.global_state),
                    ("io", self.io),
                    ("object_coupling", self.object_coupling),
                    ("generators_async", self.generators_async),
                    ("size", self.size),
                ]
            }
        }
    };
}

components!(
    /// Relative weight of each isolation component (>= 0, not all 0).
    Weights {
        fan_in: 1.0, callbacks: 1.0, dynamic: 1.5, global_state: 1.0,
        io: 1.0, object_coupling: 1.0, generators_async: 0.5, size: 0.5,
    }
);

components!(
    /// The count at which each component's penalty reaches 0.5 (> 0).
    HalfPoints {
        fan_in: 4.0, callbacks: 2.0, dynamic: 1.0, global_state: 1.0,
        io: 2.0, object_coupling: 6.0, generators_async: 1.0, size: 200.0,
    }
);

/// Ease of isolation: each component's count `x` becomes a penalty `x / (x + half_point)` in
/// [0, 1); the score is `1 - Σ weight × penalty / Σ weight`, in [0, 1].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct Isolation {
    /// Relative weights.
    pub weights: Weights,
    /// Half-points.
    pub half_points: HalfPoints,
}

/// Effort in ideal engineer-days (focused days of one engineer who knows the code; calendar
/// time is longer): a fixed cost per unit plus costs per line, per unit of complexity and
/// per boundary problem.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Effort {
    /// Per unit: extension-module wiring (PyO3 + maturin), build, golden tests.
    pub base_days: f64,
    /// Python lines of code rewritten, tested and reviewed per day (> 0).
    pub lines_per_day: f64,
    /// Cyclomatic complexity (sum over the unit) handled per day (> 0).
    pub complexity_per_day: f64,
    /// Per entry point beyond the first (another signature to expose).
    pub per_entry_point: f64,
    /// Per callback into Python code that stays.
    pub per_callback: f64,
    /// Per dynamic feature to redesign.
    pub per_dynamic_feature: f64,
    /// Per global or module-state write to re-home.
    pub per_global_write: f64,
    /// Per I/O call to keep in Python or re-implement.
    pub per_io_call: f64,
    /// Once when the unit has generators or async functions.
    pub generators_async: f64,
    /// Per function of Python outside the codebase (standard library) whose samples the unit
    /// counts as movable: a rewrite must replace that code too (a unit whose time is in
    /// `tokenize` rewrites `tokenize`, not only its own wrapper).
    pub per_library_function: f64,
    /// The estimate's spread: low = days / factor, high = days × factor (> 1).
    pub range_factor: f64,
}

impl Default for Effort {
    fn default() -> Self {
        Effort {
            base_days: 1.0,
            lines_per_day: 150.0,
            complexity_per_day: 40.0,
            per_entry_point: 0.25,
            per_callback: 0.5,
            per_dynamic_feature: 1.0,
            per_global_write: 0.5,
            per_io_call: 0.25,
            generators_async: 1.0,
            per_library_function: 1.0,
            range_factor: 2.0,
        }
    }
}

/// When a candidate is flagged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Traps {
    /// "Time in C or I/O": total share at least this (fraction in [0, 1]) ...
    pub native_io_min_total_share: f64,
    /// ... and at least this fraction of its samples in native code or waiting.
    pub native_io_min_fraction: f64,
    /// "Called from a hot Python loop": the unit has at most this many lines of code ...
    pub loop_max_unit_lines: u32,
    /// ... and a caller outside the unit, calling it from a loop, carries at least this
    /// fraction of the unit's total samples.
    pub loop_min_caller_fraction: f64,
}

impl Default for Traps {
    fn default() -> Self {
        Traps {
            native_io_min_total_share: 0.05,
            native_io_min_fraction: 0.5,
            loop_max_unit_lines: 40,
            loop_min_caller_fraction: 0.5,
        }
    }
}

/// The cost of crossing the Python/Rust boundary, against the Python time a call saves
/// (docs/scoring.md §4; measured in sample-profiles/crossing/).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Crossing {
    /// One call from Python into a PyO3 function or method (argument conversion, the result
    /// object, the Rust body's entry), in nanoseconds.
    pub per_call_ns: f64,
    /// CPython's own cost of one call to a Python function or method (frame, argument
    /// binding), in nanoseconds: the time a call runs besides its lines.
    pub python_call_ns: f64,
    /// One executed line of plain Python (attribute load, subscript, compare, arithmetic, a
    /// branch), in nanoseconds.
    pub python_line_ns: f64,
}

impl Default for Crossing {
    fn default() -> Self {
        Crossing {
            per_call_ns: 25.0,
            python_call_ns: 22.0,
            python_line_ns: 9.0,
        }
    }
}

/// How sure the ranking is (docs/scoring.md §9).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Evidence {
    /// Confidence level of the interval reported with each share, in (0, 1).
    pub confidence: f64,
    /// Resamples of the profile's samples (Poisson bootstrap) to judge the ranking's
    /// stability; 0 turns it off.
    pub resamples: usize,
    /// Warn when the first target stays first in fewer than this fraction of resamples.
    pub min_stability: f64,
}

impl Default for Evidence {
    fn default() -> Self {
        Evidence {
            confidence: 0.95,
            resamples: 40,
            min_stability: 0.8,
        }
    }
}

/// Exclusions: never candidates (their samples still count in shares).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct Exclude {
    /// Globs on file paths relative to the source root (`tests/**`, `**/migrations/*.py`).
    pub paths: Vec<String>,
    /// Globs on dotted function ids (`pkg.cli.*`, `pkg.mod.main`).
    pub functions: Vec<String>,
}

/// Which functions are ranked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Candidates {
    /// Smallest total share, in [0, 1], for a function to be ranked.
    pub min_total_share: f64,
    /// Count time in standard-library Python (`.py` files of the stdlib) called by a unit as
    /// movable: a Rust rewrite replaces those calls too. (Third-party `.py` leaves count as
    /// native: docs/scoring.md.)
    pub library_python_movable: bool,
}

impl Default for Candidates {
    fn default() -> Self {
        Candidates {
            min_total_share: 0.005,
            library_python_movable: true,
        }
    }
}

/// How `brownfield plan` turns ranked candidates into migration units and phases.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PlanRules {
    /// A unit is planned only if it saves at least this fraction of the run's time at the mid
    /// speedup, `p × (1 - 1 / s_mid)` (diminishing returns; in [0, 1]).
    pub min_marginal_gain: f64,
    /// Units less isolated than this (score in [0, 1]) are left out as too entangled.
    pub min_isolation: f64,
    /// Phase 1 (quick wins): at most this many units ...
    pub quick_win_max_units: usize,
    /// ... each at most this many ideal engineer-days ...
    pub quick_win_max_days: f64,
    /// ... and at least this isolated.
    pub quick_win_min_isolation: f64,
    /// Phase 2 takes the remaining units of at most this many days; phase 3 the rest.
    pub phase2_max_days: f64,
    /// The "not worth migrating" list covers hot functions with at least this total share.
    pub not_worth_min_total_share: f64,
    /// A fix in Python (phase 0: garbage-collector tuning, ...) is proposed when the time it
    /// addresses is at least this share of all samples, in [0, 1].
    pub python_fix_min_share: f64,
    /// A unit whose gain per effort is below this (fraction of the run's time saved at the
    /// mid speedup per ideal engineer-day) is "not worth migrating", not a late phase.
    pub min_gain_per_day: f64,
}

impl Default for PlanRules {
    fn default() -> Self {
        PlanRules {
            min_marginal_gain: 0.01,
            min_isolation: 0.3,
            quick_win_max_units: 5,
            quick_win_max_days: 3.0,
            quick_win_min_isolation: 0.75,
            phase2_max_days: 10.0,
            not_worth_min_total_share: 0.02,
            python_fix_min_share: 0.05,
            min_gain_per_day: 0.001,
        }
    }
}

impl Config {
    /// Parses and validates a configuration text; `path` names it in errors.
    ///
    /// # Errors
    /// [`ConfigError::Parse`] for bad TOML, unknown keys and wrong types (with line and
    /// column), [`ConfigError::Invalid`] for values out of range.
    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let config: Config = toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: path.to_path_buf(),
            message: e.to_string().trim_end().replace('\n', "\n  "),
        })?;
        config.validate(path).map_err(|e| match e {
            ConfigError::Invalid {
                path, key, problem, ..
            } => ConfigError::Invalid {
                line: line_of_key(text, &key),
                path,
                key,
                problem,
            },
            other => other,
        })?;
        Ok(config)
    }

    /// Reads `explicit` when given, else `<source_root>/brownfield.toml` when it exists, else
    /// the defaults. Returns the configuration and the file it came from.
    ///
    /// # Errors
    /// As [`Config::parse`], and [`ConfigError::Read`] when a file cannot be read.
    pub fn load(
        explicit: Option<&Path>,
        source_root: &Path,
    ) -> Result<(Config, Option<PathBuf>), ConfigError> {
        let path = match explicit {
            Some(p) => p.to_path_buf(),
            None => {
                let p = source_root.join(FILE_NAME);
                if !p.is_file() {
                    return Ok((Config::default(), None));
                }
                p
            }
        };
        let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::Read {
            path: path.clone(),
            source,
        })?;
        Ok((Config::parse(&text, &path)?, Some(path)))
    }

    /// Checks every range; the first problem found is returned.
    fn validate(&self, path: &Path) -> Result<(), ConfigError> {
        let bad = |key: &str, problem: String| {
            Err(ConfigError::Invalid {
                path: path.to_path_buf(),
                line: None,
                key: key.to_string(),
                problem,
            })
        };
        let s = &self.speedup;
        for (name, r) in [
            ("pure_python", s.pure_python),
            ("mixed", s.mixed),
            ("native_bound", s.native_bound),
            ("io_bound", s.io_bound),
        ] {
            for (end, v) in [("low", r.low), ("mid", r.mid), ("high", r.high)] {
                if !(v.is_finite() && v >= 1.0) {
                    return bad(
                        &format!("speedup.{name}.{end}"),
                        format!("must be a finite number at least 1 (got {v})"),
                    );
                }
            }
            if !(r.low <= r.mid && r.mid <= r.high) {
                return bad(
                    &format!("speedup.{name}"),
                    format!(
                        "must have low <= mid <= high (got {}, {}, {})",
                        r.low, r.mid, r.high
                    ),
                );
            }
        }
        let fractions = [
            ("category.pure_python_min", self.category.pure_python_min),
            ("category.native_bound_min", self.category.native_bound_min),
            ("category.io_bound_min", self.category.io_bound_min),
            (
                "traps.native_io_min_total_share",
                self.traps.native_io_min_total_share,
            ),
            (
                "traps.native_io_min_fraction",
                self.traps.native_io_min_fraction,
            ),
            (
                "traps.loop_min_caller_fraction",
                self.traps.loop_min_caller_fraction,
            ),
            (
                "candidates.min_total_share",
                self.candidates.min_total_share,
            ),
            ("plan.min_marginal_gain", self.plan.min_marginal_gain),
            ("plan.min_isolation", self.plan.min_isolation),
            (
                "plan.quick_win_min_isolation",
                self.plan.quick_win_min_isolation,
            ),
            (
                "plan.not_worth_min_total_share",
                self.plan.not_worth_min_total_share,
            ),
            ("plan.python_fix_min_share", self.plan.python_fix_min_share),
            ("plan.min_gain_per_day", self.plan.min_gain_per_day),
            ("evidence.min_stability", self.evidence.min_stability),
        ];
        for (key, v) in fractions {
            if !(0.0..=1.0).contains(&v) {
                return bad(key, format!("must be a fraction in [0, 1] (got {v})"));
            }
        }
        let w = &self.isolation.weights;
        let h = &self.isolation.half_points;
        let mut weight_sum = 0.0;
        for ((name, weight), (_, half)) in w.named().into_iter().zip(h.named()) {
            if !(weight.is_finite() && weight >= 0.0) {
                return bad(
                    &format!("isolation.weights.{name}"),
                    format!("must be a finite number at least 0 (got {weight})"),
                );
            }
            if !(half.is_finite() && half > 0.0) {
                return bad(
                    &format!("isolation.half_points.{name}"),
                    format!("must be a finite number above 0 (got {half})"),
                );
            }
            weight_sum += weight;
        }
        if weight_sum <= 0.0 {
            return bad("isolation.weights", "must not all be 0".to_string());
        }
        let e = &self.effort;
        for (key, v, positive) in [
            ("effort.base_days", e.base_days, false),
            ("effort.lines_per_day", e.lines_per_day, true),
            ("effort.complexity_per_day", e.complexity_per_day, true),
            ("effort.per_entry_point", e.per_entry_point, false),
            ("effort.per_callback", e.per_callback, false),
            ("effort.per_dynamic_feature", e.per_dynamic_feature, false),
            ("effort.per_global_write", e.per_global_write, false),
            ("effort.per_io_call", e.per_io_call, false),
            ("effort.generators_async", e.generators_async, false),
            ("effort.per_library_function", e.per_library_function, false),
            ("crossing.per_call_ns", self.crossing.per_call_ns, false),
            (
                "crossing.python_call_ns",
                self.crossing.python_call_ns,
                false,
            ),
            (
                "crossing.python_line_ns",
                self.crossing.python_line_ns,
                true,
            ),
        ] {
            let ok = v.is_finite() && if positive { v > 0.0 } else { v >= 0.0 };
            if !ok {
                let what = if positive { "above 0" } else { "at least 0" };
                return bad(key, format!("must be a finite number {what} (got {v})"));
            }
        }
        for (key, v) in [
            ("plan.quick_win_max_days", self.plan.quick_win_max_days),
            ("plan.phase2_max_days", self.plan.phase2_max_days),
        ] {
            if !(v.is_finite() && v >= 0.0) {
                return bad(key, format!("must be a finite number at least 0 (got {v})"));
            }
        }
        let c = self.evidence.confidence;
        if !(c > 0.0 && c < 1.0) {
            return bad(
                "evidence.confidence",
                format!("must be a fraction in (0, 1) (got {c})"),
            );
        }
        if !(e.range_factor.is_finite() && e.range_factor >= 1.0) {
            return bad(
                "effort.range_factor",
                format!(
                    "must be a finite number at least 1 (got {})",
                    e.range_factor
                ),
            );
        }
        for (key, globs) in [
            ("exclude.paths", &self.exclude.paths),
            ("exclude.functions", &self.exclude.functions),
        ] {
            for g in globs {
                if let Err(err) = globset::Glob::new(g) {
                    return bad(key, format!("has an invalid glob {g:?}: {err}"));
                }
            }
        }
        Ok(())
    }
}

/// The 1-based line of `text` that sets the dotted `key` (or the table or inline table that
/// holds it): `[table]` headers are followed, `name = ...` lines matched by their full dotted
/// name. `None` when no line does (a key left at its default).
fn line_of_key(text: &str, key: &str) -> Option<usize> {
    let mut table = String::new();
    let mut best: Option<(usize, usize)> = None; // (line, matched length)
    for (i, raw) in text.lines().enumerate() {
        let line = raw.split('#').next().unwrap_or("").trim();
        if let Some(header) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            table = header.trim().to_string();
            if key == table || key.starts_with(&format!("{table}.")) {
                best = best
                    .filter(|&(_, len)| len > table.len())
                    .or(Some((i + 1, table.len())));
            }
            continue;
        }
        let Some((name, _)) = line.split_once('=') else {
            continue;
        };
        let full = if table.is_empty() {
            name.trim().to_string()
        } else {
            format!("{table}.{}", name.trim())
        };
        if (key == full || key.starts_with(&format!("{full}.")))
            && best.is_none_or(|(_, len)| full.len() > len)
        {
            best = Some((i + 1, full.len()));
        }
    }
    best.map(|(line, _)| line)
}

/// The file `brownfield init` writes: every key with its default and what it means.
pub const DEFAULT_TOML: &str = r#"# brownfield.toml: assumptions of brownfield's ranking model (docs/scoring.md).
# Every key is optional: delete a line to use its default. Unknown keys are errors.
# Shares and fractions are in [0, 1]; speedups are factors (>= 1); effort is in ideal
# engineer-days (focused days of one engineer who knows the code).

# Per-unit speedup s of a unit's movable time (its Python code, and the codebase callees only
# it reaches) once rewritten in Rust, by the unit's category. The end-to-end figure follows
# Amdahl's law: 1 / ((1 - p) + p / s), p = the unit's movable share of all samples.
# pure_python: interpreted loops and data-structure work typically run 10-100x faster in Rust;
#   PyO3 argument conversion and the Python objects that still cross the boundary eat part of
#   it, hence 3 / 10 / 30.
# mixed: the Python time is glue between native calls or I/O, less to win per unit.
# native_bound / io_bound: the movable part is thin; Rust does not speed up C or waiting.
[speedup]
pure_python = { low = 3.0, mid = 10.0, high = 30.0 }
mixed = { low = 1.5, mid = 3.0, high = 6.0 }
native_bound = { low = 1.0, mid = 1.2, high = 2.0 }
io_bound = { low = 1.0, mid = 1.1, high = 1.5 }

# A function's category, from where its samples land (checked in this order, else "mixed").
[category]
pure_python_min = 0.75   # at least this fraction of its samples run Python code
native_bound_min = 0.5   # ... run native code (C extensions, C accelerators, --native frames)
io_bound_min = 0.5       # ... wait (I/O calls, sleeps, locks, idle)

# Ease of isolation in [0, 1] (1 = trivially cut out). Each component's count x becomes a
# penalty x / (x + half_point); the score is 1 - (sum of weight * penalty) / (sum of weights).
[isolation.weights]
fan_in = 1.0             # call sites outside the unit that call into it (beyond the first)
callbacks = 1.0          # codebase functions outside the unit it calls back into
dynamic = 1.5            # eval/exec, getattr with computed names, globals(), monkey-patching
global_state = 1.0       # global / nonlocal / module-state writes
io = 1.0                 # I/O calls inside the unit
object_coupling = 1.0    # self attributes read and written; methods (self crosses the boundary)
generators_async = 0.5   # 1 when the unit has generators or async functions
size = 0.5               # lines of code

[isolation.half_points]
fan_in = 4.0
callbacks = 2.0
dynamic = 1.0
global_state = 1.0
io = 2.0
object_coupling = 6.0
generators_async = 1.0
size = 200.0

# Effort in ideal engineer-days: base_days + lines / lines_per_day
#   + complexity / complexity_per_day + the per-problem costs below.
# Rough: the range shown is days / range_factor .. days * range_factor.
[effort]
base_days = 1.0            # extension module wiring (PyO3 + maturin), build, golden tests
lines_per_day = 150.0      # Python lines rewritten, tested and reviewed per day
complexity_per_day = 40.0  # cyclomatic complexity (sum over the unit) handled per day
per_entry_point = 0.25     # per entry point beyond the first
per_callback = 0.5         # per callback into Python code that stays
per_dynamic_feature = 1.0
per_global_write = 0.5
per_io_call = 0.25
generators_async = 1.0     # once, when the unit has generators or async functions
per_library_function = 1.0 # per standard-library function whose time the unit moves (rewritten too)
range_factor = 2.0

# Flags on candidates that look better than they are.
[traps]
native_io_min_total_share = 0.05  # big: total share at least this ...
native_io_min_fraction = 0.5      # ... but this fraction of its samples in native code or waiting
loop_max_unit_lines = 40              # small unit ...
loop_min_caller_fraction = 0.5        # ... called from a loop by a caller carrying this much of it

# Never candidates (their samples still count in every share).
[exclude]
paths = []       # globs on paths relative to the source root, e.g. ["tests/**"]
functions = []   # globs on dotted ids, e.g. ["pkg.cli.*"]

[candidates]
min_total_share = 0.005        # rank functions with at least this total share
library_python_movable = true  # time in standard-library .py code a unit calls moves too

# brownfield plan: candidates (best gain per effort first) become migration units that do not
# overlap, then phases. Phase 0 is always the safety net (benchmarks and golden tests).
[plan]
min_marginal_gain = 0.01       # plan a unit only if it saves >= 1% of the run (mid speedup)
min_isolation = 0.3            # less isolated units are "too entangled"
quick_win_max_units = 5        # phase 1, quick wins: at most this many units,
quick_win_max_days = 3.0       #   each at most this many ideal engineer-days,
quick_win_min_isolation = 0.75 #   and at least this isolated
phase2_max_days = 10.0         # phase 2: the other units up to this effort; phase 3: the rest
not_worth_min_total_share = 0.02  # list hot functions left out from this total share up
python_fix_min_share = 0.05    # propose a fix in Python (GC tuning, ...) from this share of samples up
min_gain_per_day = 0.001       # below 0.1% of the run saved per engineer-day: not worth migrating

# The Python/Rust boundary. A unit without loops or recursion runs at most its lines per call,
# so its time per call is about python_call_ns + lines * python_line_ns; in Rust each call
# still pays per_call_ns to cross. Measured with CPython 3.11 and PyO3 (sample-profiles/crossing).
[crossing]
per_call_ns = 25.0      # one call into a PyO3 function or method, one argument converted (measured 13-31)
python_call_ns = 22.0   # CPython's own cost of one call to a Python function or method (measured 17-23)
python_line_ns = 9.0    # one executed line of plain Python (measured 5-13; a compound line about 22)

# How sure the ranking is: an interval on every share, and how stable the first target is when
# the samples are resampled (Poisson bootstrap, fixed seed: the same input gives the same figures).
[evidence]
confidence = 0.95   # level of the interval on each share
resamples = 40      # 0 turns resampling off
min_stability = 0.8 # warn when the first target stays first in fewer resamples than this
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_commented_default_file_is_the_default() {
        let parsed = Config::parse(DEFAULT_TOML, Path::new("brownfield.toml")).unwrap();
        assert_eq!(parsed, Config::default());
    }

    #[test]
    fn an_empty_file_is_the_default() {
        assert_eq!(
            Config::parse("", Path::new("b.toml")).unwrap(),
            Config::default()
        );
    }

    #[test]
    fn unknown_keys_are_errors_naming_key_and_line() {
        let text = "[speedup]\npure_python = { low = 2.0, mid = 4.0, high = 8.0 }\n\n[effort]\nlines_per_dai = 3\n";
        let err = Config::parse(text, Path::new("b.toml"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("b.toml"), "{err}");
        assert!(err.contains("lines_per_dai"), "{err}");
        assert!(err.contains("line 5"), "{err}");
    }

    #[test]
    fn partial_tables_keep_the_other_defaults() {
        let c = Config::parse("[effort]\nlines_per_day = 50\n", Path::new("b.toml")).unwrap();
        assert_eq!(c.effort.lines_per_day, 50.0);
        assert_eq!(c.effort.base_days, Effort::default().base_days);
        assert_eq!(c.speedup, Speedups::default());
    }

    #[test]
    fn out_of_range_values_name_the_key() {
        for (text, key) in [
            (
                "[speedup]\nmixed = { low = 0.5, mid = 2.0, high = 3.0 }\n",
                "speedup.mixed.low",
            ),
            (
                "[speedup]\nmixed = { low = 4.0, mid = 2.0, high = 3.0 }\n",
                "speedup.mixed",
            ),
            ("[category]\nio_bound_min = 1.5\n", "category.io_bound_min"),
            ("[effort]\nlines_per_day = 0\n", "effort.lines_per_day"),
            (
                "[isolation.half_points]\nsize = 0\n",
                "isolation.half_points.size",
            ),
            ("[exclude]\npaths = [\"a/[\"]\n", "exclude.paths"),
        ] {
            let err = Config::parse(text, Path::new("b.toml"))
                .unwrap_err()
                .to_string();
            assert!(err.contains(&format!("`{key}`")), "{text}: {err}");
        }
        let zero = "[isolation.weights]\nfan_in = 0\ncallbacks = 0\ndynamic = 0\nglobal_state = 0\nio = 0\nobject_coupling = 0\ngenerators_async = 0\nsize = 0\n";
        assert!(Config::parse(zero, Path::new("b.toml")).is_err());
    }

    #[test]
    fn wrong_types_are_errors() {
        let err = Config::parse("[effort]\nbase_days = \"one\"\n", Path::new("b.toml"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("line 2"), "{err}");
    }
}
