//! Python source with tree-sitter-python: definitions (functions, methods, nested functions and
//! classes, with their line spans) and, for each definition and for the module's top-level
//! code, what [`super::syntax::DefSyntax`] describes: parameters, decorators, calls, name
//! bindings, returns, complexity, lines of code and isolation facts.
//!
//! Node kinds and field names follow tree-sitter-python 0.25's `node-types.json`
//! (`function_definition`, `decorated_definition`, `import_from_statement`, ...). Lambdas and
//! comprehensions are not definitions: what they contain belongs to the enclosing definition,
//! as their samples do. Calls in decorators, default values and base-class lists belong to the
//! enclosing scope, where Python evaluates them.
//!
//! The walk is recursive with a depth limit of [`MAX_DEPTH`] syntax-tree levels (CPython's own
//! parser refuses nesting deeper than 200 parentheses); deeper subtrees are skipped and the
//! file is reported as truncated, so hostile input cannot overflow the stack.

use std::borrow::Cow;
use std::path::Path;

use tree_sitter::{Node, Parser};

use super::DefKind;
use super::facts::{CallClass, DYNAMIC_ATTR_BUILTINS, MUTATING_METHODS, classify_call};
use super::syntax::{
    Arg, Binding, CallSite, DefSyntax, Expr, Fact, ImportRef, Name, Param, ParamKind,
};

/// Deepest syntax-tree nesting walked; deeper subtrees are skipped.
pub const MAX_DEPTH: u32 = 400;

/// Longest attribute chain or nested expression kept in an [`Expr`].
const MAX_EXPR_DEPTH: u32 = 64;

/// The tree-sitter-python fields the extractor reads, looked up by id: `child_by_field_name`
/// compares the name with every field name of the grammar on each call.
#[derive(Debug, Clone, Copy)]
enum Field {
    Alias,
    Arguments,
    Attribute,
    Body,
    Cause,
    Definition,
    Function,
    Left,
    ModuleName,
    Name,
    Object,
    Parameters,
    ReturnType,
    Right,
    Superclasses,
    Type,
    Value,
}

/// Field names in [`Field`] order.
const FIELD_NAMES: [&str; 17] = [
    "alias",
    "arguments",
    "attribute",
    "body",
    "cause",
    "definition",
    "function",
    "left",
    "module_name",
    "name",
    "object",
    "parameters",
    "return_type",
    "right",
    "superclasses",
    "type",
    "value",
];

/// Node kind names and field ids of the grammar, computed once.
struct GrammarTables {
    /// Kind name by kind id (what `Node::kind` returns, without its `strlen` and UTF-8 check).
    kinds: Vec<String>,
    /// Field id by [`Field`].
    fields: [u16; FIELD_NAMES.len()],
}

fn grammar_tables() -> &'static GrammarTables {
    static TABLES: std::sync::OnceLock<GrammarTables> = std::sync::OnceLock::new();
    TABLES.get_or_init(|| {
        let language: tree_sitter::Language = tree_sitter_python::LANGUAGE.into();
        let kinds = (0..language.node_kind_count())
            .map(|id| {
                language
                    .node_kind_for_id(id as u16)
                    .unwrap_or("")
                    .to_string()
            })
            .collect();
        let fields =
            FIELD_NAMES.map(|name| language.field_id_for_name(name).map_or(0, |id| id.get()));
        GrammarTables { kinds, fields }
    })
}

/// Cheap access to a node's kind and fields through [`grammar_tables`].
trait NodeExt<'t> {
    /// The node's kind, as `Node::kind` gives it.
    fn kind_str(&self) -> &'static str;
    /// The child in `field`, as `Node::child_by_field_name` gives it.
    fn field(&self, field: Field) -> Option<Node<'t>>;
    /// The children in `field`, as `Node::children_by_field_name` gives them.
    fn fields(&self, field: Field) -> Vec<Node<'t>>;
}

impl<'t> NodeExt<'t> for Node<'t> {
    fn kind_str(&self) -> &'static str {
        grammar_tables()
            .kinds
            .get(self.kind_id() as usize)
            .map_or("", String::as_str)
    }

    fn field(&self, field: Field) -> Option<Node<'t>> {
        match grammar_tables().fields[field as usize] {
            0 => None,
            id => self.child_by_field_id(id),
        }
    }

    fn fields(&self, field: Field) -> Vec<Node<'t>> {
        match std::num::NonZeroU16::new(grammar_tables().fields[field as usize]) {
            Some(id) => self.children_by_field_id(id, &mut self.walk()).collect(),
            None => Vec::new(),
        }
    }
}

/// A definition found in one file, named relative to its module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedDef {
    /// Dotted name inside the module (`Class.method`, `outer.inner`).
    pub qualname: String,
    /// The definition's own name.
    pub name: String,
    /// Function, method or class.
    pub kind: DefKind,
    /// First line, 1-based (the first decorator's line when decorated).
    pub start_line: u32,
    /// Last line, 1-based, inclusive.
    pub end_line: u32,
    /// The enclosing definition (index into [`ParsedFile::defs`]); `None` at module level.
    pub parent: Option<u32>,
    /// What the definition's syntax says.
    pub syntax: DefSyntax,
}

/// The definitions of one file.
#[derive(Debug, Clone, Default)]
pub struct ParsedFile {
    /// Definitions in source order (outer before inner).
    pub defs: Vec<ParsedDef>,
    /// The module's top-level code.
    pub module: DefSyntax,
    /// Lines in the file.
    pub line_count: u32,
    /// True when tree-sitter reported syntax errors (the definitions are what it recovered).
    pub had_syntax_errors: bool,
    /// True when nesting deeper than [`MAX_DEPTH`] was skipped.
    pub truncated: bool,
}

/// A reusable tree-sitter parser for Python (one per thread: parsers are not `Sync`).
pub struct DefinitionParser {
    parser: Parser,
    /// The file being parsed; kept between files so reading one does not allocate (large
    /// allocations and frees per file cost more than the read).
    buffer: Vec<u8>,
    /// [`code_line_prefix`]'s table, kept between files for the same reason.
    code_lines: Vec<u32>,
}

impl Default for DefinitionParser {
    fn default() -> Self {
        Self::new()
    }
}

impl DefinitionParser {
    /// A parser set to tree-sitter-python's grammar.
    pub fn new() -> Self {
        let mut parser = Parser::new();
        parser
            .set_language(&tree_sitter_python::LANGUAGE.into())
            .expect("tree-sitter-python is compatible with the linked tree-sitter");
        DefinitionParser {
            parser,
            buffer: Vec::new(),
            code_lines: Vec::new(),
        }
    }

    /// Reads and parses one file.
    ///
    /// # Errors
    /// A message (no path; the caller adds it) when the file cannot be read or is not UTF-8.
    pub fn parse_file(&mut self, path: &Path) -> Result<ParsedFile, String> {
        use std::io::Read;
        let mut buffer = std::mem::take(&mut self.buffer);
        buffer.clear();
        let read = std::fs::File::open(path).and_then(|mut f| f.read_to_end(&mut buffer));
        let parsed = match read {
            Err(e) => Err(format!("cannot read: {e}")),
            Ok(_) => match std::str::from_utf8(&buffer) {
                Err(e) => Err(format!("not valid UTF-8 (byte offset {})", e.valid_up_to())),
                Ok(text) => Ok(self.parse_source(text)),
            },
        };
        self.buffer = buffer;
        parsed
    }

