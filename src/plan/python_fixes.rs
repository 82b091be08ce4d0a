//! Time that is cheaper to cut in Python than to move to Rust, proposed as phase-0 items: the
//! cyclic garbage collector, and tiny functions called per element whose crossing into Rust
//! would cost as much as their body (docs/plan.md, "Fix in Python first").

use serde::Serialize;

use crate::callgraph::CallGraph;
use crate::config::Config;
use crate::mapping::ratio;
use crate::model::{Attribution, Work};

/// What a fix in Python addresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FixKind {
    /// The cyclic garbage collector's time.
    GarbageCollection,
    /// A tiny function called per element: its time is mostly the call itself.
    PerCallOverhead,
}

impl FixKind {
    /// Words for reports: `Garbage collection`.
    pub fn label(self) -> &'static str {
        match self {
            FixKind::GarbageCollection => "Garbage collection",
            FixKind::PerCallOverhead => "Per-call overhead",
        }
    }
}

/// One fix in Python, with the share of the run it addresses.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PythonFix {
    /// What it addresses (`garbage_collection` in JSON).
    pub kind: FixKind,
    /// Share of all samples it addresses, in [0, 1].
    pub share: f64,
    /// The codebase functions under which that time lands most (deepest codebase frame), with
    /// their share of all samples, largest first (at most [`WHERE_SHOWN`]).
    pub lands_in: Vec<(String, f64)>,
    /// What the numbers say, in words (plain text; empty for garbage collection).
    pub detail: String,
    /// What to do, in one paragraph (Markdown).
    pub advice: &'static str,
}

/// Functions listed in [`PythonFix::lands_in`].
pub const WHERE_SHOWN: usize = 3;

/// The advice for a collector that takes a large share. The remedies are CPython's own
/// (`Modules/gcmodule.c`; the `gc` module's documentation): `gc.freeze()` moves every object
/// alive after start-up to a permanent generation that collections skip, and the thresholds
/// set how many allocations trigger a generation-0 collection.
const GC_ADVICE: &str = "Measure first: run the workload once with `gc.disable()` (or \
`gc.set_threshold(0)`) and compare CPU time. Then, in Python: call `gc.freeze()` once \
start-up has built its long-lived objects (caches, parsed configuration, loaded models) so \
collections no longer traverse them; raise the generation-0 threshold \
(`gc.set_threshold(50_000, 20, 20)` instead of the default 700) if the heap is large and \
mostly acyclic; allocate fewer container objects in the hot loops (tuples and small lists \
per element, bound methods built in a loop). None of this needs Rust, and it also speeds up \
the code that stays in Python.";

/// The fixes in Python the profile supports. Only native frames show the collector
/// ([`Attribution::native_frames`]); without them nothing is proposed (the plan says that GC
/// is invisible).
pub fn fixes(attribution: &Attribution, graph: &CallGraph, config: &Config) -> Vec<PythonFix> {
    let mut out = Vec::new();
    if !attribution.native_frames || attribution.total == 0 {
        return out;
    }
    let mut by_owner: std::collections::BTreeMap<String, u64> = Default::default();
    let mut gc = 0u64;
    for s in attribution.stacks.iter().filter(|s| s.work == Work::Gc) {
        gc += s.value;
        if let Some(o) = s.owner {
            *by_owner
                .entry(graph.graph()[graph.node_of(o)].id.clone())
                .or_default() += s.value;
        }
    }
    let share = ratio(gc, attribution.total);
    if share >= config.plan.python_fix_min_share {
        let mut lands_in: Vec<(String, u64)> = by_owner.into_iter().collect();
        lands_in.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        out.push(PythonFix {
            kind: FixKind::GarbageCollection,
            share,
            lands_in: lands_in
                .into_iter()
                .take(WHERE_SHOWN)
                .map(|(id, v)| (id, ratio(v, attribution.total)))
                .collect(),
            detail: String::new(),
            advice: GC_ADVICE,
        });
    }
    out
}

/// What to do about a function whose calls cost more than its body
/// ([`crate::model::Crossing::eats_gain`]): the remedies are the interpreter's usual ones for
/// call overhead.
const PER_CALL_ADVICE: &str = "In Python: bind what it looks up to a local before the loop \
(`get = self.table.__getitem__`), inline its body into the loop, cache its result if it is \
pure (`functools.lru_cache`, or compute once per object), or replace the per-element calls \
with one call over the batch. In Rust: move the function that holds the loop, with this \
function inside it, so the loop crosses once.";

/// A fix in Python per crossing-bound candidate the plan leaves out (`left_out`, its share of
/// all samples; `why`, the numbers in words), largest share first, for those with at least
/// `[plan] not_worth_min_total_share` of movable time.
pub fn per_call<'c>(
    left_out: impl IntoIterator<Item = (&'c str, f64, &'c str)>,
    config: &Config,
) -> Vec<PythonFix> {
    let mut out: Vec<PythonFix> = left_out
        .into_iter()
        .filter(|&(_, share, _)| share >= config.plan.not_worth_min_total_share)
        .map(|(function, share, why)| PythonFix {
            kind: FixKind::PerCallOverhead,
            share,
            lands_in: vec![(function.to_string(), share)],
            detail: why.to_string(),
            advice: PER_CALL_ADVICE,
        })
        .collect();
    out.sort_by(|a, b| {
        b.share
            .total_cmp(&a.share)
            .then_with(|| a.lands_in[0].0.cmp(&b.lands_in[0].0))
    });
    out
}
