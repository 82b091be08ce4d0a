//! The migration plan: ranked candidates ([`crate::model`]) grouped into migration units and
//! phases, each with its boundary, risks, verification and Amdahl's-law projections.
//!
//! [`Plan`] is the one struct every renderer reads (terminal table, plan.md, plan.html,
//! plan.json, flamegraphs, chart), so they cannot disagree. It holds plain data (names,
//! shares, folded stacks), no references into the profile or the source index. docs/plan.md
//! explains the phasing; plan.json is `serde_json` of this struct (`schema_version` 1).
//!
//! ## Phasing
//! Candidates are taken by priority (gain per effort). A candidate becomes a **unit** when it
//! is worth moving: pure-Python or mixed, not flagged `time_not_movable`, isolated enough
//! (`[plan] min_isolation`), saving at least `[plan] min_marginal_gain` of the run at the mid
//! speedup, and not overlapping a unit already chosen. Phase 0 is the safety net (benchmarks
//! and golden tests of every entry point). Phase 1 holds the quick wins (small, well
//! isolated), phase 2 the other units up to `[plan] phase2_max_days`, phase 3 the rest. Each
//! phase states the cumulative projected speedup: Amdahl's law over every unit moved so far,
//! `1 / ((1 - Σ pᵢ) + Σ pᵢ / sᵢ)`.

mod phases;
pub mod python_fixes;
pub mod stability;

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::callgraph::CallGraph;
use crate::config::{Config, Range};
use crate::diagnostics::Diagnostics;
use crate::mapping::{Coverage, Mapping, ratio};
use crate::model::{self, Attribution, CallSite, Category, Projection, Scores, WorkMix};
use crate::profile::{FrameKind, Profile};
use crate::rank::Ranking;
use crate::source::syntax::ParamKind;
use crate::source::{DefKind, FuncId, SourceIndex};

pub use model::amdahl;

/// Default [`PlanOptions::top`].
pub const DEFAULT_TOP: usize = 20;

/// The plan.json schema version.
pub const SCHEMA_VERSION: u32 = 1;

/// How the plan is built.
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub struct PlanOptions {
    /// The model's and the phasing's configuration (brownfield.toml).
    pub config: Config,
    /// The configuration file it came from (`None`: defaults).
    pub config_path: Option<String>,
    /// Number of ranked functions shown in tables. Default [`DEFAULT_TOP`].
    pub top: usize,
}

impl PlanOptions {
    /// Options with the default configuration and `top` = [`DEFAULT_TOP`].
    pub fn new() -> Self {
        PlanOptions {
            top: DEFAULT_TOP,
            ..Default::default()
        }
    }
}

/// What the plan was made from, for its "Inputs" section.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Inputs {
    /// Profile paths as given on the command line.
    pub profiles: Vec<String>,
    /// The first source root as given on the command line (kept for readers of schema 1;
    /// every root is in `source_roots`).
    pub source_root: String,
    /// Every source root as given on the command line, in order (`--source` repeated).
    pub source_roots: Vec<String>,
    /// The command line that made the plan (no timestamps, so plans stay reproducible).
    pub command_line: String,
    /// The configuration file used (`None`: the defaults).
    pub config: Option<String>,
    /// Input format (`collapsed`, `speedscope`, `pprof`, `merged`).
    pub format: String,
    /// Recording duration in seconds, when the profile records it (pprof).
    pub duration_seconds: Option<f64>,
    /// Every file read (directories expanded) with its total as read, before filters, in
    /// the profile's unit.
    pub files: Vec<InputFile>,
}

/// One profile file read.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct InputFile {
    /// Its path as given (or found in a directory given).
    pub path: String,
    /// Its total as read, in the profile's unit.
    pub total: u64,
}

/// One ranked codebase function of the "Hot functions" table (by self time).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    /// 1-based rank (by self value, then total, then name).
    pub rank: usize,
    /// Dotted qualified name, e.g. `logpipe.cluster.edit_distance`.
    pub function: String,
    /// `function`, `method` or `module` (a module's top-level code).
    pub kind: &'static str,
    /// File relative to the source root, `/`-separated.
    pub file: String,
    /// First line of the definition (1-based).
    pub line: u32,
    /// Lines of the definition.
    pub lines: u32,
    /// Self value in the profile's unit.
    pub self_value: u64,
    /// Total value in the profile's unit.
    pub total_value: u64,
    /// Self share in [0, 1].
    pub self_share: f64,
    /// Total share in [0, 1].
    pub total_share: f64,
    /// The line where most of the self time lands (for rows shown in tables).
    pub hot_line: Option<HotLine>,
    /// The phase whose units contain it (0: not planned).
    pub phase: usize,
}

/// A function's hottest line: where most of its self time lands.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HotLine {
    /// 1-based line number.
    pub line: u32,
    /// Share of the function's self value on this line, in [0, 1].
    pub self_fraction: f64,
    /// The line's source text, trimmed (empty when the file cannot be read).
    pub text: String,
}

/// Phase 0 or a migration phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PhaseKind {
    /// Benchmarks and golden tests that pin the current behaviour.
    SafetyNet,
    /// Units move to Rust.
    Migration,
}

/// One phase.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Phase {
    /// 0 for the safety net, then 1, 2, ...
    pub number: usize,
    /// A short title (`safety net`, `quick wins`, `next hot paths`, `major projects`).
    pub title: &'static str,
    /// Safety net or migration.
    pub kind: PhaseKind,
    /// Ids of the units it moves (empty for the safety net).
    pub units: Vec<String>,
    /// Movable share moved by this phase alone, in [0, 1].
    pub moved_share: f64,
    /// Movable share moved by this and all earlier phases, in [0, 1].
    pub cumulative_share: f64,
    /// Projected end-to-end speedup after this phase (all units so far), low / mid / high.
    pub projected_speedup: Projection,
    /// `1 / (1 - cumulative_share)`: the moved code taking no time at all.
    pub upper_bound: f64,
    /// Ideal engineer-days of this phase (the safety net: a day per unit's entry points).
    pub effort_days: f64,
    /// Lines of code this phase rewrites.
    pub lines: u32,
}

/// A Python entry point of a unit: a member called from outside it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntryPoint {
    /// Dotted id.
    pub id: String,
    /// The signature as written (parameters with annotations and defaults, return annotation,
    /// decorators in front), e.g. `@staticmethod def parse(line: str, strict=False) -> Record`.
    pub signature: String,
    /// File relative to the source root.
    pub file: String,
    /// Line of the `def`.
    pub line: u32,
}

/// A call from a unit into a function of another unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CallOut {
    /// The function called.
    pub function: String,
    /// The unit it moves with.
    pub unit: String,
    /// That unit's phase.
    pub phase: usize,
}

