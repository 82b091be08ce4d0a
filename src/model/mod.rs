//! The ranking model: for every hot codebase function, its migration **unit**, the share of
//! the run that would move to Rust with it, its category, ease of isolation, effort and the
//! projected end-to-end speedup by Amdahl's law. docs/scoring.md states every formula and
//! default; the defaults live in [`crate::config`].
//!
//! ## Where a sample's time goes
//! Each sample is charged to its **owner**, the deepest codebase frame on its stack (the code
//! that did the work or called out for it), and classified by its leaf ([`Work`]):
//! - a codebase leaf line is `Python`, unless the line calls the regex engine (a compiled
//!   regex's methods, `re`: `Regex`), the compiler (`compile`, `ast.parse`: `Compile`), other
//!   native code (a bulk C module such as `json` or `zlib`, `sorted`, an imported third-party
//!   module: `Native`), or does I/O or waits (the isolation facts' I/O calls, `time.sleep`,
//!   sockets, threads: `Wait`). Without `--native`, py-spy shows time in a C function on the
//!   line calling it: a Python callee would have its own frame. With native frames in the
//!   profile the line's calls do not decide (the C time has frames of its own).
//! - a leaf in standard-library Python is `Library`, unless it is a thin shell over C
//!   ([`STDLIB_SHELLS`], `re`: `Compile`/`Regex`), its module waits (`threading`, `socket`,
//!   `subprocess`, ...: `Wait`) or is a C-accelerated standard module (`json`, `heapq`, ...:
//!   `Native`, without native frames only). A leaf in third-party Python (site-packages) is
//!   `Native`: with numpy and the like, a Python leaf line is where time in their C code
//!   shows; for pure-Python dependencies this is conservative.
//! - native frames below the deepest Python frame (`--native`) are classified by CPython
//!   subsystem ([`crate::cpython`]): `Gc`, `Alloc`, `Regex`, `Compile`, other C `Native`; the
//!   interpreter's own dispatch is the Python frame's work.
//! - idle frames (`(idle)`, and the waits `--idle` keeps: lock acquires, `select`,
//!   `pthread_cond_wait`, ... as [`crate::profile::transform::is_idle_frame`] knows them) are
//!   `Wait`; frames with no location are `Native` (nothing to move).
//!
//! ## Units
//! The unit of a function `f` is `f` with the codebase definitions it dominates in the call
//! graph (every path from an entry point to them passes through `f`), with `f`'s recursion
//! cluster (strongly connected component) whole; a component only partly dominated by `f` is
//! left out entirely, with what it dominates. The **movable share** of `f` is the share of
//! samples with `f` on the stack, owned by a member of its unit and classified `Python` (and
//! `Library`, unless configured otherwise).

use std::collections::BTreeSet;
use std::sync::Arc;

use petgraph::Direction;
use petgraph::visit::EdgeRef;
use rustc_hash::{FxHashMap, FxHashSet};
use serde::Serialize;

use crate::callgraph::{CallGraph, EdgeKind, NodeKind};
use crate::config::{Config, Range};
use crate::cpython::Subsystem;
use crate::mapping::{Mapping, ratio};
use crate::profile::{FrameKind, Profile};
use crate::source::facts::C_STDLIB_MODULES;
use crate::source::{DefKind, FuncId, SourceFile, SourceIndex};

mod call_bound;
mod crossing;
mod units;

use call_bound::CodeFacts;
pub use crossing::{Crossing, effective, effective_range};
pub use units::{HOOK_FAMILY_MIN, Overridable, PublicMethod};
use units::{UnitMembers, Units};

/// Where the time of a sample's leaf goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Work {
    /// Interpreted codebase code, and the interpreter's dispatch under it
    /// ([`Subsystem::Dispatch`]).
    Python,
    /// Interpreted code outside the codebase (stdlib or third-party `.py`).
    Library,
    /// Other machine code: C extensions, C accelerators, builtin methods, other libraries.
    Native,
    /// I/O, sleeping, locks and idle.
    Wait,
    /// The cyclic garbage collector (seen with native frames only; without them its time lands
    /// on the allocating line).
    Gc,
    /// Object allocation and deallocation in C (`PyObject_Malloc`, `*_dealloc`, `malloc`).
    Alloc,
    /// The regular-expression engine (`re`, `_sre`).
    Regex,
    /// The parser and compiler behind `compile()` and `ast.parse`.
    Compile,
}

/// How many kinds of [`Work`] there are (their `as usize` values are `0..WORK_KINDS`).
pub const WORK_KINDS: usize = 8;

impl Work {
    /// Whether time of this kind moves with a unit rewritten in Rust: codebase Python, and
    /// library Python too when `candidates.library_python_movable` is set (docs/scoring.md
    /// §2). Native code, the collector, allocation, the regex engine, the compiler and
    /// waiting stay as they are.
    pub fn is_movable(self, config: &Config) -> bool {
        self == Work::Python || (self == Work::Library && config.candidates.library_python_movable)
    }

    /// The work of time in a native subsystem other than dispatch.
    fn of_subsystem(s: Subsystem) -> Work {
        match s {
            Subsystem::Gc => Work::Gc,
            Subsystem::Alloc => Work::Alloc,
            Subsystem::Regex => Work::Regex,
            Subsystem::Compile => Work::Compile,
            Subsystem::Dispatch | Subsystem::OtherC => Work::Native,
        }
    }
}

/// A function's category, from where its samples land ([`crate::config::CategoryThresholds`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// Mostly interpreted Python.
    PurePython,
    /// Mostly native code already.
    NativeBound,
    /// Mostly waiting.
    IoBound,
    /// None of the above.
    Mixed,
}

impl Category {
    /// `pure_python`, `native_bound`, `io_bound` or `mixed` (the config and JSON names).
    pub fn as_str(self) -> &'static str {
        match self {
            Category::PurePython => "pure_python",
            Category::NativeBound => "native_bound",
            Category::IoBound => "io_bound",
            Category::Mixed => "mixed",
        }
    }

    /// Words for reports: `pure-Python compute`, `native-bound`, `I/O-bound`, `mixed`.
    pub fn label(self) -> &'static str {
        match self {
            Category::PurePython => "pure-Python compute",
            Category::NativeBound => "native-bound",
            Category::IoBound => "I/O-bound",
            Category::Mixed => "mixed",
        }
    }
}

/// Fractions of a function's total samples by [`Work`], each in [0, 1], summing to 1 (0 when
/// the function has no samples).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct WorkMix {
    /// Codebase Python.
    pub python: f64,
    /// Python outside the codebase.
    pub library: f64,
    /// Other native code ([`Work::Native`]).
    pub native: f64,
    /// Waiting.
    pub wait: f64,
    /// The garbage collector.
    pub gc: f64,
    /// Allocation and deallocation in C.
    pub alloc: f64,
    /// The regex engine.
    pub regex: f64,
    /// The parser and compiler.
    pub compile: f64,
}

impl WorkMix {
    /// The share in C of every kind: native, GC, allocation, regex and compile, in [0, 1].
    pub fn in_c(&self) -> f64 {
        self.native + self.gc + self.alloc + self.regex + self.compile
    }

    /// The share that a Rust rewrite does not speed up: [`Self::in_c`] plus waiting.
    pub fn not_movable(&self) -> f64 {
        self.in_c() + self.wait
    }
}

/// One isolation component: the count found, its penalty `x / (x + half_point)` in [0, 1) and
/// its weight.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Component {
    /// The key (`fan_in`, `callbacks`, ...).
    pub name: &'static str,
    /// The count `x` (call sites, functions, facts, lines; see docs/scoring.md).
    pub count: f64,
    /// `x / (x + half_point)`, in [0, 1).
    pub penalty: f64,
    /// The configured weight.
    pub weight: f64,
}

/// Ease of isolation in [0, 1]: `1 - Σ weight × penalty / Σ weight`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Isolation {
    /// The score, in [0, 1]; 1 is trivially cut out.
    pub score: f64,
    /// Every component, in documentation order.
    pub components: Vec<Component>,
}

/// One term of the effort estimate.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct EffortTerm {
    /// What it counts (`base`, `lines`, `complexity`, `entry_points`, ...).
    pub name: &'static str,
    /// The count (lines, complexity points, entry points, ...; 1 for `base`).
    pub count: f64,
    /// Ideal engineer-days it adds.
    pub days: f64,
}

/// Effort in ideal engineer-days, with the rough range.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Effort {
    /// The estimate, in ideal engineer-days (> 0).
    pub days: f64,
    /// `days / range_factor`.
    pub low: f64,
    /// `days × range_factor`.
    pub high: f64,
    /// The terms that add up to `days`.
    pub terms: Vec<EffortTerm>,
}

