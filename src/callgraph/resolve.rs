//! Static call resolution: which definition each call site of the codebase reaches.
//!
//! The approach follows PyCG (Salis et al., ICSE 2021): values flow through names, and a
//! name's possible values are found by following its bindings, context-insensitively, across
//! modules. Supported:
//!
//! - scopes as Python has them (local, enclosing functions, module, builtins; class bodies
//!   are invisible to nested functions), `global` and `nonlocal`;
//! - `import x`, `import x.y as z`, `from x import y [as z]`, relative imports, `from x import
//!   *`, re-exports through `__init__.py`, namespace packages, sibling modules of scripts;
//! - module-level names and aliases (`g = f`), collection literals indexed or iterated
//!   (`HANDLERS[k]()`, `for h in hooks: h()`);
//! - classes: instantiation (→ `__init__` along the MRO; no edge without one), methods
//!   through `self`/`cls` along the C3 MRO of codebase base classes, overrides in codebase
//!   subclasses for calls on `self`, `super()`, instances bound to names (`x = Foo()`), to
//!   `self` attributes (`self.x = Foo()`), to annotated parameters (`p: Foo`) and returned by
//!   functions (`-> Foo`, `return Foo()`), `getattr(x, "literal")`;
//! - decorators: applying one is a call (`@dec` calls `dec`, `@dec(a)` calls `dec` and the
//!   decorator it returns); a decorated function called later reaches what the decorator
//!   returns (its inner wrapper) or the function itself (identity decorators, decorators from
//!   outside the codebase);
//! - functions passed as arguments: an argument flows into the callee's parameter, and calls
//!   of that parameter reach it; a codebase function passed to a callee outside the codebase
//!   (`map(f, xs)`, `sorted(key=f)`) counts as called by the caller;
//! - results of a few callables outside the codebase whose type is known
//!   ([`TYPED_FACTORIES`]): `re.compile(p)` is a compiled pattern, so `WORD.match` on one
//!   bound to `WORD` is `re.compile().match`.
//!
//! What cannot be resolved stays an external target named by its text (`len`, `x.foo`), so
//! no call is dropped. Resolution is bounded: a step budget per call site and a depth limit
//! keep pathological code linear.

use std::cell::Cell;

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};
use smallvec::{SmallVec, smallvec};

use crate::diagnostics::timed;
use crate::source::syntax::{Binding, CallSite, DefSyntax, Expr, ImportRef, Name, ParamKind};
use crate::source::{DefKind, FileId, FuncId, SourceIndex};

/// Where a call goes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Target {
    /// A definition of the codebase.
    Def(FuncId),
    /// Something outside the codebase: a dotted name through an import (`json.dumps`,
    /// `imported` = true), or the call's text when it could not be resolved (`len`, `x.foo`).
    External {
        /// The dotted name or text (interned, [`Name`]: call sites repeat the same few names;
        /// like every interned name, it stays in memory until the process ends).
        name: Name,
        /// True when the name was reached through an import of a module outside the codebase.
        imported: bool,
    },
}

/// A resolved static call edge with the line of its call site (in the caller's file).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct StaticCall {
    /// The calling definition (a module for top-level code, a class for class-body code).
    pub caller: FuncId,
    /// What it calls.
    pub target: Target,
    /// 1-based line of the call site in the caller's file.
    pub line: u32,
}

/// What [`resolve_calls`] finds.
#[derive(Debug, Clone, Default)]
pub struct Resolved {
    /// Every resolved call, sorted (caller, target, line), without duplicates.
    pub calls: Vec<StaticCall>,
    /// Per codebase method, the methods of the same name in codebase classes that have its
    /// class in their MRO (its overrides), sorted; methods nobody overrides are absent.
    pub overrides: FxHashMap<FuncId, Vec<FuncId>>,
}

/// Resolves every call site of `index` and finds which methods subclasses override. The
/// calls are sorted (caller, target, line) and free of duplicates; nothing depends on thread
/// scheduling.
pub fn resolve_calls(index: &SourceIndex) -> Resolved {
    let mut r = timed("resolve: setup", || Resolver::new(index));
    timed("resolve: module values", || r.fill_module_values());
    // Pass 1: which functions flow into which parameters.
    let flows = timed("resolve: pass 1 (flows)", || {
        r.over_all_scopes(|id, out, memo| r.calls_of(id, &mut Sink::Flows(out), memo))
    });
    let mut direct: FxHashMap<(FuncId, u16), Vec<Value>> = FxHashMap::default();
    for (key, value) in flows {
        let list = direct.entry(key).or_default();
        if !list.contains(&value) && list.len() < MAX_VALUES {
            list.push(value);
        }
    }
    r.flows = timed("resolve: flow closure", || close_flows(&direct));
    // Pass 2: edges.
    timed("resolve: module values", || r.fill_module_values());
    let overrides = r.overrides();
    let mut calls = timed("resolve: pass 2 (edges)", || {
        r.over_all_scopes(|id, out, memo| r.calls_of(id, &mut Sink::Edges(out), memo))
    });
    timed("resolve: sort, and free the resolver", || {
        // Freeing the resolver's tables takes as long as the sort: do both at once.
        rayon::join(
            || drop(r),
            || {
                calls.par_sort_unstable();
                calls.dedup();
            },
        )
    });
    Resolved { calls, overrides }
}

/// What an evaluation gives: most give one value or none, which stay inline (no allocation).
type Values = SmallVec<[Value; 1]>;

/// Values with their parameters expanded ([`Resolver::expand`]): owned, or a lone
/// parameter's flow, lent.
enum Expanded<'f> {
    Owned(Values),
    Lent(&'f [Value]),
}

impl std::ops::Deref for Expanded<'_> {
    type Target = [Value];

    fn deref(&self) -> &[Value] {
        match self {
            Expanded::Owned(values) => values,
            Expanded::Lent(flow) => flow,
        }
    }
}

impl Expanded<'_> {
    /// The values, owned (a lent flow is copied).
    fn into_owned(self) -> Values {
        match self {
            Expanded::Owned(values) => values,
            Expanded::Lent(flow) => flow.iter().cloned().collect(),
        }
    }
}

/// Most values a name may have; more are dropped (the step budget bounds time, this bounds
/// space).
const MAX_VALUES: usize = 64;
/// Evaluation steps allowed per call site.
const STEP_BUDGET: u32 = 4_000;
/// Deepest chain of bindings followed.
const MAX_DEPTH: u32 = 24;

/// Callables outside the codebase whose result has a known type, by dotted name: calling one
/// evaluates to `External("{name}()")` ([`Resolver::call_result`]), so a method called on the
/// result, however it got there (a module global, `self.x`, a method's return value), is
/// named `re.compile().match` and its top-level module is `re`: the model counts such a line
/// as time in the regex engine. The calls of other outside callables give no value, as
/// before: typing all of them would change the graph wherever an outside result is used.
const TYPED_FACTORIES: &[&str] = &["re.compile", "regex.compile"];

/// What an expression may evaluate to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Value {
    /// A function, method or class of the codebase, as a value.
    Def(FuncId),
    /// A method bound to an instance (its first parameter is implicit).
    Bound(FuncId),
    /// A function object before its decorators were applied (what a decorator receives).
    Undecorated(FuncId),
    /// An instance of a codebase class; `via_self` when it is a method's `self`, which may be
    /// any subclass.
    Instance { class: FuncId, via_self: bool },
    /// A codebase module.
    Module(FileId),
    /// A codebase package without its own file (namespace package), by dotted name.
    Package(Name),
    /// A dotted name outside the codebase, reached through an import.
    External(Name),
    /// `super()` in a method of this class.
    Super(FuncId),
    /// A parameter of a function: whatever flows into it.
    Param(FuncId, u16),
    /// A collection literal's element values, shared: flows and memoised entries hand the
    /// same containers around, and copying a value copies only the pointer.
    Container(std::sync::Arc<[Value]>),
}

enum Sink<'o> {
    Flows(&'o mut Vec<((FuncId, u16), Value)>),
    Edges(&'o mut Vec<StaticCall>),
}

/// Work a scope's call sites share ([`Resolver::calls_of`]). What a callee evaluates to
/// depends only on the callee expression and the scope (evaluation is flow-insensitive, and
/// memoised entries do not depend on who asks first), so sites repeating a callee
/// (`self.assertEqual`, `len`) reuse the first one's result, with the steps it left: the rest
/// of each site's evaluation runs on the budget it would have had. A callee's evaluation
/// always starts from the full budget; an argument's starts from whatever the site has left,
/// so arguments go through [`EvalMemo`], which takes the budget into account.
#[derive(Default)]
struct SiteMemo<'e> {
    /// Pass 1: each callee's values, and the steps left after them.
    callees: FxHashMap<&'e Expr, (Values, u32)>,
    /// Pass 1: the function values of arguments passed to codebase callees.
    passed: EvalMemo<'e, Values>,
    /// Pass 2: each callee's targets, whether it is outside the codebase, and the steps left.
    targets: FxHashMap<&'e Expr, (Vec<Target>, bool, u32)>,
    /// Pass 2: the functions among the values of an argument handed to outside code.
    handed: EvalMemo<'e, Vec<FuncId>>,
}