/// A risk of moving a unit.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Risk {
    /// `dynamic_feature`, `global_state`, `io`, `exception`, `generator_async`,
    /// `object_coupling`, `callback`, `ffi_crossing`.
    pub kind: &'static str,
    /// What, in words, with names from the source.
    pub detail: String,
    /// Where (file relative to the source root), when it is one place.
    pub file: Option<String>,
    /// The line, when it is one place.
    pub line: Option<u32>,
}

/// A migration unit: a function with the callees only it reaches.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Unit {
    /// The unit's id: its root function's dotted id (the id of `brownfield graph`).
    pub id: String,
    /// Its phase (1, 2, 3).
    pub phase: usize,
    /// Its rank in `brownfield rank`.
    pub rank: usize,
    /// Dotted ids of the members, the root first.
    pub members: Vec<String>,
    /// File of the root.
    pub file: String,
    /// Line of the root.
    pub line: u32,
    /// Lines of code of all members.
    pub lines: u32,
    /// Root's self share, in [0, 1].
    pub self_share: f64,
    /// Root's total share, in [0, 1].
    pub total_share: f64,
    /// Share of all samples that moves with the unit, in [0, 1].
    pub movable_share: f64,
    /// Category.
    pub category: Category,
    /// Where the root's samples land.
    pub work: WorkMix,
    /// Ease of isolation in [0, 1].
    pub isolation: f64,
    /// Ideal engineer-days.
    pub effort_days: f64,
    /// The rough range of the effort, [low, high].
    pub effort_range: [f64; 2],
    /// Confidence interval on `movable_share` ([`crate::evidence::wilson`]).
    pub movable_interval: Option<crate::evidence::Interval>,
    /// Fraction of resamples of the profile, in [0, 1], in which this unit is planned
    /// ([`stability`]); `None` without resampling.
    pub planned_in: Option<f64>,
    /// Per-unit speedup assumed for the category.
    pub assumed_speedup: Range,
    /// The per-unit speedup once the crossing into Rust is paid (docs/scoring.md §4); the
    /// projections use it.
    pub effective_speedup: Range,
    /// The boundary's cost per call, when the unit's code bounds a call; `None` otherwise.
    pub crossing: Option<model::Crossing>,
    /// Tiny helpers taken along as copies, dotted ids (Python keeps its own for other callers).
    pub copies: Vec<String>,
    /// Methods outside code can override or reach by name (kept in Python unless the entry).
    pub public_methods: Vec<model::PublicMethod>,
    /// End-to-end speedup if only this unit moved.
    pub projected_speedup: Projection,
    /// Fraction of the run's time this unit saves at the mid speedup, `p (1 - 1 / s_mid)`.
    pub marginal_gain: f64,
    /// One line: why it is in its phase.
    pub why: String,
    /// Members called from outside the unit, with their signatures.
    pub entry_points: Vec<EntryPoint>,
    /// Calls that must change (from outside the unit into it).
    pub call_sites: Vec<CallSite>,
    /// Codebase functions outside every unit that it calls back into (they stay Python).
    pub callbacks: Vec<String>,
    /// Functions of other units that it calls (Rust to Rust once both have moved).
    pub calls_into_units: Vec<CallOut>,
    /// Standard-library functions (`module.function`) whose time the unit moves: the rewrite
    /// replaces them too (counted in the effort).
    pub library_functions: Vec<String>,
    /// What could go wrong.
    pub risks: Vec<Risk>,
    /// How to check the result.
    pub verify: Vec<String>,
    /// Flamegraph labels of the members (for highlighting).
    #[serde(skip)]
    pub labels: Vec<String>,
    /// The members.
    #[serde(skip)]
    pub member_defs: Vec<FuncId>,
}

/// Why a hot function is left out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LeftOutReason {
    /// Its time is already in native code.
    TimeInNative,
    /// It mostly waits.
    IoBound,
    /// Too many boundary problems for its gain.
    TooEntangled,
    /// Moving it would save too little.
    TooSmall,
    /// Its movable time is already in planned units: what is left is glue.
    Covered,
    /// A call runs too little Python to pay for a crossing into Rust, and no planned unit
    /// takes it along: a fix in Python.
    CrossingBound,
    /// Its gain per engineer-day is below `[plan] min_gain_per_day`.
    PoorReturn,
    /// A loop-free constructor: its time is setting up Python objects.
    ObjectSetup,
}

/// A hot function that is not worth migrating, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LeftOut {
    /// Dotted id.
    pub function: String,
    /// File relative to the source root.
    pub file: String,
    /// First line.
    pub line: u32,
    /// Total share, in [0, 1].
    pub total_share: f64,
    /// Movable share, in [0, 1].
    pub movable_share: f64,
    /// The reason.
    pub reason: LeftOutReason,
    /// The reason in words, with its numbers.
    pub detail: String,
}

/// A ranked candidate as the plan shows it (`brownfield rank`'s row, shortened).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CandidateSummary {
    /// Rank by priority.
    pub rank: usize,
    /// Dotted id.
    pub function: String,
    /// Total share, in [0, 1].
    pub total_share: f64,
    /// Movable share, in [0, 1].
    pub movable_share: f64,
    /// Category.
    pub category: Category,
    /// Ease of isolation, in [0, 1].
    pub isolation: f64,
    /// Ideal engineer-days.
    pub effort_days: f64,
    /// Projected end-to-end speedup if it moved alone.
    pub projected_speedup: Projection,
    /// The phase of the unit it belongs to (0: not planned).
    pub phase: usize,
}

/// Size of the indexed codebase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct CodebaseStats {
    /// Python files indexed.
    pub files: usize,
    /// Functions and methods indexed.
    pub functions: usize,
    /// Lines in all indexed files.
    pub lines: u64,
}

/// The plan's bottom line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Headline {
    /// Units planned.
    pub units: usize,
    /// Functions moved (all members).
    pub functions: usize,
    /// Lines of code moved.
    pub lines: u32,
    /// Ideal engineer-days, all migration phases (safety net included).
    pub effort_days: f64,
    /// Share of samples moved, in [0, 1].
    pub moved_share: f64,
    /// Projected end-to-end speedup after the last phase.
    pub projected_speedup: Projection,
    /// `1 / (1 - moved_share)`.
    pub upper_bound: f64,
}

/// The hot subgraph: planned units' members and their callers, for the Mermaid diagram.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct HotSubgraph {
    /// `(id, phase)`: phase 0 for callers outside every unit.
    pub nodes: Vec<(String, usize)>,
    /// Calls between them, `(caller, callee)`, sorted.
    pub edges: Vec<(String, String)>,
}

