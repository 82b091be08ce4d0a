//! The command line (clap derive). Only the binary uses this module; the library never sees
//! clap types: arguments are converted once into library requests.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use regex::Regex;

use brownfield::ingest::{DEFAULT_MAX_DECOMPRESSED_BYTES, IngestOptions, InputFormat};
use brownfield::plan::DEFAULT_TOP;
use brownfield::profile::transform::{Filters, TagFilter};
use brownfield::record::{RecordFormat, RecordRequest, Target};
use brownfield::source::walk::WalkOptions;
use brownfield::top::Granularity;
use brownfield::{GraphFormat, GraphRequest, PlanRequest, RankRequest, TopRequest};

const EXAMPLES: &str = "\
EXAMPLES:
    # record a profile of your service with py-spy, then plan from it
    py-spy record --format raw -o profile.txt -- python -m myservice
    brownfield plan profile.txt --source . --out plan/

    # the bundled sample
    brownfield plan sample-profiles/logpipe.pyspy.txt --source sample-profiles/app --out /tmp/plan

    # pprof's top table of a fleet of profiles, focused on one module
    brownfield top profiles/ --focus 'logpipe/' --top 15
    brownfield top cpu.pb.gz --sample-type cpu --granularity line --format csv

    # the ranking behind the plan, with every number explained, as JSON
    brownfield rank sample-profiles/logpipe.pyspy.txt --source sample-profiles/app --format json

    # a commented brownfield.toml with every assumption of the model, to edit
    brownfield init sample-profiles/app

    # the call graph of the codebase, with the profile's dynamic edges, as Graphviz
    brownfield graph --source sample-profiles/app sample-profiles/logpipe.pyspy.txt --format dot -o graph.dot";

/// brownfield: tells a team what to rewrite first, from production CPU profiles.
#[derive(Debug, Parser)]
#[command(name = "brownfield", version, about, after_help = EXAMPLES)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Rank the codebase's hot functions and write a phased migration plan (plan.md +
    /// flamegraph.svg).
    Plan(PlanArgs),
    /// Rank the codebase's hot functions by projected gain per effort: movable share,
    /// category, ease of isolation, effort and Amdahl's-law speedup range, each explained.
    Rank(RankArgs),
    /// Write a commented brownfield.toml with every default of the ranking model.
    Init(InitArgs),
    /// Print pprof's top table (flat, flat%, sum%, cum, cum%) of one or more profiles.
    Top(TopArgs),
    /// Write the codebase's call graph (static edges from the source, dynamic edges from
    /// profiles) as JSON or DOT.
    Graph(GraphArgs),
    /// Sample a Python program with py-spy (built in) and write a profile brownfield reads:
    /// `brownfield record -o app.pyspy.txt -- python -m app`, or `--pid PID`.
    Record(RecordArgs),
    /// Internal: start a program, write its PID to a file, wait for it and exit with its
    /// status (`record` samples the program through this process, so that py-spy's pauses
    /// cannot take the program's exit status).
    #[command(name = "__supervise", hide = true)]
    Supervise(SuperviseArgs),
}

/// Arguments of the hidden `__supervise` subcommand.
#[derive(Debug, Args)]
pub(crate) struct SuperviseArgs {
    /// Where to write the started program's PID.
    #[arg(value_name = "PIDFILE")]
    pub(crate) pid_file: PathBuf,

    /// The program and its arguments.
    #[arg(last = true, required = true, value_name = "COMMAND")]
    pub(crate) command: Vec<String>,
}

/// `--format` of `brownfield record`.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum RecordFormatArg {
    /// py-spy's raw folded stacks (`name (file:line);... count`).
    Raw,
    /// speedscope JSON.
    Speedscope,
    /// gzip-compressed pprof profile.proto.
    Pprof,
}

impl From<RecordFormatArg> for RecordFormat {
    fn from(f: RecordFormatArg) -> RecordFormat {
        match f {
            RecordFormatArg::Raw => RecordFormat::Raw,
            RecordFormatArg::Speedscope => RecordFormat::Speedscope,
            RecordFormatArg::Pprof => RecordFormat::Pprof,
        }
    }
}