/// What evaluating an argument expression gave at earlier call sites of a scope, reused when
/// a later site evaluates it again: exactly what evaluating it there would give, steps
/// included. Evaluation is deterministic given the expression, the scope and the steps at
/// hand, and the budget only matters when it runs out:
/// - an evaluation that never ran out of steps takes the same steps and gives the same
///   values from any budget at least that large ([`Self::complete`]);
/// - one that ran out is reused only from the same budget ([`Self::cut`]). Long functions
///   repeat such arguments (`isinstance(expr, ...)` in a chain of tests), and each re-ran
///   the whole budget.
struct EvalMemo<'e, T> {
    /// Evaluations that never ran out of steps: the result and the steps taken.
    complete: FxHashMap<&'e Expr, (T, u32)>,
    /// Evaluations that ran out of steps, keyed by the expression and the steps they began
    /// with.
    cut: FxHashMap<(&'e Expr, u32), T>,
}

impl SiteMemo<'_> {
    /// Empties the tables for another scope, keeping their capacity.
    fn clear(&mut self) {
        self.callees.clear();
        self.passed.clear();
        self.targets.clear();
        self.handed.clear();
    }
}

impl<T> Default for EvalMemo<'_, T> {
    fn default() -> Self {
        EvalMemo {
            complete: FxHashMap::default(),
            cut: FxHashMap::default(),
        }
    }
}

impl<'e, T: Clone> EvalMemo<'e, T> {
    /// Empties both tables, keeping their capacity.
    fn clear(&mut self) {
        self.complete.clear();
        self.cut.clear();
    }

    /// The result of `eval` for `e` at `ctx`, reused when an earlier evaluation of `e` gives
    /// the same; `ctx` is charged the steps `eval` would take either way. `eval` must be a
    /// deterministic evaluation of `e` in the memo's scope, taking its steps from `ctx`.
    fn get_or_eval(&mut self, e: &'e Expr, ctx: &Ctx, eval: impl FnOnce() -> T) -> T {
        let before = ctx.steps_left();
        if let Some((result, used)) = self.complete.get(e)
            && ctx.spend(*used)
        {
            return result.clone();
        }
        if let Some(result) = self.cut.get(&(e, before)) {
            ctx.spend(before);
            return result.clone();
        }
        let result = eval();
        let after = ctx.steps_left();
        if after > 0 {
            self.complete.insert(e, (result.clone(), before - after));
        } else {
            self.cut.insert((e, before), result.clone());
        }
        result
    }
}

struct Resolver<'a> {
    index: &'a SourceIndex,
    /// Module scopes as maps (they are looked up most and have the most names): each binding
    /// with the scope it is evaluated in (the module, or a function that declared the name
    /// `global` and assigns it).
    module_scopes: Vec<FxHashMap<Name, Vec<(FuncId, &'a Binding)>>>,
    /// C3 MRO of each class (itself first), codebase classes only.
    mro: FxHashMap<FuncId, Vec<FuncId>>,
    /// Direct codebase subclasses of each class.
    subclasses: FxHashMap<FuncId, Vec<FuncId>>,
    /// Values flowing into parameters (pass 1's result, closed). Read only through
    /// [`Self::flow`].
    flows: FxHashMap<(FuncId, u16), Vec<Value>>,
    /// `self.attr = value` assignments of each class's methods: (attribute, method, value).
    instance_attrs: FxHashMap<FuncId, Vec<(Name, FuncId, &'a Expr)>>,
    /// Class bodies' names as maps (member lookups along the MRO are frequent).
    class_scopes: FxHashMap<FuncId, FxHashMap<Name, Vec<&'a Binding>>>,
    /// The classes whose bodies bind each name, in definition order: the candidates for an
    /// override of `self.name` (a subclass walk from a widely derived class costs far more).
    classes_binding: FxHashMap<Name, Vec<FuncId>>,
    /// Each import binding's absolute module and its value, keyed by the address of its
    /// [`ImportRef`] in the (immutable) index: computed once instead of at every lookup.
    imports: FxHashMap<usize, Option<(String, Value)>>,
    /// The values of every module-level name, computed before each pass
    /// ([`Self::fill_module_values`]; pass 2 keeps those that did not read the flows, see
    /// [`Entry`]): each is computed on its own, so a call site's result does not depend on
    /// which call site asked first.
    module_values: Vec<FxHashMap<Name, Entry>>,
    /// What each function returns when called (without a decorator's argument), computed
    /// when first asked for ([`Self::returns_of`]); pass 2 starts with pass 1's entries that
    /// did not read the flows ([`Entry`]).
    returns_memo: Vec<std::sync::OnceLock<Entry>>,
    /// The modules each module star-imports (`from m import *`), codebase modules only.
    star_imports: Vec<Vec<FileId>>,
    /// Names found through each module's star imports, computed when first asked for
    /// ([`MemoKey::Star`]); pass 2 starts with pass 1's entries that did not read the flows
    /// ([`Entry`]).
    star_memo: Vec<std::sync::RwLock<FxHashMap<Name, Entry>>>,
    /// For each definition, its bindings as (hash of the name, index), sorted (so each
    /// name's bindings stay in source order): [`Self::bindings_in`] finds a name by binary
    /// search over integers instead of a scan, which made lookups quadratic in long
    /// functions.
    bindings_by_name: Vec<Box<[(u64, u32)]>>,
    /// Names the resolver looks up itself.
    names: KnownNames,
}

/// A memoised value ([`Resolver::module_values`], [`Resolver::returns_memo`],
/// [`Resolver::star_memo`]) and whether its computation read the flows into parameters, itself
/// or through the entries it read. Only such entries can change between the passes (the flows
/// are all that changes), so pass 2 keeps the others ([`Resolver::fill_module_values`]).
struct Entry {
    values: Values,
    flow_dependent: bool,
}

impl Entry {
    /// Computes the entry of `key` with `work`, in a fresh context of its own (a full budget,
    /// depth 0) and on a stack with room for it ([`on_enough_stack`]).
    fn compute(key: MemoKey, work: impl FnOnce(&Ctx) -> Values) -> Entry {
        let ctx = Ctx::for_entry(key);
        let values = on_enough_stack(|| work(&ctx));
        Entry::of(values, &ctx)
    }

    /// The entry of `values`, computed in `ctx` (which knows whether they read the flows).
    fn of(values: Values, ctx: &Ctx) -> Entry {
        Entry {
            values,
            flow_dependent: ctx.flow_dependent.get(),
        }
    }

    /// The entry's values, read by an evaluation in `ctx`, which now depends on the flows
    /// when the entry does.
    fn read(&self, ctx: &Ctx) -> Values {
        if self.flow_dependent {
            ctx.flow_dependent.set(true);
        }
        self.values.clone()
    }
}

/// Interned names the resolver asks for by itself.
struct KnownNames {
    /// `__init__`: what instantiating a class calls.
    init: Name,
    /// `__call__`: what calling an instance calls.
    call: Name,
    /// `*`: the binding name of star imports.
    star: Name,
    /// Each of [`TYPED_FACTORIES`] with the name of its result (`re.compile()`).
    typed_factories: Vec<(Name, Name)>,
}

/// A memoised entry, in the order that decides which entries may be read while another is
/// computed: an entry reads (and computes when absent) only entries ordered strictly before
/// it and evaluates the others inline. Reads between entries therefore never go round a
/// cycle, no entry waits on itself, and each entry's value is the same whichever call site or
/// thread asks first: results do not depend on scheduling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum MemoKey {
    /// A name of a module found through its star imports ([`Resolver::star_lookup`]).
    Star(FileId),
    /// What a function returns ([`Resolver::returns_of`]).
    Returns(FuncId),
}

/// Per-call-site evaluation state.
///
/// The reuse of evaluations at later call sites ([`SiteMemo`], [`EvalMemo`]) rests on two
/// rules: a step is refused only when none are left ([`Ctx::step`]), and reading or computing a
/// memoised entry never charges the reader (an entry is computed in a fresh context of its
/// own). So an evaluation's result and the steps it takes depend only on the expression, the
/// scope and the steps it starts with, and not at all on that number when it does not run out.
struct Ctx {
    steps: Cell<u32>,
    /// The memoised entry being computed, `None` at a call site. Only entries ordered
    /// before it may be read from a memo while it is computed (see [`MemoKey`]).
    memo_key: Option<MemoKey>,
    /// Whether the evaluation read the flows into parameters ([`Resolver::flow`]), itself
    /// or through the memoised entries it read (see [`Entry`]).
    flow_dependent: Cell<bool>,
}