/// Everything a renderer needs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
    /// [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// A short name for the codebase (its top-level package, else the source root's name).
    pub title: String,
    /// What the plan was made from.
    pub inputs: Inputs,
    /// Unit of every value (`samples`, `nanoseconds`).
    pub unit: &'static str,
    /// Profile total, in `unit`.
    pub total_value: u64,
    /// Mapping coverage.
    pub coverage: Coverage,
    /// Size of the codebase.
    pub codebase: CodebaseStats,
    /// All samples by kind of work.
    pub work: WorkMix,
    /// The profile has the interpreter's native frames (py-spy `--native`): garbage collection,
    /// allocation and C subsystems are measured, not only inferred from the calling line.
    pub native_frames: bool,
    /// Time cheaper to cut in Python than to move (phase-0 items), largest first.
    pub fix_in_python: Vec<python_fixes::PythonFix>,
    /// How many samples the plan rests on and how stable its choices are under resampling.
    pub evidence: stability::Evidence,
    /// The bottom line.
    pub headline: Headline,
    /// Phase 0 (safety net) then the migration phases; only the safety net when nothing is
    /// worth moving.
    pub phases: Vec<Phase>,
    /// The units, in phase order, then by priority.
    pub units: Vec<Unit>,
    /// Hot functions left out, by total share.
    pub not_worth: Vec<LeftOut>,
    /// The units' roots and, up to [`CANDIDATES_SHOWN`] in all, the best-ranked candidates
    /// outside every unit, by priority (the chart's points).
    pub candidates: Vec<CandidateSummary>,
    /// Codebase functions by self time (the top [`PlanOptions::top`]).
    pub hot_functions: Vec<Row>,
    /// Functions ranked in all (the hot-functions table may show fewer).
    pub hot_function_count: usize,
    /// The diagram's data.
    pub hot_subgraph: HotSubgraph,
    /// The configuration the plan was built with.
    pub config: Config,
    /// Soft problems found on the way.
    pub warnings: Vec<String>,
    /// Folded stacks for the flamegraph: `label;label;... → value`, root first, sorted by
    /// stack. Codebase frames are labelled with their qualified name, external Python frames
    /// `function (file)` and native frames `function (object)`.
    #[serde(skip)]
    pub folded: Vec<(String, u64)>,
    /// The projected "after" flamegraph: the same stacks with the values of migrated time
    /// divided by each unit's mid speedup, all scaled by [`AFTER_SCALE`].
    #[serde(skip)]
    pub folded_after: Vec<(String, u64)>,
    /// The class of every flamegraph label in `folded` (for colouring).
    #[serde(skip)]
    pub label_classes: BTreeMap<String, FrameClass>,
}

/// Candidates listed in [`Plan::candidates`] (and drawn in the chart).
pub const CANDIDATES_SHOWN: usize = 30;

/// Values of [`Plan::folded_after`] are in 1/`AFTER_SCALE` of the profile's unit (so shrunk
/// stacks stay integers).
pub const AFTER_SCALE: u64 = 1000;

/// What a flamegraph label stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum FrameClass {
    /// A definition of the codebase.
    Codebase,
    /// Python code outside the codebase (stdlib, site-packages).
    ExternalPython,
    /// Native code.
    Native,
    /// Thread and process frames.
    Thread,
    /// Idle and unknown frames, and the placeholder for empty stacks.
    Other,
}

/// Source files read on demand, for the text of hot lines.
#[derive(Default)]
struct SourceLines {
    files: BTreeMap<std::path::PathBuf, Vec<String>>,
}

impl SourceLines {
    /// Line `line` (1-based) of the file at `path`, trimmed; empty when unreadable.
    fn line(&mut self, path: &std::path::Path, line: u32) -> String {
        let lines = self.files.entry(path.to_path_buf()).or_insert_with(|| {
            std::fs::read_to_string(path)
                .map(|t| t.lines().map(|l| l.trim().to_string()).collect())
                .unwrap_or_default()
        });
        lines
            .get((line as usize).wrapping_sub(1))
            .cloned()
            .unwrap_or_default()
    }
}

/// Everything [`build`] reads.
pub struct Analysis<'a> {
    /// The merged, filtered profile.
    pub profile: &'a Profile,
    /// Where each sample's time goes ([`model::attribute`] of the same inputs).
    pub attribution: &'a Attribution,
    /// The source index.
    pub index: &'a SourceIndex,
    /// Frames to definitions.
    pub mapping: &'a Mapping,
    /// The call graph with the profile's dynamic edges.
    pub graph: &'a CallGraph,
    /// Self/total by definition (the hot-functions table).
    pub ranking: &'a Ranking,
    /// The model's candidates.
    pub scores: &'a Scores,
    /// Their units, to score resamples ([`model::score_and_freeze`] made both).
    pub frozen: &'a model::FrozenUnits<'a>,
}

