//! # brownfield: what to rewrite first
//!
//! brownfield reads CPU profiles taken in production, maps every sample onto the team's own
//! Python codebase, ranks functions by the share of runtime they account for, and writes a
//! phased migration plan (rewrite the hot paths in Rust, keep the rest) with a flamegraph and
//! projected end-to-end speedups by Amdahl's law.
//!
//! The pipeline, one module per stage, data flowing one way:
//!
//! 1. [`ingest`]: profile bytes → [`profile::Profile`] (interned frames, prefix-tree stacks);
//! 2. [`source`]: `--source DIR` (one or more) → [`source::SourceIndex`] (every definition and
//!    its span);
//! 3. [`mapping`]: frames → definitions by path suffix and line span; coverage;
//! 4. [`rank`]: self and total share per definition;
//! 5. [`plan`]: candidates → phases with Amdahl projections → [`plan::Plan`];
//! 6. [`render`]: plan.md, flamegraph.svg, the terminal table.
//!
//! [`run_plan`] runs the whole pipeline.

#![deny(missing_docs)]
#![warn(unreachable_pub)]
// Tests set one option at a time on a default, which reads best for them.
#![cfg_attr(test, allow(clippy::field_reassign_with_default))]

pub mod callgraph;
pub mod config;
pub mod cpython;
pub mod diagnostics;
pub mod error;
pub mod evidence;
pub mod ingest;
pub mod mapping;
pub mod model;
pub mod plan;
pub mod profile;
pub mod rank;
pub mod record;
pub mod render;
pub mod source;
pub mod top;

use std::path::PathBuf;

pub use error::Error;

use diagnostics::Diagnostics;

/// Tunes glibc malloc (mallopt(3)), which tree-sitter's C code allocates from while it parses
/// and frees each file's syntax tree. On Linux the `brownfield` binary gives Rust's own
/// allocations to jemalloc instead (src/main.rs), so the index's hundreds of MB of small,
/// long-lived pieces do not interleave with tree-sitter's short-lived ones; on other systems
/// both share the C library's malloc.
///
/// - `M_MXFAST` = 0, no fastbins: while the index still shared glibc's heaps, every allocation
///   of 1 KiB or more (a growing vector) first consolidated all the fastbin chunks tree-sitter
///   had freed since the last one (`malloc_consolidate`), about 2.5% of a `brownfield graph`
///   run. Small frees still go to the per-thread cache; the rest are merged when freed.
/// - `M_TOP_PAD` = 64 MiB: a thread's heap was made writable a few pages at a time, one
///   `mprotect` call each (58,000 calls on the benchmark corpus, a third of the run's system
///   time); now in steps of up to 64 MiB. Pages are still only resident once written, but a
///   heap keeps up to 64 MiB of free memory instead of returning it. Setting it also fixes
///   glibc's mmap threshold at 128 KiB (no longer raised as large blocks are freed), so every
///   block that large is mapped and unmapped on its own.
///
/// With jemalloc for Rust's allocations, `brownfield graph` on the benchmark corpus is still
/// about 7% faster with both settings than with neither (best of 6 runs; 11% by the median),
/// and 5% faster than with fastbins left on (benches/README.md, session H).
///
/// The settings are process-wide and last until the process ends. The `brownfield` binary
/// makes them first thing; the library never does. So does the benchmark floor
/// (examples/parse_floor.rs), which is meant to be as low as tree-sitter goes. With a C
/// library other than glibc this does nothing.
///
/// # Safety
/// Call it before any other thread exists and before anything has allocated from other
/// threads' heaps: glibc reads these parameters without synchronisation.
pub unsafe fn tune_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes allocator parameters; the caller guarantees that no other
    // thread is running. A refusal (return value 0) leaves the defaults.
    unsafe {
        libc::mallopt(libc::M_MXFAST, 0);
        libc::mallopt(libc::M_TOP_PAD, 64 << 20);
    }
}

