//! What bounds the Python time of one call ([`super::crossing`]'s inputs), read once per
//! scoring from the code: each definition's shape ([`MemberBody`]) and the lines that run once
//! per call; and, from the samples, which hot helpers would not pay for a boundary of their
//! own, so that units take them along as copies (docs/scoring.md §2 and §4).

use petgraph::visit::EdgeRef;
use rustc_hash::FxHashMap;

use super::crossing::{MemberBody, RootSamples};
use super::units::Units;
use super::{Context, WorkMix};
use crate::callgraph::{CallGraph, NodeKind};
use crate::source::syntax::DefSyntax;
use crate::source::{DefKind, FuncId, SourceIndex};

/// Builtins and methods (the last name of a call) that walk a whole container or string: a
/// line calling one takes time that grows with the data, not one line's worth, so it is no
/// measure of a call (the sampled bound leaves such lines out).
const BULK_CALLS: &[&str] = &[
    "sorted",
    "sum",
    "min",
    "max",
    "any",
    "all",
    "list",
    "tuple",
    "set",
    "frozenset",
    "dict",
    "bytes",
    "bytearray",
    "fromkeys",
    "join",
    "split",
    "rsplit",
    "splitlines",
    "replace",
    "find",
    "rfind",
    "index",
    "count",
    "encode",
    "decode",
    "copy",
    "deepcopy",
    "extend",
    "update",
    "sort",
    "reverse",
    "union",
    "intersection",
    "difference",
    "symmetric_difference",
    "issubset",
    "issuperset",
    "translate",
    "format",
    "keys",
    "values",
    "items",
];

/// The largest helper, in lines of code with what it dominates, that other units take along
/// as a copy: a tiny helper is a few lines, and walking every large unit in every round would
/// cost more than the ranking.
const COPY_MAX_LINES: u32 = 120;

/// Rounds of [`crossing_bound_defs`]: a helper's verdict depends on the helpers it takes
/// along, a shallow chain in practice.
const CROSSING_ROUNDS: usize = 4;

/// The code facts of every definition the bound reads, indexed by [`FuncId`].
pub(super) struct CodeFacts {
    bodies: Vec<MemberBody>,
    /// Per definition, its lines calling a [`BULK_CALLS`] function, sorted.
    bulk: FxHashMap<FuncId, Vec<u32>>,
}

impl CodeFacts {
    /// Reads every definition of `index` and the static edges of `graph` once.
    pub(super) fn new(graph: &CallGraph, index: &SourceIndex) -> CodeFacts {
        let bulk = bulk_call_lines(graph);
        let bodies = (0..index.functions().len())
            .map(|i| {
                let d = FuncId::from_index(i);
                let syntax = index.syntax(d);
                MemberBody {
                    code_lines: syntax.code_lines,
                    loops: syntax.loops.len() as u32,
                    generator: syntax.is_generator,
                    loop_lines: syntax
                        .loops
                        .iter()
                        .map(|&(a, b)| if a == b { 1 } else { b - a })
                        .sum(),
                    bulk_lines: bulk.get(&d).map_or(0, |v| {
                        v.iter().filter(|&&l| runs_once(syntax, l)).count() as u32
                    }),
                }
            })
            .collect();
        CodeFacts { bodies, bulk }
    }

    /// The shape of definition `d`.
    pub(super) fn body(&self, d: FuncId) -> MemberBody {
        self.bodies[d.index()]
    }

    /// True when a sample of `d`'s own code at `line` is evidence of one call: the line is
    /// inside the definition (a profile of another version says nothing), runs once per call
    /// and does not call a bulk operation.
    pub(super) fn runs_once_per_call(&self, index: &SourceIndex, d: FuncId, line: u32) -> bool {
        let f = index.function(d);
        (f.start_line..=f.end_line).contains(&line)
            && runs_once(index.syntax(d), line)
            && !self
                .bulk
                .get(&d)
                .is_some_and(|v| v.binary_search(&line).is_ok())
    }
}

/// Per definition, the lines calling a [`BULK_CALLS`] function (static edges to external
/// nodes), sorted.
fn bulk_call_lines(graph: &CallGraph) -> FxHashMap<FuncId, Vec<u32>> {
    let mut out: FxHashMap<FuncId, Vec<u32>> = FxHashMap::default();
    let g = graph.graph();
    for i in 0..graph.defs() {
        let def = FuncId::from_index(i);
        for e in g.edges(graph.node_of(def)) {
            let target = &g[e.target()];
            let last = target.id.rsplit('.').next().unwrap_or(&target.id);
            if target.kind == NodeKind::External && BULK_CALLS.contains(&last) {
                out.entry(def)
                    .or_default()
                    .extend(e.weight().sites.iter().copied());
            }
        }
    }
    for lines in out.values_mut() {
        lines.sort_unstable();
        lines.dedup();
    }
    out
}

/// True when `line` of a definition runs once per call: it is outside every loop, or it is
/// the header of a `for`/`while` spanning several lines and outside other loops (a `for`
/// header evaluates its iterable once; its per-iteration step is cheap next to the body). A
/// one-line loop (a comprehension) is all loop.
fn runs_once(syntax: &DefSyntax, line: u32) -> bool {
    syntax
        .loops
        .iter()
        .all(|&(a, b)| !(a <= line && line <= b) || (line == a && b > a))
}

/// `__init__`, `__new__` or `__post_init__`: Python builds the object around its body.
pub(super) fn is_constructor(name: &str) -> bool {
    matches!(name, "__init__" | "__new__" | "__post_init__")
}

/// Per definition: hot, a function or method that Rust cannot construct for Python (not
/// `__init__`/`__new__`), at most [`COPY_MAX_LINES`] lines with what it dominates, whose
/// unit's crossing eats its gain: other units take it along as a copy. A definition's unit
/// includes its own copies, so the verdicts are recomputed until they settle (at most
/// [`CROSSING_ROUNDS`] rounds).
pub(super) fn crossing_bound_defs(
    cx: &Context,
    units: &Units,
    total_value: &[u64],
    mixes: &[WorkMix],
    root_samples: &impl Fn(usize) -> RootSamples,
) -> Vec<bool> {
    let index = cx.index;
    let eligible: Vec<usize> = (0..total_value.len())
        .filter(|&i| {
            let f = index.function(FuncId::from_index(i));
            total_value[i] > 0
                && matches!(f.kind, DefKind::Function | DefKind::Method)
                && !is_constructor(&f.name)
        })
        .collect();
    let mut bound = vec![false; total_value.len()];
    for round in 0..CROSSING_ROUNDS {
        let mut next = vec![false; total_value.len()];
        for &i in &eligible {
            let def = FuncId::from_index(i);
            let Some(dominated) = units.dominated_within(def, COPY_MAX_LINES) else {
                continue;
            };
            let unit = if round == 0 {
                dominated
            } else {
                units.unit_of(def, |g| bound[g.index()])
            };
            next[i] = cx
                .crossing_of(units, &unit, def, &mixes[i], root_samples(i), 0)
                .is_some_and(|c| c.eats_gain);
        }
        if next == bound {
            break;
        }
        bound = next;
    }
    bound
}