/// Builds the plan.
pub fn build(a: &Analysis, options: &PlanOptions, inputs: Inputs, diag: &Diagnostics) -> Plan {
    let config = &options.config;
    let attribution = a.attribution;
    let (labels, label_classes) = frame_labels(a.profile, a.index, a.mapping);
    let selection = phases::select(a.scores, config);
    let evidence = stability::evidence(a, &selection, config);

    // Units with their boundary, risks and verification.
    let planned: BTreeSet<&str> = selection
        .units
        .iter()
        .flat_map(|&(ci, _)| a.scores.candidates[ci].unit.iter().map(String::as_str))
        .collect();
    let mut units: Vec<Unit> = selection
        .units
        .iter()
        .map(|&(ci, phase)| {
            let c = &a.scores.candidates[ci];
            unit_of(c, phase, a, &planned)
        })
        .collect();
    units.sort_by(|x, y| x.phase.cmp(&y.phase).then(x.rank.cmp(&y.rank)));
    // The unit (index into `units`) of every planned definition, by definition and by id.
    let mut unit_by_def: BTreeMap<FuncId, usize> = BTreeMap::new();
    let mut unit_by_id: BTreeMap<String, usize> = BTreeMap::new();
    for (k, u) in units.iter().enumerate() {
        for (&d, id) in u.member_defs.iter().zip(&u.members) {
            unit_by_def.insert(d, k);
            unit_by_id.insert(id.clone(), k);
        }
    }
    // Calls out of a unit into another unit: Rust to Rust once both have moved.
    let targets: Vec<(String, usize)> = units.iter().map(|u| (u.id.clone(), u.phase)).collect();
    for u in &mut units {
        let (other, stays): (Vec<String>, Vec<String>) = u
            .callbacks
            .iter()
            .cloned()
            .partition(|cb| unit_by_id.contains_key(cb));
        u.calls_into_units = other
            .into_iter()
            .filter_map(|cb| {
                let (unit, phase) = targets[*unit_by_id.get(&cb)?].clone();
                Some(CallOut {
                    function: cb,
                    unit,
                    phase,
                })
            })
            .collect();
        u.callbacks = stays;
    }

    // Phases.
    let mut phase_list = Vec::new();
    let mut cumulative = 0.0;
    let mut moved: Vec<(f64, Range)> = Vec::new();
    let mut entry_total = 0;
    for (number, title) in [
        (1, "quick wins"),
        (2, "next hot paths"),
        (3, "major projects"),
    ] {
        let members: Vec<&Unit> = units.iter().filter(|u| u.phase == number).collect();
        if members.is_empty() {
            continue;
        }
        let share: f64 = members.iter().map(|u| u.movable_share).sum();
        cumulative += share;
        moved.extend(
            members
                .iter()
                .map(|u| (u.movable_share, u.effective_speedup)),
        );
        entry_total += members.iter().map(|u| u.entry_points.len()).sum::<usize>();
        phase_list.push(Phase {
            number,
            title,
            kind: PhaseKind::Migration,
            units: members.iter().map(|u| u.id.clone()).collect(),
            moved_share: share,
            cumulative_share: cumulative,
            projected_speedup: combined(&moved),
            upper_bound: amdahl(cumulative, f64::INFINITY),
            effort_days: members.iter().map(|u| u.effort_days).sum(),
            lines: members.iter().map(|u| u.lines).sum(),
        });
    }
    // Phase 0: about half a day per entry point to pin (golden tests), at least a day.
    let safety_days = if units.is_empty() {
        0.0
    } else {
        (0.5 * entry_total as f64).max(1.0)
    };
    phase_list.insert(
        0,
        Phase {
            number: 0,
            title: "safety net",
            kind: PhaseKind::SafetyNet,
            units: Vec::new(),
            moved_share: 0.0,
            cumulative_share: 0.0,
            projected_speedup: Projection {
                low: 1.0,
                mid: 1.0,
                high: 1.0,
            },
            upper_bound: 1.0,
            effort_days: safety_days,
            lines: 0,
        },
    );
    let last = phase_list.last().cloned();
    let headline = Headline {
        units: units.len(),
        functions: units.iter().map(|u| u.members.len()).sum(),
        lines: units.iter().map(|u| u.lines).sum(),
        effort_days: phase_list.iter().map(|p| p.effort_days).sum(),
        moved_share: cumulative,
        projected_speedup: last.as_ref().map_or(
            Projection {
                low: 1.0,
                mid: 1.0,
                high: 1.0,
            },
            |p| p.projected_speedup,
        ),
        upper_bound: amdahl(cumulative, f64::INFINITY),
    };

    let not_worth = left_out(a, &selection, &units, config);
    let mut fix_in_python = python_fixes::fixes(attribution, a.graph, config);
    fix_in_python.extend(python_fixes::per_call(
        not_worth
            .iter()
            .filter(|l| l.reason == LeftOutReason::CrossingBound)
            .map(|l| (l.function.as_str(), l.movable_share, l.detail.as_str())),
        config,
    ));
    let phase_of_def = |d: &FuncId| unit_by_def.get(d).map_or(0, |&k| units[k].phase);
    let (hot_functions, hot_function_count) = hot_rows(a, options, &phase_of_def);
    // The phase of a unit's root (members move with it and are not drawn in its colour).
    let root_phase = |c: &model::Candidate| {
        unit_by_def
            .get(&c.def)
            .map(|&k| &units[k])
            .filter(|u| u.member_defs[0] == c.def)
            .map(|u| u.phase)
    };
    // Every unit, then the best-ranked other candidates that are not members of a unit.
    let candidates = a
        .scores
        .candidates
        .iter()
        .filter(|c| root_phase(c).is_some() || !unit_by_def.contains_key(&c.def))
        .enumerate()
        .filter(|(i, c)| *i < CANDIDATES_SHOWN || root_phase(c).is_some())
        .map(|(_, c)| c)
        .map(|c| CandidateSummary {
            rank: c.rank,
            function: c.function.clone(),
            total_share: c.total_share,
            movable_share: c.movable_share,
            category: c.category,
            isolation: c.isolation.score,
            effort_days: c.effort.days,
            projected_speedup: c.projected_speedup,
            // Only a unit's root is drawn in its phase's colour; members move with it.
            phase: root_phase(c).unwrap_or(0),
        })
        .collect();
    let hot_subgraph = hot_subgraph(a, &units);
    // Time moves when its owner is in a unit whose root is on the stack (the model's
    // movable share, docs/scoring.md §2).
    let (folded, folded_after) = fold(attribution, a.profile, &labels, |s| {
        match s.owner.and_then(|o| unit_by_def.get(&o)) {
            Some(&k)
                if s.work.is_movable(config) && s.on_stack.contains(&units[k].member_defs[0]) =>
            {
                1.0 / units[k].effective_speedup.mid
            }
            _ => 1.0,
        }
    });

    let mut warnings = diag.warnings().to_vec();
    if let (true, Some(stays)) = (evidence.unstable, evidence.first_stays_first) {
        warnings.push(format!(
            "the first target, {}, stays first in only {:.0}% of {} resamples of these {} samples: \
             profile longer (or merge more profiles) before committing to it",
            evidence.first_target.as_deref().unwrap_or("-"),
            100.0 * stays,
            evidence.resamples,
            evidence.samples.unwrap_or(0)
        ));
    }
    for u in &mut units {
        u.planned_in = evidence.planned_in.get(&u.id).copied();
    }
    let metadata = a.profile.metadata();
    let code_defs = a
        .index
        .functions()
        .iter()
        .filter(|f| matches!(f.kind, DefKind::Function | DefKind::Method))
        .count();
    Plan {
        schema_version: SCHEMA_VERSION,
        title: codebase_title(a.index),
        inputs: Inputs {
            config: options.config_path.clone(),
            format: metadata.format.clone(),
            duration_seconds: metadata.duration_nanos.map(|n| n as f64 / 1e9),
            files: metadata
                .sources
                .iter()
                .zip(&metadata.source_totals)
                .map(|(path, &total)| InputFile {
                    path: path.clone(),
                    total,
                })
                .collect(),
            ..inputs
        },
        unit: a.profile.unit().as_str(),
        total_value: a.profile.total(),
        coverage: a.mapping.coverage(),
        codebase: CodebaseStats {
            files: a.index.files().len(),
            functions: code_defs,
            lines: a.index.total_lines(),
        },
        work: a.scores.work,
        native_frames: attribution.native_frames,
        fix_in_python,
        evidence,
        headline,
        phases: phase_list,
        units,
        not_worth,
        candidates,
        hot_functions,
        hot_function_count,
        hot_subgraph,
        config: config.clone(),
        warnings,
        folded,
        folded_after,
        label_classes,
    }
}

