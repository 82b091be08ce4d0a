//! A function's migration unit (module docs of [`super`], "Units"): what it dominates, with
//! its recursion cluster whole; minus the methods outside code overrides or dispatches to by
//! name (they stay in Python); plus copies of the tiny helpers it calls that would not pay for
//! a boundary of their own ([`super::crossing`]).

use std::collections::BTreeSet;

use rustc_hash::FxHashMap;
use serde::Serialize;

use crate::callgraph::CallGraph;
use crate::source::{DefKind, FuncId, SourceIndex};

/// Why a method is an extension point that a Rust unit must leave in Python.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Overridable {
    /// Codebase subclasses define a method of the same name (dunders excluded).
    Overridden {
        /// Dotted ids of the overriding methods, sorted.
        by: Vec<String>,
    },
    /// It overrides a codebase method that callers reach through dispatch on `self`: the
    /// call site picks among the overrides at run time, and a new subclass adds another.
    Overrides {
        /// Dotted id of the overridden method.
        base: String,
    },
    /// Its class dispatches to methods by a computed name (`getattr(self, "visit_" + ...)`,
    /// or a `*Visitor`/`*Transformer` base class) and at least [`HOOK_FAMILY_MIN`] of its
    /// methods share this name prefix: subclasses and plugins add and replace them.
    DispatchedByName {
        /// The shared prefix, e.g. `visit_`.
        prefix: String,
    },
}

/// A method of a unit that outside code can override or reach by name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct PublicMethod {
    /// Its dotted id.
    pub function: String,
    /// Why it is public.
    pub reason: Overridable,
    /// True when it was kept out of the unit (it stays in Python and the unit calls back into
    /// it); false for the unit's own entry function, which moves (a Rust base method must then
    /// stay overridable: a `#[pyclass(subclass)]`).
    pub kept_out: bool,
}

/// A family of methods sharing a name prefix is a dispatch table from this many members.
pub const HOOK_FAMILY_MIN: usize = 3;

/// Members of a unit.
#[derive(Debug, Clone, Default)]
pub(super) struct UnitMembers {
    /// Everything that moves: dominated members and copies.
    pub members: BTreeSet<FuncId>,
    /// Tiny helpers taken along as copies: Python keeps its own for other callers.
    pub copies: BTreeSet<FuncId>,
    /// Overridable methods met in the unit, kept out unless it is the root.
    pub public: Vec<(FuncId, Overridable, bool)>,
}

/// Dominator trees, recursion clusters and extension points of the codebase.
pub(super) struct Units<'a> {
    graph: &'a CallGraph,
    index: &'a SourceIndex,
    /// Dominator-tree children of each codebase definition.
    dom_children: Vec<Vec<FuncId>>,
    /// The recursion cluster of each definition (index into `clusters`).
    cluster_of: Vec<Option<usize>>,
    clusters: Vec<Vec<FuncId>>,
    /// Per method that is an extension point, why.
    overridable: FxHashMap<FuncId, Overridable>,
}

