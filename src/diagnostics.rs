//! Soft problems that do not stop a run: collected, shown once at the end, and listed in the
//! plan's caveats (the approach of ripgrep's `messages.rs`).

/// Warnings collected during a run, in the order they were found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagnostics {
    warnings: Vec<String>,
}

impl Diagnostics {
    /// Adds a warning: lowercase, no final period, naming the file it is about.
    pub fn warn(&mut self, message: impl Into<String>) {
        self.warnings.push(message.into());
    }

    /// Adds the warnings of `other`, in order.
    pub fn extend(&mut self, other: Diagnostics) {
        self.warnings.extend(other.warnings);
    }

    /// The warnings so far.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }
}

/// Runs `work` and, when the environment variable `BROWNFIELD_TIMINGS` is set (to anything),
/// prints its wall time and the CPU time the process spent meanwhile (all threads; Linux only,
/// from `/proc/self/stat`) to stderr as `brownfield: timing: <phase> <wall> s wall, <cpu> s
/// CPU, <rss> MB resident`. A developer's aid for the benchmarks (benches/); output is
/// unchanged otherwise.
pub fn timed<T>(phase: &str, work: impl FnOnce() -> T) -> T {
    if std::env::var_os("BROWNFIELD_TIMINGS").is_none() {
        return work();
    }
    let (start, cpu_start) = (std::time::Instant::now(), process_cpu_seconds());
    let out = work();
    let cpu = match (cpu_start, process_cpu_seconds()) {
        (Some(a), Some(b)) => format!("{:.2} s CPU", b - a),
        _ => "CPU unknown".to_string(),
    };
    let rss = resident_megabytes().map_or_else(String::new, |mb| format!(", {mb} MB resident"));
    eprintln!(
        "brownfield: timing: {phase} {:.3} s wall, {cpu}{rss}",
        start.elapsed().as_secs_f64()
    );
    out
}

/// Resident set size of this process now, in MB (10^6 bytes), from `/proc/self/statm`
/// (pages, assumed 4096 bytes).
fn resident_megabytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split(' ').nth(1)?.parse().ok()?;
    Some(pages * 4096 / 1_000_000)
}

/// User + system CPU seconds of this process so far, from fields 14 and 15 of
/// `/proc/self/stat` (clock ticks, assumed 100 per second as on every Linux build we target).
fn process_cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The command name (field 2) is in parentheses and may contain spaces: split after it.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split(' ').collect();
    let ticks = |i: usize| fields.get(i)?.parse::<u64>().ok();
    Some((ticks(11)? + ticks(12)?) as f64 / 100.0)
}
