//! The codebase call graph: static edges from the source ([`resolve`]) and dynamic edges from
//! profile stacks, held in one petgraph [`DiGraph`], with strongly connected components
//! (recursion clusters) and dominators from the entry points.
//!
//! Nodes are the codebase's definitions ([`FuncId`] `i` is node `i`) followed by external
//! nodes (stdlib, third-party, builtins, unresolved calls), named by dotted name or call text.
//! An edge is **static** (a call site in the source; it keeps every site as file:line) or
//! **dynamic** (the pair was adjacent in profile stacks, caller above callee; it keeps the
//! samples of the stacks it was seen in). A pair seen both ways has two edges. The JSON schema
//! is documented in docs/graph.md.

pub mod resolve;

use std::fmt::Write as _;

use petgraph::algo::dominators::{self, Dominators};
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;
use rustc_hash::{FxHashMap, FxHashSet};
use serde::Serialize;

use crate::mapping::{Coverage, Mapping};
use crate::profile::{FrameKind, Profile};
use crate::source::{DefKind, FuncId, SourceIndex};
use resolve::{StaticCall, Target};

/// What a node is. `as_str` gives the names used in outputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum NodeKind {
    /// A module-level or nested function.
    Function,
    /// A function defined directly in a class body.
    Method,
    /// A class (its body's code; instantiation without a codebase `__init__` lands here).
    Class,
    /// A module's top-level code.
    Module,
    /// Anything outside the codebase: stdlib, third-party, builtins, unresolved calls.
    External,
}

impl NodeKind {
    /// `function`, `method`, `class`, `module` or `external`.
    pub fn as_str(self) -> &'static str {
        match self {
            NodeKind::Function => "function",
            NodeKind::Method => "method",
            NodeKind::Class => "class",
            NodeKind::Module => "module",
            NodeKind::External => "external",
        }
    }
}

/// A node of the call graph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    /// Dotted qualified name (`pkg.mod.Class.meth`; modules are `pkg.mod`); for external
    /// nodes the imported dotted name (`json.dumps`) or the call's text (`len`, `x.foo`).
    pub id: String,
    /// What it is.
    pub kind: NodeKind,
    /// The codebase definition, `None` for external nodes.
    pub def: Option<FuncId>,
}

/// Static or dynamic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EdgeKind {
    /// Found in the source.
    Static,
    /// Seen in profile stacks.
    Dynamic,
}

/// An edge of the call graph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edge {
    /// Static or dynamic.
    pub kind: EdgeKind,
    /// Static edges: every call site, sorted. Empty for dynamic edges.
    pub sites: Vec<u32>,
    /// Dynamic edges: value of the stacks where caller and callee were adjacent (each stack
    /// counted once), in the profile's unit. 0 for static edges.
    pub samples: u64,
}

/// The call graph of a codebase, optionally with a profile's dynamic edges.
#[derive(Debug, Clone)]
pub struct CallGraph {
    graph: DiGraph<Node, Edge>,
    /// Codebase definitions: the first `defs` nodes.
    defs: usize,
    /// Every file's displayed path ([`crate::source::SourceFile::path`]), for sites.
    files: Vec<String>,
    /// Recursion clusters: strongly connected components of the codebase subgraph with more
    /// than one node or a self-loop, each sorted by node index, sorted by first node.
    components: Vec<Vec<NodeIndex>>,
    /// Immediate dominator of each codebase node (`None` for entry points and unreachable
    /// nodes), over codebase edges from a virtual root joined to every entry point.
    idom: Vec<Option<NodeIndex>>,
    entries: Vec<bool>,
    /// External nodes reached through an import (`json.dumps`), not a call's mere text.
    imported: FxHashSet<NodeIndex>,
    coverage: Option<Coverage>,
    /// Per method, its overrides in codebase subclasses ([`resolve::Resolved::overrides`]).
    overrides: FxHashMap<FuncId, Vec<FuncId>>,
}