/// Projected end-to-end speedups (factors ≥ 1) at the low, mid and high per-unit speedups.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Projection {
    /// At the pessimistic per-unit speedup.
    pub low: f64,
    /// At the planning figure.
    pub mid: f64,
    /// At the optimistic per-unit speedup.
    pub high: f64,
}

/// A place a unit is called from, outside it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct CallSite {
    /// Dotted id of the calling definition.
    pub caller: String,
    /// The calling definition.
    #[serde(skip)]
    pub caller_def: FuncId,
    /// Dotted id of the unit member called.
    pub callee: String,
    /// The caller's file, relative to the source root.
    pub file: String,
    /// 1-based line of the call; `None` for a call seen only in the profile.
    pub line: Option<u32>,
    /// The call is inside a loop of the caller.
    pub in_loop: bool,
}

/// A warning that a candidate looks better than it is.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Trap {
    /// Big total share, small movable share: the time is in native code or waiting.
    TimeNotMovable {
        /// Total share, in [0, 1].
        total_share: f64,
        /// Movable share, in [0, 1].
        movable_share: f64,
        /// Share of the function's samples in C (native code, GC, allocation, the regex engine,
        /// the compiler), in [0, 1] of its total.
        native: f64,
        /// Share waiting, in [0, 1] of its total.
        wait: f64,
    },
    /// A small unit called from a loop by a hot caller that stays in Python: every call
    /// crosses the Python/Rust boundary.
    CalledInHotLoop {
        /// The caller's dotted id.
        caller: String,
        /// The caller's file.
        file: String,
        /// The call's line.
        line: u32,
        /// Share of the unit's total samples under that caller, in [0, 1].
        caller_fraction: f64,
    },
}

impl Trap {
    /// The trap's name as it is tagged in JSON (`kind`) and listed in CSV:
    /// `time_not_movable` or `called_in_hot_loop`.
    pub fn kind(&self) -> &'static str {
        match self {
            Trap::TimeNotMovable { .. } => "time_not_movable",
            Trap::CalledInHotLoop { .. } => "called_in_hot_loop",
        }
    }
}

/// A ranked candidate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Candidate {
    /// 1-based rank by priority.
    pub rank: usize,
    /// The function's dotted id (the same as `brownfield graph`'s).
    pub function: String,
    /// The definition.
    #[serde(skip)]
    pub def: FuncId,
    /// `function` or `method`.
    pub kind: &'static str,
    /// File relative to the source root.
    pub file: String,
    /// First line, 1-based.
    pub line: u32,
    /// Self (exclusive) share of all samples, in [0, 1].
    pub self_share: f64,
    /// Total (inclusive) share, in [0, 1]: samples with the function on the stack, once each.
    pub total_share: f64,
    /// Share of all samples that would run in Rust if the unit moved, in [0, 1], ≤ total.
    pub movable_share: f64,
    /// Confidence interval on `total_share` from the sample count (`[evidence] confidence`;
    /// [`crate::evidence::wilson`]); `None` when samples cannot be counted.
    pub total_interval: Option<crate::evidence::Interval>,
    /// Confidence interval on `movable_share`, likewise.
    pub movable_interval: Option<crate::evidence::Interval>,
    /// Where the function's samples land.
    pub work: WorkMix,
    /// Its category.
    pub category: Category,
    /// Dotted ids of the unit's members (the function first, then sorted); shared with the
    /// resamples that score the same unit.
    pub unit: Arc<Vec<String>>,
    /// Members of the unit, as definitions (same order as `unit`).
    #[serde(skip)]
    pub unit_defs: Arc<Vec<FuncId>>,
    /// Members taken along as copies, dotted ids, sorted: tiny helpers the unit calls that
    /// would not pay for a boundary of their own (Python keeps its version for other callers).
    pub copies: Vec<String>,
    /// Methods of the unit that outside code can override or reach by name, sorted.
    pub public_methods: Vec<PublicMethod>,
    /// The function is a constructor (`__init__`, `__new__`, `__post_init__`) whose unit has
    /// no loop: its time is setting up the object's Python state (attributes, containers),
    /// which a Rust version would have to build just the same.
    pub object_setup: bool,
    /// Lines of code of the unit (non-blank, non-comment).
    pub unit_lines: u32,
    /// Members called from outside the unit (its boundary), dotted ids, sorted.
    pub entry_points: Vec<String>,
    /// Calls into the unit from outside, sorted.
    pub incoming: Arc<Vec<CallSite>>,
    /// Codebase definitions outside the unit that it calls (callbacks), sorted.
    pub callbacks: Vec<String>,
    /// Functions of Python outside the codebase (`module.function`, sorted) whose samples
    /// count in the movable share: the rewrite replaces them too (an effort term).
    pub library_functions: Vec<String>,
    /// Ease of isolation.
    pub isolation: Isolation,
    /// Effort estimate.
    pub effort: Effort,
    /// The per-unit speedup range assumed for the category.
    pub assumed_speedup: Range,
    /// The boundary's cost per call, when the unit's code bounds the time of a call (no loop,
    /// no recursion); `None` otherwise.
    pub crossing: Option<Crossing>,
    /// `assumed_speedup` once the crossing is paid ([`effective`]); the projection uses it.
    pub effective_speedup: Range,
    /// Projected end-to-end speedup if only this unit moved.
    pub projected_speedup: Projection,
    /// Fraction of the run's time saved at the mid speedup, `1 - 1 / mid`, per ideal
    /// engineer-day: the ranking key.
    pub priority: f64,
    /// Flags.
    pub traps: Vec<Trap>,
    /// One line saying why it ranks where it does.
    pub why: String,
}

impl Candidate {
    /// The share of the whole run (a fraction in [0, 1]) moving this candidate's unit saves at
    /// the effective mid speedup: `movable_share × (1 − 1/speedup)`, Amdahl's law for one part.
    /// The plan compares it with `plan.min_marginal_gain`.
    pub fn marginal_gain(&self) -> f64 {
        self.movable_share * (1.0 - 1.0 / self.effective_speedup.mid)
    }

    /// True when its crossing costs at least as much as its Rust body would ([`Crossing::eats_gain`]).
    pub fn crossing_eats_gain(&self) -> bool {
        self.crossing.is_some_and(|c| c.eats_gain)
    }

    /// False when its time cannot move to Rust: native- or I/O-bound, or flagged
    /// [`Trap::TimeNotMovable`].
    pub fn is_movable(&self) -> bool {
        !matches!(self.category, Category::NativeBound | Category::IoBound)
            && !self
                .traps
                .iter()
                .any(|t| matches!(t, Trap::TimeNotMovable { .. }))
    }
}

/// The ranking of a profile against a codebase.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scores {
    /// Candidates by priority (descending), ties broken by movable share (descending), then id.
    pub candidates: Vec<Candidate>,
    /// The profile total, in the profile's unit (the denominator of every share).
    pub total: u64,
    /// Shares of all samples by [`Work`].
    pub work: WorkMix,
}

/// Amdahl's law: the end-to-end speedup when a share `p` in [0, 1] of the run becomes `s`
/// times faster (`s ≥ 1`; `s = ∞` gives `1 / (1 - p)`). The result is in `[1, 1 / (1 - p)]`.
pub fn amdahl(p: f64, s: f64) -> f64 {
    amdahl_parts([(p, s)])
}

/// Amdahl's law for several disjoint parts `(pᵢ, sᵢ)` of the run:
/// `1 / ((1 - Σ pᵢ) + Σ pᵢ / sᵢ)`, with `Σ pᵢ` clamped to [0, 1] and `sᵢ = ∞` contributing 0.
/// No parts gives 1.
pub fn amdahl_parts(parts: impl IntoIterator<Item = (f64, f64)>) -> f64 {
    let (mut p, mut rest) = (0.0, 0.0);
    for (q, s) in parts {
        p += q;
        if !s.is_infinite() {
            rest += q / s;
        }
    }
    let denom = (1.0 - p.clamp(0.0, 1.0)) + rest;
    if denom <= 0.0 {
        f64::INFINITY
    } else {
        1.0 / denom
    }
}

/// Standard-library modules whose code mostly waits: sockets, processes, threads, event
/// loops, and file-system calls.
const WAIT_MODULES: &[&str] = &[
    "asyncio",
    "concurrent",
    "ftplib",
    "http",
    "imaplib",
    "multiprocessing",
    "pathlib",
    "poplib",
    "queue",
    "select",
    "selectors",
    "shutil",
    "smtplib",
    "socket",
    "socketserver",
    "ssl",
    "subprocess",
    "tempfile",
    "threading",
    "urllib",
    "xmlrpc",
];