impl Ctx {
    /// A call site's context with the full budget.
    fn new() -> Ctx {
        Ctx::with_steps(STEP_BUDGET)
    }

    /// A fresh context for computing the memoised entry of `key`.
    fn for_entry(key: MemoKey) -> Ctx {
        Ctx {
            memo_key: Some(key),
            ..Ctx::new()
        }
    }

    /// A call site's context with `steps` left: what a site's context holds after the part
    /// of its evaluation that an earlier site with the same callee did (see
    /// [`Resolver::calls_of`]).
    fn with_steps(steps: u32) -> Ctx {
        Ctx {
            steps: Cell::new(steps),
            memo_key: None,
            flow_dependent: Cell::new(false),
        }
    }

    /// Steps left in the budget.
    fn steps_left(&self) -> u32 {
        self.steps.get()
    }

    /// Whether the memoised entry of `key` may be read (and computed if absent) here.
    fn may_read(&self, key: MemoKey) -> bool {
        self.memo_key.is_none_or(|k| key < k)
    }

    /// Takes `n` steps at once when at least `n` are left (true); else takes none (false).
    fn spend(&self, n: u32) -> bool {
        match self.steps.get().checked_sub(n) {
            Some(left) => {
                self.steps.set(left);
                true
            }
            None => false,
        }
    }

    /// Takes one step; false when the budget is spent.
    fn step(&self) -> bool {
        self.spend(1)
    }
}

/// Adds `v` to `out` unless it is there or `out` is full ([`MAX_VALUES`]); merges that may
/// grow large use [`Unique`] instead.
fn push_unique(out: &mut Values, v: Value) {
    if out.len() < MAX_VALUES && !out.contains(&v) {
        out.push(v);
    }
}

/// Values collected without duplicates, at most [`MAX_VALUES`], in first-seen order: what
/// [`push_unique`] gives, for merges that may grow large. Up to [`Unique::SCAN`] values a scan
/// finds duplicates; beyond, a scan of their hashes does (at most [`MAX_VALUES`] integers, in
/// one small vector rather than a hash set that would be allocated and grown), skipped when a
/// 128-bit mask of the hashes seen shows the value is new; only a repeated hash costs a scan of
/// the values.
#[derive(Default)]
struct Unique {
    values: Values,
    /// The hashes of `values`, in the same order, once there are more than [`Unique::SCAN`].
    hashes: Vec<u64>,
    /// One bit per hash in `hashes` (chosen by its top 7 bits): a value whose bit is clear
    /// is new without a scan of the hashes.
    seen: u128,
}

impl Unique {
    const SCAN: usize = 8;

    fn hash(v: &Value) -> u64 {
        use std::hash::BuildHasher;
        rustc_hash::FxBuildHasher.hash_one(v)
    }

    fn push(&mut self, v: Value) {
        if self.values.len() >= MAX_VALUES {
            return;
        }
        if self.values.len() < Self::SCAN {
            if !self.values.contains(&v) {
                self.values.push(v);
            }
            return;
        }
        let bit = |h: u64| 1u128 << (h >> 57);
        if self.hashes.is_empty() {
            self.hashes.reserve(MAX_VALUES);
            self.hashes.extend(self.values.iter().map(Self::hash));
            self.seen = self.hashes.iter().fold(0, |seen, &h| seen | bit(h));
        }
        let h = Self::hash(&v);
        if self.seen & bit(h) == 0 || !self.hashes.contains(&h) || !self.values.contains(&v) {
            self.values.push(v);
            self.hashes.push(h);
            self.seen |= bit(h);
        }
    }

    fn into_values(self) -> Values {
        self.values
    }
}