/// A graph holding one node per codebase definition, [`FuncId`] `i` as node `i`, and no edges.
/// A name defined twice (under `if`/`else`, or redefined) keeps one id per definition: the
/// second is `name#2`, the third `name#3`, in source order.
fn codebase_nodes(index: &SourceIndex) -> DiGraph<Node, Edge> {
    let defs = index.functions().len();
    let mut graph: DiGraph<Node, Edge> = DiGraph::with_capacity(defs + defs / 2, defs * 4);
    let mut seen: FxHashMap<&str, u32> = FxHashMap::default();
    for (i, f) in index.functions().iter().enumerate() {
        let kind = match f.kind {
            DefKind::Function => NodeKind::Function,
            DefKind::Method => NodeKind::Method,
            DefKind::Class => NodeKind::Class,
            DefKind::Module => NodeKind::Module,
        };
        let count = seen.entry(&f.qualname).or_insert(0);
        *count += 1;
        let id = if *count > 1 {
            format!("{}#{count}", f.qualname)
        } else {
            f.qualname.clone()
        };
        graph.add_node(Node {
            id,
            kind,
            def: Some(FuncId::from_index(i)),
        });
    }
    graph
}

/// Adds the static edges (`calls`, sorted by caller and target: one edge per pair, with its
/// sites) and the dynamic edges to `graph`, which holds the codebase nodes; external nodes are
/// added as edges reach them. Returns the graph and its external nodes reached through an
/// import.
fn add_edges(
    mut graph: DiGraph<Node, Edge>,
    calls: &[StaticCall],
    dynamic: Option<&[((Endpoint, Endpoint), u64)]>,
) -> (DiGraph<Node, Edge>, FxHashSet<NodeIndex>) {
    let mut externals: FxHashMap<String, NodeIndex> = FxHashMap::default();
    let mut external = |graph: &mut DiGraph<Node, Edge>, name: &str| -> NodeIndex {
        if let Some(&n) = externals.get(name) {
            return n;
        }
        let n = graph.add_node(Node {
            id: name.to_string(),
            kind: NodeKind::External,
            def: None,
        });
        externals.insert(name.to_string(), n);
        n
    };
    let mut imported = FxHashSet::default();
    // At most one edge per call and per dynamic pair: reserved once, the edge list is not
    // copied into fresh pages as it grows (pages reserved but never written are not touched).
    graph.reserve_edges(calls.len() + dynamic.map_or(0, <[_]>::len));
    for group in calls.chunk_by(|a, b| a.caller == b.caller && a.target == b.target) {
        let mut sites: Vec<u32> = group.iter().map(|c| c.line).collect();
        sites.dedup();
        let to = match &group[0].target {
            Target::Def(d) => NodeIndex::new(d.index()),
            Target::External {
                name,
                imported: via_import,
            } => {
                let n = external(&mut graph, name);
                if *via_import {
                    imported.insert(n);
                }
                n
            }
        };
        graph.add_edge(
            NodeIndex::new(group[0].caller.index()),
            to,
            Edge {
                kind: EdgeKind::Static,
                sites,
                samples: 0,
            },
        );
    }
    for ((from, to), samples) in dynamic.unwrap_or_default() {
        let mut node = |e: &Endpoint| match e {
            Endpoint::Def(d) => NodeIndex::new(d.index()),
            Endpoint::External(name) => external(&mut graph, name),
        };
        let (from, to) = (node(from), node(to));
        graph.add_edge(
            from,
            to,
            Edge {
                kind: EdgeKind::Dynamic,
                sites: Vec::new(),
                samples: *samples,
            },
        );
    }
    (graph, imported)
}

/// What [`analyse`] finds.
struct Analysis {
    components: Vec<Vec<NodeIndex>>,
    idom: Vec<Option<NodeIndex>>,
    entries: Vec<bool>,
}

