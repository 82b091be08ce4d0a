//! `brownfield record`: sampling a Python process with the `py-spy` crate as a library
//! (`py_spy::sampler::Sampler`), into raw, speedscope or pprof files that brownfield reads back
//! ([`formats`]).
//!
//! With a command, the program is started, sampled until it exits (or the duration ends, or
//! Ctrl-C), and its exit status is passed through; with a PID, the running process is sampled.
//! Sampling follows py-spy's `record`: idle threads and threads without the GIL are left out
//! unless asked for; `--threads` and `--subprocesses` add root frames naming the thread and the
//! process.
//!
//! Native stacks are on by default; they need the unwinder py-spy links (libunwind, the default
//! `native` cargo feature). A build without it records Python stacks and says so.
//!
//! A started program runs under `brownfield __supervise` (when [`RecordRequest::supervisor`] is
//! set, as the binary does): py-spy pauses the process with ptrace to read native stacks, and a
//! tracer that is also the parent can collect the exit status of a program that exits while
//! paused; as a grandchild, its status reaches the supervisor, which exits with it.

pub mod formats;
pub mod recording;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

pub use formats::RecordFormat;
pub use recording::{RecordedFrame, Recording};

/// What to sample.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A running process.
    Pid(u32),
    /// A program to start: the command and its arguments.
    Command(Vec<String>),
}

/// What `brownfield record` is asked to do.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RecordRequest {
    /// What to sample.
    pub target: Target,
    /// Samples per second.
    pub rate_hz: u64,
    /// Stop after this long; `None`: until the process exits (or Ctrl-C).
    pub duration: Option<Duration>,
    /// Sample native (C) frames too, when this build can unwind them.
    pub native: bool,
    /// Keep idle threads.
    pub idle: bool,
    /// A root frame per thread.
    pub threads: bool,
    /// Sample child processes too, each under a root frame naming it.
    pub subprocesses: bool,
    /// Only threads holding the GIL.
    pub gil: bool,
    /// Show a progress line on stderr (only when stderr is a terminal).
    pub progress: bool,
    /// A `brownfield` binary to start the program through (`brownfield __supervise`), so that
    /// py-spy's pauses cannot collect its exit status; `None` starts it directly and samples
    /// it without pausing (then native stacks, which need the pause, may lose the status).
    pub supervisor: Option<PathBuf>,
}

impl RecordRequest {
    /// Defaults: 100 Hz, no time limit, native stacks when available, no idle threads, no
    /// thread or process frames, every thread, a progress line.
    pub fn new(target: Target) -> RecordRequest {
        RecordRequest {
            target,
            rate_hz: 100,
            duration: None,
            native: true,
            idle: false,
            threads: false,
            subprocesses: false,
            gil: false,
            progress: true,
            supervisor: None,
        }
    }
}

/// Why recording stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// The process exited.
    Exited,
    /// The duration ended.
    Duration,
    /// Ctrl-C.
    Interrupted,
}

/// The result of [`record`].
#[derive(Debug)]
pub struct Recorded {
    /// The samples.
    pub recording: Recording,
    /// Samples py-spy could not take (the process was between states, ...).
    pub errors: u64,
    /// The started program's exit status (`None` for `--pid`).
    pub exit_status: Option<ExitStatus>,
    /// Why native stacks were not recorded although asked for (this build cannot unwind).
    pub native_fallback: Option<String>,
    /// Why sampling stopped.
    pub stop: Stop,
}

/// A problem recording, each with what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    /// The command to start was not found.
    #[error("cannot start `{command}`: not found (check the command and PATH)")]
    CommandNotFound {
        /// The command.
        command: String,
    },
    /// The command could not be started for another reason.
    #[error("cannot start `{command}`: {source}")]
    Spawn {
        /// The command.
        command: String,
        /// Why.
        source: std::io::Error,
    },
    /// The started program exited before py-spy could attach to it.
    #[error(
        "the program exited ({status}) before it could be sampled: profile a run that lasts at \
         least a second or two"
    )]
    ExitedEarly {
        /// Its exit status, in words.
        status: String,
    },
    /// Nothing was sampled (the program was idle, or every sample failed).
    #[error(
        "no sample of process {pid} was recorded ({errors} samples failed{}): the program may \
         have been idle (try --idle) or too short; nothing written",
        status.as_ref().map_or(String::new(), |s| format!("; it exited with {s}"))
    )]
    NoSamples {
        /// The PID.
        pid: u32,
        /// Samples py-spy could not take.
        errors: u64,
        /// The started program's exit status, in words.
        status: Option<String>,
    },
    /// No process has this PID.
    #[error("no process with PID {pid} (is it still running?)")]
    NoSuchProcess {
        /// The PID.
        pid: u32,
    },
    /// The process cannot be read.
    #[error(
        "no permission to read process {pid} ({detail}): run brownfield as the process's user or as root; \
         on Linux check `sysctl kernel.yama.ptrace_scope` (0 or 1 allows it for your own processes); \
         in a container, add the SYS_PTRACE capability (docker run --cap-add SYS_PTRACE)"
    )]
    Permission {
        /// The PID.
        pid: u32,
        /// py-spy's message.
        detail: String,
    },
    /// The process is not a Python interpreter py-spy can read.
    #[error(
        "process {pid} is not a Python process py-spy can read ({detail}): give the PID of a CPython \
         2.3-3.13 interpreter, or start it with `brownfield record -- python ...`"
    )]
    NotPython {
        /// The PID.
        pid: u32,
        /// py-spy's message.
        detail: String,
    },
    /// Any other sampling failure.
    #[error("sampling process {pid} failed: {detail}")]
    Sampling {
        /// The PID.
        pid: u32,
        /// py-spy's message.
        detail: String,
    },
    /// The recording could not be written.
    #[error("{path}: cannot write the profile: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// Whether this build can unwind native stacks (the `native` cargo feature, py-spy's
