//! The migration plan: ranked candidates grouped into phases, with Amdahl's-law projections.
//!
//! [`Plan`] is the one struct every renderer reads (terminal table, Markdown, flamegraph), so
//! they cannot disagree. It holds plain data (names, shares, folded stacks), no references into
//! the profile or the source index.
//!
//! ## The model in this version
//! The time a function can hand over to Rust is approximated by its **self share**: the share
//! of samples whose leaf frame is the function's own Python code. Candidates are the functions
//! whose self share is at least [`PlanOptions::min_self_share`], taken in ranking order:
//! Phase 1 holds the first [`PlanOptions::phase1_size`], Phase 2 the next
//! [`PlanOptions::phase2_size`]. After each phase, the projected end-to-end speedup follows
//! Amdahl's law, `1 / ((1 - p) + p / s)`, with `p` the cumulative self share moved so far and
//! `s` the assumed per-function speedup ([`PlanOptions::assumed_speedup`]); the upper bound is
//! `1 / (1 - p)` (the moved code takes no time at all).

use std::collections::BTreeMap;

use crate::diagnostics::Diagnostics;
use crate::mapping::{Coverage, Mapping, ratio};
use crate::profile::{FrameKind, Profile};
use crate::rank::Ranking;
use crate::source::{DefKind, SourceIndex};

/// Default [`PlanOptions::assumed_speedup`]: a pure-Python loop rewritten in Rust commonly
/// runs 10–100× faster; 10× is the conservative end of that range.
pub const DEFAULT_ASSUMED_SPEEDUP: f64 = 10.0;
/// Default [`PlanOptions::min_self_share`]: 1% of samples.
pub const DEFAULT_MIN_SELF_SHARE: f64 = 0.01;
/// Default [`PlanOptions::phase1_size`].
pub const DEFAULT_PHASE1_SIZE: usize = 3;
/// Default [`PlanOptions::phase2_size`].
pub const DEFAULT_PHASE2_SIZE: usize = 5;
/// Default [`PlanOptions::top`].
pub const DEFAULT_TOP: usize = 20;

/// How the plan is built.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct PlanOptions {
    /// Assumed speedup `s` of one function's own code once rewritten in Rust, a factor > 1.
    /// Default is [`DEFAULT_ASSUMED_SPEEDUP`] (10×).
    pub assumed_speedup: f64,
    /// Smallest self share, in [0, 1], for a function to be a migration candidate. Default is
    /// [`DEFAULT_MIN_SELF_SHARE`] (0.01).
    pub min_self_share: f64,
    /// Number of candidates in Phase 1. Default is [`DEFAULT_PHASE1_SIZE`] (3).
    pub phase1_size: usize,
    /// Number of candidates in Phase 2. Default is [`DEFAULT_PHASE2_SIZE`] (5).
    pub phase2_size: usize,
    /// Number of ranked functions shown in tables. Default is [`DEFAULT_TOP`] (20).
    pub top: usize,
}

impl Default for PlanOptions {
    fn default() -> Self {
        PlanOptions {
            assumed_speedup: DEFAULT_ASSUMED_SPEEDUP,
            min_self_share: DEFAULT_MIN_SELF_SHARE,
            phase1_size: DEFAULT_PHASE1_SIZE,
            phase2_size: DEFAULT_PHASE2_SIZE,
            top: DEFAULT_TOP,
        }
    }
}

/// What the plan was made from, for its "Inputs" section.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Inputs {
    /// Profile paths as given on the command line.
    pub profiles: Vec<String>,
    /// Source root as given on the command line.
    pub source_root: String,
    /// The command line that made the plan (no timestamps, so plans stay reproducible).
    pub command_line: String,
}

/// One ranked codebase function.
#[derive(Debug, Clone, PartialEq)]
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
}

/// A function's hottest line: where most of its self time lands.
#[derive(Debug, Clone, PartialEq)]
pub struct HotLine {
    /// 1-based line number.
    pub line: u32,
    /// Share of the function's self value on this line, in [0, 1].
    pub self_fraction: f64,
    /// The line's source text, trimmed (empty when the file cannot be read).
    pub text: String,
}