/// Strongly connected components and dominators of the codebase subgraph: the pairs of
/// codebase definitions among the static calls and the dynamic pairs.
fn analyse(
    index: &SourceIndex,
    calls: &[StaticCall],
    dynamic: Option<&[((Endpoint, Endpoint), u64)]>,
) -> Analysis {
    let defs = index.functions().len();
    let dynamic = dynamic.unwrap_or_default();
    // Each pair of codebase definitions once (the order of the subgraph's edges does not
    // change its components or dominators).
    let mut codebase_pairs: Vec<(usize, usize)> = calls
        .iter()
        .filter_map(|c| match c.target {
            Target::Def(d) => Some((c.caller.index(), d.index())),
            Target::External { .. } => None,
        })
        .chain(
            dynamic
                .iter()
                .filter_map(|((from, to), _)| match (from, to) {
                    (Endpoint::Def(a), Endpoint::Def(b)) => Some((a.index(), b.index())),
                    _ => None,
                }),
        )
        .collect();
    codebase_pairs.sort_unstable();
    codebase_pairs.dedup();
    // The codebase subgraph plus a virtual root (node `defs`).
    let root = NodeIndex::new(defs);
    let mut sub: DiGraph<(), ()> = DiGraph::with_capacity(defs + 1, codebase_pairs.len() + defs);
    for _ in 0..=defs {
        sub.add_node(());
    }
    let mut has_caller = vec![false; defs];
    let mut self_loop = vec![false; defs];
    for (a, b) in codebase_pairs {
        sub.add_edge(NodeIndex::new(a), NodeIndex::new(b), ());
        if a != b {
            has_caller[b] = true;
        } else {
            self_loop[a] = true;
        }
    }
    // Entry points: modules (their code runs on import), definitions no codebase code
    // calls, and outermost codebase frames of the profile (dynamic edges from external
    // callers, e.g. a framework).
    let mut entries: Vec<bool> = index
        .functions()
        .iter()
        .zip(&has_caller)
        .map(|(f, &called)| f.kind == DefKind::Module || !called)
        .collect();
    for ((from, to), _) in dynamic {
        if let (Endpoint::External(_), Endpoint::Def(d)) = (from, to) {
            entries[d.index()] = true;
        }
    }
    for (i, &entry) in entries.iter().enumerate() {
        if entry {
            sub.add_edge(root, NodeIndex::new(i), ());
        }
    }
    // Kosaraju's algorithm rather than Tarjan's: petgraph's Tarjan recurses once per node on
    // a path, which overflowed the stack of a worker thread on a chain of 10,000 functions,
    // and Kosaraju's depth-first searches are iterative. The components are the same; each
    // is sorted, and so is the list.
    let mut components: Vec<Vec<NodeIndex>> = petgraph::algo::kosaraju_scc(&sub)
        .into_iter()
        .filter(|c| c.len() > 1 || (c[0].index() < defs && self_loop[c[0].index()]))
        .map(|mut c| {
            c.sort();
            c
        })
        .collect();
    components.sort();
    let doms: Dominators<NodeIndex> = dominators::simple_fast(&sub, root);
    let idom = (0..defs)
        .map(|i| {
            doms.immediate_dominator(NodeIndex::new(i))
                .filter(|&d| d != root)
        })
        .collect();
    Analysis {
        components,
        idom,
        entries,
    }
}

impl CallGraph {
    /// Builds the static call graph of `index`, adding the dynamic edges of `profile` (mapped
    /// by `mapping`) when given.
    pub fn build(index: &SourceIndex, profile: Option<(&Profile, &Mapping)>) -> CallGraph {
        let defs = index.functions().len();
        // The codebase nodes do not depend on the calls: made while the calls are resolved.
        let (graph, resolved) =
            rayon::join(|| codebase_nodes(index), || resolve::resolve_calls(index));
        let calls = resolved.calls;
        let dynamic = profile.map(|(profile, mapping)| dynamic_pairs(profile, mapping));
        // The analysis needs only the pairs of codebase nodes: it runs while the edges are
        // added to the graph (one timing for both: the timer's CPU figures are process-wide).
        let ((graph, imported), analysis) =
            crate::diagnostics::timed("graph: edges, components and dominators", || {
                rayon::join(
                    || add_edges(graph, &calls, dynamic.as_deref()),
                    || analyse(index, &calls, dynamic.as_deref()),
                )
            });
        CallGraph {
            graph,
            defs,
            files: index.files().iter().map(|f| f.path.clone()).collect(),
            components: analysis.components,
            idom: analysis.idom,
            entries: analysis.entries,
            imported,
            coverage: profile.map(|(_, mapping)| mapping.coverage()),
            overrides: resolved.overrides,
        }
    }

    /// The methods of codebase subclasses that override method `id` (same name, in a class
    /// with `id`'s class in its MRO), sorted; empty when none does.
    pub fn overridden_by(&self, id: FuncId) -> &[FuncId] {
        self.overrides.get(&id).map_or(&[], Vec::as_slice)
    }