/// Standard-library modules whose Python code is a thin layer over C (compression, codecs),
/// besides [`C_STDLIB_MODULES`].
const NATIVE_WRAPPER_MODULES: &[&str] = &[
    "base64",
    "codecs",
    "encodings",
    "gzip",
    "tarfile",
    "zipfile",
];

/// C modules whose calls do bulk work (compression, hashing, parsing, regular expressions,
/// serialisation): a codebase line calling one spends its samples in C. Calls into the other
/// C modules ([`C_STDLIB_MODULES`]: `struct`, `math`, `operator`, `itertools`, `bisect`, ...)
/// are small, and the interpreter's call overhead dominates their lines; those lines stay
/// Python (the calibration in docs/scoring.md measured the difference on `pickle`).
const BULK_NATIVE_MODULES: &[&str] = &[
    "binascii",
    "bz2",
    "csv",
    "hashlib",
    "hmac",
    "json",
    "lzma",
    "marshal",
    "pickle",
    "re",
    "sqlite3",
    "unicodedata",
    "zlib",
];

/// Calls (as the graph names them) that wait.
const WAIT_CALLS: &[&str] = &["time.sleep", "input", "select.select"];

/// Builtins that do a whole collection's work in C in one call. (`min`, `max`, `sum` and
/// friends are left out: on a few arguments the interpreter's own work dominates.)
const NATIVE_BUILTINS: &[&str] = &["sorted"];

/// Methods of compiled regular expressions (`re.Pattern`). The resolver gives a value compiled
/// by `re.compile` the external id `re.compile()` (docs/graph.md), so `WORD_RE.match` on such a
/// value is `re.compile().match`; receivers it cannot follow (a parameter, a value from
/// outside the codebase) are recognised by their name (`LINE_RE`, `self.word_re`, `pattern`,
/// `regex`, `self.getCompiledRegExp()`).
const REGEX_METHODS: &[&str] = &[
    "findall",
    "finditer",
    "fullmatch",
    "match",
    "search",
    "split",
    "sub",
    "subn",
];

/// True for call text like `self.LINE_RE.match` or `pattern.sub`.
fn is_regex_call(callee: &str) -> bool {
    let Some((receiver, method)) = callee.rsplit_once('.') else {
        return false;
    };
    if !REGEX_METHODS.contains(&method) {
        return false;
    }
    let last = receiver.rsplit('.').next().unwrap_or(receiver);
    // A call's result (`self.getCompiledRegExp()`) is named by the function.
    let name = last.strip_suffix("()").unwrap_or(last).to_ascii_lowercase();
    name == "re"
        || name.ends_with("_re")
        || name.ends_with("regex")
        || name.ends_with("regexp")
        || name.ends_with("pattern")
        || name.ends_with("_pat")
}

/// Standard-library functions that are thin shells over a C subsystem: the line of theirs
/// that calls it is where py-spy (without `--native`) shows the subsystem's time. From
/// CPython 3.11's `Lib/`: `ast.parse` is `return compile(source, filename, mode, flags, ...)`;
/// `fnmatch.fnmatchcase` and `fnmatch.filter` match a compiled regex built by
/// `fnmatch.translate`.
const STDLIB_SHELLS: &[(&str, &str, Work)] = &[
    ("ast", "parse", Work::Compile),
    ("fnmatch", "fnmatchcase", Work::Regex),
    ("fnmatch", "filter", Work::Regex),
];

/// Builtins that compile source text (`compile`; `ast.parse` is [`STDLIB_SHELLS`]).
const COMPILE_BUILTINS: &[&str] = &["compile"];

/// The kind of work of Python code outside the codebase: by function for the thin shells of
/// [`STDLIB_SHELLS`], else by the module's top-level name. `re` and its `sre_*` helpers are
/// the regex engine's own Python (pattern compilation, the module-level wrappers).
fn library_work(module: &str, function: &str) -> Work {
    let top = top_module(module);
    if top == "re" || top.starts_with("sre_") {
        return Work::Regex;
    }
    if let Some(&(_, _, w)) = STDLIB_SHELLS
        .iter()
        .find(|(m, f, _)| *m == module && *f == function)
    {
        return w;
    }
    if WAIT_MODULES.contains(&top) {
        Work::Wait
    } else if C_STDLIB_MODULES.contains(&top) || NATIVE_WRAPPER_MODULES.contains(&top) {
        Work::Native
    } else {
        Work::Library
    }
}

/// The work of a call into a bulk C module ([`BULK_NATIVE_MODULES`]): the regex engine for
/// `re`, other native code for the rest.
fn bulk_work(top: &str) -> Work {
    if top == "re" {
        Work::Regex
    } else {
        Work::Native
    }
}

/// Where the time of every sample goes: one entry per distinct stack of the profile.
#[derive(Debug, Clone)]
pub struct Attribution {
    /// Per aggregated stack (zero-valued stacks left out), in the profile's stack order.
    pub stacks: Vec<StackFacts>,
    /// The profile total, in its unit.
    pub total: u64,
    /// Names (`module.function`) of the library functions [`StackFacts::library`] refers to.
    pub library_functions: Vec<String>,
    /// The profile has native frames of the interpreter (py-spy `--native`): GC, allocation
    /// and C subsystems are seen directly, not only through the calling line.
    pub native_frames: bool,
    /// The value of one sample ([`crate::evidence::sample_weight`]); `None` when samples
    /// cannot be counted.
    pub sample_weight: Option<u64>,
    /// The number of samples behind `total` (`total / sample_weight`).
    pub samples: Option<u64>,
}

/// One distinct stack's attribution.
#[derive(Debug, Clone)]
pub struct StackFacts {
    /// The stack (`None`: no frame recorded).
    pub stack: Option<crate::profile::StackId>,
    /// Its value, in the profile's unit.
    pub value: u64,
    /// The deepest codebase definition on the stack.
    pub owner: Option<FuncId>,
    /// The leaf frame itself is `owner`'s code (the sample is `owner`'s self time).
    pub leaf_is_owner: bool,
    /// The leaf frame's line, when the profile records it (1-based).
    pub leaf_line: Option<u32>,
    /// The kind of work at its leaf.
    pub work: Work,
    /// The distinct codebase definitions on the stack, root first.
    pub on_stack: Vec<FuncId>,
    /// The definition directly above each distinct definition on the stack (its caller in
    /// this stack), for the loop trap: (callee, caller).
    pub callers: Vec<(FuncId, FuncId)>,
    /// When `work` is [`Work::Library`]: the functions of the Python frames outside the
    /// codebase below the owner (the library code a rewrite of the owner would have to
    /// replace), as indices into [`Attribution::library_functions`]; else empty.
    pub library: Vec<u32>,
}

/// The top-level module of a dotted name or call text (`json.decoder.x` → `json`, `re.compile().match` → `re`).
fn top_module(id: &str) -> &str {
    let end = id.find(['.', '(', '[']).unwrap_or(id.len());
    &id[..end]
}

/// The work of a codebase line that calls `callee` (an external node's id), if the call puts
/// the line's time somewhere other than Python: waiting, the regex engine, the compiler, or
/// other native code.
fn call_work(callee: &str, imported: bool) -> Option<Work> {
    let top = top_module(callee);
    if WAIT_CALLS.contains(&callee) {
        Some(Work::Wait)
    } else if is_regex_call(callee) {
        Some(Work::Regex)
    } else if COMPILE_BUILTINS.contains(&callee) && !imported {
        Some(Work::Compile)
    } else if let Some(&(_, _, w)) = callee
        .rsplit_once('.')
        .and_then(|(m, f)| {
            STDLIB_SHELLS
                .iter()
                .find(|(sm, sf, _)| *sm == m && *sf == f)
        })
        .filter(|_| imported)
    {
        Some(w)
    } else if NATIVE_BUILTINS.contains(&callee) {
        Some(Work::Native)
    } else if imported && !crate::source::stdlib::is_stdlib(top) {
        // Third-party code called from this line with no Python frame of its own in the
        // sample: compiled code.
        Some(Work::Native)
    } else if imported || C_STDLIB_MODULES.contains(&top) {
        match library_work(top, "") {
            Work::Wait => Some(Work::Wait),
            Work::Native | Work::Regex if BULK_NATIVE_MODULES.contains(&top) => {
                Some(bulk_work(top))
            }
            _ => None,
        }
    } else {
        None
    }
}

