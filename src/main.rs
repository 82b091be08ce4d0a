//! The `brownfield` binary: parses the command line, runs the library, prints the result, and
//! maps errors to exit status 2 (printing the cause chain).

mod cli;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

use brownfield::render::{rank, table, top};
use cli::{Cli, Command, OutputFormat};

/// On Linux, Rust's allocations go to jemalloc, while tree-sitter's C code keeps the C
/// library's malloc (glibc's, tuned by [`brownfield::tune_allocator`]). Indexing keeps hundreds
/// of MB it allocates in small pieces while tree-sitter allocates and frees each file's syntax
/// tree. In one heap the two interleave, and tree-sitter's own work took about 9% longer inside
/// brownfield than alone (more cache misses in glibc's free lists). Apart, the index phase of
/// `brownfield graph` on the benchmark corpus takes about 6% less CPU, and the whole run about
/// 7% less (benches/README.md, session H).
///
/// The separation relies on tikv-jemallocator's default prefixed symbols (`_rjem_malloc`): its
/// `unprefixed_malloc_on_supported_platforms` feature would move tree-sitter to jemalloc too.
#[cfg(target_os = "linux")]
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> ExitCode {
    // SAFETY: first thing in main, before any other thread starts.
    unsafe { brownfield::tune_allocator() };
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        // `brownfield plan ... | head` closes the pipe early: that is not an error.
        Err(RunError::Io(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(RunError::Io(e)) => {
            eprintln!("brownfield: error: cannot write to standard output: {e}");
            ExitCode::from(2)
        }
        Err(RunError::Brownfield(e)) => {
            eprintln!("brownfield: error: {e:#}");
            ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2))
        }
        Err(RunError::Usage(message)) => {
            eprintln!("brownfield: error: {message}");
            ExitCode::from(2)
        }
        Err(RunError::Status(code)) => ExitCode::from(code),
    }
}

enum RunError {
    Brownfield(brownfield::Error),
    Io(std::io::Error),
    /// A wrong argument clap cannot check.
    Usage(String),
    /// The recorded program's own exit status, passed through.
    Status(u8),
}

/// The exit status a shell would show for `status`: its code, or 128 + the signal.
fn shell_status(status: std::process::ExitStatus) -> u8 {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            return u8::try_from(128 + signal).unwrap_or(255);
        }
    }
    status
        .code()
        .map_or(1, |c| u8::try_from(c.rem_euclid(256)).unwrap_or(1))
}

/// `brownfield __supervise PIDFILE -- COMMAND`: starts the program (inheriting stdin, stdout
/// and stderr), writes its PID to PIDFILE, waits, and exits with its status as a shell reports
/// it. `record` samples that program, a grandchild, so that py-spy's pauses (ptrace) cannot
/// collect its exit status before this process does.
fn supervise(args: cli::SuperviseArgs) -> Result<(), RunError> {
    let Some((command, rest)) = args.command.split_first() else {
        return Err(RunError::Usage("no command".to_string()));
    };
    let mut child = match std::process::Command::new(command).args(rest).spawn() {
        Ok(c) => c,
        // The status a shell gives a command it cannot run; `record` words "not found".
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(RunError::Status(127)),
        Err(e) => {
            eprintln!("brownfield: cannot start `{command}`: {e}");
            return Err(RunError::Status(126));
        }
    };
    // Ctrl-C reaches the whole process group: the program and `record` handle it; this
    // process must live on to pass the program's status through.
    // SAFETY: signal(2) with SIG_IGN installs no handler code.
    unsafe {
        libc::signal(libc::SIGINT, libc::SIG_IGN);
        libc::signal(libc::SIGQUIT, libc::SIG_IGN);
    }
    let mut tmp = args.pid_file.clone().into_os_string();
    tmp.push(".tmp");
    let written = std::fs::write(&tmp, child.id().to_string())
        .and_then(|()| std::fs::rename(&tmp, &args.pid_file));
    if let Err(e) = written {
        let _ = child.kill();
        return Err(RunError::Io(e));
    }
    match child.wait() {
        Ok(status) if status.success() => Ok(()),
        Ok(status) => Err(RunError::Status(shell_status(status))),
        Err(e) => Err(RunError::Io(e)),
    }
}