    /// The petgraph graph: codebase nodes first ([`FuncId`] `i` is node `i`), then external
    /// nodes.
    pub fn graph(&self) -> &DiGraph<Node, Edge> {
        &self.graph
    }

    /// The node of a codebase definition.
    pub fn node_of(&self, id: FuncId) -> NodeIndex {
        NodeIndex::new(id.index())
    }

    /// Recursion clusters: strongly connected components of the codebase subgraph (static and
    /// dynamic edges) with more than one node, or one node calling itself.
    pub fn components(&self) -> &[Vec<NodeIndex>] {
        &self.components
    }

    /// The immediate dominator of a codebase definition: the one definition every path from
    /// an entry point to it passes through last. `None` for entry points and definitions no
    /// entry point reaches.
    pub fn immediate_dominator(&self, id: FuncId) -> Option<FuncId> {
        self.idom
            .get(id.index())
            .copied()
            .flatten()
            .map(|n| FuncId::from_index(n.index()))
    }

    /// True for entry points: modules, definitions no codebase code calls, and definitions
    /// called from outside the codebase in the profile.
    pub fn is_entry(&self, id: FuncId) -> bool {
        self.entries.get(id.index()).copied().unwrap_or(false)
    }

    /// True for an external node reached through an import (`json.dumps`), false for one
    /// named by a call's mere text (`len`, `x.foo`) and for codebase nodes.
    pub fn is_imported(&self, node: NodeIndex) -> bool {
        self.imported.contains(&node)
    }

    /// Number of codebase definitions: nodes `0..defs()` are [`FuncId`]s.
    pub fn defs(&self) -> usize {
        self.defs
    }