/// How a process is sampled (`record`, and `plan -- COMMAND`).
#[derive(Debug, Args)]
pub(crate) struct SamplingArgs {
    /// Samples per second.
    #[arg(long, value_name = "HZ", default_value_t = 100, value_parser = clap::value_parser!(u64).range(1..=10_000))]
    pub(crate) rate: u64,

    /// Stop sampling after this many seconds (the started program is stopped too); default:
    /// until the program exits, or Ctrl-C.
    #[arg(long, value_name = "SECONDS")]
    pub(crate) duration: Option<f64>,

    /// Sample native (C) frames too: what lets the model see GC, the regex engine and C
    /// extensions. On by default where this build can unwind them.
    #[arg(long, overrides_with = "no_native")]
    pub(crate) native: bool,

    /// Python frames only.
    #[arg(long)]
    pub(crate) no_native: bool,

    /// Sample the program's child processes too.
    #[arg(long)]
    pub(crate) subprocesses: bool,

    /// Only threads holding the GIL.
    #[arg(long)]
    pub(crate) gil: bool,
}

impl SamplingArgs {
    /// The library's request; `idle` and `threads` keep idle threads and add thread frames
    /// (their flags are `record`'s own, and `plan`'s reading flags of the same names).
    pub(crate) fn into_request(
        self,
        target: Target,
        idle: bool,
        threads: bool,
    ) -> Result<RecordRequest, String> {
        let mut r = RecordRequest::new(target);
        r.rate_hz = self.rate;
        r.duration = match self.duration {
            Some(d) => match std::time::Duration::try_from_secs_f64(d) {
                Ok(duration) if d > 0.0 => Some(duration),
                _ => {
                    return Err(format!(
                        "--duration must be a positive number of seconds (got {d})"
                    ));
                }
            },
            None => None,
        };
        r.native = !self.no_native;
        r.idle = idle;
        r.threads = threads;
        r.subprocesses = self.subprocesses;
        r.gil = self.gil;
        Ok(r)
    }
}

/// Arguments of `brownfield record`.
#[derive(Debug, Args)]
pub(crate) struct RecordArgs {
    /// The file to write (default: brownfield-profile.<ext> for the format).
    #[arg(short = 'o', long, value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,

    /// Output format.
    #[arg(long, value_name = "FORMAT", default_value = "raw")]
    pub(crate) format: RecordFormatArg,

    /// Sample this running process instead of starting one.
    #[arg(
        long,
        value_name = "PID",
        conflicts_with = "command",
        required_unless_present = "command"
    )]
    pub(crate) pid: Option<u32>,

    #[command(flatten)]
    pub(crate) sampling: SamplingArgs,

    /// Keep idle threads (waiting on a lock, a sleep, I/O).
    #[arg(long)]
    pub(crate) idle: bool,

    /// Add a root frame per thread.
    #[arg(long)]
    pub(crate) threads: bool,

    /// The program to start and sample, after `--` (e.g. `-- python -m app --flag`).
    #[arg(last = true, value_name = "COMMAND")]
    pub(crate) command: Vec<String>,
}

/// The profiles and how they are read, merged and filtered (`plan`, `top`).
#[derive(Debug, Args)]
pub(crate) struct InputArgs {
    /// Profiles to read and merge: py-spy raw / folded stacks, speedscope JSON or pprof
    /// (gzip-compressed or not). A directory means every file in it.
    #[arg(value_name = "PROFILE", required = true, num_args = 1..)]
    pub(crate) profiles: Vec<PathBuf>,

    #[command(flatten)]
    pub(crate) read: ReadArgs,
}

/// How profiles are read, merged and filtered (shared by every subcommand).
#[derive(Debug, Args)]
pub(crate) struct ReadArgs {
    /// Read every profile as this format instead of detecting it from the content.
    #[arg(long, value_name = "FORMAT")]
    pub(crate) input_format: Option<FormatArg>,