impl<'a> Resolver<'a> {
    fn new(index: &'a SourceIndex) -> Resolver<'a> {
        let module_scopes = index
            .files()
            .par_iter()
            .map(|f| {
                let mut map: FxHashMap<Name, Vec<(FuncId, &Binding)>> = FxHashMap::default();
                for (name, b) in &index.syntax(f.module_def).bindings {
                    map.entry(*name).or_default().push((f.module_def, b));
                }
                for &d in &f.defs {
                    let bindings = &index.syntax(d).bindings;
                    for (name, _) in bindings.iter().filter(|(_, b)| *b == Binding::Global) {
                        for (n, b) in bindings {
                            if n == name && matches!(b, Binding::Assign(_)) {
                                map.entry(*name).or_default().push((d, b));
                            }
                        }
                    }
                }
                map
            })
            .collect();
        let class_scopes: FxHashMap<FuncId, FxHashMap<Name, Vec<&Binding>>> =
            (0..index.functions().len())
                .into_par_iter()
                .map(FuncId::from_index)
                .filter(|&id| index.function(id).kind == DefKind::Class)
                .map(|id| {
                    let mut map: FxHashMap<Name, Vec<&Binding>> = FxHashMap::default();
                    for (name, b) in &index.syntax(id).bindings {
                        map.entry(*name).or_default().push(b);
                    }
                    (id, map)
                })
                .collect();
        let mut instance_attrs: FxHashMap<FuncId, Vec<(Name, FuncId, &Expr)>> =
            FxHashMap::default();
        for (i, f) in index.functions().iter().enumerate() {
            let id = FuncId::from_index(i);
            if let Some(class) = f.parent.filter(|_| f.kind == DefKind::Method) {
                for (attr, e) in &index.syntax(id).self_attr_assigns {
                    instance_attrs
                        .entry(class)
                        .or_default()
                        .push((*attr, id, e));
                }
            }
        }
        let mut classes_binding: FxHashMap<Name, Vec<FuncId>> = FxHashMap::default();
        for (&class, scope) in &class_scopes {
            for &name in scope.keys() {
                classes_binding.entry(name).or_default().push(class);
            }
        }
        for classes in classes_binding.values_mut() {
            classes.sort_unstable();
        }
        let mut r = Resolver {
            names: KnownNames {
                init: Name::from("__init__"),
                call: Name::from("__call__"),
                star: Name::from("*"),
                typed_factories: TYPED_FACTORIES
                    .iter()
                    .map(|&f| (Name::from(f), Name::from(format!("{f}()").as_str())))
                    .collect(),
            },
            imports: FxHashMap::default(),
            classes_binding,
            index,
            instance_attrs,
            module_scopes,
            mro: FxHashMap::default(),
            subclasses: FxHashMap::default(),
            flows: FxHashMap::default(),
            class_scopes,
            module_values: Vec::new(),
            returns_memo: Vec::new(),
            star_imports: Vec::new(),
            star_memo: Vec::new(),
            bindings_by_name: (0..index.functions().len())
                .into_par_iter()
                .map(|i| {
                    let bindings = &index.syntax(FuncId::from_index(i)).bindings;
                    let mut order: Vec<(u64, u32)> = (0..u32::MAX)
                        .zip(bindings)
                        .map(|(i, (name, _))| (name.precomputed_hash(), i))
                        .collect();
                    order.sort_unstable();
                    order.into_boxed_slice()
                })
                .collect(),
        };
        r.star_imports = r.compute_star_imports();
        r.compute_class_hierarchy();
        r.imports = (0..index.functions().len())
            .into_par_iter()
            .flat_map_iter(|i| {
                let id = FuncId::from_index(i);
                let file = index.function(id).file;
                let r = &r;
                index
                    .syntax(id)
                    .bindings
                    .iter()
                    .filter_map(move |(_, b)| match b {
                        Binding::Import(import) => Some((
                            import_key(import),
                            r.absolute_module(file, import).map(|m| {
                                let value = r.module_value(&m);
                                (m, value)
                            }),
                        )),
                        _ => None,
                    })
            })
            .collect();
        r
    }

    // ----- scopes and names -----

    fn module_of(&self, id: FuncId) -> FileId {
        self.index.function(id).file
    }

    /// The definition index `i` of `Binding::Def(i)` in the file of `scope`.
    fn def_id(&self, scope: FuncId, i: u32) -> FuncId {
        let file = self.index.file(self.module_of(scope));
        FuncId::from_index(file.module_def.index() + 1 + i as usize)
    }

    /// The bindings of `name` in a function or class scope (modules: [`Self::module_global`]),
    /// in source order.
    fn bindings_in(&self, scope: FuncId, name: Name) -> SmallVec<[&'a Binding; 2]> {
        if let Some(class_scope) = self.class_scopes.get(&scope) {
            return class_scope
                .get(&name)
                .map_or_else(SmallVec::new, |b| b[..].into());
        }
        let bindings = &self.index.syntax(scope).bindings;
        let order = &self.bindings_by_name[scope.index()];
        let hash = name.precomputed_hash();
        let start = order.partition_point(|&(h, _)| h < hash);
        order[start..]
            .iter()
            .take_while(|&&(h, _)| h == hash)
            .map(|&(_, i)| &bindings[i as usize])
            .filter(|(n, _)| *n == name)
            .map(|(_, b)| b)
            .collect()
    }

    /// Runs `visit` on every scope of the codebase (each file's module code, then its
    /// definitions: [`FuncId`] order), scopes in parallel, and concatenates the outputs in
    /// that order. Scopes rather than files are the unit of work, so one long file does not
    /// keep a core busy alone at the end.
    ///
    /// Each chunk of 256 scopes shares one [`SiteMemo`], emptied for each scope, so its tables
    /// keep their capacity instead of growing again for every scope.
    fn over_all_scopes<T: Send>(
        &self,
        visit: impl Fn(FuncId, &mut Vec<T>, &mut SiteMemo<'a>) + Sync,
    ) -> Vec<T> {
        (0..self.index.functions().len())
            .into_par_iter()
            .with_min_len(64)
            .fold_chunks(
                256,
                || (Vec::new(), SiteMemo::default()),
                |(mut out, mut memo), i| {
                    visit(FuncId::from_index(i), &mut out, &mut memo);
                    (out, memo)
                },
            )
            .map(|(out, _)| out)
            .flatten_iter()
            .collect()
    }

    /// Computes the values of every module-level name for the current flows, and readies the
    /// memos for a pass.
    ///
    /// Before pass 2, entries whose computation did not read the flows ([`Entry`]) are kept:
    /// module values and the memoised entries of pass 1. Recomputing them would give the same
    /// values, because nothing else changed: each was computed with a fresh budget from the
    /// same index, and every entry it read is itself kept (it would depend on the flows
    /// otherwise). The module values that are recomputed are computed as in pass 1, without
    /// module values and with fresh memos.
    fn fill_module_values(&mut self) {
        // What the previous pass left (nothing before pass 1), minus what read the flows.
        let flow_free = |e: &Entry| !e.flow_dependent;
        let mut kept_values = std::mem::take(&mut self.module_values);
        kept_values.resize_with(self.module_scopes.len(), FxHashMap::default);
        let kept_returns = std::mem::take(&mut self.returns_memo);
        let kept_stars = std::mem::take(&mut self.star_memo);
        self.reset_memos();
        let this = &*self;
        self.module_values = this
            .module_scopes
            .par_iter()
            .zip(kept_values)
            .enumerate()
            .map(|(i, (scope, mut values))| {
                values.retain(|_, e| flow_free(e));
                let file = FileId::from_index(i);
                for &n in scope.keys() {
                    if n != this.names.star && !values.contains_key(&n) {
                        let ctx = Ctx::new();
                        let found = this.module_global(file, n, 0, &ctx);
                        values.insert(n, Entry::of(found, &ctx));
                    }
                }
                values
            })
            .collect();
        // The entries computed meanwhile saw no module values: start the pass without them.
        self.reset_memos();
        for (slot, kept) in self.returns_memo.iter_mut().zip(kept_returns) {
            if let Some(entry) = kept.into_inner().filter(flow_free) {
                *slot = std::sync::OnceLock::from(entry);
            }
        }
        for (memo, kept) in self.star_memo.iter_mut().zip(kept_stars) {
            let mut kept = kept.into_inner().unwrap_or_default();
            kept.retain(|_, e| flow_free(e));
            *memo = std::sync::RwLock::new(kept);
        }
    }

    /// Empties the memos.
    fn reset_memos(&mut self) {
        self.returns_memo = (0..self.index.functions().len())
            .map(|_| std::sync::OnceLock::new())
            .collect();
        self.star_memo = (0..self.index.files().len())
            .map(|_| std::sync::RwLock::default())
            .collect();
    }

    /// The codebase modules each module star-imports, in source order.
    fn compute_star_imports(&self) -> Vec<Vec<FileId>> {
        (0..self.module_scopes.len())
            .map(|i| {
                let file = FileId::from_index(i);
                let mut out = Vec::new();
                for (_, b) in self.module_scopes[i]
                    .get(&self.names.star)
                    .map_or(&[][..], Vec::as_slice)
                {
                    if let Binding::Star(r) = b
                        && let Some(module) = self.absolute_module(file, r)
                        && let Value::Module(f) = self.module_value(&module)
                        && f != file
                        && !out.contains(&f)
                    {
                        out.push(f);
                    }
                }
                out
            })
            .collect()
    }

    /// The values a name may have when used in `scope`, following Python's scoping.
    fn lookup(&self, scope: FuncId, name: Name, depth: u32, ctx: &Ctx) -> Values {
        let mut s = scope;
        loop {
            let f = self.index.function(s);
            if f.kind == DefKind::Module {
                return self.module_global(f.file, name, depth + 1, ctx);
            }
            // Class bodies are not enclosing scopes of the functions nested in them.
            if !(f.kind == DefKind::Class && s != scope) {
                let bindings = self.bindings_in(s, name);
                if !bindings.is_empty() {
                    if bindings.iter().any(|b| matches!(b, Binding::Global)) {
                        return self.module_global(f.file, name, depth + 1, ctx);
                    }
                    if !bindings.iter().any(|b| matches!(b, Binding::Nonlocal)) {
                        let mut out = Unique::default();
                        for b in bindings {
                            for v in self.eval_binding(s, b, depth + 1, ctx) {
                                out.push(v);
                            }
                        }
                        return out.into_values();
                    }
                }
            }
            match f.parent {
                Some(p) => s = p,
                None => return Values::new(),
            }
        }
    }

    /// A global name of a module: its bindings (including assignments of functions that
    /// declare it `global`), then its star imports.
    fn module_global(&self, file: FileId, name: Name, depth: u32, ctx: &Ctx) -> Values {
        if depth > MAX_DEPTH || !ctx.step() {
            return Values::new();
        }
        if let Some(entry) = self
            .module_values
            .get(file.index())
            .and_then(|m| m.get(&name))
        {
            return entry.read(ctx);
        }
        if let Some(bindings) = self.module_scopes[file.index()].get(&name) {
            let mut out = Values::new();
            for &(scope, b) in bindings {
                for v in self.eval_binding(scope, b, depth + 1, ctx) {
                    push_unique(&mut out, v);
                }
            }
            if !out.is_empty() {
                return out;
            }
        }
        self.star_lookup(file, name, depth, ctx)
    }

    /// An attribute of a module: a global name, else a submodule.
    fn module_member(&self, file: FileId, name: Name, depth: u32, ctx: &Ctx) -> Values {
        let found = self.module_global(file, name, depth, ctx);
        if !found.is_empty() {
            return found;
        }
        self.submodule(&self.index.file(file).module, &name)
    }

    /// The codebase module or package `package.name`, if there is one.
    fn submodule(&self, package: &str, name: &str) -> Values {
        match self.module_value(&format!("{package}.{name}")) {
            Value::External(_) => Values::new(),
            v => smallvec![v],
        }
    }

    /// A name of `file` found through its star imports, memoised ([`MemoKey::Star`],
    /// [`Self::star_memo`]).
    fn star_lookup(&self, file: FileId, name: Name, depth: u32, ctx: &Ctx) -> Values {
        let stars = &self.star_imports[file.index()];
        if stars.is_empty() {
            return Values::new();
        }
        let key = MemoKey::Star(file);
        let Some(memo) = self
            .star_memo
            .get(file.index())
            .filter(|_| ctx.may_read(key))
        else {
            return self.star_inline(stars, name, depth, ctx);
        };
        if let Some(v) = memo
            .read()
            .ok()
            .and_then(|m| m.get(&name).map(|e| e.read(ctx)))
        {
            return v;
        }
        let entry = Entry::compute(key, |entry_ctx| self.star_inline(stars, name, 0, entry_ctx));
        let v = entry.read(ctx);
        if let Ok(mut m) = memo.write() {
            m.entry(name).or_insert(entry);
        }
        v
    }

    fn star_inline(&self, stars: &[FileId], name: Name, depth: u32, ctx: &Ctx) -> Values {
        let mut out = Values::new();
        for &f in stars {
            for v in self.module_global(f, name, depth + 1, ctx) {
                push_unique(&mut out, v);
            }
        }
        out
    }

    fn eval_binding(&self, scope: FuncId, b: &Binding, depth: u32, ctx: &Ctx) -> Values {
        if depth > MAX_DEPTH || !ctx.step() {
            return Values::new();
        }
        match b {
            Binding::Def(i) => smallvec![Value::Def(self.def_id(scope, *i))],
            Binding::Import(r) => self.import_value(self.module_of(scope), r, depth, ctx),
            Binding::Assign(e) => self.eval(e, scope, depth + 1, ctx),
            Binding::Param(i) => self.param_value(scope, *i, depth, ctx),
            Binding::Star(_) | Binding::Global | Binding::Nonlocal | Binding::Opaque => {
                Values::new()
            }
        }
    }

    /// A parameter's values: `self`/`cls` of a method, an instance of its annotated class,
    /// and what flows into it.
    fn param_value(&self, func: FuncId, i: u16, depth: u32, ctx: &Ctx) -> Values {
        let f = self.index.function(func);
        let syntax = self.index.syntax(func);
        let mut out = Values::new();
        if i == 0
            && f.kind == DefKind::Method
            && !has_decorator(syntax, "staticmethod")
            && let Some(class) = f.parent
        {
            if has_decorator(syntax, "classmethod") {
                out.push(Value::Def(class));
            } else {
                out.push(Value::Instance {
                    class,
                    via_self: true,
                });
            }
            return out;
        }
        let param = syntax.params.get(usize::from(i));
        let scope = f.parent.unwrap_or(func);
        // A default value that names a function or class flows in like an argument.
        if let Some(default) = param
            .and_then(|p| p.default.as_deref())
            .and_then(dotted_expr)
        {
            for v in self.eval(&default, scope, depth + 1, ctx) {
                if is_function_value(&v) {
                    push_unique(&mut out, v);
                }
            }
        }
        if let Some(ann) = param
            .and_then(|p| p.annotation.as_deref())
            .and_then(dotted_expr)
        {
            self.annotated_instances(&ann, scope, depth, ctx, &mut out);
        }
        out.push(Value::Param(func, i));
        out
    }

    // ----- modules and imports -----

    fn module_value(&self, dotted: &str) -> Value {
        if let Some(f) = self.index.module(dotted) {
            Value::Module(f)
        } else if self.index.is_package_prefix(dotted) {
            Value::Package(dotted.into())
        } else {
            Value::External(dotted.into())
        }
    }

    /// The absolute module an import names, relative imports resolved against `file`'s
    /// package; absolute imports that miss the codebase are tried as siblings of `file` (a
    /// script's directory is on `sys.path`).
    fn absolute_module(&self, file: FileId, r: &ImportRef) -> Option<String> {
        let this = self.index.file(file);
        let is_package = this.rel_path.ends_with("__init__.py");
        if r.level == 0 {
            if self.index.module(&r.module).is_some() || self.index.is_package_prefix(&r.module) {
                return Some(r.module.to_string());
            }
            let package = if is_package {
                this.module.as_str()
            } else {
                this.module.rsplit_once('.').map_or("", |(p, _)| p)
            };
            if !package.is_empty() {
                let sibling = format!("{package}.{}", r.module);
                let top = sibling.split('.').next().unwrap_or("");
                let first = r.module.split('.').next().unwrap_or("");
                if (self.index.module(&sibling).is_some() || self.index.is_package_prefix(&sibling))
                    && top != first
                {
                    return Some(sibling);
                }
            }
            return Some(r.module.to_string());
        }
        let mut parts: Vec<&str> = this.module.split('.').filter(|p| !p.is_empty()).collect();
        if !is_package {
            parts.pop();
        }
        for _ in 1..r.level {
            parts.pop()?;
        }
        if !r.module.is_empty() {
            parts.push(&r.module);
        }
        Some(parts.join("."))
    }

    fn import_value(&self, file: FileId, r: &ImportRef, depth: u32, ctx: &Ctx) -> Values {
        let computed;
        let (module, value) = match self.imports.get(&import_key(r)) {
            Some(Some((module, value))) => (module.as_str(), value),
            Some(None) => return Values::new(),
            None => {
                let Some(module) = self.absolute_module(file, r) else {
                    return Values::new();
                };
                let value = self.module_value(&module);
                computed = (module, value);
                (computed.0.as_str(), &computed.1)
            }
        };
        let Some(name) = r.name else {
            return smallvec![value.clone()];
        };
        match value {
            // A package importing from itself (`from . import sub`, `from pkg import sub` in
            // pkg/__init__.py) gets its submodules; its own names would be a loop.
            Value::Module(f) if *f == file => self.submodule(module, &name),
            Value::Module(f) => self.module_member(*f, name, depth + 1, ctx),
            Value::Package(p) => self.submodule(p, &name),
            Value::External(m) => smallvec![Value::External(format!("{m}.{name}").into())],
            _ => Values::new(),
        }
    }

    // ----- classes -----

    fn compute_class_hierarchy(&mut self) {
        let index = self.index;
        let classes: Vec<FuncId> = (0..index.functions().len())
            .map(FuncId::from_index)
            .filter(|&id| index.function(id).kind == DefKind::Class)
            .collect();
        let bases: FxHashMap<FuncId, Vec<FuncId>> = classes
            .par_iter()
            .map(|&c| {
                let ctx = Ctx::new();
                let scope = index.function(c).parent.unwrap_or(c);
                let mut out = Vec::new();
                for e in &index.syntax(c).bases {
                    // `Base[T]` (a generic alias) derives from `Base`.
                    let e = match e {
                        Expr::Subscript(b) => b,
                        e => e,
                    };
                    for v in self.eval(e, scope, 0, &ctx) {
                        if let Value::Def(b) = v
                            && b != c
                            && index.function(b).kind == DefKind::Class
                            && !out.contains(&b)
                        {
                            out.push(b);
                        }
                    }
                }
                (c, out)
            })
            .collect();
        let mut mro = FxHashMap::default();
        for &c in &classes {
            let mut visiting = FxHashSet::default();
            c3(c, &bases, &mut mro, &mut visiting);
        }
        let mut subclasses: FxHashMap<FuncId, Vec<FuncId>> = FxHashMap::default();
        for &c in &classes {
            for &b in bases.get(&c).map(Vec::as_slice).unwrap_or(&[]) {
                subclasses.entry(b).or_default().push(c);
            }
        }
        self.mro = mro;
        self.subclasses = subclasses;
    }

    /// Per method, the methods of the same name in the classes that have its class in their
    /// MRO ([`Resolved::overrides`]).
    fn overrides(&self) -> FxHashMap<FuncId, Vec<FuncId>> {
        let index = self.index;
        let mut method_of: FxHashMap<(FuncId, Name), FuncId> = FxHashMap::default();
        for (i, f) in index.functions().iter().enumerate() {
            if f.kind == DefKind::Method
                && let Some(class) = f.parent
            {
                method_of
                    .entry((class, Name::from(f.name.as_str())))
                    .or_insert(FuncId::from_index(i));
            }
        }
        let mut out: FxHashMap<FuncId, Vec<FuncId>> = FxHashMap::default();
        for (&(class, name), &method) in &method_of {
            let Some(classes) = self.classes_binding.get(&name) else {
                continue;
            };
            let mut by: Vec<FuncId> = classes
                .iter()
                .filter(|&&s| s != class && self.mro_of(s).contains(&class))
                .filter_map(|&s| method_of.get(&(s, name)).copied())
                .collect();
            if !by.is_empty() {
                by.sort_unstable();
                out.insert(method, by);
            }
        }
        out
    }

    fn mro_of(&self, class: FuncId) -> &[FuncId] {
        self.mro.get(&class).map_or(&[], Vec::as_slice)
    }

    /// The bindings of `name` in a class body, in source order (none when `class` is not a
    /// codebase class).
    fn class_bindings(&self, class: FuncId, name: Name) -> &[&'a Binding] {
        self.class_scopes
            .get(&class)
            .and_then(|scope| scope.get(&name))
            .map_or(&[], Vec::as_slice)
    }

    /// Members named `name` of the class's own body.
    fn own_member(&self, class: FuncId, name: Name, depth: u32, ctx: &Ctx) -> Values {
        let mut out = Values::new();
        for &b in self.class_bindings(class, name) {
            for v in self.eval_binding(class, b, depth + 1, ctx) {
                push_unique(&mut out, v);
            }
        }
        out
    }

    /// `name` looked up on a class or an instance along the MRO; methods come back bound
    /// when `bound`. On `self` (`via_self`), overrides in codebase
    /// subclasses are added.
    fn class_member(
        &self,
        class: FuncId,
        name: Name,
        bound: bool,
        via_self: bool,
        depth: u32,
        ctx: &Ctx,
    ) -> Values {
        if depth > MAX_DEPTH || !ctx.step() {
            return Values::new();
        }
        let mut out = Unique::default();
        for &k in self.mro_of(class) {
            let found = self.own_member(k, name, depth, ctx);
            if !found.is_empty() {
                for v in found {
                    out.push(self.bind(v, bound));
                }
                break;
            }
        }
        if via_self {
            // Overrides: classes binding `name` that have `class` in their MRO.
            let candidates = self
                .classes_binding
                .get(&name)
                .map_or(&[][..], Vec::as_slice);
            for &s in candidates {
                if s != class && self.mro_of(s).contains(&class) && ctx.step() {
                    for v in self.own_member(s, name, depth, ctx) {
                        out.push(self.bind(v, bound));
                    }
                }
            }
        }
        out.into_values()
    }

    /// `super().name` in a method of `class`: the next definition after `class` in the MRO of
    /// `class` and of each codebase subclass (`self` may be any of them; in a diamond the
    /// next class is a sibling).
    fn super_member(&self, class: FuncId, name: Name, depth: u32, ctx: &Ctx) -> Values {
        let mut out = Values::new();
        let mut stack = vec![class];
        let mut seen = FxHashSet::default();
        while let Some(k) = stack.pop() {
            if !seen.insert(k) || !ctx.step() {
                continue;
            }
            let mro = self.mro_of(k);
            if let Some(pos) = mro.iter().position(|&c| c == class) {
                for &next in &mro[pos + 1..] {
                    let found = self.own_member(next, name, depth, ctx);
                    if !found.is_empty() {
                        for v in found {
                            push_unique(&mut out, self.bind(v, true));
                        }
                        break;
                    }
                }
            }
            if let Some(sub) = self.subclasses.get(&k) {
                stack.extend_from_slice(sub);
            }
        }
        out
    }

    fn bind(&self, v: Value, bound: bool) -> Value {
        match v {
            Value::Def(m) if bound && self.index.function(m).kind == DefKind::Method => {
                if has_decorator(self.index.syntax(m), "staticmethod") {
                    Value::Def(m)
                } else {
                    Value::Bound(m)
                }
            }
            Value::Def(m)
                if self.index.function(m).kind == DefKind::Method
                    && has_decorator(self.index.syntax(m), "classmethod") =>
            {
                Value::Bound(m)
            }
            v => v,
        }
    }

    /// Attributes `self.name = value` assigned in the methods of the class's MRO.
    fn instance_attr(&self, class: FuncId, name: Name, depth: u32, ctx: &Ctx) -> Values {
        let mut out = Values::new();
        for &k in self.mro_of(class) {
            for &(attr, method, e) in self.instance_attrs.get(&k).map_or(&[][..], Vec::as_slice) {
                if attr == name {
                    for v in self.eval(e, method, depth + 1, ctx) {
                        push_unique(&mut out, v);
                    }
                }
            }
        }
        out
    }

    // ----- expressions -----

    fn eval(&self, e: &Expr, scope: FuncId, depth: u32, ctx: &Ctx) -> Values {
        if depth > MAX_DEPTH || !ctx.step() {
            return Values::new();
        }
        match e {
            Expr::Name(n) => self.lookup(scope, *n, depth + 1, ctx),
            Expr::Attr(base, a) => {
                let bases = self.expand(self.eval(base, scope, depth + 1, ctx), ctx);
                if let [v] = &bases[..] {
                    // One base: its attribute's values are free of duplicates already.
                    return self.attr(v, *a, depth + 1, ctx);
                }
                let mut out = Unique::default();
                for v in bases.iter() {
                    for r in self.attr(v, *a, depth + 1, ctx) {
                        out.push(r);
                    }
                }
                out.into_values()
            }
            Expr::Call(f) => {
                let callees = self.expand(self.eval(f, scope, depth + 1, ctx), ctx);
                if let [v] = &callees[..] {
                    return self.call_result(v, None, depth + 1, ctx);
                }
                let mut out = Unique::default();
                for v in callees.iter() {
                    for r in self.call_result(v, None, depth + 1, ctx) {
                        out.push(r);
                    }
                }
                out.into_values()
            }
            Expr::Super => {
                let mut s = Some(scope);
                while let Some(id) = s {
                    let f = self.index.function(id);
                    if f.kind == DefKind::Method {
                        return f.parent.map(Value::Super).into_iter().collect();
                    }
                    s = f.parent;
                }
                Values::new()
            }
            Expr::Subscript(b) | Expr::Element(b) => {
                let mut out = Unique::default();
                for v in self.expand(self.eval(b, scope, depth + 1, ctx), ctx).iter() {
                    if let Value::Container(items) = v {
                        items.iter().for_each(|i| out.push(i.clone()));
                    }
                }
                out.into_values()
            }
            Expr::Collection(items) => {
                let mut values = Unique::default();
                for i in items {
                    for v in self.eval(i, scope, depth + 1, ctx) {
                        values.push(v);
                    }
                }
                smallvec![Value::Container(values.into_values().into_iter().collect())]
            }
            Expr::Either(options) => {
                let mut out = Unique::default();
                for o in options {
                    for v in self.eval(o, scope, depth + 1, ctx) {
                        out.push(v);
                    }
                }
                out.into_values()
            }
            Expr::Other(_) => Values::new(),
        }
    }

    /// Replaces parameter placeholders by the values flowing into them (transitively: the
    /// flows are closed once after pass 1, see [`close_flows`]); one step per parameter. A
    /// lone parameter's flow is lent, not copied: flows are long, and most expansions are only
    /// read (the attribute or call on each value).
    fn expand(&self, values: Values, ctx: &Ctx) -> Expanded<'_> {
        if !values.iter().any(|v| matches!(v, Value::Param(..))) {
            return Expanded::Owned(values);
        }
        if let [Value::Param(f, i)] = values[..] {
            // The closed flows are free of duplicates already.
            return match self.flow(f, i, ctx) {
                Some(flow) if ctx.step() => Expanded::Lent(flow),
                _ => Expanded::Owned(Values::new()),
            };
        }
        let mut out = Unique::default();
        for v in values {
            match v {
                Value::Param(f, i) => {
                    if ctx.step()
                        && let Some(flow) = self.flow(f, i, ctx)
                    {
                        for x in flow {
                            out.push(x.clone());
                        }
                    }
                }
                v => out.push(v),
            }
        }
        Expanded::Owned(out.into_values())
    }

    /// The closed flow into parameter `i` of `f`, if any. Evaluation reads the flows only
    /// through here, so every evaluation that reads them is marked as depending on them
    /// ([`Entry`]), whatever it finds.
    fn flow(&self, f: FuncId, i: u16, ctx: &Ctx) -> Option<&[Value]> {
        ctx.flow_dependent.set(true);
        self.flows.get(&(f, i)).map(Vec::as_slice)
    }

    fn attr(&self, v: &Value, name: Name, depth: u32, ctx: &Ctx) -> Values {
        match v {
            Value::Module(f) => self.module_member(*f, name, depth + 1, ctx),
            Value::Package(p) => self.submodule(p, &name),
            Value::External(q) => smallvec![Value::External(format!("{q}.{name}").into())],
            Value::Def(c) if self.index.function(*c).kind == DefKind::Class => {
                self.class_member(*c, name, false, false, depth, ctx)
            }
            Value::Instance { class, via_self } => {
                let mut out = self.class_member(*class, name, true, *via_self, depth, ctx);
                if out.is_empty() {
                    out = self.instance_attr(*class, name, depth, ctx);
                }
                out
            }
            Value::Super(c) => self.super_member(*c, name, depth, ctx),
            _ => Values::new(),
        }
    }

    /// What calling `v` returns. `param0` replaces the callee's first parameter (a decorator
    /// applied to a known function). Of the callables outside the codebase, only the typed
    /// factories ([`TYPED_FACTORIES`]) return a value.
    fn call_result(&self, v: &Value, param0: Option<&[Value]>, depth: u32, ctx: &Ctx) -> Values {
        if depth > MAX_DEPTH || !ctx.step() {
            return Values::new();
        }
        match v {
            Value::Def(c) if self.index.function(*c).kind == DefKind::Class => {
                smallvec![Value::Instance {
                    class: *c,
                    via_self: false,
                }]
            }
            Value::Def(f) | Value::Bound(f) | Value::Undecorated(f) => {
                self.returns_of(*f, param0, depth, ctx)
            }
            Value::External(q) => self
                .names
                .typed_factories
                .iter()
                .find(|(f, _)| f == q)
                .map(|&(_, result)| Value::External(result))
                .into_iter()
                .collect(),
            _ => Values::new(),
        }
    }

    /// Instances of the codebase classes a type annotation names (`x: Foo`, `-> Foo`),
    /// evaluated in `scope`, added to `out`.
    fn annotated_instances(
        &self,
        annotation: &Expr,
        scope: FuncId,
        depth: u32,
        ctx: &Ctx,
        out: &mut Values,
    ) {
        for v in self.eval(annotation, scope, depth + 1, ctx) {
            if let Value::Def(c) = v
                && self.index.function(c).kind == DefKind::Class
            {
                push_unique(
                    out,
                    Value::Instance {
                        class: c,
                        via_self: false,
                    },
                );
            }
        }
    }

    /// What calling `f` returns; `param0` replaces its first parameter (a decorator applied
    /// to a known function).
    ///
    /// Without `param0` the answer is memoised ([`MemoKey::Returns`], [`Self::returns_memo`]):
    /// computed once, with a fresh step budget.
    fn returns_of(&self, f: FuncId, param0: Option<&[Value]>, depth: u32, ctx: &Ctx) -> Values {
        if param0.is_none()
            && ctx.may_read(MemoKey::Returns(f))
            && let Some(slot) = self.returns_memo.get(f.index())
        {
            // Not `get_or_init`: a thread that finds the entry being computed elsewhere
            // computes it too (the value is the same) instead of waiting.
            if let Some(entry) = slot.get() {
                return entry.read(ctx);
            }
            let entry = Entry::compute(MemoKey::Returns(f), |entry_ctx| {
                self.returns_inline(f, None, 0, entry_ctx)
            });
            let v = entry.read(ctx);
            let _ = slot.set(entry);
            return v;
        }
        self.returns_inline(f, param0, depth, ctx)
    }

    fn returns_inline(&self, f: FuncId, param0: Option<&[Value]>, depth: u32, ctx: &Ctx) -> Values {
        let syntax = self.index.syntax(f);
        let mut out = Values::new();
        if let Some(ann) = &syntax.return_annotation {
            let scope = self.index.function(f).parent.unwrap_or(f);
            self.annotated_instances(ann, scope, depth, ctx, &mut out);
            if !out.is_empty() {
                return out;
            }
        }
        for e in &syntax.returns {
            for v in self.eval(e, f, depth + 1, ctx) {
                match (v, param0) {
                    (Value::Param(g, 0), Some(p)) if g == f => {
                        for x in p {
                            push_unique(&mut out, x.clone());
                        }
                    }
                    (v, _) => push_unique(&mut out, v),
                }
            }
        }
        out
    }

    /// The definitions a call of `v` enters, with the constructor and decorators applied.
    fn call_targets(&self, v: &Value, ctx: &Ctx, out: &mut Vec<Target>) {
        match v {
            // Instantiating a class runs the `__init__` found along its MRO; a class without
            // one runs no code of the codebase (PyCG's convention too): no edge.
            Value::Def(c) if self.index.function(*c).kind == DefKind::Class => {
                let init = self.class_member(*c, self.names.init, false, false, 0, ctx);
                for i in init {
                    if let Value::Def(m) | Value::Bound(m) = i {
                        out.push(Target::Def(m));
                    }
                }
            }
            Value::Def(f) | Value::Bound(f) => {
                for d in self.decorated(*f, ctx) {
                    out.push(d);
                }
            }
            Value::Undecorated(f) => out.push(Target::Def(*f)),
            Value::Instance { class, .. } => {
                for i in self.class_member(*class, self.names.call, true, false, 0, ctx) {
                    if let Value::Def(m) | Value::Bound(m) = i {
                        out.push(Target::Def(m));
                    }
                }
            }
            Value::External(q) => out.push(Target::External {
                name: *q,
                imported: true,
            }),
            _ => {}
        }
    }

    /// What a call of the decorated function `f` enters: each codebase decorator, innermost
    /// first, replaces it with what it returns when that is a function of its own (a
    /// wrapper); identity decorators and decorators from outside keep `f`.
    fn decorated(&self, f: FuncId, ctx: &Ctx) -> Vec<Target> {
        let syntax = self.index.syntax(f);
        if syntax.decorators.is_empty() {
            return vec![Target::Def(f)];
        }
        let mut current = smallvec![Value::Undecorated(f)];
        for (decorator, _) in self.decorator_values(f, ctx).into_iter().rev() {
            current = self.apply_decorator(&decorator, current, ctx);
        }
        current
            .into_iter()
            .filter_map(|v| match v {
                Value::Def(d) | Value::Bound(d) | Value::Undecorated(d) => Some(Target::Def(d)),
                _ => None,
            })
            .collect()
    }

    /// What applying a decorator (its possible values) to `current` gives: for each codebase
    /// function decorator, the callables it returns with its first parameter bound to
    /// `current`; `current` itself when none returns a callable (identity decorators,
    /// decorators from outside the codebase).
    fn apply_decorator(&self, decorator: &[Value], current: Values, ctx: &Ctx) -> Values {
        let mut next = Values::new();
        for d in decorator {
            if let Value::Def(dec) = d
                && self.index.function(*dec).kind != DefKind::Class
            {
                for r in self.returns_of(*dec, Some(&current), 1, ctx) {
                    if is_callable(&r) {
                        push_unique(&mut next, r);
                    }
                }
            }
        }
        if next.is_empty() { current } else { next }
    }

    /// The values of each decorator expression of `f` (outermost first), evaluated in the
    /// enclosing scope; `@dec(args)` is what `dec(args)` returns.
    fn decorator_values(&self, f: FuncId, ctx: &Ctx) -> Vec<(Values, u32)> {
        let scope = self.index.function(f).parent.unwrap_or(f);
        let line = self.index.function(f).start_line;
        self.index
            .syntax(f)
            .decorators
            .iter()
            .enumerate()
            .map(|(i, (e, _))| {
                let values = self.expand(self.eval(e, scope, 0, ctx), ctx).into_owned();
                (values, line + u32::try_from(i).unwrap_or(0))
            })
            .collect()
    }

    // ----- call sites -----

    /// Resolves the calls of one scope into `sink`.
    fn calls_of(&self, scope: FuncId, sink: &mut Sink, memo: &mut SiteMemo<'a>) {
        let syntax = self.index.syntax(scope);
        memo.clear();
        for call in &syntax.calls {
            match sink {
                Sink::Flows(out) => self.call_flows(scope, call, memo, out),
                Sink::Edges(out) => self.call_edges(scope, call, memo, out),
            }
        }
        if !syntax.decorators.is_empty()
            && let Some(caller) = self.index.function(scope).parent
        {
            self.decorator_calls(scope, caller, sink);
        }
    }

    /// The calls a definition's decorators make. They run when the definition does, so they
    /// are calls from the enclosing scope, `caller`, innermost decorator first, each applied
    /// to what the ones before it returned. Pass 1 records, for each codebase function used as
    /// a decorator, the definition so far flowing into its first parameter; pass 2 records the
    /// call edges into the decorators (with the decorators' own decorators and constructors
    /// applied, as at any call).
    fn decorator_calls(&self, scope: FuncId, caller: FuncId, sink: &mut Sink) {
        let ctx = Ctx::new();
        let mut current: Values = smallvec![Value::Undecorated(scope)];
        for (decorator, line) in self.decorator_values(scope, &ctx).into_iter().rev() {
            match sink {
                Sink::Flows(out) => {
                    for v in &decorator {
                        if let Value::Def(g) = v
                            && self.index.function(*g).kind != DefKind::Class
                        {
                            out.extend(current.iter().map(|c| ((*g, 0), c.clone())));
                        }
                    }
                }
                Sink::Edges(out) => {
                    let mut targets = Vec::new();
                    for v in &decorator {
                        self.call_targets(v, &ctx, &mut targets);
                    }
                    out.extend(targets.into_iter().map(|target| StaticCall {
                        caller,
                        target,
                        line,
                    }));
                }
            }
            current = self.apply_decorator(&decorator, current, &ctx);
        }
    }

    /// What a call site's callee evaluates to, parameters expanded, with the context it was
    /// evaluated in (its steps left are where the rest of the site's evaluation continues).
    fn callee_values(&self, callee: &Expr, scope: FuncId) -> (Values, Ctx) {
        let ctx = Ctx::new();
        let values = self
            .expand(self.eval(callee, scope, 0, &ctx), &ctx)
            .into_owned();
        (values, ctx)
    }

    /// Pass 1 at one call site: the functions its arguments pass into the parameters of
    /// codebase callees. Only calls that may pass a function on are looked at.
    fn call_flows<'e>(
        &self,
        scope: FuncId,
        call: &'e CallSite,
        memo: &mut SiteMemo<'e>,
        out: &mut Vec<((FuncId, u16), Value)>,
    ) {
        if !call.args.iter().any(|a| may_be_function(&a.value)) {
            return;
        }
        let (callees, steps) = memo.callees.entry(&call.callee).or_insert_with(|| {
            let (values, ctx) = self.callee_values(&call.callee, scope);
            (values, ctx.steps_left())
        });
        let ctx = Ctx::with_steps(*steps);
        // Each argument's function values are computed once, when a callee first has a
        // parameter for it.
        let mut arg_values: Vec<Option<Values>> = vec![None; call.args.len()];
        for c in callees.iter() {
            let (func, offset) = match c {
                Value::Def(g) if self.index.function(*g).kind == DefKind::Class => {
                    match self
                        .class_member(*g, self.names.init, false, false, 0, &ctx)
                        .first()
                    {
                        Some(Value::Def(m)) => (*m, 1),
                        _ => continue,
                    }
                }
                Value::Def(g) => (*g, 0),
                Value::Bound(g) => (*g, 1),
                _ => continue,
            };
            for (arg, values) in call.args.iter().zip(&mut arg_values) {
                let Some(p) = self.param_index(func, arg, offset) else {
                    continue;
                };
                let values = values.get_or_insert_with(|| {
                    memo.passed.get_or_eval(&arg.value, &ctx, || {
                        let mut v = self.eval(&arg.value, scope, 0, &ctx);
                        v.retain(|v| is_function_value(v));
                        v
                    })
                });
                for v in values.iter() {
                    out.push(((func, p), v.clone()));
                }
            }
        }
    }