    /// Top-level modules outside the codebase that a definition calls into through imports
    /// (`numpy`, `re`, `json`), sorted, from its static edges.
    pub fn external_modules(&self, id: FuncId) -> Vec<&str> {
        let mut out: Vec<&str> = self
            .graph
            .edges(self.node_of(id))
            .filter(|e| self.imported.contains(&e.target()))
            .map(|e| {
                let name = self.graph[e.target()].id.as_str();
                name.split('.').next().unwrap_or(name)
            })
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The graph as the JSON document of docs/graph.md, pretty-printed, with a final newline.
    pub fn to_json(&self, index: &SourceIndex) -> String {
        let mut out = Vec::new();
        self.write_json(index, &mut out)
            .expect("writing to a Vec does not fail");
        String::from_utf8(out).expect("serde_json writes UTF-8")
    }

    /// Writes [`Self::to_json`]'s document to `out` as it is made, without holding it whole:
    /// the byte-for-byte output of `serde_json::to_writer_pretty` plus a newline. The nodes
    /// and edges are serialised in parallel, a batch of chunks at a time, and written in
    /// order.
    ///
    /// # Errors
    /// Those of `out`.
    pub fn write_json(
        &self,
        index: &SourceIndex,
        out: &mut dyn std::io::Write,
    ) -> std::io::Result<()> {
        let doc = self.document(index);
        writeln!(out, "{{")?;
        writeln!(out, "  \"schema_version\": {},", doc.schema_version)?;
        writeln!(
            out,
            "  \"source_root\": {},",
            serde_json::to_string(&doc.source_root)?
        )?;
        writeln!(
            out,
            "  \"source_roots\": {},",
            serde_json::to_string(&doc.source_roots)?
        )?;
        let mut texts = Vec::new();
        json::write_array(out, "nodes", &doc.nodes, &mut texts)?;
        out.write_all(b",\n")?;
        json::write_array(out, "edges", &doc.edges, &mut texts)?;
        out.write_all(b",\n")?;
        json::write_array(out, "components", &doc.components, &mut texts)?;
        if let Some(coverage) = &doc.coverage {
            out.write_all(b",\n  \"coverage\": ")?;
            let mut buf = Vec::new();
            json::write_pretty_at(&mut buf, coverage, 1)?;
            out.write_all(&buf)?;
        }
        out.write_all(b"\n}\n")
    }

    fn document<'g>(&'g self, index: &'g SourceIndex) -> json::Document<'g> {
        use rayon::prelude::*;
        let nodes: Vec<json::Node> = self
            .graph
            .raw_nodes()
            .par_iter()
            .enumerate()
            .map(|(i, n)| {
                let n = &n.weight;
                let def = n.def.map(|d| (d, index.function(d)));
                json::Node {
                    id: &n.id,
                    kind: n.kind.as_str(),
                    file: def.map(|(_, f)| self.files[f.file.index()].as_str()),
                    line: def.map(|(_, f)| f.start_line),
                    end_line: def.map(|(_, f)| f.end_line),
                    entry: (i < self.defs).then(|| self.entries[i]),
                    idom: (i < self.defs)
                        .then(|| self.idom[i].map(|d| self.graph[d].id.as_str()))
                        .flatten(),
                    facts: def
                        .map(|(d, _)| json::Facts::of(index.syntax(d), self.external_modules(d))),
                }
            })
            .collect();
        let mut edges: Vec<json::Edge> = self
            .graph
            .raw_edges()
            .par_iter()
            .map(|e| {
                let w = &e.weight;
                let file = self.graph[e.source()]
                    .def
                    .map(|d| self.files[index.function(d).file.index()].as_str());
                json::Edge {
                    from: &self.graph[e.source()].id,
                    to: &self.graph[e.target()].id,
                    kind: w.kind,
                    sites: file.map_or_else(Vec::new, |file| {
                        w.sites
                            .iter()
                            .map(|&line| json::Site { file, line })
                            .collect()
                    }),
                    samples: (w.kind == EdgeKind::Dynamic).then_some(w.samples),
                    order: (e.source().index(), e.target().index()),
                }
            })
            .collect();
        edges.par_sort_by_key(|e| (e.order, e.kind));
        let components = self
            .components
            .iter()
            .map(|c| c.iter().map(|&n| self.graph[n].id.as_str()).collect())
            .collect();
        json::Document {
            schema_version: 1,
            source_root: index.root().display().to_string(),
            source_roots: index
                .roots()
                .iter()
                .map(|r| r.given.display().to_string())
                .collect(),
            nodes,
            edges,
            components,
            coverage: self.coverage.map(|c| json::CoverageDoc::of(&c)),
        }
    }

    /// The graph in Graphviz DOT: codebase nodes boxed by kind, external nodes grey, static
    /// edges solid, dynamic edges dashed with their samples. Names are escaped as DOT quoted
    /// strings.
    pub fn to_dot(&self) -> String {
        let mut s = String::from(
            "digraph callgraph {\n  rankdir=LR;\n  node [fontname=\"Helvetica\", fontsize=10];\n",
        );
        for (i, n) in self.graph.node_weights().enumerate() {
            let (shape, style) = match n.kind {
                NodeKind::Module => ("folder", "filled\", fillcolor=\"#e8e8ff"),
                NodeKind::Class => ("component", "filled\", fillcolor=\"#fff2cc"),
                NodeKind::Function | NodeKind::Method => ("box", "filled\", fillcolor=\"#ffd6cc"),
                NodeKind::External => ("box", "dashed\", color=\"#888888"),
            };
            let _ = writeln!(
                s,
                "  n{i} [label=\"{}\", shape={shape}, style=\"{style}\"];",
                dot_escape(&n.id)
            );
        }
        let mut edges: Vec<_> = self.graph.edge_references().collect();
        edges.sort_by_key(|e| (e.source().index(), e.target().index(), e.weight().kind));
        for e in edges {
            let w = e.weight();
            match w.kind {
                EdgeKind::Static => {
                    let _ = writeln!(s, "  n{} -> n{};", e.source().index(), e.target().index());
                }
                EdgeKind::Dynamic => {
                    let _ = writeln!(
                        s,
                        "  n{} -> n{} [style=dashed, color=\"#c0392b\", label=\"{}\"];",
                        e.source().index(),
                        e.target().index(),
                        w.samples
                    );
                }
            }
        }
        s.push_str("}\n");
        s
    }
}

/// Escapes a string for a DOT double-quoted ID: backslashes, quotes and line breaks.
fn dot_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' | '\r' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

/// One end of a dynamic edge.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Endpoint {
    Def(FuncId),
    External(String),
}