    /// pprof: the sample type to read, by name (e.g. cpu, samples, alloc_space). Default: the
    /// profile's default_sample_type, else its last sample type, as pprof does.
    #[arg(long, value_name = "NAME")]
    pub(crate) sample_type: Option<String>,

    /// Largest decompressed size of a gzip-compressed profile, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_MAX_DECOMPRESSED_BYTES)]
    pub(crate) max_decompressed_size: u64,

    /// Weigh every profile to the same total before merging (needed to merge profiles whose
    /// units differ, e.g. samples and nanoseconds).
    #[arg(long)]
    pub(crate) normalize: bool,

    /// Keep only samples with a frame whose function name or file matches this regex.
    #[arg(long, value_name = "REGEX")]
    pub(crate) focus: Option<Regex>,

    /// Drop samples with a frame whose function name or file matches this regex.
    #[arg(long, value_name = "REGEX")]
    pub(crate) ignore: Option<Regex>,

    /// Remove frames whose function name or file matches this regex (their time goes to the
    /// caller).
    #[arg(long, value_name = "REGEX")]
    pub(crate) hide: Option<Regex>,

    /// Keep thread and process frames (py-spy --threads / --subprocesses); by default they are
    /// removed so all threads merge.
    #[arg(long)]
    pub(crate) threads: bool,

    /// Keep idle samples (threads waiting on a lock, a sleep, a select); dropped by default.
    #[arg(long)]
    pub(crate) idle: bool,

    /// Keep only samples with a label KEY whose value matches REGEX (pprof labels, e.g.
    /// `--tagfocus stage=count`).
    #[arg(long, value_name = "KEY=REGEX", value_parser = parse_tag)]
    pub(crate) tagfocus: Option<TagFilter>,

    /// Drop samples with a label KEY whose value matches REGEX.
    #[arg(long, value_name = "KEY=REGEX", value_parser = parse_tag)]
    pub(crate) tagignore: Option<TagFilter>,
}

fn parse_tag(s: &str) -> Result<TagFilter, String> {
    let (key, value) = s
        .split_once('=')
        .ok_or_else(|| format!("expected KEY=REGEX, got {s:?}"))?;
    let value = Regex::new(value).map_err(|e| format!("invalid regex for label {key}: {e}"))?;
    Ok(TagFilter {
        key: key.to_string(),
        value,
    })
}

/// `--input-format` values.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum FormatArg {
    /// py-spy raw / Brendan Gregg folded stacks.
    Collapsed,
    /// speedscope JSON.
    Speedscope,
    /// pprof profile.proto, gzip-compressed or not.
    Pprof,
}

impl InputArgs {
    fn into_parts(self) -> (Vec<PathBuf>, IngestOptions, Filters) {
        let (ingest, filters) = self.read.into_parts();
        (self.profiles, ingest, filters)
    }
}

/// The codebase: `--source` and what to leave out of it.
#[derive(Debug, Args)]
pub(crate) struct SourceArgs {
    /// Root of the checkout of the profiled Python code (paths in the profile are matched to
    /// files under it by path suffix). Repeatable: an application and the library it spends
    /// its time in (a site-packages package); brownfield.toml is looked up in the first.
    #[arg(long, value_name = "DIR", required = true)]
    pub(crate) source: Vec<PathBuf>,

    /// Leave out files and directories matching this glob (gitignore syntax, relative to each
    /// source root, e.g. `tests/`, `*_pb2.py`, `**/migrations`). Repeatable.
    #[arg(long, value_name = "GLOB")]
    pub(crate) exclude: Vec<String>,

    /// Index files that .gitignore excludes too.
    #[arg(long)]
    pub(crate) no_ignore: bool,
}

impl SourceArgs {
    fn walk_options(&self) -> WalkOptions {
        WalkOptions {
            exclude: self.exclude.clone(),
            gitignore: !self.no_ignore,
        }
    }
}