    /// Pass 2 at one call site: its edges, to what the callee enters and, when the callee is
    /// outside the codebase, to the codebase functions handed to it (map, sorted(key=...),
    /// callbacks run on the caller's behalf).
    fn call_edges<'e>(
        &self,
        scope: FuncId,
        call: &'e CallSite,
        memo: &mut SiteMemo<'e>,
        out: &mut Vec<StaticCall>,
    ) {
        let (callee_targets, external_callee, steps) =
            memo.targets.entry(&call.callee).or_insert_with(|| {
                let (callees, ctx) = self.callee_values(&call.callee, scope);
                // Outside the codebase, or not known: neither a function nor a class of it.
                let external_callee = callees.is_empty()
                    || callees
                        .iter()
                        .any(|c| !matches!(c, Value::Def(_) | Value::Bound(_)));
                let mut targets = Vec::new();
                for c in &callees {
                    self.call_targets(c, &ctx, &mut targets);
                }
                if targets.is_empty() {
                    targets.push(Target::External {
                        name: call.callee.text().into(),
                        imported: false,
                    });
                }
                (targets, external_callee, ctx.steps_left())
            });
        let edge = |target| StaticCall {
            caller: scope,
            target,
            line: call.line,
        };
        out.extend(callee_targets.iter().cloned().map(edge));
        // Only names bound to functions count: a parameter handed on (`wraps(fn)`) is the
        // caller's caller's business. A collection literal evaluates to a container, never
        // to a function.
        if *external_callee {
            let ctx = Ctx::with_steps(*steps);
            let args = call
                .args
                .iter()
                .filter(|a| !matches!(a.value, Expr::Collection(_) | Expr::Other(_)));
            for arg in args {
                let functions = memo.handed.get_or_eval(&arg.value, &ctx, || {
                    let mut functions = Vec::new();
                    for v in self.eval(&arg.value, scope, 0, &ctx) {
                        if let Value::Def(f) | Value::Bound(f) = v
                            && self.index.function(f).kind != DefKind::Class
                        {
                            functions.push(f);
                        }
                    }
                    functions
                });
                out.extend(functions.iter().map(|&f| edge(Target::Def(f))));
            }
        }
    }

    /// The parameter an argument binds to, `offset` parameters skipped (bound methods).
    fn param_index(
        &self,
        func: FuncId,
        arg: &crate::source::syntax::Arg,
        offset: u16,
    ) -> Option<u16> {
        let params = &self.index.syntax(func).params;
        if let Some(k) = &arg.keyword {
            return params
                .iter()
                .position(|p| p.name == **k)
                .and_then(|i| u16::try_from(i).ok());
        }
        let i = arg.position?.checked_add(offset)?;
        let p = params.get(usize::from(i))?;
        matches!(
            p.kind,
            ParamKind::PositionalOnly | ParamKind::PositionalOrKeyword
        )
        .then_some(i)
    }
}