impl<'a> Units<'a> {
    pub(super) fn new(graph: &'a CallGraph, index: &'a SourceIndex) -> Units<'a> {
        let n = graph.defs();
        let mut dom_children = vec![Vec::new(); n];
        for d in (0..n).map(FuncId::from_index) {
            if let Some(parent) = graph.immediate_dominator(d) {
                dom_children[parent.index()].push(d);
            }
        }
        let mut cluster_of = vec![None; n];
        let mut clusters = Vec::new();
        for c in graph.components() {
            let members: Vec<FuncId> = c
                .iter()
                .filter(|x| x.index() < n)
                .map(|x| FuncId::from_index(x.index()))
                .collect();
            for m in &members {
                cluster_of[m.index()] = Some(clusters.len());
            }
            clusters.push(members);
        }
        Units {
            graph,
            index,
            dom_children,
            cluster_of,
            clusters,
            overridable: overridable_methods(graph, index),
        }
    }

    /// True when `d` is in a recursion cluster.
    pub(super) fn is_recursive(&self, d: FuncId) -> bool {
        self.cluster_of[d.index()].is_some()
    }

    /// The dominated part of `f`'s unit: the dominator subtrees of `f`'s recursion cluster (or
    /// of `f`), not entering overridable methods other than the roots; they, and what the unit
    /// reaches only through them, stay in Python.
    ///
    /// No other cluster is ever split: cluster members reach each other, so if one member is
    /// reachable from an entry point without passing through the unit's roots, every member
    /// is, and none is dominated. Dominators and clusters come from the same graph
    /// ([`CallGraph`]), so this holds exactly.
    pub(super) fn dominated(&self, f: FuncId) -> UnitMembers {
        let roots: Vec<FuncId> = match self.cluster_of[f.index()] {
            Some(c) => self.clusters[c].clone(),
            None => vec![f],
        };
        let mut out = UnitMembers::default();
        // A family dispatched by name moves whole with a unit whose roots hold some of it
        // (a visitor's recursion): keeping the rest out would cross per leaf node.
        let families: Vec<(Option<FuncId>, &str)> =
            roots.iter().filter_map(|&r| self.family(r)).collect();
        let mut stack = roots.clone();
        while let Some(d) = stack.pop() {
            let moves = roots.contains(&d) || self.family(d).is_some_and(|f| families.contains(&f));
            if let Some(why) = self.overridable.get(&d) {
                out.public.push((d, why.clone(), !moves));
                if !moves {
                    continue;
                }
            }
            if out.members.insert(d) {
                stack.extend(self.dom_children[d.index()].iter().copied());
            }
        }
        if !out.public.is_empty() {
            out.members = self.reachable(&roots, &out.members);
        }
        out.public.sort();
        out.public.dedup();
        out
    }

    /// [`Self::dominated`], or `None` as soon as it holds more than `max_lines` lines of code:
    /// a helper small enough to copy is found without walking a large unit.
    pub(super) fn dominated_within(&self, f: FuncId, max_lines: u32) -> Option<UnitMembers> {
        let mut lines = 0u32;
        let mut stack = vec![f];
        let mut seen = BTreeSet::new();
        while let Some(d) = stack.pop() {
            if !seen.insert(d) {
                continue;
            }
            lines = lines.saturating_add(self.index.syntax(d).code_lines);
            if lines > max_lines {
                return None;
            }
            stack.extend(self.dom_children[d.index()].iter().copied());
        }
        Some(self.dominated(f))
    }

    /// The class and name prefix of a method dispatched by name.
    fn family(&self, d: FuncId) -> Option<(Option<FuncId>, &str)> {
        match self.overridable.get(&d)? {
            Overridable::DispatchedByName { prefix } => {
                Some((self.index.function(d).parent, prefix.as_str()))
            }
            _ => None,
        }
    }

    /// The members of `candidates` reachable from `roots` through calls between candidates:
    /// what a kept-out method dominated jointly with the rest is reached only through it.
    fn reachable(&self, roots: &[FuncId], candidates: &BTreeSet<FuncId>) -> BTreeSet<FuncId> {
        let g = self.graph.graph();
        let mut seen: BTreeSet<FuncId> = roots.iter().copied().collect();
        let mut stack = roots.to_vec();
        while let Some(d) = stack.pop() {
            for target in g.neighbors(self.graph.node_of(d)) {
                let t = FuncId::from_index(target.index());
                if target.index() < self.graph.defs() && candidates.contains(&t) && seen.insert(t) {
                    stack.push(t);
                }
            }
        }
        seen
    }

    /// `f`'s whole unit: [`Self::dominated`] plus copies of the helpers its members call
    /// (statically or in the profile) for which `takes_along` holds, with what those
    /// dominate, transitively.
    pub(super) fn unit_of(&self, f: FuncId, takes_along: impl Fn(FuncId) -> bool) -> UnitMembers {
        let mut unit = self.dominated(f);
        let g = self.graph.graph();
        let mut frontier: Vec<FuncId> = unit.members.iter().copied().collect();
        while let Some(m) = frontier.pop() {
            for target in g.neighbors(self.graph.node_of(m)) {
                if target.index() >= self.graph.defs() {
                    continue;
                }
                let callee = FuncId::from_index(target.index());
                if unit.members.contains(&callee)
                    || self.overridable.contains_key(&callee)
                    || !takes_along(callee)
                {
                    continue;
                }
                for c in self.dominated(callee).members {
                    if unit.members.insert(c) {
                        unit.copies.insert(c);
                        frontier.push(c);
                    }
                }
            }
        }
        unit
    }
}