/// Caller → callee pairs adjacent in the profile's stacks with the value of the stacks they
/// were seen in (each stack once per pair), sorted. Only pairs touching the codebase are kept.
/// Thread, process and idle frames are skipped; lambda and comprehension frames (`<lambda>`,
/// `<listcomp>`, ...) belong to the definition around them, as in the source graph.
fn dynamic_pairs(profile: &Profile, mapping: &Mapping) -> Vec<((Endpoint, Endpoint), u64)> {
    // Each frame's endpoint, computed once.
    let endpoints: Vec<Option<Endpoint>> = profile
        .frame_ids()
        .map(|id| {
            if let Some(d) = mapping.def_of(id) {
                return Some(Endpoint::Def(d));
            }
            let frame = profile.frame(id);
            let function = profile.string(frame.function);
            match frame.kind {
                FrameKind::Python => {
                    let module = frame
                        .file
                        .map(|f| crate::mapping::python_module_of_path(profile.string(f)))
                        .unwrap_or_default();
                    Some(Endpoint::External(if module.is_empty() {
                        function.to_string()
                    } else {
                        format!("{module}.{function}")
                    }))
                }
                FrameKind::Native | FrameKind::Unknown => {
                    Some(Endpoint::External(function.to_string()))
                }
                _ => None,
            }
        })
        .collect();
    let nested_code: Vec<bool> = profile
        .frame_ids()
        .map(|id| {
            let name = profile.string(profile.frame(id).function);
            let last = name.rsplit('.').next().unwrap_or(name);
            last.starts_with('<') && last != "<module>"
        })
        .collect();
    let mut pairs: FxHashMap<(usize, usize), (u64, usize)> = FxHashMap::default();
    // (frame index, whether the edge into it from the previous element is real).
    let mut path: Vec<(usize, bool)> = Vec::new();
    let mut frames = Vec::new();
    for (stack_no, sample) in profile.values_by_stack().iter().enumerate() {
        path.clear();
        // Root to leaf, merging nested-code frames into the definition around them. A
        // generator expression (or lambda) resumed by other code, e.g. a genexpr defined in
        // `load` and consumed by `dump(rows)`, is not a call of `load` by `dump`: no edge into
        // it, but its own calls count as its definition's.
        profile.frames_root_to_leaf(sample.stack, &mut frames);
        for &f in &frames {
            let i = f.index();
            let Some(e) = &endpoints[i] else { continue };
            if nested_code[i]
                && let Some(&(prev, _)) = path.last()
            {
                if endpoints[prev].as_ref() == Some(e) {
                    continue;
                }
                path.push((i, false));
                continue;
            }
            path.push((i, true));
        }
        for w in path.windows(2) {
            let ((a, _), (b, real)) = (w[0], w[1]);
            if !real {
                continue;
            }
            let (Some(ea), Some(eb)) = (&endpoints[a], &endpoints[b]) else {
                continue;
            };
            if !matches!(ea, Endpoint::Def(_)) && !matches!(eb, Endpoint::Def(_)) {
                continue;
            }
            let slot = pairs.entry((a, b)).or_insert((0, usize::MAX));
            if slot.1 != stack_no {
                slot.0 += sample.value;
                slot.1 = stack_no;
            }
        }
    }
    // Frames differ by line; endpoints are per definition: merge.
    let mut merged: std::collections::BTreeMap<(Endpoint, Endpoint), u64> = Default::default();
    for ((a, b), (value, _)) in pairs {
        if let (Some(ea), Some(eb)) = (&endpoints[a], &endpoints[b]) {
            *merged.entry((ea.clone(), eb.clone())).or_default() += value;
        }
    }
    merged.into_iter().collect()
}

mod json {
    //! Serialisation shapes of the JSON output (docs/graph.md).
    use serde::Serialize;

    use rayon::prelude::*;

    use super::EdgeKind;
    use crate::mapping::Coverage;
    use crate::source::syntax::{DefSyntax, IsolationFacts, Param};