/// The transitive closure of the flows into parameters: for each parameter, the values (other
/// than parameters) that reach it directly or through parameters that flow into it, depth
/// first in the order pass 1 recorded them, at most [`MAX_VALUES`]. Each parameter's list is
/// computed on its own, so the result does not depend on the order parameters are visited.
fn close_flows(
    direct: &FxHashMap<(FuncId, u16), Vec<Value>>,
) -> FxHashMap<(FuncId, u16), Vec<Value>> {
    let keys: Vec<(FuncId, u16)> = direct.keys().copied().collect();
    keys.into_par_iter()
        .map(|key| {
            let mut out = Vec::new();
            let mut seen = FxHashSet::default();
            seen.insert(key);
            let mut stack: Vec<&Value> = direct[&key].iter().rev().collect();
            while let Some(v) = stack.pop() {
                match v {
                    Value::Param(f, i) => {
                        if seen.insert((*f, *i))
                            && let Some(flow) = direct.get(&(*f, *i))
                        {
                            stack.extend(flow.iter().rev());
                        }
                    }
                    v => {
                        if out.len() >= MAX_VALUES {
                            break;
                        }
                        if !out.contains(v) {
                            out.push(v.clone());
                        }
                    }
                }
            }
            (key, out)
        })
        .collect()
}