impl ReadArgs {
    fn into_parts(self) -> (IngestOptions, Filters) {
        let mut ingest = IngestOptions::default();
        ingest.format = self.input_format.map(|f| match f {
            FormatArg::Collapsed => InputFormat::Collapsed,
            FormatArg::Speedscope => InputFormat::Speedscope,
            FormatArg::Pprof => InputFormat::Pprof,
        });
        ingest.sample_type = self.sample_type;
        ingest.max_decompressed_bytes = self.max_decompressed_size;
        let mut filters = Filters::default();
        filters.normalize = self.normalize;
        filters.focus = self.focus;
        filters.ignore = self.ignore;
        filters.hide = self.hide;
        filters.threads = self.threads;
        filters.idle = self.idle;
        filters.tag_focus = self.tagfocus;
        filters.tag_ignore = self.tagignore;
        (ingest, filters)
    }
}

/// Arguments of `brownfield top`.
#[derive(Debug, Args)]
pub(crate) struct TopArgs {
    #[command(flatten)]
    pub(crate) input: InputArgs,

    /// What a row stands for.
    #[arg(long, value_name = "WHAT", default_value = "function")]
    pub(crate) granularity: GranularityArg,

    /// Number of rows to print (0 for all).
    #[arg(long, value_name = "N", default_value_t = 20)]
    pub(crate) top: usize,

    /// Output format.
    #[arg(long, value_name = "FORMAT", default_value = "table")]
    pub(crate) format: OutputFormat,
}

/// `--granularity` values.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum GranularityArg {
    /// One row per function (name and file).
    Function,
    /// One row per source line.
    Line,
    /// One row per file.
    File,
}

/// `--format` values of `brownfield top` and `brownfield rank`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum OutputFormat {
    /// A text table (pprof's columns for `top`; scores and a "why" line for `rank`).
    Table,
    /// JSON with raw values and shares in [0, 1] (`top`: unit, sample type, total, rows;
    /// `rank`: docs/scoring.md).
    Json,
    /// CSV with a header row.
    Csv,
}

impl TopArgs {
    /// Converts the arguments into the library's request, the row count and the format.
    pub(crate) fn into_request(self) -> (TopRequest, usize, OutputFormat) {
        let (profiles, ingest, filters) = self.input.into_parts();
        let mut request = TopRequest::default();
        request.profiles = profiles;
        request.ingest = ingest;
        request.filters = filters;
        request.granularity = match self.granularity {
            GranularityArg::Function => Granularity::Function,
            GranularityArg::Line => Granularity::Line,
            GranularityArg::File => Granularity::File,
        };
        let rows = rows_shown(self.top);
        (request, rows, self.format)
    }
}

/// What to do with a profile that does not belong to the source, shared by `plan` and `rank`.
#[derive(Debug, Args)]
pub(crate) struct CoverageArgs {
    /// Rank or plan even when under 1% of the samples have a frame in the source (by default
    /// that stops with an error: the profile is probably of another program, or --source is
    /// wrong). The plan then says that nothing maps.
    #[arg(long)]
    pub(crate) allow_unmapped: bool,
}

/// The model's configuration option, shared by `plan` and `rank`.
#[derive(Debug, Args)]
pub(crate) struct ConfigArgs {
    /// The model's configuration (default: brownfield.toml in the first source root if
    /// present, else the built-in defaults; `brownfield init` writes them out).
    #[arg(long, value_name = "FILE")]
    pub(crate) config: Option<PathBuf>,
}

/// The profiles of `brownfield plan`, or the program to record instead.
#[derive(Debug, Args)]
pub(crate) struct PlanInputArgs {
    /// Profiles to read and merge: py-spy raw / folded stacks, speedscope JSON or pprof
    /// (gzip-compressed or not). A directory means every file in it. Not with `-- COMMAND`.
    #[arg(value_name = "PROFILE", num_args = 1.., required_unless_present = "command", conflicts_with = "command")]
    pub(crate) profiles: Vec<PathBuf>,

    #[command(flatten)]
    pub(crate) read: ReadArgs,