    #[derive(Serialize)]
    pub(super) struct Document<'g> {
        pub(super) schema_version: u32,
        /// The first source root as given (every root: `source_roots`).
        pub(super) source_root: String,
        /// Every source root as given, in order.
        pub(super) source_roots: Vec<String>,
        pub(super) nodes: Vec<Node<'g>>,
        pub(super) edges: Vec<Edge<'g>>,
        pub(super) components: Vec<Vec<&'g str>>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub(super) coverage: Option<CoverageDoc>,
    }

    #[derive(Serialize)]
    pub(super) struct Node<'g> {
        pub(super) id: &'g str,
        pub(super) kind: &'static str,
        pub(super) file: Option<&'g str>,
        pub(super) line: Option<u32>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub(super) end_line: Option<u32>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub(super) entry: Option<bool>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub(super) idom: Option<&'g str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub(super) facts: Option<Facts<'g>>,
    }

    #[derive(Serialize)]
    pub(super) struct Facts<'g> {
        lines_of_code: u32,
        complexity: u32,
        #[serde(skip_serializing_if = "<[_]>::is_empty")]
        params: &'g [Param],
        #[serde(skip_serializing_if = "Vec::is_empty")]
        decorators: Vec<&'g str>,
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        is_async: bool,
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        is_generator: bool,
        #[serde(flatten)]
        isolation: &'g IsolationFacts,
        external_modules: Vec<&'g str>,
    }

    impl<'g> Facts<'g> {
        pub(super) fn of(s: &'g DefSyntax, external_modules: Vec<&'g str>) -> Facts<'g> {
            Facts {
                external_modules,
                lines_of_code: s.code_lines,
                complexity: s.complexity,
                params: &s.params,
                decorators: s.decorators.iter().map(|(_, t)| t.as_str()).collect(),
                is_async: s.is_async,
                is_generator: s.is_generator,
                isolation: &s.facts,
            }
        }
    }

    #[derive(Serialize)]
    pub(super) struct Edge<'g> {
        pub(super) from: &'g str,
        pub(super) to: &'g str,
        pub(super) kind: EdgeKind,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        pub(super) sites: Vec<Site<'g>>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub(super) samples: Option<u64>,
        #[serde(skip)]
        pub(super) order: (usize, usize),
    }

    /// A call site: file (relative to the source root, `/`-separated) and 1-based line.
    #[derive(Serialize)]
    pub(super) struct Site<'g> {
        pub(super) file: &'g str,
        pub(super) line: u32,
    }

    /// Items serialised per parallel task.
    pub(super) const CHUNK: usize = 2048;
    /// Chunks serialised before they are written (bounds the memory held).
    pub(super) const BATCH: usize = 32;

    /// Appends `value` to `buf` as serde_json's pretty printer writes it at nesting `depth`
    /// (inside `depth` objects or arrays): the first line as is, the others indented by
    /// `depth + 1` levels of two spaces. The printer is brought to that depth by opening
    /// `depth` arrays into a sink, so the layout is serde_json's own.
    pub(super) fn write_pretty_at<T: Serialize>(
        buf: &mut Vec<u8>,
        value: &T,
        depth: usize,
    ) -> std::io::Result<()> {
        use serde_json::ser::Formatter;
        let mut formatter = serde_json::ser::PrettyFormatter::new();
        for _ in 0..depth {
            formatter.begin_array(&mut std::io::sink())?;
        }
        let mut serializer = serde_json::Serializer::with_formatter(buf, formatter);
        value
            .serialize(&mut serializer)
            .map_err(std::io::Error::from)
    }

    /// Room reserved in each chunk's text buffer. 2,048 nodes or edges of the benchmark corpus
    /// take 0.1 to 1.6 MB pretty-printed, so a buffer rarely grows: growing copies it into
    /// fresh pages, and the copies were about a tenth of a `brownfield graph` run's page
    /// faults. Pages of the reserve that are never written are never touched.
    const CHUNK_TEXT: usize = 2 << 20;

    /// Writes `  "key": [ ... ]` as serde_json's pretty printer lays out an array member of
    /// the top-level object, the items serialised in parallel. `texts` is a pool of text
    /// buffers, one per chunk of a batch, kept for the next batch and the next array.
    pub(super) fn write_array<T: Serialize + Sync>(
        out: &mut dyn std::io::Write,
        key: &str,
        items: &[T],
        texts: &mut Vec<Vec<u8>>,
    ) -> std::io::Result<()> {
        write!(out, "  {}: [", serde_json::to_string(key)?)?;
        if items.is_empty() {
            return out.write_all(b"]");
        }
        let chunks: Vec<&[T]> = items.chunks(CHUNK).collect();
        for (b, batch) in chunks.chunks(BATCH).enumerate() {
            if texts.len() < batch.len() {
                texts.resize_with(batch.len(), || Vec::with_capacity(CHUNK_TEXT));
            }
            batch
                .par_iter()
                .zip(texts.par_iter_mut())
                .enumerate()
                .try_for_each(|(c, (chunk, buf))| {
                    buf.clear();
                    for (i, item) in chunk.iter().enumerate() {
                        let first = b == 0 && c == 0 && i == 0;
                        buf.extend_from_slice(if first { b"\n    " } else { b",\n    " });
                        write_pretty_at(buf, item, 2)?;
                    }
                    std::io::Result::Ok(())
                })?;
            for text in &texts[..batch.len()] {
                out.write_all(text)?;
            }
        }
        out.write_all(b"\n  ]")
    }

    #[derive(Serialize)]
    pub(super) struct CoverageDoc {
        total: u64,
        in_codebase: u64,
        leaf_in_codebase: u64,
        leaf_external_python: u64,
        leaf_stdlib: u64,
        leaf_third_party: u64,
        leaf_native: u64,
        leaf_other: u64,
        share_in_codebase: f64,
    }

    impl CoverageDoc {
        pub(super) fn of(c: &Coverage) -> CoverageDoc {
            CoverageDoc {
                total: c.total,
                in_codebase: c.in_codebase,
                leaf_in_codebase: c.leaf_in_codebase,
                leaf_external_python: c.leaf_external_python,
                leaf_stdlib: c.leaf_stdlib,
                leaf_third_party: c.leaf_third_party,
                leaf_native: c.leaf_native,
                leaf_other: c.leaf_other,
                share_in_codebase: c.share(),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::json;

    /// The streamed layout is serde_json's pretty layout byte for byte, across chunk and
    /// batch boundaries, with nested objects and arrays, empty arrays and escaped strings.
    #[test]
    fn streamed_arrays_match_serde_json_pretty() {
        #[derive(serde::Serialize)]
        struct Item {
            id: String,
            sites: Vec<(u32, &'static str)>,
            empty: Vec<u32>,
            nested: BTreeMap<&'static str, Vec<u32>>,
        }
        let items: Vec<Item> = (0..70_000u32)
            .map(|i| Item {
                id: format!("m{i}.\"f\"\n<x>"),
                sites: (0..i % 3).map(|k| (k, "a/b.py")).collect(),
                empty: Vec::new(),
                nested: BTreeMap::from([("k", vec![i])]),
            })
            .collect();
        let none: Vec<Item> = Vec::new();
        let mut streamed = b"{\n".to_vec();
        let mut texts = Vec::new();
        json::write_array(&mut streamed, "items", &items, &mut texts).unwrap();
        streamed.extend_from_slice(b",\n");
        json::write_array(&mut streamed, "none", &none, &mut texts).unwrap();
        streamed.extend_from_slice(b",\n");
        // A shorter array after a longer one, through the same buffers: none of the longer
        // array's text may leak into it.
        json::write_array(&mut streamed, "few", &items[..3], &mut texts).unwrap();
        streamed.extend_from_slice(b",\n  \"tail\": ");
        json::write_pretty_at(&mut streamed, &BTreeMap::from([("x", vec![1, 2])]), 1).unwrap();
        streamed.extend_from_slice(b"\n}");

        #[derive(serde::Serialize)]
        struct Whole<'a> {
            items: &'a [Item],
            none: &'a [Item],
            few: &'a [Item],
            tail: BTreeMap<&'static str, Vec<u32>>,
        }
        let whole = serde_json::to_string_pretty(&Whole {
            items: &items,
            none: &none,
            few: &items[..3],
            tail: BTreeMap::from([("x", vec![1, 2])]),
        })
        .unwrap();
        assert!(
            items.len() > json::CHUNK * json::BATCH,
            "the test must cross a batch boundary"
        );
        assert!(String::from_utf8(streamed).unwrap() == whole);
    }
}