/// Runs `work`, on a new stack segment (on the heap) when less than 256 KiB of this thread's
/// stack is left. A memoised answer computes the smaller answers it reads first, so these
/// computations nest as deep as the longest chain of answers (say 10,000 functions each
/// returning the next one's result); within one answer, the depth limit bounds recursion.
fn on_enough_stack<T>(work: impl FnOnce() -> T) -> T {
    stacker::maybe_grow(256 * 1024, 4 * 1024 * 1024, work)
}

fn is_function_value(v: &Value) -> bool {
    matches!(
        v,
        Value::Def(_)
            | Value::Bound(_)
            | Value::Undecorated(_)
            | Value::Param(..)
            | Value::Container(_)
    )
}

/// The key of an import binding in [`Resolver::imports`]: its address.
fn import_key(r: &ImportRef) -> usize {
    std::ptr::from_ref(r) as usize
}

/// False when `e` cannot evaluate to a function, class or parameter value whatever the
/// bindings: literals and arithmetic ([`Expr::Other`]) and collections of them.
fn may_be_function(e: &Expr) -> bool {
    match e {
        Expr::Other(_) => false,
        Expr::Collection(es) | Expr::Either(es) => es.iter().any(may_be_function),
        _ => true,
    }
}

fn is_callable(v: &Value) -> bool {
    matches!(v, Value::Def(_) | Value::Bound(_) | Value::Undecorated(_))
}