/// `brownfield record`: samples, writes the profile, reports, and passes the program's exit
/// status through.
fn run_record(args: cli::RecordArgs) -> Result<(), RunError> {
    let target = match args.pid {
        Some(pid) => brownfield::record::Target::Pid(pid),
        None => brownfield::record::Target::Command(args.command),
    };
    let mut request = args
        .sampling
        .into_request(target, args.idle, args.threads)
        .map_err(RunError::Usage)?;
    request.supervisor = std::env::current_exe().ok();
    let format: brownfield::record::RecordFormat = args.format.into();
    let path = args.output.unwrap_or_else(|| {
        std::path::PathBuf::from(format!("brownfield-profile.{}", format.extension()))
    });
    let recorded =
        brownfield::record::record(&request).map_err(|e| RunError::Brownfield(e.into()))?;
    if let Some(note) = &recorded.native_fallback {
        eprintln!("brownfield: note: {note}");
    }
    brownfield::record::write(&recorded.recording, format, &path)
        .map_err(|e| RunError::Brownfield(e.into()))?;
    report_recording(&recorded, &path);
    // The program's own status when it ran to its end; 130 (as a shell reports SIGINT) after
    // Ctrl-C; success when --duration ended it, as asked.
    match (recorded.stop, recorded.exit_status) {
        (brownfield::record::Stop::Exited, Some(status)) if !status.success() => {
            Err(RunError::Status(shell_status(status)))
        }
        (brownfield::record::Stop::Interrupted, _) => Err(RunError::Status(130)),
        _ => Ok(()),
    }
}

/// `brownfield plan -- COMMAND`: records the program into the output directory
/// (profile.pyspy.txt, the path plan.json names), then plans from it. When the plan fails, the
/// capture stays there and the error says so.
fn record_then_plan(
    record: &brownfield::record::RecordRequest,
    mut request: brownfield::PlanRequest,
) -> Result<brownfield::PlanOutcome, RunError> {
    let mut record = record.clone();
    record.supervisor = std::env::current_exe().ok();
    let fail = |e: brownfield::Error| RunError::Brownfield(e);
    // Refuse a non-empty output directory, a missing source root or a bad configuration
    // before the program runs, not after.
    brownfield::render::check_out_dir(&request.out, request.force).map_err(|e| fail(e.into()))?;
    brownfield::check_plan_inputs(&request).map_err(fail)?;
    let recorded = brownfield::record::record(&record).map_err(|e| fail(e.into()))?;
    if let Some(note) = &recorded.native_fallback {
        eprintln!("brownfield: note: {note}");
    }
    // The capture goes into the output directory first (checked above to be new, empty or
    // --force), so the plan names the file where it stays.
    let kept = request.out.join("profile.pyspy.txt");
    std::fs::create_dir_all(&request.out).map_err(|source| {
        fail(
            brownfield::render::RenderError::Write {
                path: request.out.clone(),
                source,
            }
            .into(),
        )
    })?;
    brownfield::record::write(
        &recorded.recording,
        brownfield::record::RecordFormat::Raw,
        &kept,
    )
    .map_err(|e| fail(e.into()))?;
    report_recording(&recorded, &kept);
    let exited = recorded.stop == brownfield::record::Stop::Exited;
    if let Some(status) = recorded.exit_status.filter(|s| exited && !s.success()) {
        eprintln!(
            "brownfield: warning: the program exited with status {status}; planning from what was recorded"
        );
    }
    request.profiles = vec![kept.clone()];
    // The directory now holds the capture: the plan may write beside it.
    request.force = true;
    match brownfield::run_plan(&request) {
        Ok(mut outcome) => {
            outcome.written.push(kept);
            Ok(outcome)
        }
        Err(e) => {
            eprintln!("brownfield: the recording is kept in {}", kept.display());
            Err(fail(e))
        }
    }
}

/// One line on stderr: what was recorded, how, and where it went.
fn report_recording(recorded: &brownfield::record::Recorded, path: &std::path::Path) {
    let r = &recorded.recording;
    let exited = match recorded.exit_status {
        Some(status) => format!("the program exited ({status})"),
        None => "the process exited".to_string(),
    };
    let why = match recorded.stop {
        brownfield::record::Stop::Exited => exited.as_str(),
        brownfield::record::Stop::Duration => "the duration ended",
        brownfield::record::Stop::Interrupted => "Ctrl-C",
    };
    let errors = match recorded.errors {
        0 => String::new(),
        n => format!(", {n} samples failed"),
    };
    eprintln!(
        "recorded {} samples of `{}` at {} Hz over {:.1} s (stopped: {why}{errors}); wrote {}",
        r.samples(),
        r.program,
        r.rate_hz,
        r.duration_nanos as f64 / 1e9,
        path.display()
    );
}