/// Amdahl's law over several units: `1 / ((1 - Σ p) + Σ p / s)` at the low, mid and high
/// speedups of each.
fn combined(moved: &[(f64, Range)]) -> Projection {
    let at =
        |pick: fn(&Range) -> f64| model::amdahl_parts(moved.iter().map(|(p, r)| (*p, pick(r))));
    Projection {
        low: at(|r| r.low),
        mid: at(|r| r.mid),
        high: at(|r| r.high),
    }
}

/// The signature of a definition as written: decorators, `def`/`async def`, parameters with
/// annotations and defaults, `/` and `*` markers, return annotation. Classes give
/// `class Name`.
pub fn signature(index: &SourceIndex, def: FuncId) -> String {
    let f = index.function(def);
    let s = index.syntax(def);
    let mut out = String::new();
    for (_, text) in &s.decorators {
        out.push('@');
        out.push_str(text);
        out.push(' ');
    }
    if f.kind == DefKind::Class {
        out.push_str("class ");
        out.push_str(&f.name);
        return out;
    }
    out.push_str(if s.is_async { "async def " } else { "def " });
    out.push_str(&f.name);
    out.push('(');
    let mut parts: Vec<String> = Vec::new();
    let mut seen_star = false;
    for (i, p) in s.params.iter().enumerate() {
        if p.kind == ParamKind::KeywordOnly && !seen_star {
            parts.push("*".to_string());
            seen_star = true;
        }
        let mut text = match p.kind {
            ParamKind::VarPositional => {
                seen_star = true;
                format!("*{}", p.name)
            }
            ParamKind::VarKeyword => format!("**{}", p.name),
            _ => p.name.clone(),
        };
        if let Some(a) = &p.annotation {
            text.push_str(": ");
            text.push_str(a);
        }
        if let Some(d) = &p.default {
            text.push_str(if p.annotation.is_some() { " = " } else { "=" });
            text.push_str(d);
        }
        parts.push(text);
        let next_positional_only = s
            .params
            .get(i + 1)
            .is_some_and(|n| n.kind == ParamKind::PositionalOnly);
        if p.kind == ParamKind::PositionalOnly && !next_positional_only {
            parts.push("/".to_string());
        }
    }
    out.push_str(&parts.join(", "));
    out.push(')');
    if let Some(r) = &s.return_annotation {
        out.push_str(" -> ");
        out.push_str(&r.text());
    }
    out
}