/// Lines of each definition whose samples are not Python (waiting, regex, compile, native),
/// from its static edges to external nodes and its I/O facts.
fn line_kinds(graph: &CallGraph, index: &SourceIndex) -> FxHashMap<(FuncId, u32), Work> {
    let mut out = FxHashMap::default();
    let g = graph.graph();
    for i in 0..graph.defs() {
        let def = FuncId::from_index(i);
        for e in g.edges(graph.node_of(def)) {
            let target = &g[e.target()];
            if target.kind != NodeKind::External || e.weight().kind != EdgeKind::Static {
                continue;
            }
            let Some(work) = call_work(&target.id, graph.is_imported(e.target())) else {
                continue;
            };
            for &line in &e.weight().sites {
                let slot = out.entry((def, line)).or_insert(work);
                if work == Work::Wait {
                    *slot = Work::Wait;
                }
            }
        }
        for fact in &index.syntax(def).facts.io {
            out.insert((def, fact.line), Work::Wait);
        }
    }
    out
}

/// True when the profile has native frames of the interpreter itself (py-spy `--native`).
fn has_interpreter_frames(profile: &Profile) -> bool {
    profile.frame_ids().any(|f| {
        let frame = profile.frame(f);
        frame.kind == FrameKind::Native
            && frame
                .file
                .is_some_and(|s| crate::cpython::is_interpreter_object(profile.string(s)))
    })
}

/// Classifies frames and stacks (module documentation, "Where a sample's time goes"),
/// remembering each frame's answers: stacks share frames.
struct Classifier<'a> {
    profile: &'a Profile,
    mapping: &'a Mapping,
    lines: FxHashMap<(FuncId, u32), Work>,
    /// Native frames are in the profile: a Python leaf is the interpreter running that line,
    /// so the line's calls do not decide its work.
    native_frames: bool,
    /// Per frame, computed on first use: its work as a Python leaf, its native subsystem,
    /// whether it is idle.
    python_work: Vec<Option<Work>>,
    subsystem: Vec<Option<Subsystem>>,
    idle: Vec<Option<bool>>,
}

impl Classifier<'_> {
    /// The work of time spent running Python frame `f` itself.
    fn python_frame(&mut self, f: crate::profile::FrameId) -> Work {
        if let Some(w) = self.python_work[f.index()] {
            return w;
        }
        let frame = self.profile.frame(f);
        let file = frame.file.map(|s| self.profile.string(s));
        let work = match self.mapping.def_of(f) {
            Some(_) if self.native_frames => Work::Python,
            Some(d) => frame
                .line
                .and_then(|l| self.lines.get(&(d, l.get())).copied())
                .unwrap_or(Work::Python),
            None if file.is_some_and(crate::mapping::is_stdlib_path) => {
                let module = file.map(crate::mapping::python_module_of_path);
                let module = module.as_deref().unwrap_or("");
                let function = self.profile.string(frame.function);
                let function = function.rsplit('.').next().unwrap_or(function);
                match library_work(module, function) {
                    // py-spy `--native` keeps only some libpython frames (GC, `sre_*`,
                    // `unicode*`, ...): the parser under `ast.parse` still shows on its line.
                    w @ (Work::Wait | Work::Compile | Work::Regex) => w,
                    _ if self.native_frames => Work::Library,
                    w => w,
                }
            }
            None => Work::Native,
        };
        self.python_work[f.index()] = Some(work);
        work
    }

    fn subsystem(&mut self, f: crate::profile::FrameId) -> Subsystem {
        *self.subsystem[f.index()].get_or_insert_with(|| {
            let frame = self.profile.frame(f);
            crate::cpython::classify(
                self.profile.string(frame.function),
                frame.file.map(|s| self.profile.string(s)),
            )
        })
    }

    /// The work of a stack (`frames`, root first): idle leaves wait; native frames below the
    /// deepest Python frame are classified by subsystem (dispatch counts as that Python
    /// frame's own time); a Python leaf by [`Self::python_frame`].
    fn stack_work(&mut self, frames: &[crate::profile::FrameId]) -> Work {
        let Some(&leaf) = frames.last() else {
            return Work::Native;
        };
        let profile = self.profile;
        if *self.idle[leaf.index()]
            .get_or_insert_with(|| crate::profile::transform::is_idle_frame(profile, leaf))
        {
            return Work::Wait;
        }
        let kind = |f: &crate::profile::FrameId| profile.frame(*f).kind;
        let last_python = frames.iter().rposition(|f| kind(f) == FrameKind::Python);
        let below = &frames[last_python.map_or(0, |i| i + 1)..];
        let segment = below
            .iter()
            .filter(|f| kind(f) == FrameKind::Native)
            .map(|&f| self.subsystem(f))
            .collect::<smallvec::SmallVec<[Subsystem; 4]>>();
        match (crate::cpython::of_segment(segment), last_python) {
            (Some(Subsystem::Dispatch), Some(i)) => self.python_frame(frames[i]),
            (Some(s), _) => Work::of_subsystem(s),
            (None, _) => match kind(&leaf) {
                FrameKind::Python => self.python_frame(leaf),
                FrameKind::Idle => Work::Wait,
                _ => Work::Native,
            },
        }
    }
}

/// Classifies every stack of `profile`: owner, work and the codebase definitions on it
/// (module documentation, "Where a sample's time goes").
pub fn attribute(
    profile: &Profile,
    mapping: &Mapping,
    index: &SourceIndex,
    graph: &CallGraph,
) -> Attribution {
    let native_frames = has_interpreter_frames(profile);
    let mut classifier = Classifier {
        profile,
        mapping,
        lines: line_kinds(graph, index),
        native_frames,
        python_work: vec![None; profile.frame_count()],
        subsystem: vec![None; profile.frame_count()],
        idle: vec![None; profile.frame_count()],
    };
    let mut stacks = Vec::new();
    let mut frames = Vec::new();
    let mut library_names = LibraryNames::default();
    // The last stack (its number) each definition was put on `on_stack` for: a definition
    // seen again up the same stack (recursion) is found in O(1), not by a scan.
    let mut seen_in: Vec<u32> = vec![u32::MAX; index.functions().len()];
    for (number, s) in profile.values_by_stack().iter().enumerate() {
        if s.value == 0 {
            continue;
        }
        let number = u32::try_from(number).unwrap_or(u32::MAX - 1);
        profile.frames_root_to_leaf(s.stack, &mut frames);
        let mut on_stack: Vec<FuncId> = Vec::new();
        let mut callers: Vec<(FuncId, FuncId)> = Vec::new();
        let mut owner = None;
        let mut owner_at = None;
        let mut previous: Option<FuncId> = None;
        let leaf_is_owner = frames.last().is_some_and(|&f| mapping.def_of(f).is_some());
        let leaf_line = frames
            .last()
            .and_then(|&f| profile.frame(f).line)
            .map(|l| l.get());
        for (i, &f) in frames.iter().enumerate() {
            if let Some(d) = mapping.def_of(f) {
                if std::mem::replace(&mut seen_in[d.index()], number) != number {
                    on_stack.push(d);
                    if let Some(p) = previous
                        && p != d
                    {
                        callers.push((d, p));
                    }
                }
                owner = Some(d);
                owner_at = Some(i);
                previous = Some(d);
            }
        }
        let mut work = classifier.stack_work(&frames);
        // Without native frames, interpreter time cannot be told apart; with them, dispatch
        // under code outside the codebase is that code's.
        if owner.is_none() && work == Work::Python {
            work = Work::Native;
        }
        let library = match (work, owner_at) {
            (Work::Library, Some(i)) => frames[i + 1..]
                .iter()
                .filter(|&&f| profile.frame(f).kind == FrameKind::Python)
                .map(|&f| library_names.id(profile, f))
                .collect(),
            _ => Vec::new(),
        };
        stacks.push(StackFacts {
            stack: s.stack,
            value: s.value,
            owner,
            leaf_is_owner,
            leaf_line,
            work,
            on_stack,
            callers,
            library,
        });
    }
    let sample_weight = crate::evidence::sample_weight(profile);
    Attribution {
        stacks,
        total: profile.total(),
        library_functions: library_names.names,
        native_frames,
        sample_weight,
        samples: sample_weight.map(|w| profile.total() / w),
    }
}

/// Interned `module.function` names of library frames.
#[derive(Default)]
struct LibraryNames {
    ids: FxHashMap<(Option<crate::profile::StrId>, crate::profile::StrId), u32>,
    names: Vec<String>,
}

impl LibraryNames {
    fn id(&mut self, profile: &Profile, f: crate::profile::FrameId) -> u32 {
        let frame = profile.frame(f);
        let names = &mut self.names;
        *self
            .ids
            .entry((frame.file, frame.function))
            .or_insert_with(|| {
                let module = frame
                    .file
                    .map(|s| crate::mapping::python_module_of_path(profile.string(s)))
                    .unwrap_or_default();
                let function = profile.string(frame.function);
                names.push(if module.is_empty() {
                    function.to_string()
                } else {
                    format!("{module}.{function}")
                });
                (names.len() - 1) as u32
            })
    }
}