/// What `brownfield plan` is asked to do.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct PlanRequest {
    /// The profiles to read and merge (files, or directories meaning every file in them).
    pub profiles: Vec<PathBuf>,
    /// How to read them.
    pub ingest: ingest::IngestOptions,
    /// Merge and filter options.
    pub filters: profile::transform::Filters,
    /// The roots of the profiled code (`--source`, in the order given): the checkout, and
    /// any library whose time should be planned too ([`source::SourceIndex::build_roots`]).
    pub sources: Vec<PathBuf>,
    /// How the source tree is walked (`--exclude`, `.gitignore`).
    pub walk: source::walk::WalkOptions,
    /// Directory the plan files are written to (created if missing).
    pub out: PathBuf,
    /// Replace the files of a non-empty output directory.
    pub force: bool,
    /// `--config`: the configuration file; `None` looks for `brownfield.toml` in the first
    /// source root, else uses the defaults.
    pub config: Option<PathBuf>,
    /// Rows shown in the ranked tables.
    pub top: usize,
    /// The command line, recorded in the plan's inputs.
    pub command_line: String,
    /// `--allow-unmapped`: plan a profile even when under [`mapping::MIN_MAPPED_SHARE`] of
    /// its samples touch the source (the plan then says that nothing maps).
    pub allow_unmapped: bool,
}

impl PlanRequest {
    /// A request with default options.
    pub fn new(profiles: Vec<PathBuf>, sources: Vec<PathBuf>, out: PathBuf) -> Self {
        PlanRequest {
            profiles,
            sources,
            out,
            top: plan::DEFAULT_TOP,
            ..Default::default()
        }
    }
}

/// The result of [`run_plan`].
#[derive(Debug, Clone)]
pub struct PlanOutcome {
    /// The plan that was written.
    pub plan: plan::Plan,
    /// The files written, in order.
    pub written: Vec<PathBuf>,
}

/// Reads the profile, indexes the source, maps, ranks, builds the plan and writes its files
/// (plan.md, plan.html, plan.json and the pictures; see [`render::write_plan`]).
///
/// # Errors
/// [`Error::Config`] for a bad configuration file, [`Error::Ingest`] for an unreadable or
/// malformed profile, [`Error::Source`] when no source root is given, a root is not a
/// directory, holds no Python file or is given twice, [`Error::Unmapped`] when under
/// [`mapping::MIN_MAPPED_SHARE`] of the samples touch the source (unless
/// `allow_unmapped`), [`Error::Render`] when the output directory is not empty (without
/// `force`) or a file cannot be written. Nothing is written unless every file rendered.
pub fn run_plan(request: &PlanRequest) -> Result<PlanOutcome, Error> {
    let mut diag = Diagnostics::default();
    let first = first_root(&request.sources)?;
    let (config, config_path) = config::Config::load(request.config.as_deref(), first)?;
    render::check_out_dir(&request.out, request.force)?;
    let Analysed {
        profile,
        index,
        mapping,
        graph,
        attribution,
    } = analyse(
        &request.profiles,
        &request.ingest,
        &request.filters,
        &request.sources,
        &request.walk,
        request.allow_unmapped,
        &mut diag,
    )?;
    let ranking = rank::rank(&profile, &mapping, &index);
    let (scores, frozen) = model::score_and_freeze(&attribution, &index, &graph, &config);
    let inputs = plan::Inputs {
        profiles: request
            .profiles
            .iter()
            .map(|p| p.display().to_string())
            .collect(),
        source_root: first.display().to_string(),
        source_roots: request
            .sources
            .iter()
            .map(|p| p.display().to_string())
            .collect(),
        command_line: request.command_line.clone(),
        ..Default::default()
    };
    let mut options = plan::PlanOptions::new();
    options.config = config;
    options.config_path = config_path.map(|p| p.display().to_string());
    options.top = request.top;
    let analysis = plan::Analysis {
        profile: &profile,
        attribution: &attribution,
        index: &index,
        mapping: &mapping,
        graph: &graph,
        ranking: &ranking,
        scores: &scores,
        frozen: &frozen,
    };
    let plan = plan::build(&analysis, &options, inputs, &diag);
    let written = render::write_plan(&plan, &request.out)?;
    Ok(PlanOutcome { plan, written })
}

