//! The command line (clap derive). Only the binary uses this module; the library never sees
//! clap types: arguments are converted once into library requests.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use brownfield::PlanRequest;
use brownfield::plan::{
    DEFAULT_ASSUMED_SPEEDUP, DEFAULT_MIN_SELF_SHARE, DEFAULT_PHASE1_SIZE, DEFAULT_PHASE2_SIZE,
    DEFAULT_TOP, PlanOptions,
};

const EXAMPLES: &str = "\
EXAMPLES:
    # record a profile of your service with py-spy, then plan from it
    py-spy record --format raw -o profile.txt -- python -m myservice
    brownfield plan profile.txt --source . --out plan/

    # the bundled sample
    brownfield plan sample-profiles/logpipe.pyspy.txt --source sample-profiles/app --out /tmp/plan";

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
}

/// Arguments of `brownfield plan`.
#[derive(Debug, Args)]
pub(crate) struct PlanArgs {
    /// The profile: py-spy `record --format raw` output or any folded-stack file.
    #[arg(value_name = "PROFILE")]
    pub(crate) profile: PathBuf,

    /// Root of the checkout of the profiled Python code (paths in the profile are matched to
    /// files under it by path suffix).
    #[arg(long, value_name = "DIR")]
    pub(crate) source: PathBuf,

    /// Directory to write plan.md and flamegraph.svg into (created if missing; existing plan
    /// files are replaced atomically).
    #[arg(long, value_name = "DIR")]
    pub(crate) out: PathBuf,

    /// Assumed speedup of a function's own code once rewritten in Rust (a factor > 1).
    #[arg(long, value_name = "FACTOR", default_value_t = DEFAULT_ASSUMED_SPEEDUP, value_parser = parse_speedup)]
    pub(crate) assumed_speedup: f64,

    /// Smallest self share for a migration candidate, as a fraction in [0, 1].
    #[arg(long, value_name = "FRACTION", default_value_t = DEFAULT_MIN_SELF_SHARE, value_parser = parse_fraction)]
    pub(crate) min_self_share: f64,

    /// Number of functions shown in the ranked tables.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_TOP)]
    pub(crate) top: usize,
}

impl PlanArgs {
    /// Converts the arguments into the library's request.
    pub(crate) fn into_request(self, command_line: String) -> PlanRequest {
        let mut options = PlanOptions::default();
        options.assumed_speedup = self.assumed_speedup;
        options.min_self_share = self.min_self_share;
        options.phase1_size = DEFAULT_PHASE1_SIZE;
        options.phase2_size = DEFAULT_PHASE2_SIZE;
        options.top = self.top;
        let mut request = PlanRequest::new(self.profile, self.source, self.out);
        request.options = options;
        request.command_line = command_line;
        request
    }
}

fn parse_speedup(s: &str) -> Result<f64, String> {
    let v: f64 = s.parse().map_err(|_| format!("{s:?} is not a number"))?;
    if v.is_finite() && v > 1.0 {
        Ok(v)
    } else {
        Err(format!(
            "the assumed speedup must be a finite factor > 1, got {s}"
        ))
    }
}

fn parse_fraction(s: &str) -> Result<f64, String> {
    let v: f64 = s.parse().map_err(|_| format!("{s:?} is not a number"))?;
    if (0.0..=1.0).contains(&v) {
        Ok(v)
    } else {
        Err(format!(
            "expected a fraction in [0, 1], got {s} (write 0.05 for 5%)"
        ))
    }
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
        let Command::Plan(args) = cli.command;
        let req = args.into_request(String::new());
        assert_eq!(req.options, PlanOptions::default());
    }

    #[test]
    fn flags_are_validated() {
        let bad = Cli::try_parse_from([
            "brownfield",
            "plan",
            "p",
            "--source",
            "s",
            "--out",
            "o",
            "--assumed-speedup",
            "0.5",
        ]);
        assert!(bad.unwrap_err().to_string().contains("finite factor > 1"));
        let bad = Cli::try_parse_from([
            "brownfield",
            "plan",
            "p",
            "--source",
            "s",
            "--out",
            "o",
            "--min-self-share",
            "5",
        ]);
        assert!(bad.unwrap_err().to_string().contains("write 0.05 for 5%"));
        let ok = Cli::try_parse_from([
            "brownfield",
            "plan",
            "p",
            "--source",
            "s",
            "--out",
            "o",
            "--assumed-speedup",
            "25",
            "--top",
            "5",
        ])
        .unwrap();
        let Command::Plan(args) = ok.command;
        let req = args.into_request(String::new());
        assert_eq!((req.options.assumed_speedup, req.options.top), (25.0, 5));
    }
}