/// Ranks the codebase's hot functions. `graph` must have been built from the same `profile`
/// and `mapping` (its dynamic edges and entry points come from them).
pub fn score(
    profile: &Profile,
    mapping: &Mapping,
    index: &SourceIndex,
    graph: &CallGraph,
    config: &Config,
) -> Scores {
    let attribution = attribute(profile, mapping, index, graph);
    score_attributed(&attribution, index, graph, config)
}

/// [`score`] from an [`attribute`] result, for callers that need the attribution too (the
/// plan's "after" flamegraph).
pub fn score_attributed(
    attribution: &Attribution,
    index: &SourceIndex,
    graph: &CallGraph,
    config: &Config,
) -> Scores {
    score_and_freeze(attribution, index, graph, config).0
}

/// The units of a scoring, kept to score resamples of the same profile
/// ([`score_with_units`]): the code, the call graph and which helpers are tiny do not change
/// when the samples are drawn again, and recomputing them would cost most of a scoring.
pub struct FrozenUnits<'a> {
    units: Units<'a>,
    index: &'a SourceIndex,
    graph: &'a CallGraph,
    /// What bounds a call, per definition.
    facts: CodeFacts,
    /// Names of the codebase's classes (annotations naming one are objects that cross).
    class_names: FxHashSet<&'a str>,
    /// `[exclude]`, compiled.
    excluded: Exclusions,
    /// Per definition, its unit's shape, for those that were candidates.
    shapes: Vec<Option<Shape>>,
}

/// [`score_attributed`], also returning its units for [`score_with_units`].
pub fn score_and_freeze<'a>(
    attribution: &Attribution,
    index: &'a SourceIndex,
    graph: &'a CallGraph,
    config: &Config,
) -> (Scores, FrozenUnits<'a>) {
    let mut frozen = FrozenUnits {
        units: Units::new(graph, index),
        index,
        graph,
        facts: CodeFacts::new(graph, index),
        class_names: index
            .functions()
            .iter()
            .filter(|f| f.kind == DefKind::Class)
            .map(|f| f.name.as_str())
            .collect(),
        excluded: Exclusions::new(config),
        shapes: Vec::new(),
    };
    let (scores, shapes) = score_impl(attribution, None, &frozen, config);
    frozen.shapes = shapes;
    (scores, frozen)
}

/// Scores a resample of `attribution` (the profile `frozen` was made from): `values` are the
/// redrawn values of its stacks, in order ([`crate::evidence::resample`]). The units are
/// `frozen`'s (a definition that was not a candidate there is not one here: a resample only
/// redraws existing stacks).
pub fn score_with_units(
    attribution: &Attribution,
    values: &[u64],
    frozen: &FrozenUnits,
    config: &Config,
) -> Scores {
    score_impl(attribution, Some(values), frozen, config).0
}

/// Per definition, what one pass over the attributed stacks finds: self value, work mix
/// (whose sum is the total value: each definition once per stack), the stacks each definition
/// is on (so a candidate reads only its own), and its own movable samples on lines that run
/// once per call (the crossing bound's evidence).
struct Tally {
    self_value: Vec<u64>,
    mix: Vec<[u64; WORK_KINDS]>,
    overall: [u64; WORK_KINDS],
    stacks_of: Vec<Vec<u32>>,
    straight: Vec<u64>,
}

fn tally(
    attribution: &Attribution,
    value_of: &impl Fn(usize) -> u64,
    frozen: &FrozenUnits,
    config: &Config,
) -> Tally {
    let n = frozen.graph.defs();
    let mut t = Tally {
        self_value: vec![0; n],
        mix: vec![[0; WORK_KINDS]; n],
        overall: [0; WORK_KINDS],
        stacks_of: vec![Vec::new(); n],
        straight: vec![0; n],
    };
    for (k, s) in attribution.stacks.iter().enumerate() {
        let value = value_of(k);
        if value == 0 {
            continue;
        }
        t.overall[s.work as usize] += value;
        if s.leaf_is_owner
            && let Some(o) = s.owner
        {
            t.self_value[o.index()] += value;
            if s.work.is_movable(config)
                && s.leaf_line
                    .is_some_and(|l| frozen.facts.runs_once_per_call(frozen.index, o, l))
            {
                t.straight[o.index()] += value;
            }
        }
        for &d in &s.on_stack {
            t.mix[d.index()][s.work as usize] += value;
            t.stacks_of[d.index()].push(k as u32);
        }
    }
    t
}

/// The scoring of `attribution`, or of a resample of it when `values` (the redrawn stack
/// values) are given: then with `frozen`'s unit shapes, and without the "why" lines nobody
/// reads; else the shapes are computed and returned.
fn score_impl(
    attribution: &Attribution,
    values: Option<&[u64]>,
    frozen: &FrozenUnits,
    config: &Config,
) -> (Scores, Vec<Option<Shape>>) {
    let (index, graph, units) = (frozen.index, frozen.graph, &frozen.units);
    let fixed = values.map(|_| frozen.shapes.as_slice());
    let value_of = |k: usize| values.map_or(attribution.stacks[k].value, |v| v[k]);
    let total = values.map_or(attribution.total, |v| {
        v.iter().fold(0u64, |sum, &x| sum.saturating_add(x))
    });
    let samples = match values {
        None => attribution.samples,
        Some(_) => attribution.sample_weight.map(|w| total / w.max(1)),
    };
    let n = graph.defs();
    let Tally {
        self_value,
        mix,
        overall,
        stacks_of,
        straight,
    } = tally(attribution, &value_of, frozen, config);
    let total_value: Vec<u64> = mix.iter().map(|m| m.iter().sum()).collect();
    let context = Context {
        index,
        graph,
        config,
        class_names: &frozen.class_names,
        attribution,
        facts: &frozen.facts,
    };
    let mixes: Vec<WorkMix> = mix.iter().map(work_mix).collect();
    let root_samples = |i: usize| crossing::RootSamples {
        straight: straight[i],
        movable: mix[i][Work::Python as usize] + mix[i][Work::Library as usize],
    };
    let takes_along = match fixed {
        Some(_) => Vec::new(),
        None => crate::diagnostics::timed("score: crossing-bound helpers", || {
            call_bound::crossing_bound_defs(&context, units, &total_value, &mixes, &root_samples)
        }),
    };
    let mut shapes: Vec<Option<Shape>> = vec![None; if fixed.is_some() { 0 } else { n }];
    let mut candidates = Vec::new();
    for i in 0..n {
        let def = FuncId::from_index(i);
        let f = index.function(def);
        if !matches!(f.kind, DefKind::Function | DefKind::Method) {
            continue;
        }
        let total_share = ratio(total_value[i], total);
        if total_value[i] == 0 || total_share < config.candidates.min_total_share {
            continue;
        }
        let file = index.file(f.file);
        let qualname = graph.graph()[graph.node_of(def)].id.clone();
        if frozen.excluded.excludes(file, &qualname) {
            continue;
        }
        let computed = match fixed {
            Some(_) => None,
            None => Some(shape(
                &context,
                def,
                units.unit_of(def, |g| takes_along[g.index()]),
            )),
        };
        let Some(shape) = fixed.map_or(computed.as_ref(), |fixed| fixed[i].as_ref()) else {
            continue;
        };
        let reach = unit_reach(attribution, &value_of, &stacks_of[i], &shape.unit, config);
        let work = mixes[i];
        let category = categorize(&work, config);
        let movable_share = ratio(reach.movable, total).min(total_share);
        let measures = Measures {
            shares: Shares {
                self_share: ratio(self_value[i], total),
                total_share,
                movable_share,
                total_value: total_value[i],
            },
            work,
            category,
            reach,
            samples: root_samples(i),
        };
        candidates.push(build_candidate(
            &context, units, def, qualname, shape, measures,
        ));
        if computed.is_some() {
            shapes[i] = computed;
        }
    }
    candidates.sort_by(|a, b| {
        b.priority
            .total_cmp(&a.priority)
            .then(b.movable_share.total_cmp(&a.movable_share))
            .then_with(|| a.function.cmp(&b.function))
    });
    let interval = |share: f64| {
        samples.and_then(|n| crate::evidence::wilson(share, n, config.evidence.confidence))
    };
    for (i, c) in candidates.iter_mut().enumerate() {
        c.rank = i + 1;
        c.total_interval = interval(c.total_share);
        c.movable_interval = interval(c.movable_share);
        if values.is_none() {
            c.why = why(c);
        }
    }
    let scores = Scores {
        candidates,
        total,
        work: work_mix(&overall),
    };
    (scores, shapes)
}