    #[command(flatten)]
    pub(crate) sampling: SamplingArgs,

    /// Record this program first (py-spy, built in), then plan from the capture, which is
    /// kept in the output directory as profile.pyspy.txt: `-- python -m app`.
    #[arg(last = true, value_name = "COMMAND")]
    pub(crate) command: Vec<String>,
}

/// Arguments of `brownfield plan`.
#[derive(Debug, Args)]
pub(crate) struct PlanArgs {
    #[command(flatten)]
    pub(crate) input: PlanInputArgs,

    #[command(flatten)]
    pub(crate) source: SourceArgs,

    /// Directory to write the plan into: plan.md, plan.html, plan.json and SVG pictures
    /// (created if missing; files are written under temporary names, then renamed).
    #[arg(long, value_name = "DIR", default_value = "brownfield-plan")]
    pub(crate) out: PathBuf,

    /// Replace the files of an output directory that is not empty.
    #[arg(long)]
    pub(crate) force: bool,

    #[command(flatten)]
    pub(crate) config: ConfigArgs,

    #[command(flatten)]
    pub(crate) coverage: CoverageArgs,

    /// Number of functions shown in the ranked tables (0 for all).
    #[arg(long, value_name = "N", default_value_t = DEFAULT_TOP)]
    pub(crate) top: usize,
}

impl PlanArgs {
    /// Converts the arguments into the library's request, and the recording to make first
    /// when a command is given (its capture then becomes the request's profile).
    ///
    /// # Errors
    /// A message for a wrong `--duration`.
    pub(crate) fn into_request(
        self,
        command_line: String,
    ) -> Result<(PlanRequest, Option<RecordRequest>), String> {
        let walk = self.source.walk_options();
        let PlanInputArgs {
            profiles,
            read,
            sampling,
            command,
        } = self.input;
        let record = if command.is_empty() {
            None
        } else {
            let (idle, threads) = (read.idle, read.threads);
            Some(sampling.into_request(Target::Command(command), idle, threads)?)
        };
        let (ingest, filters) = read.into_parts();
        let mut request = PlanRequest::new(profiles, self.source.source, self.out);
        request.walk = walk;
        request.force = self.force;
        request.config = self.config.config;
        request.top = rows_shown(self.top);
        request.ingest = ingest;
        request.filters = filters;
        request.command_line = command_line;
        request.allow_unmapped = self.coverage.allow_unmapped;
        Ok((request, record))
    }
}

/// Arguments of `brownfield rank`.
#[derive(Debug, Args)]
pub(crate) struct RankArgs {
    #[command(flatten)]
    pub(crate) input: InputArgs,

    #[command(flatten)]
    pub(crate) source: SourceArgs,

    #[command(flatten)]
    pub(crate) config: ConfigArgs,

    #[command(flatten)]
    pub(crate) coverage: CoverageArgs,

    /// Number of candidates to show (0 for all).
    #[arg(long, value_name = "N", default_value_t = DEFAULT_TOP)]
    pub(crate) top: usize,

    /// Output format.
    #[arg(long, value_name = "FORMAT", default_value = "table")]
    pub(crate) format: OutputFormat,

    /// Write to this file instead of standard output (replaced atomically).
    #[arg(long, short = 'o', value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,
}

impl RankArgs {
    /// Converts the arguments into the library's request, the row count, the format and the
    /// output file.
    pub(crate) fn into_request(self) -> (RankRequest, usize, OutputFormat, Option<PathBuf>) {
        let walk = self.source.walk_options();
        let (profiles, ingest, filters) = self.input.into_parts();
        let mut request = RankRequest::default();
        request.profiles = profiles;
        request.ingest = ingest;
        request.filters = filters;
        request.sources = self.source.source;
        request.walk = walk;
        request.config = self.config.config;
        request.allow_unmapped = self.coverage.allow_unmapped;
        let rows = rows_shown(self.top);
        (request, rows, self.format, self.output)
    }
}