/// The first source root, where `brownfield.toml` is looked up.
///
/// # Errors
/// [`source::SourceError::NoRoot`] when `sources` is empty.
/// Checks what `plan` reads before a recording is made for it (`plan -- COMMAND`): the source
/// roots are directories and the configuration loads.
///
/// # Errors
/// [`Error::Source`] for a missing root, [`Error::Config`] for a bad configuration.
pub fn check_plan_inputs(request: &PlanRequest) -> Result<(), Error> {
    let first = first_root(&request.sources)?;
    for root in &request.sources {
        if !root.is_dir() {
            return Err(source::SourceError::NotADirectory { path: root.clone() }.into());
        }
    }
    config::Config::load(request.config.as_deref(), first)?;
    Ok(())
}

fn first_root(sources: &[PathBuf]) -> Result<&std::path::Path, Error> {
    match sources.first() {
        Some(root) => Ok(root),
        None => Err(source::SourceError::NoRoot.into()),
    }
}

/// The analysis `rank` and `plan` share: the profile, the source index, the mapping between
/// them, the call graph with the profile's dynamic edges, and where each sample's time goes.
struct Analysed {
    profile: profile::Profile,
    index: source::SourceIndex,
    mapping: mapping::Mapping,
    graph: callgraph::CallGraph,
    attribution: model::Attribution,
}

/// Reads and merges the profiles, indexes the source, maps frames to definitions (stopping
/// with [`Error::Unmapped`] when the profile does not belong to the source, unless
/// `allow_unmapped`), builds the call graph and attributes every sample
/// ([`model::attribute`]).
fn analyse(
    profiles: &[PathBuf],
    ingest_options: &ingest::IngestOptions,
    filters: &profile::transform::Filters,
    sources: &[PathBuf],
    walk: &source::walk::WalkOptions,
    allow_unmapped: bool,
    diag: &mut Diagnostics,
) -> Result<Analysed, Error> {
    let mut profile = ingest::read_profiles(profiles, ingest_options, filters)?;
    let empty = profile::transform::drop_empty_stacks(&mut profile);
    warn_empty_stacks(empty, profile.total(), profiles, diag);
    let index = source::SourceIndex::build_roots(sources, walk, diag)?;
    let mut mapping = mapping::Mapping::build(&profile, &index, diag);
    if !allow_unmapped {
        mapping.require_mapped(&profile, &index, profiles)?;
    }
    mapping.set_dropped_empty_stacks(empty);
    let graph = callgraph::CallGraph::build(&index, Some((&profile, &mapping)));
    let attribution = model::attribute(&profile, &mapping, &index, &graph);
    Ok(Analysed {
        profile,
        index,
        mapping,
        graph,
        attribution,
    })
}

/// Empty stacks at or above this share of the samples read draw a warning.
const EMPTY_STACKS_WARNING: f64 = 0.01;

/// Warns when `empty` (the value of dropped empty-stack samples) is a noticeable share of
/// `empty + kept`.
fn warn_empty_stacks(empty: u64, kept: u64, profiles: &[PathBuf], diag: &mut Diagnostics) {
    let share = mapping::ratio(empty, empty.saturating_add(kept));
    if empty > 0 && share >= EMPTY_STACKS_WARNING {
        let names: Vec<String> = profiles.iter().map(|p| p.display().to_string()).collect();
        diag.warn(format!(
            "{}: {:.1}% of samples ({empty}) have an empty stack: the profiler could not read \
             those stacks (py-spy does this for very deep stacks). They are left out of every \
             share, so the shares are of the {kept} samples with a stack",
            names.join(", "),
            share * 100.0
        ));
    }
}

/// What `brownfield top` is asked to do.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct TopRequest {
    /// The profiles to read and merge.
    pub profiles: Vec<PathBuf>,
    /// How to read them.
    pub ingest: ingest::IngestOptions,
    /// Merge and filter options.
    pub filters: profile::transform::Filters,
    /// What a row stands for.
    pub granularity: top::Granularity,
}

