//! What the call-graph builder and the ranking model need to know about one Python definition,
//! extracted from its syntax tree once ([`super::python`]) and resolved later
//! ([`crate::callgraph`]).
//!
//! Expressions are kept in a reduced form, [`Expr`]: names, attribute chains, calls, `super()`,
//! subscripts and collection literals. That is what static call resolution can follow (as in
//! PyCG's assignment-graph approach: names flow through assignments, imports, parameters and
//! returns); everything else is [`Expr::Other`].

/// An interned identifier (a `ustr::Ustr`): copying, comparing and hashing it does not touch
/// its text, and each distinct name is stored once per process, however many definitions,
/// call sites and bindings repeat it. Ordered by its text. Interned text is never freed: a
/// process that indexes many different codebases keeps every name it has seen.
pub use ustr::Ustr as Name;

/// A reduced Python expression, as far as call resolution can follow it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Expr {
    /// A bare name: `f`, `self`, `os`.
    Name(Name),
    /// An attribute of an expression: `os.path`, `self.parse`. `getattr(x, "m")` with a string
    /// literal is read as `x.m`.
    Attr(Box<Expr>, Name),
    /// The result of calling an expression (arguments dropped): `make()` in `make().run()`.
    Call(Box<Expr>),
    /// `super()` or `super(C, self)`: the next class in the MRO of the enclosing class.
    Super,
    /// `x[k]`: an element of a collection.
    Subscript(Box<Expr>),
    /// An element of an iterable, as bound by `for x in xs` (the iterable is kept).
    Element(Box<Expr>),
    /// A list, tuple, set or dict literal: its elements (dict values), in order, without those
    /// that are [`Expr::Other`] (they evaluate to nothing).
    Collection(Vec<Expr>),
    /// One of several values: `a or b`, `a and b`, `a if c else b`.
    Either(Vec<Expr>),
    /// Anything else (literals, arithmetic, comprehensions), with its source text shortened to
    /// at most 80 bytes for reports.
    Other(Box<str>),
}

impl DefSyntax {
    /// True when `line` is inside one of [`Self::loops`].
    pub fn in_loop(&self, line: u32) -> bool {
        self.loops.iter().any(|&(a, b)| a <= line && line <= b)
    }
}

impl Expr {
    /// The expression as source-like text: `os.path.join`, `make().run`, `super().m`,
    /// `handlers[]`.
    pub fn text(&self) -> String {
        let mut s = String::new();
        self.write_text(&mut s);
        s
    }

    /// Appends [`Self::text`] to `out` (which it does not clear): for callers that reuse one
    /// buffer over many expressions.
    pub fn write_text(&self, out: &mut String) {
        match self {
            Expr::Name(n) => out.push_str(n),
            Expr::Attr(base, a) => {
                base.write_text(out);
                out.push('.');
                out.push_str(a);
            }
            Expr::Call(f) => {
                f.write_text(out);
                out.push_str("()");
            }
            Expr::Super => out.push_str("super()"),
            Expr::Subscript(b) => {
                b.write_text(out);
                out.push_str("[]");
            }
            Expr::Element(b) => {
                out.push_str("<element of ");
                b.write_text(out);
                out.push('>');
            }
            Expr::Collection(_) => out.push_str("<collection>"),
            Expr::Either(_) => out.push_str("<either>"),
            Expr::Other(t) => out.push_str(t),
        }
    }

    /// The leftmost name of an attribute chain (`os` in `os.path.join`), if it starts with one.
    pub fn root_name(&self) -> Option<Name> {
        match self {
            Expr::Name(n) => Some(*n),
            Expr::Attr(b, _) | Expr::Call(b) | Expr::Subscript(b) => b.root_name(),
            _ => None,
        }
    }
}

/// One argument at a call site, as far as resolution cares: functions passed as arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arg {
    /// Position among positional arguments, or `None` for a keyword argument.
    pub position: Option<u16>,
    /// The keyword of a keyword argument.
    pub keyword: Option<Box<str>>,
    /// The argument's value.
    pub value: Expr,
}

/// A call in the body of a definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallSite {
    /// What is called.
    pub callee: Expr,
    /// 1-based line of the call.
    pub line: u32,
    /// Arguments that are names or attribute chains (possible function values), with their
    /// positions; literals and other expressions are left out. Positions stop counting after
    /// a `*args` splat.
    pub args: Box<[Arg]>,
}

/// How a name is bound in a scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Binding {
    /// A `def` or `class` in this scope: index into the file's definitions.
    Def(u32),
    /// `import a.b` binds `a` to module `a` (`dotted` = `a`); `import a.b as c` binds `c` to
    /// `a.b`; `from m import n [as k]` binds to `n` of `m`. Relative imports keep their level.
    Import(ImportRef),
    /// `from m import *`: names not bound otherwise are looked up in `m`.
    Star(ImportRef),
    /// An assignment (`x = expr`, `for x in expr`, `x := expr`).
    Assign(Expr),
    /// A parameter of the function: position in the parameter list.
    Param(u16),
    /// Declared `global`: looked up in the module.
    Global,
    /// Declared `nonlocal`: looked up in the enclosing function.
    Nonlocal,
    /// Bound to something resolution cannot follow (a tuple target, `except E as e`, ...). Still
    /// a local: it hides outer bindings of the same name.
    Opaque,
}