/// One migration phase.
#[derive(Debug, Clone, PartialEq)]
pub struct Phase {
    /// 1-based phase number.
    pub number: usize,
    /// A short title, e.g. `quick wins`.
    pub title: &'static str,
    /// Indices into [`Plan::rows`] of the functions this phase moves.
    pub rows: Vec<usize>,
    /// Self share moved by this phase alone, in [0, 1].
    pub moved_share: f64,
    /// Self share moved by this and all earlier phases, in [0, 1].
    pub cumulative_share: f64,
    /// Projected end-to-end speedup after this phase (Amdahl, at the assumed speedup), ≥ 1.
    pub projected_speedup: f64,
    /// Upper bound after this phase: the moved code takes no time, `1 / (1 - p)`.
    pub upper_bound: f64,
    /// Lines of code this phase rewrites.
    pub lines: u32,
}

/// Size of the indexed codebase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CodebaseStats {
    /// Python files indexed.
    pub files: usize,
    /// Functions and methods indexed.
    pub functions: usize,
    /// Lines in all indexed files.
    pub lines: u64,
}

/// Everything a renderer needs.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// A short name for the codebase (the source root's last component).
    pub title: String,
    /// What the plan was made from.
    pub inputs: Inputs,
    /// Unit of every value (`samples`).
    pub unit: &'static str,
    /// Profile total, in `unit`.
    pub total_value: u64,
    /// Mapping coverage.
    pub coverage: Coverage,
    /// Size of the codebase.
    pub codebase: CodebaseStats,
    /// Every function with samples, ranked.
    pub rows: Vec<Row>,
    /// Migration phases, in order; empty when no function reaches the minimum self share.
    pub phases: Vec<Phase>,
    /// The options the plan was built with.
    pub options: PlanOptions,
    /// Soft problems found on the way.
    pub warnings: Vec<String>,
    /// Folded stacks for the flamegraph: `label;label;... → value`, root first, sorted by
    /// stack. Codebase frames are labelled with their qualified name, external Python frames
    /// `function (file)` and native frames `function (object)`.
    pub folded: Vec<(String, u64)>,
    /// The class of every flamegraph label in `folded` (for colouring).
    pub label_classes: BTreeMap<String, FrameClass>,
}

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
    files: BTreeMap<String, Vec<String>>,
}

impl SourceLines {
    fn line(&mut self, root: &std::path::Path, rel: &str, line: u32) -> String {
        let lines = self.files.entry(rel.to_string()).or_insert_with(|| {
            std::fs::read_to_string(root.join(rel))
                .map(|t| t.lines().map(|l| l.trim().to_string()).collect())
                .unwrap_or_default()
        });
        lines
            .get((line as usize).wrapping_sub(1))
            .cloned()
            .unwrap_or_default()
    }
}

/// Amdahl's law: the end-to-end speedup when a share `p` in [0, 1] of the run becomes `s`
/// times faster. `s = ∞` gives `1 / (1 - p)`.
pub fn amdahl(p: f64, s: f64) -> f64 {
    let p = p.clamp(0.0, 1.0);
    let rest = if s.is_infinite() { 0.0 } else { p / s };
    let denom = (1.0 - p) + rest;
    if denom <= 0.0 {
        f64::INFINITY
    } else {
        1.0 / denom
    }
}