    /// Parses Python source text.
    pub fn parse_source(&mut self, text: &str) -> ParsedFile {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut code_lines = std::mem::take(&mut self.code_lines);
        code_line_prefix(text, &mut code_lines);
        let line_count = u32::try_from(code_lines.len() - 1).unwrap_or(u32::MAX);
        let Some(tree) = self.parser.parse(text, None) else {
            self.code_lines = code_lines;
            return ParsedFile {
                line_count,
                had_syntax_errors: true,
                ..ParsedFile::default()
            };
        };
        let root = tree.root_node();
        // Room for every `def` and `class` the text may hold (at most one per line): a
        // definition is large, and growing the vector by doubling copied them several times
        // over.
        let definitions = (memchr::memmem::find_iter(text.as_bytes(), "def ").count()
            + memchr::memmem::find_iter(text.as_bytes(), "class ").count())
        .min(line_count as usize);
        let mut ex = Extractor {
            src: text,
            cursors: Vec::new(),
            node_lists: Vec::new(),
            code_lines,
            defs: Vec::with_capacity(definitions),
            module: DefSyntax {
                complexity: 1,
                ..DefSyntax::default()
            },
            scopes: vec![Scope::module()],
            callee_node: None,
            truncated: false,
            pending: Vec::new(),
        };
        ex.visit_children(root, 0);
        let mut parsed = ParsedFile {
            module: std::mem::take(&mut ex.module),
            defs: std::mem::take(&mut ex.defs),
            line_count,
            had_syntax_errors: root.has_error(),
            truncated: ex.truncated,
        };
        parsed.module.code_lines = ex.code_lines.last().copied().unwrap_or(0);
        shrink_lists(&mut parsed.module);
        self.code_lines = std::mem::take(&mut ex.code_lines);
        classify_file_facts(&mut parsed, ex.pending);
        parsed
    }
}

/// Frees the spare capacity of a finished definition's longest lists: they stay in the index
/// until the graph is built, and doubling left up to half of each unused.
fn shrink_lists(syntax: &mut DefSyntax) {
    syntax.calls.shrink_to_fit();
    syntax.bindings.shrink_to_fit();
    syntax.returns.shrink_to_fit();
}

/// Fills `prefix` (emptied first) so that `prefix[i]` = non-blank, non-comment lines among
/// lines `1..=i`; `prefix.len() - 1` lines. Lines are those of [`str::lines`], and a line is
/// blank or a comment when what [`str::trim_start`] leaves of it is empty or starts with `#`.
fn code_line_prefix(text: &str, prefix: &mut Vec<u32>) {
    prefix.clear();
    prefix.push(0);
    let mut n = 0u32;
    let mut rest = text;
    while !rest.is_empty() {
        let (line, next) = match memchr::memchr(b'\n', rest.as_bytes()) {
            Some(i) => (&rest[..i], &rest[i + 1..]),
            None => (rest, ""),
        };
        if is_code_line(line) {
            n += 1;
        }
        prefix.push(n);
        rest = next;
    }
}

/// Whether a line holds code: something other than whitespace before the end or a `#`.
/// Leading ASCII whitespace is skipped byte by byte (the common case, and a `\r` left by a
/// CRLF ending is whitespace too); at a non-ASCII byte, [`str::trim_start`] decides, as it
/// knows Unicode's whitespace.
fn is_code_line(line: &str) -> bool {
    for (i, &b) in line.as_bytes().iter().enumerate() {
        match b {
            b' ' | b'\t' | b'\r' | b'\x0b' | b'\x0c' => {}
            b'#' => return false,
            0x80.. => {
                let t = line[i..].trim_start();
                return !t.is_empty() && !t.starts_with('#');
            }
            _ => return true,
        }
    }
    false
}

/// A scope being walked.
struct Scope {
    /// The definition (index into `defs`), `None` for the module.
    def: Option<u32>,
    is_class: bool,
    /// The first parameter of a method (`self`, or `cls` of a classmethod).
    self_name: Option<Name>,
    /// A `global` or `nonlocal` statement was seen in this scope.
    has_declarations: bool,
}

impl Scope {
    fn module() -> Scope {
        Scope {
            def: None,
            is_class: false,
            self_name: None,
            has_declarations: false,
        }
    }
}

/// A mutation through a name that may be local, enclosing, module-level or an import: decided
/// once the whole file is known.
struct PendingMutation {
    /// Definition index + 1 (0 is the module).
    scope: u32,
    name: Name,
    fact: Fact,
    /// The mutated object is the name itself (`CACHE.append`, not `sys.path.append`).
    direct: bool,
}

struct Extractor<'s, 't> {
    src: &'s str,
    /// Spare tree cursors, one per level of the recursive walk in use (a cursor allocates).
    cursors: Vec<tree_sitter::TreeCursor<'t>>,
    /// Spare node lists for [`Self::visit_call`], one per level of nested calls in use.
    node_lists: Vec<Vec<Node<'t>>>,
    code_lines: Vec<u32>,
    defs: Vec<ParsedDef>,
    module: DefSyntax,
    scopes: Vec<Scope>,
    /// The `function` node of the call being visited, so `self.m` in `self.m()` is not an
    /// attribute read.
    callee_node: Option<usize>,
    truncated: bool,
    pending: Vec<PendingMutation>,
}

impl<'s, 't> Extractor<'s, 't> {
    fn scope(&self) -> &Scope {
        self.scopes
            .last()
            .expect("the module scope is never popped")
    }

    fn syn(&mut self) -> &mut DefSyntax {
        match self.scope().def {
            Some(i) => &mut self.defs[i as usize].syntax,
            None => &mut self.module,
        }
    }