struct Shares {
    self_share: f64,
    total_share: f64,
    movable_share: f64,
    total_value: u64,
}

fn work_mix(values: &[u64; WORK_KINDS]) -> WorkMix {
    let sum: u64 = values.iter().sum();
    let of = |w: Work| ratio(values[w as usize], sum);
    WorkMix {
        python: of(Work::Python),
        library: of(Work::Library),
        native: of(Work::Native),
        wait: of(Work::Wait),
        gc: of(Work::Gc),
        alloc: of(Work::Alloc),
        regex: of(Work::Regex),
        compile: of(Work::Compile),
    }
}

/// The category from the work mix: pure Python (codebase and library Python together), then
/// native-bound, then I/O-bound, else mixed.
pub fn categorize(work: &WorkMix, config: &Config) -> Category {
    let t = &config.category;
    if work.python + work.library >= t.pure_python_min {
        Category::PurePython
    } else if work.in_c() >= t.native_bound_min {
        Category::NativeBound
    } else if work.wait >= t.io_bound_min {
        Category::IoBound
    } else {
        Category::Mixed
    }
}

/// The speedup range assumed for a category.
pub fn assumed_speedup(category: Category, config: &Config) -> Range {
    let s = &config.speedup;
    match category {
        Category::PurePython => s.pure_python,
        Category::Mixed => s.mixed,
        Category::NativeBound => s.native_bound,
        Category::IoBound => s.io_bound,
    }
}

/// Glob matchers of [`crate::config::Exclude`].
struct Exclusions {
    paths: globset::GlobSet,
    functions: globset::GlobSet,
}

impl Exclusions {
    fn new(config: &Config) -> Exclusions {
        // Globs were validated when the config was read; an invalid one matches nothing.
        let set = |globs: &[String]| {
            let mut b = globset::GlobSetBuilder::new();
            for g in globs {
                if let Ok(g) = globset::Glob::new(g) {
                    b.add(g);
                }
            }
            b.build().unwrap_or_else(|_| globset::GlobSet::empty())
        };
        Exclusions {
            paths: set(&config.exclude.paths),
            functions: set(&config.exclude.functions),
        }
    }

    /// Whether `[exclude]` leaves out `function` of `file`: a path glob matches the file's
    /// path relative to its root or its displayed path (which starts with the root when there
    /// are several), or a function glob matches its id.
    fn excludes(&self, file: &SourceFile, function: &str) -> bool {
        self.paths.is_match(&file.rel_path)
            || self.paths.is_match(&file.path)
            || self.functions.is_match(function)
    }
}

/// `x / (x + half)`, in [0, 1).
fn penalty(x: f64, half: f64) -> f64 {
    if x <= 0.0 { 0.0 } else { x / (x + half) }
}

/// What the scoring of every candidate shares.
struct Context<'a> {
    index: &'a SourceIndex,
    graph: &'a CallGraph,
    config: &'a Config,
    /// Names of the codebase's classes (annotations naming one are objects that cross).
    class_names: &'a FxHashSet<&'a str>,
    /// The attribution, for library function names.
    attribution: &'a Attribution,
    /// What bounds a call, per definition.
    facts: &'a CodeFacts,
}

impl Context<'_> {
    /// The boundary's cost of a unit with `callbacks` calls back into Python per call, when
    /// its code or its samples bound a call ([`crossing`]); `work` is the root's work mix,
    /// `samples` what the samples say about the root.
    fn crossing_of(
        &self,
        units: &Units,
        unit: &UnitMembers,
        root: FuncId,
        work: &WorkMix,
        samples: crossing::RootSamples,
        callbacks: usize,
    ) -> Option<Crossing> {
        if unit.members.iter().any(|&m| units.is_recursive(m)) {
            return None;
        }
        let bodies = unit.members.iter().map(|&m| self.facts.body(m));
        let python_ns = if bodies.clone().all(|b| b.loops <= u32::from(b.generator)) {
            let moved = work.python + work.library;
            let fraction = if moved > 0.0 {
                work.python / moved
            } else {
                0.0
            };
            crossing::python_ns_per_call(self.config, bodies, false, fraction)?
        } else {
            crossing::sampled_ns_per_call(self.config, self.facts.body(root), samples)?
        };
        let mid = assumed_speedup(categorize(work, self.config), self.config).mid;
        Some(crossing::crossing(self.config, python_ns, callbacks, mid))
    }

    fn id_of(&self, d: FuncId) -> String {
        self.graph.graph()[self.graph.node_of(d)].id.clone()
    }

    fn file_of(&self, d: FuncId) -> String {
        self.index.file(self.index.function(d).file).path.clone()
    }
}

/// What a unit reaches in the samples: its movable value, the callers outside it that bring
/// stacks into it, and the library functions whose time it moves.
struct Reach {
    /// Value of samples with the function on the stack, owned by a member, movable.
    movable: u64,
    /// Per caller outside the unit: value of the stacks it brought into the unit.
    by_caller: FxHashMap<FuncId, u64>,
    /// Library functions in movable samples owned by members ([`StackFacts::library`]).
    library: BTreeSet<u32>,
}

/// [`Reach`] of `unit` over the stacks (`stacks`, indices into the attribution) that have the
/// candidate on them.
fn unit_reach(
    attribution: &Attribution,
    value_of: &impl Fn(usize) -> u64,
    stacks: &[u32],
    unit: &UnitMembers,
    config: &Config,
) -> Reach {
    let (copies, unit) = (&unit.copies, &unit.members);
    let mut reach = Reach {
        movable: 0,
        by_caller: FxHashMap::default(),
        library: BTreeSet::new(),
    };
    for &k in stacks {
        let s = &attribution.stacks[k as usize];
        // A copy's time moves only where the unit itself called it: up this stack's callers,
        // through copies, to a member that is not a copy.
        let called_from_unit = |o: FuncId| {
            let mut current = o;
            for _ in 0..=copies.len() {
                if !copies.contains(&current) {
                    return true;
                }
                match s.callers.iter().find(|&&(callee, _)| callee == current) {
                    Some(&(_, caller)) if unit.contains(&caller) => current = caller,
                    _ => return false,
                }
            }
            false
        };
        if let Some(o) = s.owner
            && unit.contains(&o)
            && s.work.is_movable(config)
            && called_from_unit(o)
        {
            reach.movable += value_of(k as usize);
            reach.library.extend(s.library.iter().copied());
        }
        // Which caller outside the unit brought the stack into it.
        if let Some(&(_, caller)) = s.callers.iter().find(|(callee, caller)| {
            // Copies are not entered from outside: Python keeps its own version.
            unit.contains(callee) && !copies.contains(callee) && !unit.contains(caller)
        }) {
            *reach.by_caller.entry(caller).or_default() += value_of(k as usize);
        }
    }
    reach
}

/// The unit's boundary: calls into it from outside, its entry points, and the codebase
/// functions outside it that it calls.
#[derive(Clone)]
struct Boundary {
    incoming: Arc<Vec<CallSite>>,
    entry_points: BTreeSet<FuncId>,
    callbacks: BTreeSet<String>,
    /// Distinct places (member, line; a profile-only call counts once per member) that call
    /// a callback: one crossing back into Python each. A call site dispatching to several
    /// overrides is one place.
    callback_sites: usize,
}

fn boundary(cx: &Context, def: FuncId, members: &UnitMembers) -> Boundary {
    let unit = &members.members;
    let (graph, index) = (cx.graph, cx.index);
    let g = graph.graph();
    let outside = |n: petgraph::graph::NodeIndex| {
        n.index() < graph.defs() && !unit.contains(&FuncId::from_index(n.index()))
    };
    let mut incoming: Vec<CallSite> = Vec::new();
    let mut entry_points: BTreeSet<FuncId> = BTreeSet::new();
    let mut callbacks: BTreeSet<String> = BTreeSet::new();
    let mut callback_sites: BTreeSet<(FuncId, u32)> = BTreeSet::new();
    for &m in unit {
        let node = graph.node_of(m);
        // Static calls first: a caller with a static edge needs no profile-only site.
        let mut static_callers: FxHashSet<usize> = FxHashSet::default();
        // Outside callers of a copy keep calling Python's own version.
        let copy = members.copies.contains(&m);
        for e in g.edges_directed(node, Direction::Incoming) {
            if copy || !outside(e.source()) {
                continue;
            }
            entry_points.insert(m);
            let caller = FuncId::from_index(e.source().index());
            if e.weight().kind == EdgeKind::Static {
                static_callers.insert(e.source().index());
                let caller_syntax = index.syntax(caller);
                for &line in &e.weight().sites {
                    incoming.push(CallSite {
                        caller: cx.id_of(caller),
                        caller_def: caller,
                        callee: cx.id_of(m),
                        file: cx.file_of(caller),
                        line: Some(line),
                        in_loop: caller_syntax.in_loop(line),
                    });
                }
            }
        }
        for e in g.edges_directed(node, Direction::Incoming) {
            if e.weight().kind == EdgeKind::Dynamic
                && !copy
                && outside(e.source())
                && !static_callers.contains(&e.source().index())
            {
                let caller = FuncId::from_index(e.source().index());
                incoming.push(CallSite {
                    caller: cx.id_of(caller),
                    caller_def: caller,
                    callee: cx.id_of(m),
                    file: cx.file_of(caller),
                    line: None,
                    in_loop: false,
                });
            }
        }
        for e in g.edges(node) {
            if outside(e.target()) {
                let target = FuncId::from_index(e.target().index());
                if matches!(
                    index.function(target).kind,
                    DefKind::Function | DefKind::Method
                ) {
                    callbacks.insert(cx.id_of(target));
                    let sites = &e.weight().sites;
                    if sites.is_empty() {
                        callback_sites.insert((m, 0));
                    }
                    callback_sites.extend(sites.iter().map(|&l| (m, l)));
                }
            }
        }
    }
    incoming.sort();
    incoming.dedup();
    entry_points.insert(def);
    Boundary {
        incoming: Arc::new(incoming),
        entry_points,
        callbacks,
        callback_sites: callback_sites.len(),
    }
}