/// Arguments of `brownfield init`.
#[derive(Debug, Args)]
pub(crate) struct InitArgs {
    /// Directory to write brownfield.toml into (the source root, where `rank` and `plan` look
    /// for it).
    #[arg(value_name = "DIR", default_value = ".")]
    pub(crate) dir: PathBuf,

    /// Replace an existing brownfield.toml.
    #[arg(long)]
    pub(crate) force: bool,
}

/// Arguments of `brownfield graph`.
#[derive(Debug, Args)]
pub(crate) struct GraphArgs {
    /// Profiles whose stacks add dynamic edges (optional; same formats as `plan`).
    #[arg(value_name = "PROFILE")]
    pub(crate) profiles: Vec<PathBuf>,

    #[command(flatten)]
    pub(crate) read: ReadArgs,

    #[command(flatten)]
    pub(crate) source: SourceArgs,

    /// Output format.
    #[arg(long, value_name = "FORMAT", default_value = "json")]
    pub(crate) format: GraphFormatArg,

    /// Write the graph to this file instead of standard output (replaced atomically).
    #[arg(long, short = 'o', value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,
}

/// `brownfield graph --format` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum GraphFormatArg {
    /// JSON: nodes, edges, recursion components, coverage (docs/graph.md).
    Json,
    /// Graphviz DOT.
    Dot,
}

impl GraphArgs {
    /// Converts the arguments into the library's request and the output file.
    pub(crate) fn into_request(self) -> (GraphRequest, Option<PathBuf>) {
        let walk = self.source.walk_options();
        let (ingest, filters) = self.read.into_parts();
        let mut request = GraphRequest::default();
        request.profiles = self.profiles;
        request.ingest = ingest;
        request.filters = filters;
        request.sources = self.source.source;
        request.walk = walk;
        request.format = match self.format {
            GraphFormatArg::Json => GraphFormat::Json,
            GraphFormatArg::Dot => GraphFormat::Dot,
        };
        (request, self.output)
    }
}