/// Builds the plan from the analysed profile.
pub fn build(
    profile: &Profile,
    index: &SourceIndex,
    mapping: &Mapping,
    ranking: &Ranking,
    options: &PlanOptions,
    inputs: Inputs,
    diag: &Diagnostics,
) -> Plan {
    let mut sources = SourceLines::default();
    let rows: Vec<Row> = ranking
        .functions
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let f = index.function(s.def);
            let file = &index.file(f.file).rel_path;
            // Source text only for rows a table may show: reading every file would cost more
            // than the rest of the plan on a big codebase.
            let shown = i < options.top.max(options.phase1_size + options.phase2_size);
            let hot_line = s.hottest_line.filter(|_| shown).map(|(line, v)| HotLine {
                line,
                self_fraction: ratio(v, s.self_value),
                text: sources.line(index.root(), file, line),
            });
            Row {
                rank: i + 1,
                function: f.qualname.clone(),
                kind: f.kind.as_str(),
                file: index.file(f.file).rel_path.clone(),
                line: f.start_line,
                lines: f.lines(),
                self_value: s.self_value,
                total_value: s.total_value,
                self_share: s.self_share,
                total_share: s.total_share,
                hot_line,
            }
        })
        .collect();

    let candidates: Vec<usize> = rows
        .iter()
        .enumerate()
        .filter(|(_, r)| r.self_value > 0 && r.self_share >= options.min_self_share)
        .map(|(i, _)| i)
        .collect();
    let mut phases = Vec::new();
    let mut cumulative = 0.0;
    let groups = [
        ("quick wins", 0, options.phase1_size),
        ("next hot paths", options.phase1_size, options.phase2_size),
    ];
    for (n, (title, start, len)) in groups.into_iter().enumerate() {
        let chosen: Vec<usize> = candidates.iter().copied().skip(start).take(len).collect();
        if chosen.is_empty() {
            break;
        }
        let moved: f64 = chosen.iter().map(|&i| rows[i].self_share).sum();
        cumulative += moved;
        phases.push(Phase {
            number: n + 1,
            title,
            lines: chosen.iter().map(|&i| rows[i].lines).sum(),
            rows: chosen,
            moved_share: moved,
            cumulative_share: cumulative,
            projected_speedup: amdahl(cumulative, options.assumed_speedup),
            upper_bound: amdahl(cumulative, f64::INFINITY),
        });
    }

    let (folded, label_classes) = fold_for_flamegraph(profile, index, mapping);
    let code_defs = index
        .functions()
        .iter()
        .filter(|f| matches!(f.kind, DefKind::Function | DefKind::Method))
        .count();
    Plan {
        title: codebase_title(index),
        inputs,
        unit: profile.unit().as_str(),
        total_value: profile.total(),
        coverage: mapping.coverage(),
        codebase: CodebaseStats {
            files: index.files().len(),
            functions: code_defs,
            lines: index.total_lines(),
        },
        rows,
        phases,
        options: options.clone(),
        warnings: diag.warnings().to_vec(),
        folded,
        label_classes,
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

/// Folded stacks with readable, line-free labels (lines would split one function into many
/// boxes), aggregated and sorted.
fn fold_for_flamegraph(
    profile: &Profile,
    index: &SourceIndex,
    mapping: &Mapping,
) -> (Vec<(String, u64)>, BTreeMap<String, FrameClass>) {
    let mut classes = BTreeMap::new();
    let labels: Vec<String> = profile
        .frame_ids()
        .map(|id| {
            let frame = profile.frame(id);
            let (label, class) = match mapping.def_of(id) {
                Some(d) => {
                    let f = index.function(d);
                    let l = if f.kind == DefKind::Module {
                        format!("{} <module>", f.qualname)
                    } else {
                        f.qualname.clone()
                    };
                    (l, FrameClass::Codebase)
                }
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

    let mut folded: BTreeMap<String, u64> = BTreeMap::new();
    let mut buf = String::new();
    let mut frames = Vec::new();
    for s in profile.values_by_stack() {
        if s.value == 0 {
            continue;
        }
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
        match folded.get_mut(buf.as_str()) {
            Some(v) => *v += s.value,
            None => {
                folded.insert(buf.clone(), s.value);
            }
        }
    }
    (folded.into_iter().collect(), classes)
}

/// The flamegraph label of samples with an empty stack.
const NO_PYTHON_FRAME: &str = "(no frame recorded)";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amdahl_matches_the_formula() {
        assert_eq!(amdahl(0.0, 10.0), 1.0);
        assert!((amdahl(0.5, 10.0) - 1.0 / 0.55).abs() < 1e-12);
        assert_eq!(amdahl(0.5, f64::INFINITY), 2.0);
        assert_eq!(amdahl(1.0, f64::INFINITY), f64::INFINITY);
        assert!((amdahl(1.0, 10.0) - 10.0).abs() < 1e-12);
    }
}