/// Facts summed over a unit's members.
#[derive(Default, Clone)]
struct UnitFacts {
    dynamic: usize,
    global_writes: usize,
    io: usize,
    /// Distinct `self` attributes read and written, per class.
    self_reads: usize,
    self_writes: usize,
    generators_async: bool,
    lines: u32,
    complexity: u32,
}

fn unit_facts(index: &SourceIndex, unit: &BTreeSet<FuncId>) -> UnitFacts {
    let mut f = UnitFacts::default();
    let mut self_reads: BTreeSet<(FuncId, &str)> = BTreeSet::new();
    let mut self_writes: BTreeSet<(FuncId, &str)> = BTreeSet::new();
    for &m in unit {
        let s = index.syntax(m);
        let class = index
            .function(m)
            .parent
            .filter(|_| index.function(m).kind == DefKind::Method);
        f.dynamic += s.facts.dynamic.len();
        f.global_writes += s.facts.global_writes.len()
            + s.facts.nonlocal_writes.len()
            + s.facts.module_state_writes.len();
        f.io += s.facts.io.len();
        if let Some(c) = class {
            self_reads.extend(s.facts.self_reads.iter().map(|a| (c, a.as_str())));
            self_writes.extend(s.facts.self_writes.iter().map(|a| (c, a.as_str())));
        }
        f.generators_async |= s.is_generator || s.is_async;
        f.lines += s.code_lines;
        f.complexity += s.complexity;
    }
    f.self_reads = self_reads.len();
    f.self_writes = self_writes.len();
    f
}

/// Ease of isolation (docs/scoring.md §5) from the boundary and the unit's facts.
fn isolation(cx: &Context, b: &Boundary, facts: &UnitFacts) -> Isolation {
    let index = cx.index;
    let entry_methods = b
        .entry_points
        .iter()
        .filter(|&&m| index.function(m).kind == DefKind::Method)
        .count();
    // Parameters of entry points annotated with a codebase class: objects that cross.
    let class_params = b
        .entry_points
        .iter()
        .flat_map(|&m| index.syntax(m).params.iter())
        .filter(|p| {
            p.annotation.as_deref().is_some_and(|a| {
                a.split(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .any(|token| cx.class_names.contains(token))
            })
        })
        .count();
    let callers: BTreeSet<FuncId> = b.incoming.iter().map(|c| c.caller_def).collect();
    // Each calling function beyond the first counts 1; each further call site in a function
    // already counted, 0.5.
    let fan_in = callers.len().saturating_sub(1) as f64
        + 0.5 * b.incoming.len().saturating_sub(callers.len()) as f64;
    let counts = [
        fan_in,
        b.callbacks.len() as f64,
        facts.dynamic as f64,
        facts.global_writes as f64,
        facts.io as f64,
        (facts.self_reads + 2 * facts.self_writes + 2 * entry_methods + 2 * class_params) as f64,
        if facts.generators_async { 1.0 } else { 0.0 },
        f64::from(facts.lines),
    ];
    let weights = cx.config.isolation.weights.named();
    let halves = cx.config.isolation.half_points.named();
    let components: Vec<Component> = counts
        .iter()
        .zip(weights.iter().zip(halves.iter()))
        .map(|(&count, (&(name, weight), &(_, half)))| Component {
            name,
            count,
            penalty: penalty(count, half),
            weight,
        })
        .collect();
    let weight_sum: f64 = components.iter().map(|c| c.weight).sum();
    let weighted: f64 = components.iter().map(|c| c.weight * c.penalty).sum();
    let score = if weight_sum > 0.0 {
        (1.0 - weighted / weight_sum).clamp(0.0, 1.0)
    } else {
        1.0
    };
    Isolation { score, components }
}

/// Effort in ideal engineer-days (docs/scoring.md §6).
fn effort(config: &Config, b: &Boundary, facts: &UnitFacts, library_functions: usize) -> Effort {
    let e = &config.effort;
    let term = |name, count: f64, per: f64| EffortTerm {
        name,
        count,
        days: count * per,
    };
    let entry_points = b.entry_points.len().saturating_sub(1) as f64;
    let generators = if facts.generators_async { 1.0 } else { 0.0 };
    let terms = vec![
        term("base", 1.0, e.base_days),
        EffortTerm {
            name: "lines",
            count: f64::from(facts.lines),
            days: f64::from(facts.lines) / e.lines_per_day,
        },
        EffortTerm {
            name: "complexity",
            count: f64::from(facts.complexity),
            days: f64::from(facts.complexity) / e.complexity_per_day,
        },
        term("entry_points", entry_points, e.per_entry_point),
        term("callbacks", b.callbacks.len() as f64, e.per_callback),
        term(
            "dynamic_features",
            facts.dynamic as f64,
            e.per_dynamic_feature,
        ),
        term(
            "global_writes",
            facts.global_writes as f64,
            e.per_global_write,
        ),
        term("io_calls", facts.io as f64, e.per_io_call),
        term("generators_async", generators, e.generators_async),
        term(
            "library_functions",
            library_functions as f64,
            e.per_library_function,
        ),
    ];
    // At least a tenth of a day: a zero-cost unit would make the priority infinite.
    let days = terms.iter().map(|t| t.days).sum::<f64>().max(0.1);
    Effort {
        days,
        low: days / e.range_factor,
        high: days * e.range_factor,
        terms,
    }
}

/// The traps of docs/scoring.md §7.
fn traps(
    config: &Config,
    shares: &Shares,
    work: &WorkMix,
    facts: &UnitFacts,
    b: &Boundary,
    by_caller: &FxHashMap<FuncId, u64>,
) -> Vec<Trap> {
    let mut traps = Vec::new();
    let t = &config.traps;
    if shares.total_share >= t.native_io_min_total_share
        && work.not_movable() >= t.native_io_min_fraction
    {
        traps.push(Trap::TimeNotMovable {
            total_share: shares.total_share,
            movable_share: shares.movable_share,
            native: work.in_c(),
            wait: work.wait,
        });
    }
    if facts.lines <= t.loop_max_unit_lines && shares.total_value > 0 {
        let hot_loop = b
            .incoming
            .iter()
            .filter(|c| c.in_loop)
            .filter_map(|c| {
                let v = by_caller.get(&c.caller_def).copied().unwrap_or(0);
                let fraction = ratio(v, shares.total_value);
                (fraction >= t.loop_min_caller_fraction).then_some((fraction, c))
            })
            .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)));
        if let Some((fraction, c)) = hot_loop {
            traps.push(Trap::CalledInHotLoop {
                caller: c.caller.clone(),
                file: c.file.clone(),
                line: c.line.unwrap_or(0),
                caller_fraction: fraction,
            });
        }
    }
    traps
}

/// The per-unit speedup, with the crossing paid, and what it projects end to end.
struct Speed {
    assumed: Range,
    crossing: Option<Crossing>,
    effective: Range,
    projected: Projection,
}

fn speed(cx: &Context, crossing: Option<Crossing>, category: Category, p: f64) -> Speed {
    let assumed = assumed_speedup(category, cx.config);
    let effective = effective_range(assumed, crossing.as_ref());
    Speed {
        assumed,
        crossing,
        effective,
        projected: Projection {
            low: amdahl(p, effective.low),
            mid: amdahl(p, effective.mid),
            high: amdahl(p, effective.high),
        },
    }
}