/// `unwind`).
pub const NATIVE_SUPPORTED: bool = cfg!(feature = "native");

/// Says why native stacks cannot be recorded by this build, if asked for.
fn native_fallback(asked: bool) -> Option<String> {
    (asked && !NATIVE_SUPPORTED).then(|| {
        "native stacks are not recorded: this brownfield was built without its unwinder \
         (the default `native` feature, which needs libunwind); GC, the regex engine and C \
         extensions show only on the Python line that calls them"
            .to_string()
    })
}

/// Samples the target (module docs).
///
/// # Errors
/// Every [`RecordError`] but [`RecordError::Write`].
pub fn record(request: &RecordRequest) -> Result<Recorded, RecordError> {
    let mut child = match &request.target {
        Target::Command(argv) => Some(start(argv, request.supervisor.as_deref())?),
        Target::Pid(pid) => {
            if !Path::new(&format!("/proc/{pid}")).exists() && cfg!(target_os = "linux") {
                return Err(RecordError::NoSuchProcess { pid: *pid });
            }
            None
        }
    };
    let pid = match (&request.target, &child) {
        (_, Some(c)) => c.pid,
        (Target::Pid(p), None) => *p,
        (Target::Command(_), None) => unreachable_pid(),
    };
    let program = match &request.target {
        Target::Command(argv) => argv.join(" "),
        Target::Pid(p) => process_command_line(*p).unwrap_or_else(|| format!("pid {p}")),
    };
    let native_fallback = native_fallback(request.native);
    let config = py_spy_config(request);
    let sampler = match py_spy::sampler::Sampler::new(pid as py_spy::Pid, &config) {
        Ok(s) => s,
        Err(e) => {
            if let Some(status) = child.as_mut().and_then(|c| c.exited()) {
                return Err(RecordError::ExitedEarly {
                    status: status.to_string(),
                });
            }
            stop_child(&mut child);
            return Err(classify(pid, &e));
        }
    };
    let mut recording = Recording::new(request.rate_hz, program.clone());
    let interrupted = interrupt_flag();
    let progress = Progress::new(request.progress, pid, &program);
    let started = Instant::now();
    let mut errors = 0u64;
    let mut stop = Stop::Exited;
    RECORDING.store(true, Ordering::SeqCst);
    for sample in sampler {
        if interrupted.load(Ordering::SeqCst) {
            stop = Stop::Interrupted;
            break;
        }
        for trace in &sample.traces {
            if keep(request, trace) {
                recording.add(stack_of(request, trace));
            }
        }
        errors += sample.sampling_errors.map_or(0, |e| e.len() as u64);
        progress.update(started.elapsed(), recording.samples(), errors);
        if request.duration.is_some_and(|d| started.elapsed() >= d) {
            stop = Stop::Duration;
            break;
        }
    }
    RECORDING.store(false, Ordering::SeqCst);
    progress.finish();
    recording.duration_nanos = started.elapsed().as_nanos().min(u128::from(u64::MAX)) as u64;
    if stop != Stop::Exited {
        stop_child(&mut child);
    }
    let exit_status = child.as_mut().and_then(|c| c.process.wait().ok());
    if recording.samples() == 0 {
        return Err(RecordError::NoSamples {
            pid,
            errors,
            status: exit_status.map(|s| s.to_string()),
        });
    }
    Ok(Recorded {
        recording,
        errors,
        exit_status,
        native_fallback,
        stop,
    })
}

/// Never reached: a command target always has a child.
fn unreachable_pid() -> u32 {
    0
}

/// A program brownfield started: the process it waits for (the program itself, or the
/// supervisor running it) and the program's PID, the one sampled.
#[derive(Debug)]
struct Started {
    process: Child,
    pid: u32,
}

