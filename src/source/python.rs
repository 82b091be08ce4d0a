//! Python definitions with tree-sitter-python: functions, methods, nested functions and classes
//! with their line spans.
//!
//! Node kinds follow tree-sitter-python's grammar (`function_definition`, `class_definition`,
//! `decorated_definition`). Lambdas and comprehensions are not definitions: their samples are
//! attributed to the enclosing function by line span. The syntax tree is walked with an explicit
//! stack, so deeply nested code cannot overflow the call stack.

use std::path::Path;

use tree_sitter::{Node, Parser};

use super::DefKind;

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
}

/// The definitions of one file.
#[derive(Debug, Clone, Default)]
pub struct ParsedFile {
    /// Definitions in source order (outer before inner).
    pub defs: Vec<ParsedDef>,
    /// Lines in the file.
    pub line_count: u32,
    /// True when tree-sitter reported syntax errors (the definitions are what it recovered).
    pub had_syntax_errors: bool,
}

/// A reusable tree-sitter parser for Python (one per thread: parsers are not `Sync`).
pub struct DefinitionParser {
    parser: Parser,
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
        DefinitionParser { parser }
    }

    /// Reads and parses one file.
    ///
    /// # Errors
    /// A message (no path; the caller adds it) when the file cannot be read or is not UTF-8.
    pub fn parse_file(&mut self, path: &Path) -> Result<ParsedFile, String> {
        let bytes = std::fs::read(path).map_err(|e| format!("cannot read: {e}"))?;
        let text = std::str::from_utf8(&bytes)
            .map_err(|e| format!("not valid UTF-8 (byte offset {})", e.valid_up_to()))?;
        Ok(self.parse_source(text))
    }

    /// Parses Python source text.
    pub fn parse_source(&mut self, text: &str) -> ParsedFile {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let line_count = u32::try_from(text.lines().count()).unwrap_or(u32::MAX);
        let Some(tree) = self.parser.parse(text, None) else {
            return ParsedFile {
                defs: Vec::new(),
                line_count,
                had_syntax_errors: true,
            };
        };
        let root = tree.root_node();
        let src = text.as_bytes();
        let mut defs = Vec::new();

        // (node, qualified prefix of the enclosing scope, is the enclosing scope a class body)
        let mut stack: Vec<(Node, String, bool)> = vec![(root, String::new(), false)];
        while let Some((node, prefix, in_class)) = stack.pop() {
            let kind = node.kind();
            let def = match kind {
                "function_definition" | "class_definition" => Some(node),
                _ => None,
            };
            if let Some(def) = def {
                let name = def
                    .child_by_field_name("name")
                    .and_then(|n| n.utf8_text(src).ok())
                    .unwrap_or("<anonymous>")
                    .to_string();
                let qualname = if prefix.is_empty() {
                    name.clone()
                } else {
                    format!("{prefix}.{name}")
                };
                let outer = match def.parent() {
                    Some(p) if p.kind() == "decorated_definition" => p,
                    _ => def,
                };
                let def_kind = if kind == "class_definition" {
                    DefKind::Class
                } else if in_class {
                    DefKind::Method
                } else {
                    DefKind::Function
                };
                defs.push(ParsedDef {
                    qualname: qualname.clone(),
                    name,
                    kind: def_kind,
                    start_line: line_of(outer.start_position().row),
                    end_line: line_of(outer.end_position().row),
                });
                // Children of the body are in the new scope; push in reverse so that source order
                // is kept when popping.
                push_children(&mut stack, def, &qualname, kind == "class_definition");
            } else {
                push_children(&mut stack, node, &prefix, in_class);
            }
        }
        ParsedFile {
            defs,
            line_count,
            had_syntax_errors: root.has_error(),
        }
    }
}

fn push_children<'t>(
    stack: &mut Vec<(Node<'t>, String, bool)>,
    node: Node<'t>,
    prefix: &str,
    in_class: bool,
) {
    let mut cursor = node.walk();
    let children: Vec<Node<'t>> = node.named_children(&mut cursor).collect();
    for child in children.into_iter().rev() {
        stack.push((child, prefix.to_string(), in_class));
    }
}

fn line_of(row: usize) -> u32 {
    u32::try_from(row + 1).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn defs(src: &str) -> Vec<(String, DefKind, u32, u32)> {
        DefinitionParser::new()
            .parse_source(src)
            .defs
            .into_iter()
            .map(|d| (d.qualname, d.kind, d.start_line, d.end_line))
            .collect()
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
        assert_eq!(
            defs(src),
            vec![
                ("Outer".into(), DefKind::Class, 1, 8),
                ("Outer.Inner".into(), DefKind::Class, 2, 5),
                ("Outer.Inner.s".into(), DefKind::Method, 3, 5),
                ("Outer.run".into(), DefKind::Method, 6, 8),
                ("top".into(), DefKind::Function, 10, 13),
                ("top.helper".into(), DefKind::Function, 11, 12),
            ]
        );
    }

    #[test]
    fn syntax_errors_keep_recovered_definitions() {
        let parsed = DefinitionParser::new().parse_source("def ok():\n    pass\n\ndef broken(:\n");
        assert!(parsed.had_syntax_errors);
        assert!(parsed.defs.iter().any(|d| d.qualname == "ok"));
    }
}