/// Reads, merges and filters the profiles and computes the top table (every row; the caller
/// shows as many as it wants).
///
/// # Errors
/// [`Error::Ingest`] for an unreadable or malformed profile or units that cannot be merged.
pub fn run_top(request: &TopRequest) -> Result<top::TopTable, Error> {
    let profile = ingest::read_profiles(&request.profiles, &request.ingest, &request.filters)?;
    Ok(top::top(&profile, request.granularity))
}

/// Output format of `brownfield graph`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum GraphFormat {
    /// JSON, docs/graph.md.
    #[default]
    Json,
    /// Graphviz DOT.
    Dot,
}

/// What `brownfield rank` is asked to do.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct RankRequest {
    /// The profiles to read and merge.
    pub profiles: Vec<PathBuf>,
    /// How to read them.
    pub ingest: ingest::IngestOptions,
    /// Merge and filter options.
    pub filters: profile::transform::Filters,
    /// The roots of the codebase (`--source`, in the order given).
    pub sources: Vec<PathBuf>,
    /// How the source tree is walked.
    pub walk: source::walk::WalkOptions,
    /// `--config`: the configuration file; `None` looks for `brownfield.toml` in the first
    /// source root, else uses the defaults.
    pub config: Option<PathBuf>,
    /// `--allow-unmapped`: rank a profile even when under [`mapping::MIN_MAPPED_SHARE`] of its
    /// samples touch the source.
    pub allow_unmapped: bool,
}

/// The result of [`run_rank`].
#[derive(Debug, Clone)]
pub struct RankOutcome {
    /// The ranked candidates.
    pub scores: model::Scores,
    /// The configuration used, and the file it came from (`None`: defaults).
    pub config: (config::Config, Option<PathBuf>),
    /// The profile's unit (`samples`, `nanoseconds`, ...).
    pub unit: &'static str,
    /// Mapping coverage.
    pub coverage: mapping::Coverage,
    /// Fraction of resamples in which the first candidate stays first
    /// ([`evidence::first_candidate_stability`]); `None` when not computed.
    pub first_stays_first: Option<f64>,
    /// Warnings (unparsable files, low mapping coverage, the first candidate unstable, ...).
    pub warnings: Vec<String>,
}

/// Reads the profiles, indexes the source, builds the call graph with the profiles' dynamic
/// edges and scores every hot function ([`model::score`]).
///
/// # Errors
/// [`Error::Config`] for a bad configuration file (read before anything else),
/// [`Error::Ingest`] for an unreadable or malformed profile, [`Error::Source`] when no source
/// root is given, a root is not a directory, holds no Python file or is given twice,
/// [`Error::Unmapped`] when under [`mapping::MIN_MAPPED_SHARE`] of the samples touch the
/// source (unless `allow_unmapped`).
pub fn run_rank(request: &RankRequest) -> Result<RankOutcome, Error> {
    let mut diag = Diagnostics::default();
    let config = config::Config::load(request.config.as_deref(), first_root(&request.sources)?)?;
    let a = analyse(
        &request.profiles,
        &request.ingest,
        &request.filters,
        &request.sources,
        &request.walk,
        request.allow_unmapped,
        &mut diag,
    )?;
    let (scores, frozen) = model::score_and_freeze(&a.attribution, &a.index, &a.graph, &config.0);
    let first_stays_first =
        evidence::first_candidate_stability(&a.attribution, &frozen, &config.0, &scores);
    if let (Some(stays), Some(first)) = (first_stays_first, scores.candidates.first())
        && stays < config.0.evidence.min_stability
    {
        diag.warn(format!(
            "the first candidate, {}, stays first in only {:.0}% of {} resamples of these {} samples: profile longer (or merge more profiles) before acting on the order",
            first.function,
            100.0 * stays,
            config.0.evidence.resamples,
            a.attribution.samples.unwrap_or(0)
        ));
    }
    let (profile, mapping) = (a.profile, a.mapping);
    Ok(RankOutcome {
        scores,
        config,
        unit: profile.unit().as_str(),
        coverage: mapping.coverage(),
        first_stays_first,
        warnings: diag.warnings().to_vec(),
    })
}