    fn text(&self, node: Node<'t>) -> &'s str {
        // Node boundaries fall between code points (tree-sitter decodes UTF-8), so slicing
        // does not need `utf8_text`'s validation of the whole span.
        self.src.get(node.byte_range()).unwrap_or("")
    }

    /// A tree cursor from the spares in [`Self::cursors`], or a new one (on `node`: the callers
    /// reset it by walking a node's children). Give it back with `self.cursors.push`.
    fn spare_cursor(&mut self, node: Node<'t>) -> tree_sitter::TreeCursor<'t> {
        self.cursors.pop().unwrap_or_else(|| node.walk())
    }

    fn visit_children(&mut self, node: Node<'t>, depth: u32) {
        if node.child_count() == 0 {
            return;
        }
        let mut cursor = self.spare_cursor(node);
        for child in node.named_children(&mut cursor) {
            self.visit(child, depth + 1);
        }
        self.cursors.push(cursor);
    }

    fn visit(&mut self, node: Node<'t>, depth: u32) {
        if depth > MAX_DEPTH {
            self.truncated = true;
            return;
        }
        match node.kind_str() {
            "function_definition" | "class_definition" => {
                self.visit_def(node, node, Vec::new(), depth)
            }
            "decorated_definition" => {
                let mut decorators = Vec::new();
                let mut cursor = node.walk();
                for child in node.named_children(&mut cursor) {
                    if child.kind_str() == "decorator"
                        && let Some(e) = child.named_child(0)
                    {
                        self.visit(e, depth + 1);
                        decorators.push((self.expr(e, 0), shorten(self.text(e), 120)));
                    }
                }
                if let Some(def) = node.field(Field::Definition) {
                    self.visit_def(def, node, decorators, depth);
                }
            }
            "call" => self.visit_call(node, depth),
            "import_statement" => self.visit_import(node),
            "import_from_statement" => self.visit_import_from(node),
            "assignment" | "augmented_assignment" => self.visit_assignment(node, depth),
            "global_statement" | "nonlocal_statement" => {
                let binding = if node.kind_str() == "global_statement" {
                    Binding::Global
                } else {
                    Binding::Nonlocal
                };
                if let Some(s) = self.scopes.last_mut() {
                    s.has_declarations = true;
                }
                let mut cursor = node.walk();
                for child in node.named_children(&mut cursor) {
                    if child.kind_str() == "identifier" {
                        let name: Name = self.text(child).into();
                        self.syn().bindings.push((name, binding.clone()));
                    }
                }
            }
            "for_statement" | "for_in_clause" => {
                self.syn().complexity += 1;
                // A comprehension's element is outside its `for` clause: the loop is the
                // whole comprehension.
                let span = if node.kind_str() == "for_in_clause" {
                    node.parent().unwrap_or(node)
                } else {
                    node
                };
                let span = (line_of(span), end_line_of(span));
                self.syn().loops.push(span);
                let left = node.field(Field::Left);
                if let (Some(left), Some(right)) = (left, node.field(Field::Right)) {
                    let element = Expr::Element(Box::new(self.value(right)));
                    self.bind_target(left, Some(element), false, depth);
                }
                let mut cursor = node.walk();
                for child in node.named_children(&mut cursor) {
                    if Some(child) != left {
                        self.visit(child, depth + 1);
                    }
                }
            }
            "named_expression" => {
                if let (Some(name), Some(value)) =
                    (node.field(Field::Name), node.field(Field::Value))
                {
                    let e = self.value(value);
                    self.bind_target(name, Some(e), false, depth);
                    self.visit(value, depth + 1);
                }
            }
            "as_pattern_target" => {
                let mut cursor = node.walk();
                for child in node.named_children(&mut cursor) {
                    self.bind_target(child, None, false, depth);
                }
            }
            "except_clause" => {
                self.syn().complexity += 1;
                if let Some(alias) = node.field(Field::Alias) {
                    self.bind_target(alias, None, false, depth);
                }
                let alias = node.field(Field::Alias);
                let mut cursor = node.walk();
                for child in node.named_children(&mut cursor) {
                    if Some(child) != alias {
                        self.visit(child, depth + 1);
                    }
                }
            }
            "raise_statement" => {
                self.record_raise(node);
                self.visit_children(node, depth);
            }
            "yield" => {
                if self.scope().def.is_some() && !self.scope().is_class {
                    self.syn().is_generator = true;
                }
                self.visit_children(node, depth);
            }
            "return_statement" => {
                if let Some(e) = node.named_child(0) {
                    let e = self.value(e);
                    self.syn().returns.push(e);
                }
                self.visit_children(node, depth);
            }
            "attribute" => {
                self.visit_attribute_load(node);
                self.visit_children(node, depth);
            }
            "while_statement" => {
                self.syn().complexity += 1;
                let span = (line_of(node), end_line_of(node));
                self.syn().loops.push(span);
                self.visit_children(node, depth);
            }
            "if_statement"
            | "elif_clause"
            | "case_clause"
            | "conditional_expression"
            | "boolean_operator"
            | "if_clause" => {
                self.syn().complexity += 1;
                self.visit_children(node, depth);
            }
            "comment" | "identifier" | "integer" | "float" | "true" | "false" | "none" => {}
            // Only f-strings and t-strings (Python 3.14) hold code, in their interpolations;
            // the parts of any other string are text. The prefix letters come before the
            // first quote, and tree-sitter-python's scanner reads interpolations exactly when
            // they include `f` or `t` (either case).
            "string"
                if !self
                    .text(node)
                    .bytes()
                    .take_while(u8::is_ascii_alphabetic)
                    .any(|b| matches!(b, b'f' | b'F' | b't' | b'T')) => {}
            _ => self.visit_children(node, depth),
        }
    }

    fn visit_def(
        &mut self,
        def: Node<'t>,
        outer: Node<'t>,
        decorators: Vec<(Expr, String)>,
        depth: u32,
    ) {
        let is_class = def.kind_str() == "class_definition";
        let name = def
            .field(Field::Name)
            .map_or("<anonymous>", |n| self.text(n))
            .to_string();
        let index = u32::try_from(self.defs.len()).unwrap_or(u32::MAX);
        let parent = self.scope().def;
        let in_class = self.scope().is_class;
        let kind = if is_class {
            DefKind::Class
        } else if in_class {
            DefKind::Method
        } else {
            DefKind::Function
        };
        let qualname = match parent {
            Some(p) => format!("{}.{name}", self.defs[p as usize].qualname),
            None => name.clone(),
        };
        self.syn()
            .bindings
            .push((name.as_str().into(), Binding::Def(index)));

        let mut syntax = DefSyntax {
            complexity: 1,
            ..DefSyntax::default()
        };
        let is_static = decorators.iter().any(|(_, t)| t == "staticmethod");
        // Parameters: defaults and annotations are evaluated in the enclosing scope.
        if let Some(params) = def.field(Field::Parameters) {
            self.visit_children(params, depth + 1);
            syntax.params = self.params(params);
        }
        if let Some(ret) = def.field(Field::ReturnType) {
            self.visit_children(ret, depth + 1);
            syntax.return_annotation = ret.named_child(0).map(|t| self.annotation(t));
        }
        if let Some(supers) = def.field(Field::Superclasses) {
            self.visit_children(supers, depth + 1);
            let mut cursor = supers.walk();
            for base in supers.named_children(&mut cursor) {
                if base.kind_str() != "keyword_argument" {
                    syntax.bases.push(self.expr(base, 0));
                }
            }
        }
        syntax.is_async = def.child(0).is_some_and(|c| c.kind_str() == "async");
        syntax.decorators = decorators;
        let (start, end) = (line_of(outer), end_line_of(outer));
        syntax.code_lines = self.code_lines_between(start, end);
        let self_name = if kind == DefKind::Method && !is_static {
            syntax
                .params
                .first()
                .filter(|p| {
                    matches!(
                        p.kind,
                        ParamKind::PositionalOnly | ParamKind::PositionalOrKeyword
                    )
                })
                .map(|p| p.name.as_str().into())
        } else {
            None
        };
        for (i, p) in syntax.params.iter().enumerate() {
            let position = u16::try_from(i).unwrap_or(u16::MAX);
            syntax
                .bindings
                .push((p.name.as_str().into(), Binding::Param(position)));
        }
        self.defs.push(ParsedDef {
            qualname,
            name,
            kind,
            start_line: start,
            end_line: end,
            parent,
            syntax,
        });
        self.scopes.push(Scope {
            def: Some(index),
            is_class,
            self_name,
            has_declarations: false,
        });
        if let Some(body) = def.field(Field::Body) {
            self.visit_children(body, depth + 1);
        }
        self.scopes.pop();
        shrink_lists(&mut self.defs[index as usize].syntax);
    }

    fn code_lines_between(&self, start: u32, end: u32) -> u32 {
        let at = |l: u32| {
            self.code_lines
                .get(l as usize)
                .or(self.code_lines.last())
                .copied()
                .unwrap_or(0)
        };
        at(end).saturating_sub(at(start.saturating_sub(1)))
    }

    fn params(&mut self, params: Node<'t>) -> Vec<Param> {
        let mut out: Vec<Param> = Vec::new();
        let mut keyword_only = false;
        let mut cursor = params.walk();
        for p in params.named_children(&mut cursor) {
            let ordinary = if keyword_only {
                ParamKind::KeywordOnly
            } else {
                ParamKind::PositionalOrKeyword
            };
            let (name_node, kind, annotation, default) = match p.kind_str() {
                "identifier" => (Some(p), ordinary, None, None),
                "typed_parameter" => {
                    let inner = p.named_child(0);
                    let kind = match inner.map(|n| n.kind_str()) {
                        Some("list_splat_pattern") => ParamKind::VarPositional,
                        Some("dictionary_splat_pattern") => ParamKind::VarKeyword,
                        _ => ordinary,
                    };
                    let name = match kind {
                        ParamKind::VarPositional | ParamKind::VarKeyword => {
                            inner.and_then(|n| n.named_child(0))
                        }
                        _ => inner,
                    };
                    (name, kind, p.field(Field::Type), None)
                }
                "default_parameter" => {
                    (p.field(Field::Name), ordinary, None, p.field(Field::Value))
                }
                "typed_default_parameter" => (
                    p.field(Field::Name),
                    ordinary,
                    p.field(Field::Type),
                    p.field(Field::Value),
                ),
                "list_splat_pattern" => (p.named_child(0), ParamKind::VarPositional, None, None),
                "dictionary_splat_pattern" => (p.named_child(0), ParamKind::VarKeyword, None, None),
                "keyword_separator" => {
                    keyword_only = true;
                    continue;
                }
                "positional_separator" => {
                    for q in &mut out {
                        if q.kind == ParamKind::PositionalOrKeyword {
                            q.kind = ParamKind::PositionalOnly;
                        }
                    }
                    continue;
                }
                _ => continue,
            };
            if kind == ParamKind::VarPositional {
                keyword_only = true;
            }
            let name = name_node.map_or("<pattern>", |n| self.text(n)).to_string();
            out.push(Param {
                name,
                kind,
                annotation: annotation.map(|a| shorten(self.text(a), 120)),
                default: default.map(|d| shorten(self.text(d), 120)),
            });
        }
        out
    }

    /// A type annotation as an expression (`"Foo"` forward references read as `Foo`).
    fn annotation(&self, node: Node<'t>) -> Expr {
        let node = if node.kind_str() == "type" {
            node.named_child(0).unwrap_or(node)
        } else {
            node
        };
        if node.kind_str() == "string"
            && let Some(s) = self.string_literal(node)
            && !s.is_empty()
            && s.split('.').all(is_identifier)
        {
            let mut parts = s.split('.');
            let mut e = Expr::Name(parts.next().unwrap_or_default().into());
            for p in parts {
                e = Expr::Attr(Box::new(e), p.into());
            }
            return e;
        }
        self.expr(node, 0)
    }

    fn string_literal(&self, node: Node<'t>) -> Option<&'s str> {
        if node.kind_str() != "string" {
            return None;
        }
        let mut content = "";
        let mut cursor = node.walk();
        for c in node.named_children(&mut cursor) {
            match c.kind_str() {
                "interpolation" => return None,
                "string_content" => content = self.text(c),
                _ => {}
            }
        }
        Some(content)
    }

    /// The reduced form of an expression, keeping the text of the parts it does not model
    /// ([`Expr::Other`]): for callees, annotations, bases and mutated objects, whose text is
    /// shown.
    fn expr(&self, node: Node<'t>, depth: u32) -> Expr {
        self.reduce(node, depth, true)
    }

    /// The reduced form of a value (assigned, returned, passed, iterated): only resolution
    /// reads it, and it never shows the text of an [`Expr::Other`], so that text is dropped
    /// (it was most of the index's memory).
    fn value(&self, node: Node<'t>) -> Expr {
        self.reduce(node, 0, false)
    }

    fn reduce(&self, node: Node<'t>, depth: u32, keep_text: bool) -> Expr {
        if depth > MAX_EXPR_DEPTH {
            return Expr::Other("<deep>".into());
        }
        let other = |node: Node<'t>| {
            Expr::Other(if keep_text {
                shorten(self.text(node), 80).into()
            } else {
                "".into()
            })
        };
        let sub = |n: Option<Node<'t>>| {
            n.map_or(Expr::Other("".into()), |n| {
                self.reduce(n, depth + 1, keep_text)
            })
        };
        match node.kind_str() {
            "identifier" => Expr::Name(self.text(node).into()),
            "attribute" => match node.field(Field::Attribute) {
                Some(a) => Expr::Attr(
                    Box::new(sub(node.field(Field::Object))),
                    self.text(a).into(),
                ),
                None => other(node),
            },
            "call" => {
                let func = node.field(Field::Function);
                let name = func
                    .filter(|f| f.kind_str() == "identifier")
                    .map(|f| self.text(f));
                if name == Some("super") {
                    return Expr::Super;
                }
                if name == Some("getattr")
                    && let Some(args) = node.field(Field::Arguments)
                    && let (Some(obj), Some(attr)) = (args.named_child(0), args.named_child(1))
                    && let Some(lit) = self.string_literal(attr)
                    && is_identifier(lit)
                {
                    return Expr::Attr(
                        Box::new(self.reduce(obj, depth + 1, keep_text)),
                        lit.into(),
                    );
                }
                Expr::Call(Box::new(sub(func)))
            }
            "subscript" => Expr::Subscript(Box::new(sub(node.field(Field::Value)))),
            "boolean_operator" => Expr::Either(vec![
                sub(node.field(Field::Left)),
                sub(node.field(Field::Right)),
            ]),
            "conditional_expression" => {
                // `a if cond else b`: the first and last operands.
                let n = node.named_child_count();
                Expr::Either(vec![
                    sub(node.named_child(0)),
                    sub(n
                        .checked_sub(1)
                        .and_then(|i| node.named_child(u32::try_from(i).ok()?))),
                ])
            }
            "parenthesized_expression" | "await" => sub(node.named_child(0)),
            // A collection keeps only the elements resolution can follow: literals and
            // other unmodelled elements never evaluate to anything (and data tables have
            // thousands of them).
            "list" | "tuple" | "set" | "expression_list" => {
                let mut cursor = node.walk();
                Expr::Collection(
                    node.named_children(&mut cursor)
                        .map(|c| self.reduce(c, depth + 1, keep_text))
                        .filter(|e| !matches!(e, Expr::Other(_)))
                        .collect(),
                )
            }
            "dictionary" => {
                let mut cursor = node.walk();
                Expr::Collection(
                    node.named_children(&mut cursor)
                        .filter(|c| c.kind_str() == "pair")
                        .map(|c| sub(c.field(Field::Value)))
                        .filter(|e| !matches!(e, Expr::Other(_)))
                        .collect(),
                )
            }
            _ => other(node),
        }
    }

    /// A call: recorded ([`Self::record_call`]), then its children visited as
    /// [`Self::visit_children`] would, in the same order and at the same depths, but without
    /// walking the argument list again (recording it walked it once).
    /// A `raise` statement's fact, and for `raise E` (not `raise E()`) a call of `E`: raising
    /// a class instantiates it. Kept out of [`Self::visit`], whose stack frame every level of
    /// nesting pays.
    #[inline(never)]
    fn record_raise(&mut self, node: Node<'t>) {
        let Some(e) = node.named_child(0) else {
            return;
        };
        if Some(e) == node.field(Field::Cause) {
            return;
        }
        let raised = match e.kind_str() {
            "call" => e.field(Field::Function).unwrap_or(e),
            _ => e,
        };
        let what = shorten(self.text(raised), 80);
        let line = line_of(node);
        self.syn().facts.raises.push(Fact { what, line });
        if e.kind_str() != "call" {
            let callee = self.expr(e, 0);
            self.syn().calls.push(CallSite {
                callee,
                line,
                args: Box::new([]),
            });
        }
    }

    fn visit_call(&mut self, node: Node<'t>, depth: u32) {
        let previous = self.callee_node;
        let Some(func) = node.field(Field::Function) else {
            self.callee_node = None;
            self.visit_children(node, depth);
            self.callee_node = previous;
            return;
        };
        let arguments = node.field(Field::Arguments);
        let mut args = self.node_lists.pop().unwrap_or_default();
        self.record_call(node, func, arguments, &mut args);
        self.callee_node = Some(func.id());
        let mut cursor = self.spare_cursor(node);
        for child in node.named_children(&mut cursor) {
            if Some(child) == arguments && child.kind_str() == "argument_list" {
                if depth + 1 > MAX_DEPTH {
                    self.truncated = true;
                } else {
                    for &a in &args {
                        self.visit(a, depth + 2);
                    }
                }
            } else {
                self.visit(child, depth + 1);
            }
        }
        self.cursors.push(cursor);
        self.callee_node = previous;
        args.clear();
        self.node_lists.push(args);
    }

    /// Records the call `node` of `func`: its callee, its line and the arguments that may be
    /// functions. The named children of its argument list are added to `children`.
    fn record_call(
        &mut self,
        node: Node<'t>,
        func: Node<'t>,
        arguments: Option<Node<'t>>,
        children: &mut Vec<Node<'t>>,
    ) {
        let callee = self.expr(func, 0);
        let line = line_of(node);
        let mut args = Vec::new();
        let mut second_positional: Option<Node> = None;
        if let Some(list) = arguments
            && list.kind_str() == "argument_list"
        {
            let mut position: Option<u16> = Some(0);
            let mut cursor = self.spare_cursor(list);
            for a in list.named_children(&mut cursor) {
                children.push(a);
                match a.kind_str() {
                    "keyword_argument" => {
                        if let (Some(k), Some(v)) = (a.field(Field::Name), a.field(Field::Value))
                            && matches!(v.kind_str(), "identifier" | "attribute")
                        {
                            args.push(Arg {
                                position: None,
                                keyword: Some(self.text(k).into()),
                                value: self.value(v),
                            });
                        }
                    }
                    "list_splat" | "dictionary_splat" | "parenthesized_list_splat" => {
                        position = None
                    }
                    "comment" => {}
                    _ => {
                        if let Some(p) = position {
                            if p == 1 {
                                second_positional = Some(a);
                            }
                            if matches!(
                                a.kind_str(),
                                "identifier"
                                    | "attribute"
                                    | "call"
                                    | "list"
                                    | "tuple"
                                    | "dictionary"
                                    | "set"
                            ) {
                                args.push(Arg {
                                    position: Some(p),
                                    keyword: None,
                                    value: self.value(a),
                                });
                            }
                            position = p.checked_add(1);
                        }
                    }
                }
            }
            self.cursors.push(cursor);
        }
        if let Expr::Name(n) = &callee
            && DYNAMIC_ATTR_BUILTINS.contains(&n.as_ref())
            && second_positional.is_none_or(|a| self.string_literal(a).is_none())
        {
            let what = n.to_string();
            self.syn().facts.dynamic.push(Fact { what, line });
        }
        // A mutating method call on a name: self state or, later, module state.
        if let Expr::Attr(base, method) = &callee
            && MUTATING_METHODS.contains(&method.as_ref())
        {
            self.record_mutation(base, &format!("{}.{method}()", base.text()), line);
        }
        self.syn().calls.push(CallSite {
            callee,
            line,
            args: args.into_boxed_slice(),
        });
    }

    /// A write through `target` (`X[...] = v`, `X.a = v`, `X.append(v)`): of a `self`
    /// attribute, or pending until the end of the file decides whether `X` is module state.
    fn record_mutation(&mut self, target: &Expr, what: &str, line: u32) {
        let self_name = self.scope().self_name;
        let direct = matches!(target, Expr::Name(_));
        let mut e = target;
        // Find the innermost `self.attr` or the root name.
        loop {
            match e {
                Expr::Attr(b, a) if matches!(&**b, Expr::Name(n) if Some(n) == self_name.as_ref()) =>
                {
                    let a = a.to_string();
                    self.syn().facts.self_writes.push(a);
                    return;
                }
                Expr::Attr(b, _) | Expr::Subscript(b) | Expr::Call(b) => e = b,
                Expr::Name(n) => {
                    if Some(n) == self_name.as_ref() || self.scope().def.is_none() {
                        return;
                    }
                    let scope = self.scope().def.map_or(0, |d| d + 1);
                    self.pending.push(PendingMutation {
                        scope,
                        name: *n,
                        fact: Fact {
                            what: what.to_string(),
                            line,
                        },
                        direct,
                    });
                    return;
                }
                _ => return,
            }
        }
    }

    fn visit_attribute_load(&mut self, node: Node<'t>) {
        let Some(attr) = node.field(Field::Attribute) else {
            return;
        };
        let attr = self.text(attr);
        if attr == "__dict__" {
            let fact = Fact {
                what: shorten(self.text(node), 80),
                line: line_of(node),
            };
            self.syn().facts.dynamic.push(fact);
        }
        if self.callee_node == Some(node.id()) {
            return;
        }
        if let Some(obj) = node.field(Field::Object)
            && obj.kind_str() == "identifier"
            && self.scope().self_name.as_deref() == Some(self.text(obj))
        {
            self.syn().facts.self_reads.push(attr.to_string());
        }
    }

    fn visit_assignment(&mut self, node: Node<'t>, depth: u32) {
        let augmented = node.kind_str() == "augmented_assignment";
        let right = node.field(Field::Right);
        let annotation = node.field(Field::Type);
        if let Some(left) = node.field(Field::Left) {
            let value = match (right, annotation) {
                (Some(r), _) if !augmented => Some(self.value(innermost_value(r))),
                // `x: Foo` without a value (dataclass fields, declarations): an instance of
                // the annotated type.
                (None, Some(t)) => Some(Expr::Call(Box::new(self.annotation(t)))),
                _ => None,
            };
            self.bind_target(left, value, augmented, depth);
        }
        if let Some(t) = annotation {
            self.visit(t, depth + 1);
        }
        if let Some(r) = right {
            self.visit(r, depth + 1);
        }
    }

    /// Binds an assignment target: names become bindings, `self.x` a self write (and a typed
    /// attribute when the value is known), other attribute and item targets mutations.
    fn bind_target(&mut self, target: Node<'t>, value: Option<Expr>, augmented: bool, depth: u32) {
        let line = line_of(target);
        match target.kind_str() {
            "identifier" => {
                let name: Name = self.text(target).into();
                let binding = value.map_or(Binding::Opaque, Binding::Assign);
                let declared = self.scope().has_declarations;
                let syn = self.syn();
                if declared {
                    let declaration = syn.bindings.iter().find_map(|(n, b)| match b {
                        Binding::Global | Binding::Nonlocal if *n == name => Some(b.clone()),
                        _ => None,
                    });
                    let fact = Fact {
                        what: name.to_string(),
                        line,
                    };
                    match declaration {
                        Some(Binding::Global) => syn.facts.global_writes.push(fact),
                        Some(_) => syn.facts.nonlocal_writes.push(fact),
                        None => {}
                    }
                }
                syn.bindings.push((name, binding));
            }
            "pattern_list"
            | "tuple_pattern"
            | "list_pattern"
            | "parenthesized_expression"
            | "tuple"
            | "list" => {
                let mut cursor = target.walk();
                let children: Vec<Node<'t>> = target.named_children(&mut cursor).collect();
                let values = unpack(&children, value);
                for (child, v) in children.into_iter().zip(values) {
                    self.bind_target(child, v, augmented, depth + 1);
                }
            }
            "list_splat_pattern" => {
                let mut cursor = target.walk();
                for child in target.named_children(&mut cursor) {
                    self.bind_target(child, value.clone(), augmented, depth + 1);
                }
            }
            "attribute" => {
                let (Some(obj), Some(attr)) =
                    (target.field(Field::Object), target.field(Field::Attribute))
                else {
                    return;
                };
                let attr_name = self.text(attr);
                let is_self = obj.kind_str() == "identifier"
                    && self.scope().self_name.as_deref() == Some(self.text(obj));
                if is_self {
                    let syn = self.syn();
                    syn.facts.self_writes.push(attr_name.to_string());
                    if augmented {
                        syn.facts.self_reads.push(attr_name.to_string());
                    }
                    if let Some(v) = value {
                        syn.self_attr_assigns.push((attr_name.into(), v));
                    }
                } else {
                    let base = self.expr(obj, 0);
                    let what = format!("{}.{attr_name} =", base.text());
                    self.record_mutation(
                        &Expr::Attr(Box::new(base), attr_name.into()),
                        &what,
                        line,
                    );
                }
                if attr_name == "__dict__" {
                    let what = shorten(self.text(target), 80);
                    self.syn().facts.dynamic.push(Fact { what, line });
                }
                self.visit(obj, depth + 1);
            }
            "subscript" => {
                if let Some(v) = target.field(Field::Value) {
                    let base = self.expr(v, 0);
                    let what = format!("{}[...] =", base.text());
                    self.record_mutation(&Expr::Subscript(Box::new(base)), &what, line);
                }
                self.visit_children(target, depth);
            }
            _ => self.visit(target, depth + 1),
        }
    }

    fn visit_import(&mut self, node: Node<'t>) {
        for name in node.fields(Field::Name) {
            let (module, bound) = match name.kind_str() {
                "aliased_import" => {
                    let module = name.field(Field::Name).map_or("", |n| self.text(n));
                    let alias = name.field(Field::Alias).map_or("", |n| self.text(n));
                    (module.to_string(), alias.to_string())
                }
                _ => {
                    let full = self.text(name);
                    let first = full.split('.').next().unwrap_or(full).trim();
                    (first.to_string(), first.to_string())
                }
            };
            let module = strip_ws(&module);
            self.syn().bindings.push((
                bound.into(),
                Binding::Import(ImportRef {
                    level: 0,
                    module: module.into(),
                    name: None,
                }),
            ));
        }
    }

    fn visit_import_from(&mut self, node: Node<'t>) {
        let Some(module_node) = node.field(Field::ModuleName) else {
            return;
        };
        let (level, module) = if module_node.kind_str() == "relative_import" {
            let mut level = 0u8;
            let mut module = String::new();
            let mut cursor = module_node.walk();
            for c in module_node.named_children(&mut cursor) {
                match c.kind_str() {
                    "import_prefix" => {
                        level = u8::try_from(self.text(c).trim().len()).unwrap_or(u8::MAX)
                    }
                    _ => module = strip_ws(self.text(c)).into_owned(),
                }
            }
            (level, module)
        } else {
            (0, strip_ws(self.text(module_node)).into_owned())
        };
        let mut any = false;
        for name in node.fields(Field::Name) {
            any = true;
            let (imported, bound) = match name.kind_str() {
                "aliased_import" => (
                    name.field(Field::Name).map_or("", |n| self.text(n)),
                    name.field(Field::Alias).map_or("", |n| self.text(n)),
                ),
                _ => (self.text(name), self.text(name)),
            };
            let import = ImportRef {
                level,
                module: module.as_str().into(),
                name: Some(Name::from(&strip_ws(imported))),
            };
            self.syn()
                .bindings
                .push((Name::from(&strip_ws(bound)), Binding::Import(import)));
        }
        if !any {
            // `from m import *`
            let import = ImportRef {
                level,
                module: module.as_str().into(),
                name: None,
            };
            self.syn()
                .bindings
                .push(("*".into(), Binding::Star(import)));
        }
    }
}

/// The value of a chained assignment `a = b = value`.
fn innermost_value(mut node: Node) -> Node {
    while node.kind_str() == "assignment" {
        match node.field(Field::Right) {
            Some(r) => node = r,
            None => break,
        }
    }
    node
}

/// Classifies what only the whole file can decide: I/O and dynamic calls (import aliases
/// expanded), module-state mutations (is the name local, enclosing, module-level, an
/// import?), and sorts every fact list.
fn classify_file_facts(file: &mut ParsedFile, pending: Vec<PendingMutation>) {
    let additions = file_facts(file, pending);
    for (key, list, fact) in additions {
        let facts = if key == 0 {
            &mut file.module.facts
        } else {
            &mut file.defs[key - 1].syntax.facts
        };
        match list {
            FactList::Io => facts.io.push(fact),
            FactList::Dynamic => facts.dynamic.push(fact),
            FactList::ModuleState => facts.module_state_writes.push(fact),
        }
    }
    let syntaxes =
        std::iter::once(&mut file.module).chain(file.defs.iter_mut().map(|d| &mut d.syntax));
    for syn in syntaxes {
        let f = &mut syn.facts;
        for list in [
            &mut f.global_writes,
            &mut f.nonlocal_writes,
            &mut f.module_state_writes,
            &mut f.io,
            &mut f.dynamic,
            &mut f.raises,
        ] {
            list.sort_by(|a, b| (a.line, &a.what).cmp(&(b.line, &b.what)));
            list.dedup();
        }
        for list in [&mut f.self_reads, &mut f.self_writes] {
            list.sort();
            list.dedup();
        }
    }
}

/// Which fact list a classified fact goes to.
enum FactList {
    Io,
    Dynamic,
    ModuleState,
}

/// The facts only the whole file decides, as (scope key, list, fact); scope key 0 is the
/// module, `i + 1` is `defs[i]`. Reads the file only.
fn file_facts(file: &ParsedFile, pending: Vec<PendingMutation>) -> Vec<(usize, FactList, Fact)> {
    let n = file.defs.len();
    let is_class = |d: u32| file.defs[d as usize].kind == DefKind::Class;
    let syntax = |key: usize| {
        if key == 0 {
            &file.module
        } else {
            &file.defs[key - 1].syntax
        }
    };
    // The binding of `name` seen from scope `key`: itself, enclosing functions (not class
    // bodies), the module; with the scope key it was found in.
    // Names are interned: comparing them compares pointers, not text.
    let lookup = |key: usize, name: Name| -> Option<(usize, &Binding)> {
        let mut k = key;
        loop {
            if let Some((_, b)) = syntax(k).bindings.iter().rev().find(|(n, _)| *n == name) {
                return Some((k, b));
            }
            if k == 0 {
                return None;
            }
            let mut parent = file.defs[k - 1].parent;
            while let Some(p) = parent.filter(|&p| is_class(p)) {
                parent = file.defs[p as usize].parent;
            }
            k = parent.map_or(0, |p| p as usize + 1);
        }
    };
    // Writes what the import bound to `root` in scope `key` names (`os.path` for `import
    // os.path as p`, `m.n` for `from m import n`) into `out`; false when `root` is not bound by
    // an absolute import.
    let expand = |key: usize, root: Name, out: &mut String| -> bool {
        match lookup(key, root) {
            Some((
                _,
                Binding::Import(ImportRef {
                    level: 0,
                    module,
                    name,
                }),
            )) => {
                out.push_str(module);
                if let Some(n) = name {
                    out.push('.');
                    out.push_str(n);
                }
                true
            }
            _ => false,
        }
    };
    let mut out = Vec::new();
    // One buffer for every call's text, with the import expanded: most calls are no fact,
    // and need no string of their own.
    let (mut text, mut expanded) = (String::new(), String::new());
    for key in 0..=n {
        for call in &syntax(key).calls {
            let Some(root) = call.callee.root_name() else {
                continue;
            };
            text.clear();
            call.callee.write_text(&mut text);
            expanded.clear();
            let dotted = if expand(key, root, &mut expanded) {
                expanded.push_str(&text[root.len()..]);
                &expanded
            } else {
                &text
            };
            let list = match classify_call(dotted, true) {
                CallClass::Io => FactList::Io,
                CallClass::Dynamic => FactList::Dynamic,
                CallClass::Plain => continue,
            };
            out.push((
                key,
                list,
                Fact {
                    what: dotted.clone(),
                    line: call.line,
                },
            ));
        }
    }
    for m in pending {
        let key = m.scope as usize;
        if key == 0 {
            continue; // module-level code initialising its own state
        }
        let declared_global = syntax(key)
            .bindings
            .iter()
            .any(|(n, b)| *n == m.name && matches!(b, Binding::Global));
        let found = lookup(if declared_global { 0 } else { key }, m.name);
        let monkey_patch = || Fact {
            what: format!("monkey-patch {}", m.fact.what.trim_end_matches(" =")),
            line: m.fact.line,
        };
        let assigns = m.fact.what.ends_with(" =");
        match found {
            // A local or a variable of an enclosing function: not module state.
            Some((k, b)) if k != 0 && !matches!(b, Binding::Global | Binding::Nonlocal) => {}
            // `nonlocal x` then `x.append(...)`: the enclosing function's state.
            Some((_, Binding::Nonlocal)) => {}
            Some((0, Binding::Import(_))) if assigns => {
                out.push((key, FactList::Dynamic, monkey_patch()))
            }
            Some((0, Binding::Def(d))) if is_class(*d) && assigns => {
                out.push((key, FactList::Dynamic, monkey_patch()))
            }
            // `os.remove(...)`: a function of an imported module, not a list method.
            Some((0, Binding::Import(_))) if m.direct => {}
            Some(_) => out.push((key, FactList::ModuleState, m.fact)),
            None => {} // a builtin or an undefined name
        }
    }
    out
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c == '_' || c.is_alphabetic())
        && chars.all(|c| c == '_' || c.is_alphanumeric())
}