impl Started {
    /// The exit status, if the waited-for process has exited.
    fn exited(&mut self) -> Option<ExitStatus> {
        self.process.try_wait().ok().flatten()
    }
}

/// Starts `argv`, through `supervisor` when given (its `__supervise` writes the program's PID
/// to a file, which is waited for).
fn start(argv: &[String], supervisor: Option<&Path>) -> Result<Started, RecordError> {
    let Some(supervisor) = supervisor else {
        let process = spawn(argv)?;
        let pid = process.id();
        return Ok(Started { process, pid });
    };
    let command = argv.first().cloned().unwrap_or_default();
    let dir = tempfile::tempdir().map_err(|source| RecordError::Spawn {
        command: command.clone(),
        source,
    })?;
    let pid_file = dir.path().join("pid");
    let mut process = Command::new(supervisor)
        .arg("__supervise")
        .arg(&pid_file)
        .arg("--")
        .args(argv)
        .spawn()
        .map_err(|source| RecordError::Spawn {
            command: command.clone(),
            source,
        })?;
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(pid) = std::fs::read_to_string(&pid_file)
            .ok()
            .and_then(|t| t.trim().parse().ok())
        {
            return Ok(Started { process, pid });
        }
        if let Some(status) = process.try_wait().ok().flatten() {
            return Err(match status.code() {
                Some(127) => RecordError::CommandNotFound { command },
                _ => RecordError::ExitedEarly {
                    status: status.to_string(),
                },
            });
        }
        if Instant::now() > deadline {
            let _ = process.kill();
            return Err(RecordError::Spawn {
                command,
                source: std::io::Error::other("the program did not start within 30 s"),
            });
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn spawn(argv: &[String]) -> Result<Child, RecordError> {
    let Some((command, args)) = argv.split_first() else {
        return Err(RecordError::CommandNotFound {
            command: String::new(),
        });
    };
    Command::new(command).args(args).spawn().map_err(|source| {
        if source.kind() == std::io::ErrorKind::NotFound {
            RecordError::CommandNotFound {
                command: command.clone(),
            }
        } else {
            RecordError::Spawn {
                command: command.clone(),
                source,
            }
        }
    })
}

/// `/proc/PID/cmdline` with spaces, when readable.
fn process_command_line(pid: u32) -> Option<String> {
    let bytes = std::fs::read(format!("/proc/{pid}/cmdline")).ok()?;
    let text = String::from_utf8_lossy(&bytes);
    let line = text.trim_end_matches('\0').replace('\0', " ");
    (!line.is_empty()).then_some(line)
}

/// py-spy's settings for `request`. A program started directly (no supervisor) is sampled
/// without pausing it (py-spy's `--nonblocking`) unless native stacks are recorded (they need
/// the pause): pausing traces the process, and when the tracer is also its parent and it exits
/// while paused, the tracer's wait collects its exit status. Through the supervisor the
/// program is a grandchild, and pausing is safe.
fn py_spy_config(request: &RecordRequest) -> py_spy::Config {
    let mut config = py_spy::Config {
        sampling_rate: request.rate_hz.max(1),
        native: request.native && NATIVE_SUPPORTED,
        ..Default::default()
    };
    let direct_child = matches!(request.target, Target::Command(_)) && request.supervisor.is_none();
    if direct_child && !config.native {
        config.blocking = py_spy::config::LockingStrategy::NonBlocking;
    }
    config.include_idle = request.idle;
    config.include_thread_ids = request.threads;
    config.subprocesses = request.subprocesses;
    config.gil_only = request.gil;
    config.hide_progress = true;
    config
}

/// py-spy's `record` keeps a trace when it is active (or idle ones are asked for) and, with
/// `--gil`, when it holds the GIL.
fn keep(request: &RecordRequest, trace: &py_spy::StackTrace) -> bool {
    (request.idle || trace.active) && (!request.gil || trace.owns_gil)
}

/// A trace's frames, root first, under its process and thread frames when asked for (as
/// py-spy's `record` writes them).
fn stack_of(request: &RecordRequest, trace: &py_spy::StackTrace) -> Vec<RecordedFrame> {
    let synthetic = |name: String| RecordedFrame {
        name,
        file: String::new(),
        line: 0,
    };
    let mut out = Vec::with_capacity(trace.frames.len() + 2);
    if let Some(info) = trace.process_info.as_ref() {
        let mut chain = vec![info.as_ref()];
        let mut parent = info.parent.as_deref();
        while let Some(p) = parent {
            chain.push(p);
            parent = p.parent.as_deref();
        }
        for p in chain.iter().rev() {
            out.push(synthetic(format!(
                "process {}:\"{}\"",
                p.pid, p.command_line
            )));
        }
    }
    if request.threads {
        let id = trace.format_threadid();
        out.push(synthetic(match &trace.thread_name {
            Some(name) => format!("thread ({id}): {name}"),
            None => format!("thread ({id})"),
        }));
    }
    out.extend(trace.frames.iter().rev().map(|f| {
        RecordedFrame {
            name: f.name.clone(),
            file: f
                .short_filename
                .clone()
                .unwrap_or_else(|| f.filename.clone()),
            line: u32::try_from(f.line).unwrap_or(0),
        }
    }));
    out
}

/// Maps py-spy's error to what a user can act on.
fn classify(pid: u32, e: &anyhow::Error) -> RecordError {
    let detail = format!("{e:#}");
    let lower = detail.to_lowercase();
    if lower.contains("permission denied") || lower.contains("operation not permitted") {
        RecordError::Permission { pid, detail }
    } else if lower.contains("no such process") || lower.contains("no such file") {
        RecordError::NoSuchProcess { pid }
    } else if lower.contains("python") || lower.contains("version") || lower.contains("interpreter")
    {
        RecordError::NotPython { pid, detail }
    } else {
        RecordError::Sampling { pid, detail }
    }
}

/// Asks a started program to stop (SIGINT, as Ctrl-C would), then kills it after 5 s.
fn stop_child(child: &mut Option<Started>) {
    let Some(c) = child.as_mut() else {
        return;
    };
    let pid = c.pid as libc::pid_t;
    // The program itself, not only the process waited for (the supervisor may be gone).
    // SAFETY: kill(2) with signal 0 only checks that the PID exists.
    let alive = || unsafe { libc::kill(pid, 0) } == 0;
    if c.exited().is_some() && !alive() {
        return;
    }
    let signal = |sig| {
        // SAFETY: kill(2) on the program brownfield started, whose waiting process (it, or the
        // supervisor) has not been reaped, so the PID is still the program's.
        unsafe {
            libc::kill(pid, sig);
        }
    };
    signal(libc::SIGINT);
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        if c.exited().is_some() && !alive() {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    if alive() {
        signal(libc::SIGKILL);
    }
    let _ = c.process.kill();
}

/// True while [`record`] samples: Ctrl-C then stops sampling; at any other time it ends the
/// process with 130, as if no handler were installed.
static RECORDING: AtomicBool = AtomicBool::new(false);

/// A flag Ctrl-C sets while recording. The handler is installed once per process; when another
/// one is already installed (a program embedding brownfield), Ctrl-C is left to it.
fn interrupt_flag() -> Arc<AtomicBool> {
    static FLAG: std::sync::OnceLock<Arc<AtomicBool>> = std::sync::OnceLock::new();
    let flag = FLAG.get_or_init(|| {
        let flag = Arc::new(AtomicBool::new(false));
        let set = Arc::clone(&flag);
        let _ = ctrlc::set_handler(move || {
            if RECORDING.load(Ordering::SeqCst) {
                set.store(true, Ordering::SeqCst);
            } else {
                std::process::exit(130);
            }
        });
        flag
    });
    flag.store(false, Ordering::SeqCst);
    Arc::clone(flag)
}

/// The live line on stderr (indicatif), drawn only on a terminal.
struct Progress {
    bar: Option<indicatif::ProgressBar>,
    what: String,
}

impl Progress {
    fn new(wanted: bool, pid: u32, program: &str) -> Progress {
        let bar = (wanted && std::io::stderr().is_terminal()).then(|| {
            let bar = indicatif::ProgressBar::new_spinner();
            bar.enable_steady_tick(Duration::from_millis(200));
            bar
        });
        let mut what: String = program.chars().take(60).collect();
        if program.chars().count() > 60 {
            what.push('…');
        }
        Progress {
            bar,
            what: format!("pid {pid} ({what})"),
        }
    }

    fn update(&self, elapsed: Duration, samples: u64, errors: u64) {
        if let Some(bar) = &self.bar {
            bar.set_message(format!(
                "sampling {}: {:.1} s, {samples} samples, {errors} errors (Ctrl-C stops)",
                self.what,
                elapsed.as_secs_f64()
            ));
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// Writes `recording` to `path` in `format` through a temporary file renamed into place, so a
/// failed write never leaves half a profile.
///
/// # Errors
/// [`RecordError::Write`].
pub fn write(recording: &Recording, format: RecordFormat, path: &Path) -> Result<(), RecordError> {
    let bytes = formats::encode(recording, format).map_err(|source| RecordError::Write {
        path: path.to_path_buf(),
        source,
    })?;
    crate::render::write_file(path, &bytes).map_err(|e| RecordError::Write {
        path: path.to_path_buf(),
        source: std::io::Error::other(e.to_string()),
    })
}