/// Writes the commented default configuration ([`config::DEFAULT_TOML`]) to
/// `<dir>/brownfield.toml` and returns its path.
///
/// # Errors
/// [`Error::Config`] when `dir` is not a directory or the file exists (without `force`),
/// [`Error::Render`] when it cannot be written.
pub fn run_init(dir: &std::path::Path, force: bool) -> Result<PathBuf, Error> {
    let path = dir.join(config::FILE_NAME);
    if !dir.is_dir() {
        return Err(config::ConfigError::NotADirectory {
            path: dir.to_path_buf(),
        }
        .into());
    }
    if path.exists() && !force {
        return Err(config::ConfigError::Exists { path }.into());
    }
    render::write_file(&path, config::DEFAULT_TOML.as_bytes())?;
    Ok(path)
}

/// What `brownfield graph` is asked to do.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct GraphRequest {
    /// Profiles adding dynamic edges (may be empty: the static graph only).
    pub profiles: Vec<PathBuf>,
    /// How to read them.
    pub ingest: ingest::IngestOptions,
    /// Merge and filter options.
    pub filters: profile::transform::Filters,
    /// The roots of the codebase (`--source`, in the order given).
    pub sources: Vec<PathBuf>,
    /// How the source tree is walked.
    pub walk: source::walk::WalkOptions,
    /// Output format.
    pub format: GraphFormat,
}

/// The result of [`run_graph`]: the graph, ready to be written with [`GraphOutcome::write`].
#[derive(Debug)]
pub struct GraphOutcome {
    /// The call graph.
    pub graph: callgraph::CallGraph,
    /// The source index it was built from (names, files and facts of its nodes).
    pub index: source::SourceIndex,
    /// The format [`GraphOutcome::write`] writes.
    pub format: GraphFormat,
    /// Warnings (unparsable files, low mapping coverage, ...).
    pub warnings: Vec<String>,
}

impl GraphOutcome {
    /// Nodes in the graph.
    pub fn nodes(&self) -> usize {
        self.graph.graph().node_count()
    }

    /// Edges in the graph.
    pub fn edges(&self) -> usize {
        self.graph.graph().edge_count()
    }

    /// Writes the graph in the requested format (JSON: docs/graph.md; DOT: Graphviz), as it
    /// is rendered (the JSON document is not held whole in memory).
    ///
    /// # Errors
    /// Those of `out`.
    pub fn write(&self, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        diagnostics::timed("render", || match self.format {
            GraphFormat::Json => self.graph.write_json(&self.index, out),
            GraphFormat::Dot => out.write_all(self.graph.to_dot().as_bytes()),
        })
    }
}

/// Indexes the source, resolves static calls and adds the profiles' dynamic edges.
///
/// # Errors
/// [`Error::Source`] when no source root is given, a root is not a directory, holds no Python
/// file or is given twice, [`Error::Ingest`] for an unreadable or malformed profile.
pub fn run_graph(request: &GraphRequest) -> Result<GraphOutcome, Error> {
    let mut diag = Diagnostics::default();
    let profile = if request.profiles.is_empty() {
        None
    } else {
        Some(ingest::read_profiles(
            &request.profiles,
            &request.ingest,
            &request.filters,
        )?)
    };
    let index = diagnostics::timed("index", || {
        source::SourceIndex::build_roots(&request.sources, &request.walk, &mut diag)
    })?;
    let mapping = profile
        .as_ref()
        .map(|p| mapping::Mapping::build(p, &index, &mut diag));
    let graph = diagnostics::timed("graph", || {
        callgraph::CallGraph::build(&index, profile.as_ref().zip(mapping.as_ref()))
    });
    Ok(GraphOutcome {
        graph,
        index,
        format: request.format,
        warnings: diag.warnings().to_vec(),
    })
}