/// `s` without whitespace (`a . b` in `import a . b` is `a.b`); borrowed when it has none.
fn strip_ws(s: &str) -> Cow<'_, str> {
    if s.contains(char::is_whitespace) {
        Cow::Owned(s.chars().filter(|c| !c.is_whitespace()).collect())
    } else {
        Cow::Borrowed(s)
    }
}

/// The text on one line with runs of whitespace collapsed, cut to at most `max` bytes.
fn shorten(s: &str, max: usize) -> String {
    let mut out = String::with_capacity(s.len().min(max));
    let mut space = false;
    for c in s.chars() {
        if c.is_whitespace() {
            space = true;
            continue;
        }
        if space && !out.is_empty() {
            out.push(' ');
        }
        space = false;
        if out.len() + c.len_utf8() > max {
            out.push('…');
            break;
        }
        out.push(c);
    }
    out
}

/// The values of an unpacking assignment's targets (`a, b = f, g`; `a, *rest, z = ...`), in
/// the targets' order: element by element when the right side is a literal whose elements
/// all survived reduction ([`Expr::Collection`] drops [`Expr::Other`] ones, so a length that
/// does not fit means a position is unknown) and at most one target is starred (it gets the
/// middle elements as a collection); else nothing is known of any target.
fn unpack(targets: &[Node<'_>], value: Option<Expr>) -> Vec<Option<Expr>> {
    let unknown = || vec![None; targets.len()];
    let Some(Expr::Collection(values)) = value else {
        return unknown();
    };
    let stars: Vec<usize> = targets
        .iter()
        .enumerate()
        .filter(|(_, t)| t.kind_str() == "list_splat_pattern")
        .map(|(i, _)| i)
        .collect();
    match stars[..] {
        [] if values.len() == targets.len() => values.into_iter().map(Some).collect(),
        [star] if values.len() + 1 >= targets.len() => {
            let after = targets.len() - star - 1;
            let middle_end = values.len() - after;
            let mut out: Vec<Option<Expr>> = values[..star].iter().cloned().map(Some).collect();
            out.push(Some(Expr::Collection(values[star..middle_end].to_vec())));
            out.extend(values[middle_end..].iter().cloned().map(Some));
            out
        }
        _ => unknown(),
    }
}

fn line_of(node: Node) -> u32 {
    u32::try_from(node.start_position().row + 1).unwrap_or(u32::MAX)
}

fn end_line_of(node: Node) -> u32 {
    u32::try_from(node.end_position().row + 1).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(src: &str) -> ParsedFile {
        DefinitionParser::new().parse_source(src)
    }

    fn def<'p>(file: &'p ParsedFile, qualname: &str) -> &'p ParsedDef {
        file.defs
            .iter()
            .find(|d| d.qualname == qualname)
            .unwrap_or_else(|| panic!("{qualname} not found"))
    }

    fn whats(facts: &[Fact]) -> Vec<&str> {
        facts.iter().map(|f| f.what.as_str()).collect()
    }

    #[test]
    fn nested_classes_methods_and_async() {
        let src = "\
class Outer:
    class Inner:
        @staticmethod
        def s():
            return 1
    async def run(self):
        f = lambda x: x
        return f(1)

def top():
    def helper():
        pass
    return helper
";
        let got: Vec<_> = parse(src)
            .defs
            .into_iter()
            .map(|d| (d.qualname, d.kind, d.start_line, d.end_line, d.parent))
            .collect();
        assert_eq!(
            got,
            vec![
                ("Outer".into(), DefKind::Class, 1, 8, None),
                ("Outer.Inner".into(), DefKind::Class, 2, 5, Some(0)),
                ("Outer.Inner.s".into(), DefKind::Method, 3, 5, Some(1)),
                ("Outer.run".into(), DefKind::Method, 6, 8, Some(0)),
                ("top".into(), DefKind::Function, 10, 13, None),
                ("top.helper".into(), DefKind::Function, 11, 12, Some(4)),
            ]
        );
        let file = parse(src);
        assert!(def(&file, "Outer.run").syntax.is_async);
        assert_eq!(
            def(&file, "Outer.Inner.s").syntax.decorators[0].1,
            "staticmethod"
        );
    }

    #[test]
    fn unpacking_binds_each_target_to_its_element() {
        let src =
            "a, b = f1, f2\nc, *d, e = f1, f2, f3, f4\nx, y = f1, 3\n(p, (q, r)) = f1, (f2, f3)\n";
        let file = parse(src);
        let bound = |name: &str| -> Vec<String> {
            file.module
                .bindings
                .iter()
                .filter(|(n, _)| n.as_str() == name)
                .map(|(_, b)| match b {
                    Binding::Assign(e) => e.text(),
                    _ => "?".to_string(),
                })
                .collect()
        };
        assert_eq!(bound("a"), ["f1"]);
        assert_eq!(bound("b"), ["f2"]);
        assert_eq!(bound("c"), ["f1"]);
        assert_eq!(bound("d"), ["<collection>"]);
        assert_eq!(bound("e"), ["f4"]);
        // `3` is not kept in the reduced literal: positions are unknown, nothing is bound.
        assert_eq!(bound("x"), ["?"]);
        assert_eq!(bound("y"), ["?"]);
        assert_eq!(bound("q"), ["f2"]);
        assert_eq!(bound("r"), ["f3"]);
    }

    #[test]
    fn loops_are_recorded_per_definition() {
        let src = "def f(xs):\n    a = g(xs)\n    for x in xs:\n        h(x)\n    \
                   ys = [k(y)\n          for y in xs]\n    while a:\n        a = m(a)\n    return a\n";
        let file = parse(src);
        let f = &def(&file, "f").syntax;
        assert_eq!(f.loops, vec![(3, 4), (5, 6), (7, 8)]);
        assert!(!f.in_loop(2));
        assert!(f.in_loop(4) && f.in_loop(5) && f.in_loop(8));
        assert!(!f.in_loop(9));
        assert!(file.module.loops.is_empty());
    }

    #[test]
    fn syntax_errors_keep_recovered_definitions() {
        let parsed = parse("def ok():\n    pass\n\ndef broken(:\n");
        assert!(parsed.had_syntax_errors);
        assert!(parsed.defs.iter().any(|d| d.qualname == "ok"));
    }

    #[test]
    fn parameters_with_annotations_defaults_and_kinds() {
        let file =
            parse("def f(a, /, b: int = 2, *args, c, d: 'Foo' = None, **kw) -> str:\n    pass\n");
        let p = &def(&file, "f").syntax.params;
        let got: Vec<_> = p
            .iter()
            .map(|p| {
                (
                    p.name.as_str(),
                    p.kind,
                    p.annotation.as_deref(),
                    p.default.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                ("a", ParamKind::PositionalOnly, None, None),
                ("b", ParamKind::PositionalOrKeyword, Some("int"), Some("2")),
                ("args", ParamKind::VarPositional, None, None),
                ("c", ParamKind::KeywordOnly, None, None),
                ("d", ParamKind::KeywordOnly, Some("'Foo'"), Some("None")),
                ("kw", ParamKind::VarKeyword, None, None),
            ]
        );
        assert_eq!(
            def(&file, "f").syntax.return_annotation,
            Some(Expr::Name("str".into()))
        );
    }

    #[test]
    fn complexity_and_code_lines() {
        let src = "\
def f(xs):
    # a comment

    total = 0
    for x in xs:
        if x > 0 and x < 10:
            total += x
        elif x == 0:
            pass
    try:
        g()
    except ValueError:
        pass
    return [y for y in xs if y] or total
";
        let file = parse(src);
        let f = &def(&file, "f").syntax;
        // 1 + for + if + and + elif + except + comprehension for + comprehension if + or
        assert_eq!(f.complexity, 9);
        assert_eq!(f.code_lines, 12);
        assert!(!f.is_generator);
        assert!(parse("def g():\n    yield 1\n").defs[0].syntax.is_generator);
    }

    #[test]
    fn isolation_facts() {
        let src = "\
import os, logging, subprocess as sp
from pathlib import Path
CACHE = {}
COUNT = 0
log = logging.getLogger(__name__)

class Svc:
    def handle(self, req, name):
        global COUNT
        COUNT += 1
        CACHE[req] = self.state
        self.seen = req
        self.items.append(req)
        local = []
        local.append(1)
        print(req)
        open('x').read()
        os.remove('y')
        sp.run(['ls'])
        log.info('x')
        Path('p').read_text()
        getattr(self, name)()
        getattr(self, 'fixed')()
        eval('1')
        os.path = None
        if not req:
            raise ValueError('bad')
        raise
        return self.__dict__

def outer():
    acc = []
    def inner():
        nonlocal acc
        acc = acc + [1]
        acc.append(2)
    def other():
        nonlocal acc
        acc.append(3)
    return inner
";
        let file = parse(src);
        let f = &def(&file, "Svc.handle").syntax.facts;
        assert_eq!(whats(&f.global_writes), vec!["COUNT"]);
        assert_eq!(whats(&f.module_state_writes), vec!["CACHE[...] ="]);
        assert_eq!(
            whats(&f.io),
            vec![
                "print",
                "open",
                "os.remove",
                "subprocess.run",
                "log.info",
                "pathlib.Path().read_text"
            ]
        );
        assert_eq!(
            whats(&f.dynamic),
            vec!["getattr", "eval", "monkey-patch os.path", "self.__dict__"]
        );
        assert_eq!(f.self_reads, vec!["__dict__", "items", "state"]);
        assert_eq!(f.self_writes, vec!["items", "seen"]);
        assert_eq!(whats(&f.raises), vec!["ValueError"]);
        let inner = &def(&file, "outer.inner").syntax.facts;
        assert_eq!(whats(&inner.nonlocal_writes), vec!["acc"]);
        assert!(inner.module_state_writes.is_empty(), "{inner:?}");
        let other = &def(&file, "outer.other").syntax.facts;
        assert!(other.module_state_writes.is_empty(), "{other:?}");
    }

    #[test]
    fn calls_inside_f_and_t_strings_are_kept_and_plain_strings_are_text() {
        let src = "\
def f(x):
    a = f\"{g(x)} and {x.h()}\"
    b = rf'{k()}'
    c = \"{not_a_call()}\" + b'{neither()}' + r\"{nor()}\"
    d = t'{tpl()}' + RT\"{tpl2()}\"
    return F\"{m()}\"
";
        let file = parse(src);
        let callees: Vec<String> = def(&file, "f")
            .syntax
            .calls
            .iter()
            .map(|c| c.callee.text())
            .collect();
        assert_eq!(callees, vec!["g", "x.h", "k", "tpl", "tpl2", "m"]);
    }

    #[test]
    fn calls_imports_and_bindings() {
        let src = "\
import a.b.c
import x.y as z
from . import sib
from ..pkg import name as alias
from m import *

def f(cb, *rest, k=None):
    z.go(cb, k=cb)
    super().m()
    getattr(obj, 'meth')()
    for h in HANDLERS:
        h()
    v = Foo() if cb else Bar()
";
        let file = parse(src);
        let m = &file.module;
        let imports: Vec<_> = m
            .bindings
            .iter()
            .map(|(n, b)| (n.to_string(), b.clone()))
            .collect();
        let imp = |level, module: &str, name: Option<&str>| {
            Binding::Import(ImportRef {
                level,
                module: module.into(),
                name: name.map(Into::into),
            })
        };
        assert_eq!(imports[0], ("a".into(), imp(0, "a", None)));
        assert_eq!(imports[1], ("z".into(), imp(0, "x.y", None)));
        assert_eq!(imports[2], ("sib".into(), imp(1, "", Some("sib"))));
        assert_eq!(imports[3], ("alias".into(), imp(2, "pkg", Some("name"))));
        assert!(matches!(imports[4].1, Binding::Star(_)));
        let f = &def(&file, "f").syntax;
        let callees: Vec<String> = f.calls.iter().map(|c| c.callee.text()).collect();
        assert_eq!(
            callees,
            vec![
                "z.go",
                "super().m",
                "super",
                "obj.meth",
                "getattr",
                "h",
                "Foo",
                "Bar"
            ]
        );
        assert_eq!(f.calls[0].args.len(), 2);
        assert_eq!(f.calls[0].args[1].keyword.as_deref(), Some("k"));
        assert!(
            f.bindings
                .iter()
                .any(|(n, b)| &**n == "h" && matches!(b, Binding::Assign(Expr::Element(_))))
        );
        assert!(
            f.bindings
                .iter()
                .any(|(n, b)| &**n == "v" && matches!(b, Binding::Assign(Expr::Either(_))))
        );
    }

    proptest::proptest! {
        /// The byte-level count of code lines is the one [`str::lines`] and
        /// [`str::trim_start`] give, also with CRLF endings, tabs, form feeds and Unicode
        /// whitespace.
        #[test]
        fn code_lines_match_lines_and_trim_start(
            text in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::strategy::Just(" "), proptest::strategy::Just("\t"),
                    proptest::strategy::Just("\r"), proptest::strategy::Just("\n"),
                    proptest::strategy::Just("\r\n"), proptest::strategy::Just("\x0c"),
                    proptest::strategy::Just("#"), proptest::strategy::Just("x"),
                    proptest::strategy::Just("\u{a0}"), proptest::strategy::Just("\u{3000}"),
                    proptest::strategy::Just("\u{85}"), proptest::strategy::Just("é"),
                ],
                0..40,
            )
        ) {
            let text: String = text.concat();
            let mut expected = vec![0u32];
            let mut n = 0;
            for line in text.lines() {
                let t = line.trim_start();
                if !t.is_empty() && !t.starts_with('#') {
                    n += 1;
                }
                expected.push(n);
            }
            let mut got = Vec::new();
            code_line_prefix(&text, &mut got);
            proptest::prop_assert_eq!(got, expected);
        }
    }

    #[test]
    fn deep_nesting_is_cut_not_overflowed() {
        let depth = 3000;
        let src = format!("x = {}1{}\n", "(".repeat(depth), ")".repeat(depth));
        let file = parse(&src);
        assert!(file.truncated || file.had_syntax_errors);
    }
}