fn has_decorator(syntax: &DefSyntax, name: &str) -> bool {
    syntax.decorators.iter().any(|(_, t)| t == name)
}

/// `pkg.Class` as an expression, for annotations given as text.
fn dotted_expr(text: &str) -> Option<Expr> {
    let text = text.trim_matches(|c| c == '"' || c == '\'');
    let mut parts = text.split('.');
    let first = parts.next()?;
    if first.is_empty() || !first.chars().all(|c| c == '_' || c.is_alphanumeric()) {
        return None;
    }
    let mut e = Expr::Name(first.into());
    for p in parts {
        if p.is_empty() || !p.chars().all(|c| c == '_' || c.is_alphanumeric()) {
            return None;
        }
        e = Expr::Attr(Box::new(e), p.into());
    }
    Some(e)
}

/// C3 linearization of `class` (Python's MRO), over codebase classes only; on an inconsistent
/// hierarchy, a depth-first order without duplicates instead.
fn c3(
    class: FuncId,
    bases: &FxHashMap<FuncId, Vec<FuncId>>,
    memo: &mut FxHashMap<FuncId, Vec<FuncId>>,
    visiting: &mut FxHashSet<FuncId>,
) -> Vec<FuncId> {
    if let Some(m) = memo.get(&class) {
        return m.clone();
    }
    if !visiting.insert(class) {
        return vec![class]; // a cycle through unresolved names
    }
    let direct = bases.get(&class).cloned().unwrap_or_default();
    let mut seqs: Vec<Vec<FuncId>> = direct
        .iter()
        .map(|&b| c3(b, bases, memo, visiting))
        .collect();
    seqs.push(direct.clone());
    let mut out = vec![class];
    loop {
        seqs.retain(|s| !s.is_empty());
        if seqs.is_empty() {
            break;
        }
        let head = seqs
            .iter()
            .map(|s| s[0])
            .find(|h| !seqs.iter().any(|s| s[1..].contains(h)));
        let Some(h) = head else {
            // Inconsistent: fall back to depth-first, first occurrence wins.
            for s in &seqs {
                for &c in s {
                    if !out.contains(&c) {
                        out.push(c);
                    }
                }
            }
            break;
        };
        out.push(h);
        for s in &mut seqs {
            if s.first() == Some(&h) {
                s.remove(0);
            }
        }
    }
    visiting.remove(&class);
    memo.insert(class, out.clone());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `Unique` keeps what `push_unique` keeps, past the scan threshold and up to the cap,
    /// whatever the order and the repeats.
    #[test]
    fn unique_matches_push_unique() {
        for distinct in [20usize, 40, 97] {
            for stride in [1usize, 3, 7] {
                let mut unique = Unique::default();
                let mut expected = Values::new();
                for i in 0..400usize {
                    let v = Value::Def(FuncId::from_index((i * stride) % distinct));
                    unique.push(v.clone());
                    push_unique(&mut expected, v);
                }
                let got = unique.into_values();
                assert_eq!(got, expected, "{distinct} values, stride {stride}");
                assert_eq!(got.len(), MAX_VALUES.min(distinct));
            }
        }
    }
}