/// The unit of candidate `c` in `phase`; `planned` holds the ids of every planned unit's
/// members (calls into them are not callbacks that stay in Python).
fn unit_of(c: &model::Candidate, phase: usize, a: &Analysis, planned: &BTreeSet<&str>) -> Unit {
    let index = a.index;
    let file_of = |d: FuncId| index.file(index.function(d).file).path.clone();
    // `unit_defs` and `unit` list the members in the same order.
    let members = || c.unit_defs.iter().copied().zip(c.unit.iter());
    let entry_points: Vec<EntryPoint> = members()
        .filter(|(_, id)| c.entry_points.contains(id))
        .map(|(d, id)| EntryPoint {
            id: id.clone(),
            signature: signature(index, d),
            file: file_of(d),
            line: def_line(index, d),
        })
        .collect();

    let mut risks: BTreeSet<Risk> = BTreeSet::new();
    for (m, name) in members() {
        let s = index.syntax(m);
        let file = file_of(m);
        let mut add = |kind: &'static str, detail: String, line: u32| {
            risks.insert(Risk {
                kind,
                detail,
                file: Some(file.clone()),
                line: Some(line),
            });
        };
        for f in &s.facts.dynamic {
            add(
                "dynamic_feature",
                format!("{} in {name}: needs a static design in Rust", f.what),
                f.line,
            );
        }
        for f in s
            .facts
            .global_writes
            .iter()
            .chain(&s.facts.nonlocal_writes)
            .chain(&s.facts.module_state_writes)
        {
            add(
                "global_state",
                format!(
                    "{name} writes {}: state shared with Python must cross the boundary or move",
                    f.what
                ),
                f.line,
            );
        }
        for f in &s.facts.io {
            add(
                "io",
                format!("{name} does I/O ({}): keep it in Python or port it", f.what),
                f.line,
            );
        }
        // One risk per exception type (first place it is raised).
        let mut raised: BTreeMap<&str, (u32, usize)> = BTreeMap::new();
        for f in &s.facts.raises {
            let e = raised.entry(f.what.as_str()).or_insert((f.line, 0));
            e.1 += 1;
        }
        for (what, (line, count)) in raised {
            let times = if count > 1 {
                format!(" ({count} places)")
            } else {
                String::new()
            };
            add(
                "exception",
                format!(
                    "{name} raises {what}{times}: map it to a Python exception at the boundary (PyErr)"
                ),
                line,
            );
        }
        if s.is_generator || s.is_async {
            let what = if s.is_async { "async" } else { "a generator" };
            add(
                "generator_async",
                format!("{name} is {what}: needs an iterator/future type across the boundary"),
                def_line(index, m),
            );
        }
    }
    let writes: Vec<&str> = c
        .unit_defs
        .iter()
        .flat_map(|&m| index.syntax(m).facts.self_writes.iter().map(String::as_str))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    if c.kind == "method" || !writes.is_empty() {
        let detail = if writes.is_empty() {
            format!(
                "{} is a method: its object crosses the boundary (a #[pyclass] or attribute conversion)",
                c.function
            )
        } else {
            format!(
                "writes self attributes {}: the object's state must live on one side",
                writes
                    .iter()
                    .map(|w| w.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        risks.insert(Risk {
            kind: "object_coupling",
            detail,
            file: None,
            line: None,
        });
    }
    let stays = c
        .callbacks
        .iter()
        .filter(|cb| !planned.contains(cb.as_str()))
        .count();
    if stays > 0 {
        let functions = if stays == 1 {
            "1 function".to_string()
        } else {
            format!("{stays} functions")
        };
        let detail = if stays == c.callbacks.len() {
            format!(
                "calls {functions} outside the unit: each call from Rust into code that is still Python costs a crossing (see \"Calls out of the unit\")"
            )
        } else {
            format!(
                "calls {functions} outside the unit that stay in Python: each call from Rust into them costs a crossing"
            )
        };
        risks.insert(Risk {
            kind: "callback",
            detail,
            file: None,
            line: None,
        });
    }
    risks.extend(public_boundary_risks(&c.public_methods));
    for t in &c.traps {
        if let model::Trap::CalledInHotLoop {
            caller, file, line, ..
        } = t
        {
            risks.insert(Risk {
                kind: "ffi_crossing",
                detail: format!(
                    "called in a loop from {caller}: one Python-to-Rust crossing per iteration; move the loop too or batch the calls"
                ),
                file: Some(file.clone()),
                line: Some(*line),
            });
        }
    }
    let looped = c.incoming.iter().filter(|s| s.in_loop).count();
    if looped > 0
        && !c
            .traps
            .iter()
            .any(|t| matches!(t, model::Trap::CalledInHotLoop { .. }))
    {
        risks.insert(Risk {
            kind: "ffi_crossing",
            detail: format!(
                "{looped} call site(s) inside loops: check the per-call cost after the rewrite"
            ),
            file: None,
            line: None,
        });
    }

    let s_mid = c.effective_speedup.mid;
    let after_total = (c.total_share - c.movable_share) + c.movable_share / s_mid;
    let entries: Vec<String> = entry_points.iter().map(|e| e.id.clone()).collect();
    let verify = vec![
        format!(
            "Before: golden tests call {} with inputs recorded from production and pin the outputs (and exceptions); a benchmark times them.",
            entries.join(", ")
        ),
        format!(
            "After: the same tests pass against the Rust version; the benchmark shows the unit at least {}x faster (the low end assumed).",
            trim_float(c.effective_speedup.low)
        ),
        format!(
            "Re-profile the workload the same way (the same profiler command) and run brownfield rank: with only this unit moved, {} should fall from {} to about {} of today's samples ({} at the low speedup).",
            c.function,
            model::percent(c.total_share),
            model::percent(after_total),
            model::percent(
                (c.total_share - c.movable_share) + c.movable_share / c.effective_speedup.low
            )
        ),
    ];
    let marginal_gain = c.marginal_gain();
    let why = format!(
        "rank {} by gain per effort: {} of samples move ({}), saving {} of the run at {}x; isolation {:.2}; ~{:.1} days",
        c.rank,
        model::percent(c.movable_share),
        c.category.label(),
        model::percent(marginal_gain),
        trim_float(s_mid),
        c.isolation.score,
        c.effort.days
    );
    let labels = c
        .unit_defs
        .iter()
        .map(|&d| codebase_label(index, d))
        .collect();
    Unit {
        id: c.function.clone(),
        phase,
        rank: c.rank,
        members: c.unit.to_vec(),
        file: c.file.clone(),
        line: c.line,
        lines: c.unit_lines,
        self_share: c.self_share,
        total_share: c.total_share,
        movable_share: c.movable_share,
        category: c.category,
        work: c.work,
        isolation: c.isolation.score,
        effort_days: c.effort.days,
        effort_range: [c.effort.low, c.effort.high],
        movable_interval: c.movable_interval,
        planned_in: None,
        assumed_speedup: c.assumed_speedup,
        effective_speedup: c.effective_speedup,
        crossing: c.crossing,
        copies: c.copies.clone(),
        public_methods: c.public_methods.clone(),
        projected_speedup: c.projected_speedup,
        marginal_gain,
        why,
        entry_points,
        call_sites: c.incoming.to_vec(),
        callbacks: c.callbacks.clone(),
        library_functions: c.library_functions.clone(),
        calls_into_units: Vec::new(),
        risks: risks.into_iter().collect(),
        verify,
        labels,
        member_defs: c.unit_defs.to_vec(),
    }
}

/// One `public_boundary` risk per extension point: a method overridden in subclasses, the
/// overrides of one method, or one class's family of methods dispatched by name (kept out or
/// moved, as the unit treats them).
fn public_boundary_risks(methods: &[model::PublicMethod]) -> Vec<Risk> {
    // (what they share, kept out) → the methods.
    let mut groups: BTreeMap<(String, bool), Vec<&model::PublicMethod>> = BTreeMap::new();
    for m in methods {
        let key = match &m.reason {
            model::Overridable::Overridden { .. } => format!("overridden {}", m.function),
            model::Overridable::Overrides { base } => format!("overrides {base}"),
            model::Overridable::DispatchedByName { prefix } => {
                let class = m.function.rsplit_once('.').map_or("", |(c, _)| c);
                format!("dispatched {class}.{prefix}")
            }
        };
        groups.entry((key, m.kept_out)).or_default().push(m);
    }
    let names = |ms: &[&model::PublicMethod]| {
        let mut s = ms
            .iter()
            .take(3)
            .map(|m| m.function.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        if ms.len() > 3 {
            s.push_str(&format!(" and {} more", ms.len() - 3));
        }
        s
    };
    groups
        .into_iter()
        .map(|((_, kept_out), ms)| {
            let why = match &ms[0].reason {
                model::Overridable::Overridden { by } => format!(
                    "{} is overridden in {} subclass(es) ({}{})",
                    ms[0].function,
                    by.len(),
                    by.iter().take(3).cloned().collect::<Vec<_>>().join(", "),
                    if by.len() > 3 { ", ..." } else { "" }
                ),
                model::Overridable::Overrides { base } => format!(
                    "{} override{} {base}, which callers reach through dispatch on self",
                    names(&ms),
                    if ms.len() == 1 { "s" } else { "" }
                ),
                model::Overridable::DispatchedByName { prefix } => format!(
                    "{} ({} method(s)) are the `{prefix}*` methods their class dispatches to by name",
                    names(&ms),
                    ms.len()
                ),
            };
            let detail = if kept_out {
                format!(
                    "{why}: an extension point, kept out of the unit; it stays in Python and the Rust code calls back into it"
                )
            } else {
                format!(
                    "{why}: an extension point that moves with the unit (its entry, its recursion, or a family it dispatches to); the Rust class must stay subclassable (#[pyclass(subclass)]) and keep calling overrides through Python"
                )
            };
            Risk {
                kind: "public_boundary",
                detail,
                file: None,
                line: None,
            }
        })
        .collect()
}

/// A factor without trailing zeros: `10`, `1.5`, `1.25`.
fn trim_float(x: f64) -> String {
    let s = format!("{x:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// The line of a definition's `def` (after its decorators).
fn def_line(index: &SourceIndex, d: FuncId) -> u32 {
    index.function(d).start_line + index.syntax(d).decorators.len() as u32
}

fn left_out(
    a: &Analysis,
    selection: &phases::Selection,
    units: &[Unit],
    config: &Config,
) -> Vec<LeftOut> {
    let planned: BTreeSet<&str> = units
        .iter()
        .flat_map(|u| u.members.iter().map(String::as_str))
        .collect();
    let mut out = Vec::new();
    for (ci, c) in a.scores.candidates.iter().enumerate() {
        if c.total_share < config.plan.not_worth_min_total_share
            || planned.contains(c.function.as_str())
        {
            continue;
        }
        let (reason, detail) = match selection.rejected.get(&ci) {
            Some(phases::Rejection::NotMovable) if c.category == Category::IoBound => (
                LeftOutReason::IoBound,
                format!(
                    "{} of its samples wait; Rust does not wait faster",
                    model::percent(c.work.wait)
                ),
            ),
            Some(phases::Rejection::NotMovable) => (
                LeftOutReason::TimeInNative,
                format!(
                    "{} of its samples are native code already{}",
                    model::percent(c.work.native),
                    if c.work.wait > 0.05 {
                        format!(", {} waiting", model::percent(c.work.wait))
                    } else {
                        String::new()
                    }
                ),
            ),
            Some(phases::Rejection::Entangled) => (
                LeftOutReason::TooEntangled,
                format!(
                    "isolation {:.2} ({} call sites into it, {} callbacks, {} dynamic features)",
                    c.isolation.score,
                    c.incoming.len(),
                    c.callbacks.len(),
                    c.isolation
                        .components
                        .iter()
                        .find(|x| x.name == "dynamic")
                        .map_or(0.0, |x| x.count)
                ),
            ),
            Some(phases::Rejection::TooSmall) => {
                let saved = format!(
                    "{:.2}% (the plan needs {:.2}%)",
                    100.0 * c.marginal_gain(),
                    100.0 * config.plan.min_marginal_gain
                );
                let detail = if c.movable_share < 0.5 * c.total_share {
                    format!(
                        "only {} of samples would move with it (saving {} of the run); the rest of its {} is in callees shared with other code, or in C",
                        model::percent(c.movable_share),
                        saved,
                        model::percent(c.total_share)
                    )
                } else {
                    format!("moving it would save {saved} of the run at the mid speedup")
                };
                (LeftOutReason::TooSmall, detail)
            }
            Some(phases::Rejection::CrossingBound) => {
                (LeftOutReason::CrossingBound, crossing_detail(c))
            }
            Some(phases::Rejection::ObjectSetup) => (
                LeftOutReason::ObjectSetup,
                "a constructor without loops: its time is setting up the object's attributes and containers, which a Rust version must build as Python objects just the same (or make the class a #[pyclass], moving every attribute access across the boundary)".to_string(),
            ),
            Some(phases::Rejection::PoorReturn) => (
                LeftOutReason::PoorReturn,
                format!(
                    "it would save {} of the run for ~{:.0} days ({:.3}% per day; the plan needs {:.3}%): not worth migrating",
                    model::percent(c.marginal_gain()),
                    c.effort.days,
                    100.0 * c.marginal_gain() / c.effort.days,
                    100.0 * config.plan.min_gain_per_day
                ),
            ),
            Some(phases::Rejection::Overlaps(with))
            | Some(phases::Rejection::Covered(with))
            | Some(phases::Rejection::MovesWithCaller(with)) => {
                let inside: Vec<&Unit> = units.iter().filter(|u| c.unit.contains(&u.id)).collect();
                let residual = (c.movable_share
                    - inside.iter().map(|u| u.movable_share).sum::<f64>())
                .max(0.0);
                let detail = if inside.is_empty() {
                    format!("it shares code with the unit {with}, planned first")
                } else {
                    let more = match inside.len() {
                        1 => String::new(),
                        n => format!(" and {} more", n - 1),
                    };
                    format!(
                        "it contains planned units ({}{more}); the glue left, {} of samples across {} functions, stays",
                        inside[0].id,
                        model::percent(residual),
                        c.unit.len()
                    )
                };
                (LeftOutReason::Covered, detail)
            }
            None => continue,
        };
        out.push(LeftOut {
            function: c.function.clone(),
            file: c.file.clone(),
            line: c.line,
            total_share: c.total_share,
            movable_share: c.movable_share,
            reason,
            detail,
        });
    }
    out.sort_by(|x, y| {
        y.total_share
            .total_cmp(&x.total_share)
            .then_with(|| x.function.cmp(&y.function))
    });
    out
}

/// Why a candidate's boundary eats its gain, in words.
fn crossing_detail(c: &model::Candidate) -> String {
    let Some(x) = c.crossing else {
        return String::new();
    };
    let caller = c.traps.iter().find_map(|t| match t {
        model::Trap::CalledInHotLoop {
            caller, file, line, ..
        } => Some(format!(" from the loop in {caller} ({file}:{line})")),
        _ => None,
    });
    let (crossings, remedy) = if x.crossings > 1 {
        (
            format!(
                "{} crossings (the call in, and {} places calling back into Python code that stays)",
                x.crossings,
                x.crossings - 1
            ),
            "move what it calls back with it, or fix it in Python",
        )
    } else {
        (
            "a crossing into Rust".to_string(),
            "move the function that holds the loop, or fix it in Python",
        )
    };
    format!(
        "a call runs about {:.0} ns of Python{}, and {crossings} would cost {:.0} ns: at most {:.1}x on its time however fast the Rust; {remedy}",
        x.python_ns,
        caller.unwrap_or_default(),
        x.crossing_ns,
        x.ceiling
    )
}

fn hot_rows(
    a: &Analysis,
    options: &PlanOptions,
    phase_of_def: &dyn Fn(&FuncId) -> usize,
) -> (Vec<Row>, usize) {
    let mut sources = SourceLines::default();
    let rows = a
        .ranking
        .functions
        .iter()
        .enumerate()
        .take(options.top)
        .map(|(i, s)| {
            let f = a.index.function(s.def);
            let file = a.index.file(f.file);
            let hot_line = s.hottest_line.map(|(line, v)| HotLine {
                line,
                self_fraction: ratio(v, s.self_value),
                text: sources.line(&a.index.disk_path(file), line),
            });
            Row {
                rank: i + 1,
                function: a.graph.graph()[a.graph.node_of(s.def)].id.clone(),
                kind: f.kind.as_str(),
                file: file.path.clone(),
                line: f.start_line,
                lines: f.lines(),
                self_value: s.self_value,
                total_value: s.total_value,
                self_share: s.self_share,
                total_share: s.total_share,
                hot_line,
                phase: phase_of_def(&s.def),
            }
        })
        .collect();
    (rows, a.ranking.functions.len())
}

/// The planned units (one node each, by root) and up to 8 callers outside every unit that
/// call into them the most, with the calls among them (member-level calls lifted to units).
fn hot_subgraph(a: &Analysis, units: &[Unit]) -> HotSubgraph {
    use petgraph::visit::EdgeRef;
    let g = a.graph.graph();
    // Each planned member → (its unit's id, phase).
    let mut unit_of: BTreeMap<FuncId, (&str, usize)> = BTreeMap::new();
    for u in units {
        for &d in &u.member_defs {
            unit_of.insert(d, (u.id.as_str(), u.phase));
        }
    }
    let mut callers: BTreeMap<FuncId, usize> = BTreeMap::new();
    for u in units {
        for s in &u.call_sites {
            if !unit_of.contains_key(&s.caller_def) {
                *callers.entry(s.caller_def).or_default() += 1;
            }
        }
    }
    let mut ranked: Vec<(FuncId, usize)> = callers.into_iter().collect();
    ranked.sort_by(|x, y| y.1.cmp(&x.1).then(x.0.cmp(&y.0)));
    let id = |d: FuncId| g[a.graph.node_of(d)].id.clone();
    let mut node_of: BTreeMap<FuncId, String> = unit_of
        .iter()
        .map(|(&d, &(u, _))| (d, u.to_string()))
        .collect();
    let mut nodes: BTreeSet<(String, usize)> =
        units.iter().map(|u| (u.id.clone(), u.phase)).collect();
    for (d, _) in ranked.into_iter().take(8) {
        node_of.insert(d, id(d));
        nodes.insert((id(d), 0));
    }
    let mut edges: BTreeSet<(String, String)> = BTreeSet::new();
    for (&d, from) in &node_of {
        for e in g.edges(a.graph.node_of(d)) {
            let t = e.target().index();
            if t >= a.graph.defs() {
                continue;
            }
            if let Some(to) = node_of.get(&FuncId::from_index(t))
                && to != from
            {
                edges.insert((from.clone(), to.clone()));
            }
        }
    }
    HotSubgraph {
        nodes: nodes.into_iter().collect(),
        edges: edges.into_iter().collect(),
    }
}

/// The codebase's name: its top-level package when every module shares one (`logpipe`), else
/// the source root's directory name.
fn codebase_title(index: &SourceIndex) -> String {
    let mut tops = index
        .files()
        .iter()
        .map(|f| f.module.split('.').next().unwrap_or(""));
    if let Some(first) = tops.next()
        && !first.is_empty()
        && tops.all(|t| t == first)
    {
        return first.to_string();
    }
    let root = index.root();
    match root
        .canonicalize()
        .ok()
        .as_deref()
        .and_then(|p| p.file_name())
    {
        Some(name) => name.to_string_lossy().into_owned(),
        None => root.display().to_string(),
    }
}

/// The flamegraph label of a codebase definition.
fn codebase_label(index: &SourceIndex, d: FuncId) -> String {
    let f = index.function(d);
    let l = if f.kind == DefKind::Module {
        format!("{} <module>", f.qualname)
    } else {
        f.qualname.clone()
    };
    l.replace(';', ":")
}

/// One readable, line-free label per frame (lines would split one function into many boxes),
/// and the class of every label.
fn frame_labels(
    profile: &Profile,
    index: &SourceIndex,
    mapping: &Mapping,
) -> (Vec<String>, BTreeMap<String, FrameClass>) {
    let mut classes = BTreeMap::new();
    let labels: Vec<String> = profile
        .frame_ids()
        .map(|id| {
            let frame = profile.frame(id);
            let (label, class) = match mapping.def_of(id) {
                Some(d) => (codebase_label(index, d), FrameClass::Codebase),
                None => {
                    let name = profile.string(frame.function);
                    match (frame.kind, frame.file) {
                        (FrameKind::Python, Some(file)) => (
                            format!("{name} ({})", profile.string(file)),
                            FrameClass::ExternalPython,
                        ),
                        (FrameKind::Python, None) => (name.to_string(), FrameClass::ExternalPython),
                        (FrameKind::Native, Some(file)) => {
                            let file = profile.string(file);
                            let base = crate::profile::file_basename(file);
                            (format!("{name} ({base})"), FrameClass::Native)
                        }
                        (FrameKind::Native, None) => (name.to_string(), FrameClass::Native),
                        (FrameKind::Thread | FrameKind::Process, _) => {
                            (name.to_string(), FrameClass::Thread)
                        }
                        _ => (name.to_string(), FrameClass::Other),
                    }
                }
            };
            // `;` separates frames in folded stacks.
            let label = label.replace(';', ":");
            classes.entry(label.clone()).or_insert(class);
            label
        })
        .collect();
    classes.insert(NO_PYTHON_FRAME.to_string(), FrameClass::Other);
    (labels, classes)
}

/// Folded stacks: `;`-joined labels root to leaf, with their value, sorted by label.
type Folded = Vec<(String, u64)>;

/// The folded stacks of the profile (root to leaf, `;`-separated flamegraph labels), with their
/// values as read, and the same stacks "after": each value times [`AFTER_SCALE`] times
/// `after`'s factor for its stack (rounded; stacks rounded to 0 are left out). Both come from
/// one pass, each stack's label string built once.
fn fold(
    attribution: &Attribution,
    profile: &Profile,
    labels: &[String],
    after: impl Fn(&model::StackFacts) -> f64,
) -> (Folded, Folded) {
    let mut before: BTreeMap<String, u64> = BTreeMap::new();
    let mut later: BTreeMap<String, u64> = BTreeMap::new();
    let mut buf = String::new();
    let mut frames = Vec::new();
    for s in &attribution.stacks {
        profile.frames_root_to_leaf(s.stack, &mut frames);
        buf.clear();
        for (i, f) in frames.iter().enumerate() {
            if i > 0 {
                buf.push(';');
            }
            buf.push_str(&labels[f.index()]);
        }
        if buf.is_empty() {
            buf.push_str(NO_PYTHON_FRAME);
        }
        // In f64: a large value times the scale may not fit in a u64.
        let value_after = (s.value as f64 * AFTER_SCALE as f64 * after(s)).round() as u64;
        for (map, value) in [(&mut before, s.value), (&mut later, value_after)] {
            if value == 0 {
                continue;
            }
            match map.get_mut(buf.as_str()) {
                Some(v) => *v = v.saturating_add(value),
                None => {
                    map.insert(buf.clone(), value);
                }
            }
        }
    }
    (before.into_iter().collect(), later.into_iter().collect())
}

/// The flamegraph label of samples with an empty stack.
pub const NO_PYTHON_FRAME: &str = "(no frame recorded)";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn combined_amdahl_adds_the_units() {
        let r = Range {
            low: 2.0,
            mid: 10.0,
            high: 20.0,
        };
        let one = combined(&[(0.3, r)]);
        assert!((one.mid - amdahl(0.3, 10.0)).abs() < 1e-12);
        let two = combined(&[(0.3, r), (0.2, r)]);
        assert!((two.mid - amdahl(0.5, 10.0)).abs() < 1e-12);
        assert!(two.low <= two.mid && two.mid <= two.high);
        assert_eq!(combined(&[]).mid, 1.0);
    }
}