/// The unit's methods that outside code can override or reach by name.
fn public_methods(cx: &Context, unit: &UnitMembers) -> Vec<PublicMethod> {
    unit.public
        .iter()
        .map(|(m, reason, kept_out)| PublicMethod {
            function: cx.id_of(*m),
            reason: reason.clone(),
            kept_out: *kept_out,
        })
        .collect()
}

/// Dotted ids of `defs`, sorted.
fn sorted_ids<'d>(cx: &Context, defs: impl IntoIterator<Item = &'d FuncId>) -> Vec<String> {
    let mut ids: Vec<String> = defs.into_iter().map(|&m| cx.id_of(m)).collect();
    ids.sort();
    ids
}

/// What a candidate's unit is, independent of the samples: its members and boundary, facts,
/// isolation and ids. Computed once per definition and kept for resamples
/// ([`FrozenUnits`]).
#[derive(Clone)]
struct Shape {
    unit: UnitMembers,
    boundary: Boundary,
    facts: UnitFacts,
    isolation: Isolation,
    /// Dotted ids of the members, the function first, then sorted; the same order as
    /// `unit_defs`.
    unit_ids: Arc<Vec<String>>,
    unit_defs: Arc<Vec<FuncId>>,
    copies: Vec<String>,
    public_methods: Vec<PublicMethod>,
    entry_points: Vec<String>,
    object_setup: bool,
}

fn shape(cx: &Context, def: FuncId, unit: UnitMembers) -> Shape {
    let boundary = boundary(cx, def, &unit);
    let facts = unit_facts(cx.index, &unit.members);
    let isolation = isolation(cx, &boundary, &facts);
    let mut unit_defs: Vec<FuncId> = unit.members.iter().copied().filter(|&m| m != def).collect();
    unit_defs.sort_by_cached_key(|&m| cx.id_of(m));
    unit_defs.insert(0, def);
    let name = &cx.index.function(def).name;
    Shape {
        unit_ids: Arc::new(unit_defs.iter().map(|&m| cx.id_of(m)).collect()),
        unit_defs: Arc::new(unit_defs),
        copies: sorted_ids(cx, &unit.copies),
        public_methods: public_methods(cx, &unit),
        entry_points: sorted_ids(cx, &boundary.entry_points),
        object_setup: call_bound::is_constructor(name)
            && unit
                .members
                .iter()
                .all(|&m| cx.index.syntax(m).loops.is_empty()),
        isolation,
        facts,
        boundary,
        unit,
    }
}

/// What the samples say about one candidate: its shares, where its time goes, what its unit
/// reaches, and the evidence for the crossing bound.
struct Measures {
    shares: Shares,
    work: WorkMix,
    category: Category,
    reach: Reach,
    samples: crossing::RootSamples,
}

fn build_candidate(
    cx: &Context,
    units: &Units,
    def: FuncId,
    function: String,
    shape: &Shape,
    m: Measures,
) -> Candidate {
    let Measures {
        shares,
        work,
        category,
        reach,
        samples,
    } = m;
    let (b, facts) = (&shape.boundary, &shape.facts);
    let mut library_functions: Vec<String> = reach
        .library
        .iter()
        .map(|&k| cx.attribution.library_functions[k as usize].clone())
        .collect();
    library_functions.sort();
    let effort = effort(cx.config, b, facts, library_functions.len());
    let p = shares.movable_share;
    // The sampled bound's denominator is what the unit itself moves.
    let samples = crossing::RootSamples {
        movable: reach.movable,
        ..samples
    };
    let crossing = cx.crossing_of(units, &shape.unit, def, &work, samples, b.callback_sites);
    let speed = speed(cx, crossing, category, p);
    let priority = (1.0 - 1.0 / speed.projected.mid) / effort.days;
    let traps = traps(cx.config, &shares, &work, facts, b, &reach.by_caller);
    let f = cx.index.function(def);
    Candidate {
        rank: 0,
        unit: Arc::clone(&shape.unit_ids),
        unit_defs: Arc::clone(&shape.unit_defs),
        copies: shape.copies.clone(),
        public_methods: shape.public_methods.clone(),
        object_setup: shape.object_setup,
        function,
        def,
        kind: f.kind.as_str(),
        file: cx.file_of(def),
        line: f.start_line,
        self_share: shares.self_share,
        total_share: shares.total_share,
        movable_share: p,
        total_interval: None,
        movable_interval: None,
        work,
        category,
        unit_lines: facts.lines,
        entry_points: shape.entry_points.clone(),
        incoming: Arc::clone(&b.incoming),
        callbacks: b.callbacks.iter().cloned().collect(),
        library_functions,
        isolation: shape.isolation.clone(),
        effort,
        assumed_speedup: speed.assumed,
        crossing: speed.crossing,
        effective_speedup: speed.effective,
        projected_speedup: speed.projected,
        priority,
        traps,
        why: String::new(),
    }
}

/// A percentage with one decimal (`12.3%`), or `<0.1%` for small non-zero values.
pub fn percent(x: f64) -> String {
    if x > 0.0 && x < 0.0005 {
        "<0.1%".to_string()
    } else {
        format!("{:.1}%", x * 100.0)
    }
}

/// A C subsystem's share of a function's time (GC, allocation, regex, compile) that the "why"
/// line names, in [0, 1] of its total.
const WHY_SUBSYSTEM_MIN: f64 = 0.1;

/// The first three names, comma-separated.
fn first_three(names: &[String]) -> String {
    names
        .iter()
        .take(3)
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}

/// One line: what it would buy, what it costs, what to watch.
fn why(c: &Candidate) -> String {
    let interval = c.movable_interval.map_or(String::new(), |i| {
        format!(" ({}–{})", percent(i.low), percent(i.high))
    });
    let mut s = format!(
        "{} of samples pass through it; {}{interval} would run in Rust",
        percent(c.total_share),
        percent(c.movable_share)
    );
    let dominated = c.unit.len().saturating_sub(1 + c.copies.len());
    if dominated > 0 {
        s.push_str(&format!(" (with {dominated} callee(s) only it reaches)"));
    }
    s.push_str(&format!(
        "; {}, isolation {:.2}, ~{:.1} days",
        c.category.label(),
        c.isolation.score,
        c.effort.days
    ));
    for (what, share) in [
        ("garbage collection", c.work.gc),
        ("allocation", c.work.alloc),
        ("the regex engine", c.work.regex),
        ("the parser and compiler", c.work.compile),
    ] {
        if share >= WHY_SUBSYSTEM_MIN {
            s.push_str(&format!(
                "; {} of its time is in {what}, which stays in C",
                percent(share)
            ));
        }
    }
    if !c.library_functions.is_empty() {
        s.push_str(&format!(
            "; its movable time includes {} standard-library function(s) the rewrite must replace ({})",
            c.library_functions.len(),
            first_three(&c.library_functions)
        ));
    }
    if let Some(x) = c.crossing.filter(|x| x.eats_gain) {
        s.push_str(&format!(
            "; a call runs about {:.0} ns of Python and {} crossing(s) into Rust cost {:.0} ns: \
             at most {:.1}x however fast the Rust, so it moves with the function holding its loop \
             or is fixed in Python",
            x.python_ns, x.crossings, x.crossing_ns, x.ceiling
        ));
    }
    if !c.copies.is_empty() {
        s.push_str(&format!(
            "; takes along {} tiny helper(s) it calls rather than cross per call ({})",
            c.copies.len(),
            first_three(&c.copies)
        ));
    }
    let kept_out: Vec<String> = c
        .public_methods
        .iter()
        .filter(|m| m.kept_out)
        .map(|m| m.function.clone())
        .collect();
    if !kept_out.is_empty() {
        s.push_str(&format!(
            "; keeps {} overridable method(s) in Python ({})",
            kept_out.len(),
            first_three(&kept_out)
        ));
    }
    let not_movable = c.work.not_movable();
    let shared = (c.total_share * (1.0 - not_movable) - c.movable_share).max(0.0);
    if c.total_share > 0.0 && shared >= 0.5 * c.total_share {
        s.push_str(&format!(
            "; {} is in callees shared with code outside its unit",
            percent(shared)
        ));
    }
    for t in &c.traps {
        match t {
            Trap::TimeNotMovable { native, wait, .. } => s.push_str(&format!(
                "; TRAP: its time is in native code ({}) or waiting ({}), which Rust does not speed up",
                percent(*native),
                percent(*wait)
            )),
            Trap::CalledInHotLoop {
                caller, file, line, ..
            } => s.push_str(&format!(
                "; TRAP: called in a loop from {caller} ({file}:{line}): per-call crossing may eat the gain, consider moving the loop too"
            )),
        }
    }
    s
}