fn run(cli: Cli) -> Result<(), RunError> {
    // The recorded command line starts with "brownfield", whatever path the binary was run
    // from, so plans made by `cargo run` and by an installed binary are identical.
    let command_line = std::iter::once("brownfield".to_string())
        .chain(
            std::env::args_os()
                .skip(1)
                .map(|a| a.to_string_lossy().into_owned()),
        )
        .collect::<Vec<_>>()
        .join(" ");
    match cli.command {
        Command::Plan(args) => {
            let (request, record) = args.into_request(command_line).map_err(RunError::Usage)?;
            let outcome = match record {
                Some(record) => record_then_plan(&record, request)?,
                None => brownfield::run_plan(&request).map_err(RunError::Brownfield)?,
            };
            let plan = &outcome.plan;
            for w in &plan.warnings {
                eprintln!("brownfield: warning: {w}");
            }
            let mut out = std::io::stdout().lock();
            let io = |r: std::io::Result<()>| r.map_err(RunError::Io);
            io(writeln!(out, "{}", table::ranked(plan)))?;
            io(writeln!(
                out,
                "{} read; {:.1}% of samples touch the codebase ({} files, {} functions).",
                brownfield::top::amount(plan.total_value, plan.unit),
                plan.coverage.share() * 100.0,
                plan.codebase.files,
                plan.codebase.functions
            ))?;
            for line in table::phase_lines(plan) {
                io(writeln!(out, "{line}"))?;
            }
            for path in &outcome.written {
                io(writeln!(out, "wrote {}", path.display()))?;
            }
            Ok(())
        }
        Command::Graph(args) => {
            let (request, output) = args.into_request();
            let outcome = brownfield::run_graph(&request).map_err(RunError::Brownfield)?;
            for w in &outcome.warnings {
                eprintln!("brownfield: warning: {w}");
            }
            match output {
                Some(path) => {
                    brownfield::render::write_file_with(&path, |out| outcome.write(out))
                        .map_err(|e| RunError::Brownfield(e.into()))?;
                    eprintln!(
                        "wrote {} ({} nodes, {} edges)",
                        path.display(),
                        outcome.nodes(),
                        outcome.edges()
                    );
                }
                None => {
                    let mut out =
                        std::io::BufWriter::with_capacity(1 << 20, std::io::stdout().lock());
                    outcome
                        .write(&mut out)
                        .and_then(|()| out.flush())
                        .map_err(RunError::Io)?;
                }
            }
            // The index and graph are large (hundreds of MB on a big codebase): the process
            // ends here, so leave their memory to the OS instead of freeing it piece by piece.
            std::mem::forget(outcome);
            Ok(())
        }
        Command::Rank(args) => {
            let (request, n, format, output) = args.into_request();
            let outcome = brownfield::run_rank(&request).map_err(RunError::Brownfield)?;
            for w in &outcome.warnings {
                eprintln!("brownfield: warning: {w}");
            }
            let config = outcome.config.1.as_ref().map(|p| p.display().to_string());
            let ctx = rank::Context {
                unit: outcome.unit,
                config: config.as_deref(),
                coverage_share: outcome.coverage.share(),
                unmapped: outcome.coverage.is_unmapped(),
                first_stays_first: outcome.first_stays_first,
            };
            let text = match format {
                OutputFormat::Table => rank::table(&outcome.scores, n, ctx),
                OutputFormat::Json => {
                    rank::json(&outcome.scores, n, ctx).map_err(|e| RunError::Io(e.into()))?
                }
                OutputFormat::Csv => rank::csv(&outcome.scores, n)
                    .map_err(|e| RunError::Io(std::io::Error::other(e)))?,
            };
            match output {
                Some(path) => {
                    brownfield::render::write_file(&path, text.as_bytes())
                        .map_err(|e| RunError::Brownfield(e.into()))?;
                    eprintln!("wrote {}", path.display());
                    Ok(())
                }
                None => std::io::stdout()
                    .lock()
                    .write_all(text.as_bytes())
                    .map_err(RunError::Io),
            }
        }
        Command::Record(args) => run_record(args),
        Command::Supervise(args) => supervise(args),
        Command::Init(args) => {
            let path = brownfield::run_init(&args.dir, args.force).map_err(RunError::Brownfield)?;
            println!(
                "wrote {} (every key commented; delete what you do not change)",
                path.display()
            );
            Ok(())
        }
        Command::Top(args) => {
            let (request, n, format) = args.into_request();
            let table = brownfield::run_top(&request).map_err(RunError::Brownfield)?;
            let text = match format {
                OutputFormat::Table => top::table(&table, n),
                OutputFormat::Json => top::json(&table, n).map_err(|e| RunError::Io(e.into()))?,
                OutputFormat::Csv => {
                    top::csv(&table, n).map_err(|e| RunError::Io(std::io::Error::other(e)))?
                }
            };
            let mut out = std::io::stdout().lock();
            writeln!(out, "{}", text.trim_end()).map_err(RunError::Io)
        }
    }
}