/// Rows a `--top N` option shows: `N`, or every row for 0.
fn rows_shown(top: usize) -> usize {
    if top == 0 { usize::MAX } else { top }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn no_flags_give_default_options() {
        let cli =
            Cli::try_parse_from(["brownfield", "plan", "p.txt", "--source", "s", "--out", "o"])
                .unwrap();
        let Command::Plan(args) = cli.command else {
            panic!("plan")
        };
        let (req, record) = args.into_request(String::new()).unwrap();
        assert!(record.is_none());
        assert_eq!(req.sources, vec![PathBuf::from("s")]);
        assert!(!req.allow_unmapped);
        assert_eq!(req.top, DEFAULT_TOP);
        assert!(!req.force && req.config.is_none());
        assert_eq!(req.ingest, IngestOptions::default());
        assert!(!req.filters.idle && !req.filters.threads && !req.filters.normalize);
    }

    #[test]
    fn plan_flags_convert() {
        let cli = Cli::try_parse_from([
            "brownfield",
            "plan",
            "p",
            "--source",
            "s",
            "--source",
            "lib/site-packages/pkg",
            "--out",
            "o",
            "--force",
            "--config",
            "b.toml",
            "--top",
            "0",
            "--allow-unmapped",
        ])
        .unwrap();
        let Command::Plan(args) = cli.command else {
            panic!("plan")
        };
        let (req, _) = args.into_request(String::new()).unwrap();
        assert_eq!(
            req.sources,
            vec![PathBuf::from("s"), PathBuf::from("lib/site-packages/pkg")]
        );
        assert!(req.force && req.allow_unmapped);
        assert_eq!(req.config.as_deref(), Some(std::path::Path::new("b.toml")));
        assert_eq!(req.top, usize::MAX);
    }

    #[test]
    fn plan_with_a_command_records_it_and_record_flags_convert() {
        let cli = Cli::try_parse_from([
            "brownfield",
            "plan",
            "--source",
            "s",
            "--idle",
            "--rate",
            "250",
            "--no-native",
            "--",
            "python3",
            "-m",
            "app",
        ])
        .unwrap();
        let Command::Plan(args) = cli.command else {
            panic!("plan")
        };
        let (req, record) = args.into_request(String::new()).unwrap();
        let record = record.expect("a recording");
        assert_eq!(
            record.target,
            Target::Command(vec!["python3".into(), "-m".into(), "app".into()])
        );
        assert!(record.idle && !record.native && record.rate_hz == 250);
        assert!(req.filters.idle);
        assert_eq!(req.out, PathBuf::from("brownfield-plan"));
        // A profile and a command together, or neither, are errors.
        for argv in [
            &[
                "brownfield",
                "plan",
                "p.txt",
                "--source",
                "s",
                "--",
                "python3",
            ][..],
            &["brownfield", "plan", "--source", "s"][..],
            &["brownfield", "record"][..],
            &["brownfield", "record", "--pid", "1", "--", "python3"][..],
        ] {
            assert!(Cli::try_parse_from(argv).is_err(), "{argv:?}");
        }
        let cli = Cli::try_parse_from([
            "brownfield",
            "record",
            "--pid",
            "42",
            "--format",
            "pprof",
            "--duration",
            "1.5",
            "--threads",
            "--subprocesses",
            "--gil",
        ])
        .unwrap();
        let Command::Record(args) = cli.command else {
            panic!("record")
        };
        let r = args
            .sampling
            .into_request(Target::Pid(42), args.idle, args.threads)
            .unwrap();
        assert_eq!(r.duration, Some(std::time::Duration::from_millis(1500)));
        assert!(r.threads && r.subprocesses && r.gil && r.native && !r.idle);
    }

    #[test]
    fn rank_flags_convert() {
        let cli = Cli::try_parse_from([
            "brownfield",
            "rank",
            "p",
            "--source",
            "a",
            "--source",
            "b",
            "--allow-unmapped",
        ])
        .unwrap();
        let Command::Rank(args) = cli.command else {
            panic!("rank")
        };
        let (req, ..) = args.into_request();
        assert_eq!(req.sources, vec![PathBuf::from("a"), PathBuf::from("b")]);
        assert!(req.allow_unmapped);
        // --allow-unmapped's help names the threshold.
        assert_eq!(brownfield::mapping::MIN_MAPPED_SHARE, 0.01);
        assert!(
            Cli::try_parse_from(["brownfield", "rank", "p"]).is_err(),
            "--source needed"
        );
    }

    #[test]
    fn top_flags_convert() {
        let cli = Cli::try_parse_from([
            "brownfield",
            "top",
            "a.txt",
            "dir/",
            "--granularity",
            "line",
            "--format",
            "csv",
            "--focus",
            "^work",
            "--idle",
            "--threads",
            "--normalize",
            "--sample-type",
            "cpu",
            "--input-format",
            "pprof",
            "--max-decompressed-size",
            "1000",
            "--top",
            "3",
            "--tagfocus",
            "stage=^count$",
            "--tagignore",
            "worker=1",
        ])
        .unwrap();
        let Command::Top(args) = cli.command else {
            panic!("top")
        };
        let (req, n, format) = args.into_request();
        assert_eq!((n, format), (3, OutputFormat::Csv));
        assert_eq!(req.profiles.len(), 2);
        assert_eq!(req.granularity, Granularity::Line);
        assert!(req.filters.idle && req.filters.threads && req.filters.normalize);
        assert_eq!(req.filters.focus.unwrap().as_str(), "^work");
        assert_eq!(req.ingest.sample_type.as_deref(), Some("cpu"));
        assert_eq!(req.ingest.format, Some(InputFormat::Pprof));
        assert_eq!(req.ingest.max_decompressed_bytes, 1000);
        assert_eq!(req.filters.tag_focus.as_ref().unwrap().key, "stage");
        assert_eq!(req.filters.tag_ignore.as_ref().unwrap().value.as_str(), "1");
        let bad = Cli::try_parse_from(["brownfield", "top", "a", "--focus", "("]);
        assert!(bad.is_err());
    }
}