/// The target of an import statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRef {
    /// Leading dots of a relative import (0 for absolute imports).
    pub level: u8,
    /// The module path after the dots (may be empty for `from . import x`).
    pub module: Box<str>,
    /// The imported name for `from m import name`; `None` for `import m`.
    pub name: Option<Name>,
}

/// What kind of parameter (Python's `inspect.Parameter.kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ParamKind {
    /// Before `/`.
    PositionalOnly,
    /// An ordinary parameter.
    PositionalOrKeyword,
    /// `*args`.
    VarPositional,
    /// After `*` or `*args`.
    KeywordOnly,
    /// `**kwargs`.
    VarKeyword,
}

/// A parameter as written in the source.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Param {
    /// Its name (without `*`).
    pub name: String,
    /// Its kind.
    pub kind: ParamKind,
    /// The annotation's source text, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub annotation: Option<String>,
    /// The default value's source text, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
}

/// A fact about a definition with the line it comes from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct Fact {
    /// What was found, as source-like text (`open`, `CACHE[...] =`, `eval`).
    pub what: String,
    /// 1-based line.
    pub line: u32,
}

/// The **isolation facts** of a definition's own code (nested `def`s and classes excluded;
/// lambdas and comprehensions included): what would have to cross a boundary if it moved to
/// Rust. Lists are sorted by line; each detection rule is in [`super::facts`].
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct IsolationFacts {
    /// Names declared `global` and assigned.
    pub global_writes: Vec<Fact>,
    /// Names declared `nonlocal` and assigned.
    pub nonlocal_writes: Vec<Fact>,
    /// Mutation of module-level state: item or attribute assignment on a module-level name,
    /// or a mutating method call on one (`CACHE[k] = v`, `REGISTRY.append(x)`).
    pub module_state_writes: Vec<Fact>,
    /// Input/output: `open`, `print`, `input`, sockets, subprocess, file calls of `os`,
    /// `os.path`, `shutil` and `pathlib`, logging, `time.sleep`.
    pub io: Vec<Fact>,
    /// Dynamic features: `eval`, `exec`, `compile`, `getattr`/`setattr`/`delattr`/`hasattr`
    /// with a non-literal name, `globals()`, `locals()`, `vars()`, `__import__`,
    /// `importlib.import_module`, `__dict__`, and monkey-patching (assigning an attribute of an
    /// imported module or of a class).
    pub dynamic: Vec<Fact>,
    /// Attributes of `self` (the first parameter of a method) read, sorted, unique.
    pub self_reads: Vec<String>,
    /// Attributes of `self` written, sorted, unique.
    pub self_writes: Vec<String>,
    /// Exception types raised (`raise ValueError(...)` gives `ValueError`); bare re-raises are
    /// left out.
    pub raises: Vec<Fact>,
}

/// Everything extracted from one definition's syntax (or a module's top-level code).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DefSyntax {
    /// Parameters in order (functions and methods only).
    pub params: Vec<Param>,
    /// Decorators as expressions with their source text, outermost first.
    pub decorators: Vec<(Expr, String)>,
    /// The return annotation, if any.
    pub return_annotation: Option<Expr>,
    /// `async def`.
    pub is_async: bool,
    /// The body contains `yield` (a generator or async generator).
    pub is_generator: bool,
    /// Non-blank, non-comment lines of the definition's span (nested definitions included:
    /// they move with it).
    pub code_lines: u32,
    /// McCabe cyclomatic complexity of the definition's own code: 1 + decision points (`if`,
    /// `elif`, `for`, `while`, `except`, `case`, conditional expressions, each `and`/`or`,
    /// comprehension `for`/`if` clauses), as radon counts them.
    pub complexity: u32,
    /// Base classes as written (classes only).
    pub bases: Vec<Expr>,
    /// Calls in the definition's own code, in source order.
    pub calls: Vec<CallSite>,
    /// Names bound in this scope, in source order (a name may appear more than once).
    pub bindings: Vec<(Name, Binding)>,
    /// Expressions returned (`return expr`).
    pub returns: Vec<Expr>,
    /// `self.attr = expr` assignments in a method: attribute name and value.
    pub self_attr_assigns: Vec<(Name, Expr)>,
    /// Isolation facts.
    pub facts: IsolationFacts,
    /// Line spans (first, last; 1-based, inclusive) of the loops in this definition's own code:
    /// `for` and `while` statements and comprehensions. A call on one of these lines may run
    /// many times per call of the definition.
    pub loops: Vec<(u32, u32)>,
}