/// Methods that are extension points ([`Overridable`]).
fn overridable_methods(graph: &CallGraph, index: &SourceIndex) -> FxHashMap<FuncId, Overridable> {
    let id = |d: FuncId| graph.graph()[graph.node_of(d)].id.clone();
    let mut out = FxHashMap::default();
    let mut methods_of: FxHashMap<FuncId, Vec<FuncId>> = FxHashMap::default();
    let mut overrides: Vec<(FuncId, String)> = Vec::new();
    for (i, f) in index.functions().iter().enumerate() {
        let d = FuncId::from_index(i);
        if f.kind != DefKind::Method {
            continue;
        }
        if let Some(class) = f.parent {
            methods_of.entry(class).or_default().push(d);
        }
        // Dunders implement the language's protocols (`__init__`, `__eq__`): every class
        // overrides them, which does not make them an extension point.
        let dunder = f.name.starts_with("__") && f.name.ends_with("__");
        let by = graph.overridden_by(d);
        if !by.is_empty() && !dunder {
            for &o in by {
                overrides.push((o, id(d)));
            }
            let mut by: Vec<String> = by.iter().map(|&o| id(o)).collect();
            by.sort();
            out.insert(d, Overridable::Overridden { by });
        }
    }
    // An override is public too, unless it is itself overridden (then it says so); of several
    // overridden bases, the one whose dotted id sorts first names it (deterministic).
    overrides.sort();
    for (o, base) in overrides {
        out.entry(o).or_insert(Overridable::Overrides { base });
    }
    for (&class, methods) in &methods_of {
        if !dispatches_by_name(index, class, methods) {
            continue;
        }
        let mut families: FxHashMap<&str, Vec<FuncId>> = FxHashMap::default();
        for &m in methods {
            if let Some(prefix) = hook_prefix(&index.function(m).name) {
                families.entry(prefix).or_default().push(m);
            }
        }
        for (prefix, members) in families {
            if members.len() >= HOOK_FAMILY_MIN {
                for m in members {
                    out.entry(m)
                        .or_insert_with(|| Overridable::DispatchedByName {
                            prefix: prefix.to_string(),
                        });
                }
            }
        }
    }
    out
}

/// `visit_` of `visit_Name`: a leading word and its underscore; `None` for dunders, private
/// names and names without one.
fn hook_prefix(name: &str) -> Option<&str> {
    let at = name.find('_')?;
    (at > 0).then(|| &name[..=at])
}

/// The class looks a method up by a computed name (`getattr` with a non-literal name in one
/// of its methods) or derives from a visitor (`ast.NodeVisitor`, `*Visitor`,
/// `*Transformer`).
fn dispatches_by_name(index: &SourceIndex, class: FuncId, methods: &[FuncId]) -> bool {
    let visitor_base = index.syntax(class).bases.iter().any(|b| {
        let text = b.text();
        text.ends_with("Visitor") || text.ends_with("Transformer")
    });
    visitor_base
        || methods.iter().any(|&m| {
            index
                .syntax(m)
                .facts
                .dynamic
                .iter()
                .any(|f| f.what == "getattr")
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hook_prefixes_are_a_leading_word() {
        assert_eq!(hook_prefix("visit_Name"), Some("visit_"));
        assert_eq!(hook_prefix("handle_starttag"), Some("handle_"));
        assert_eq!(hook_prefix("_private"), None);
        assert_eq!(hook_prefix("__eq__"), None);
        assert_eq!(hook_prefix("run"), None);
    }
}
