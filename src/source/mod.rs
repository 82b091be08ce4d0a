//! The codebase: every Python function, method, class and module under `--source DIR`.
//!
//! [`SourceIndex::build`] walks the tree ([`walk`]), parses each `.py` file with tree-sitter
//! ([`python`]) in parallel, and assigns each definition a dotted qualified name relative to the
//! source root (`pkg.module.Class.method`), the id later stages and outputs use. This module
//! knows nothing of profiles; [`crate::mapping`] joins the two.
//!
//! [`SourceIndex::build_roots`] indexes several roots (`--source` given more than once: an
//! application and the library it spends its time in) into one index. Each root is walked,
//! and its modules named, exactly as it would be alone; a root nested inside another is left
//! out of the outer root's walk (its files belong to it, once), and the same directory given
//! twice is an error. With several roots each file's displayed path ([`SourceFile::path`])
//! starts with its root as given, so equal relative paths under two roots stay distinct.

pub mod facts;
pub mod python;
pub mod stdlib;
pub mod syntax;
pub mod walk;

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::diagnostics::Diagnostics;
pub use syntax::DefSyntax;

/// Index of a definition in [`SourceIndex::function`]. Only valid for the index that made it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FuncId(u32);

impl FuncId {
    /// The index into [`SourceIndex::functions`].
    pub fn index(self) -> usize {
        self.0 as usize
    }

    pub(crate) fn from_index(i: usize) -> Self {
        FuncId(u32::try_from(i).expect("fewer than 2^32 definitions"))
    }
}

/// Index of a file in [`SourceIndex::file`]. Only valid for the index that made it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(u32);

impl FileId {
    /// The index into [`SourceIndex::files`].
    pub fn index(self) -> usize {
        self.0 as usize
    }

    pub(crate) fn from_index(i: usize) -> Self {
        FileId(u32::try_from(i).expect("fewer than 2^32 files"))
    }
}

/// What a definition is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DefKind {
    /// A `def` at module level or nested in another function.
    Function,
    /// A `def` directly in a class body.
    Method,
    /// A `class` body (runs once, when the class is defined).
    Class,
    /// A module's top-level code (py-spy's `<module>` frames).
    Module,
}

impl DefKind {
    /// The lowercase name used in outputs: `function`, `method`, `class`, `module`.
    pub fn as_str(self) -> &'static str {
        match self {
            DefKind::Function => "function",
            DefKind::Method => "method",
            DefKind::Class => "class",
            DefKind::Module => "module",
        }
    }
}

/// One definition of the codebase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Function {
    /// Dotted qualified name relative to the source root, e.g. `logpipe.parser.Tokenizer.next`;
    /// nested functions are `pkg.mod.outer.inner`; a module is `pkg.mod`.
    pub qualname: String,
    /// The last component of the qualified name (`next`); for a module, the module name.
    pub name: String,
    /// What the definition is.
    pub kind: DefKind,
    /// The file it is in.
    pub file: FileId,
    /// First line (1-based), the first decorator's line for decorated definitions.
    pub start_line: u32,
    /// Last line (1-based, inclusive).
    pub end_line: u32,
    /// The enclosing definition: the class or function it is nested in, else its module.
    /// `None` for modules.
    pub parent: Option<FuncId>,
}

impl Function {
    /// Lines of the definition, `end_line - start_line + 1` (blank and comment lines included).
    pub fn lines(&self) -> u32 {
        self.end_line - self.start_line + 1
    }
}

/// One Python file of the codebase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// Index of its root in [`SourceIndex::roots`].
    pub root: usize,
    /// Path relative to its source root with `/` separators, e.g. `logpipe/parser.py`: what
    /// profile paths are matched against ([`crate::mapping`]).
    pub rel_path: String,
    /// The path outputs show: `rel_path` when the index has one root; with several, the root
    /// as given followed by `rel_path` (`sample-profiles/chardet/workload.py`), so that the
    /// same relative path under two roots stays two paths, each openable from where
    /// brownfield ran.
    pub path: String,
    /// Dotted module name, e.g. `logpipe.parser` (`pkg/__init__.py` is `pkg`).
    pub module: String,
    /// The module's own definition (its top-level code).
    pub module_def: FuncId,
    /// Definitions in this file other than the module, sorted by start line, then by end line
    /// descending (outer before inner).
    pub defs: Vec<FuncId>,
    /// Number of lines in the file.
    pub line_count: u32,
}

/// One source root of an index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceRoot {
    /// The directory as given (`--source`).
    pub given: PathBuf,
    /// The same directory with symbolic links resolved ([`Path::canonicalize`]).
    pub canonical: PathBuf,
}

/// Every definition of the codebase under its source roots (one, or several).
#[derive(Debug, Clone, Default)]
pub struct SourceIndex {
    roots: Vec<SourceRoot>,
    files: Vec<SourceFile>,
    functions: Vec<Function>,
    syntax: Vec<DefSyntax>,
    modules: FxHashMap<String, FileId>,
    packages: FxHashSet<String>,
}

/// An error that stops indexing. Unreadable or unparsable single files are warnings instead.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SourceError {
    /// `--source` holds no Python file brownfield indexes.
    #[error("no Python files under {} (hidden directories, __pycache__, build, dist, node_modules and virtualenvs are skipped); pass the checkout of the profiled code with --source", path.display())]
    NoPythonFiles {
        /// The path given.
        path: PathBuf,
    },
    /// `--source` is not a directory.
    #[error("source root {} is not a directory; pass the checkout that holds the profiled code with --source", path.display())]
    NotADirectory {
        /// The path given.
        path: PathBuf,
    },
    /// Two `--source` roots are the same directory (after resolving symbolic links).
    #[error("--source {} and --source {} are the same directory; give each source root once", first.display(), second.display())]
    DuplicateRoot {
        /// The first spelling given.
        first: PathBuf,
        /// The later spelling of the same directory.
        second: PathBuf,
    },
    /// No source root was given.
    #[error("no source root given; pass the checkout of the profiled code with --source")]
    NoRoot,
}

/// A file found by the walk (relative to the root) and what reading and parsing it gave.
type ParsedPath = (PathBuf, Result<python::ParsedFile, String>);

/// Each `.py` file under `root` (relative path) with what parsing it gave, in no particular
/// order, and the walk's warnings. The walk runs on its own thread and hands each file to the
/// parsers (one per rayon thread) as it finds it, so parsing starts at once.
fn walk_and_parse(
    root: &Path,
    options: &walk::WalkOptions,
    except: &[PathBuf],
) -> (Vec<ParsedPath>, Diagnostics) {
    let (sender, receiver) = std::sync::mpsc::channel::<PathBuf>();
    std::thread::scope(|scope| {
        let walker = scope.spawn(move || {
            let mut walk_diag = Diagnostics::default();
            walk::for_each_python_file_except(root, options, except, &mut walk_diag, |rel| {
                // The receiver lives until the walk ends.
                let _ = sender.send(rel);
            });
            walk_diag
        });
        let parsed = receiver
            .into_iter()
            .par_bridge()
            .map_init(python::DefinitionParser::new, |parser, rel| {
                let result = parser.parse_file(&root.join(&rel));
                (rel, result)
            })
            .collect();
        let walk_diag = walker
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (parsed, walk_diag)
    })
}

impl SourceIndex {
    /// Walks `root`, parses every Python file in parallel and indexes its definitions.
    ///
    /// Output order does not depend on thread scheduling: files are sorted by relative path
    /// before ids are assigned. Files that are not UTF-8 or cannot be read are skipped, and
    /// files with syntax errors keep what tree-sitter recovered; both add a warning to `diag`.
    ///
    /// # Errors
    /// [`SourceError::NotADirectory`] when `root` is not a directory.
    pub fn build(root: &Path, diag: &mut Diagnostics) -> Result<SourceIndex, SourceError> {
        Self::build_with(root, &walk::WalkOptions::default(), diag)
    }

    /// [`SourceIndex::build`] with walk options (`--exclude` globs, `.gitignore` handling).
    ///
    /// # Errors
    /// [`SourceError::NotADirectory`] when `root` is not a directory,
    /// [`SourceError::NoPythonFiles`] when the walk finds no `.py` file.
    pub fn build_with(
        root: &Path,
        options: &walk::WalkOptions,
        diag: &mut Diagnostics,
    ) -> Result<SourceIndex, SourceError> {
        Self::build_roots(std::slice::from_ref(&root.to_path_buf()), options, diag)
    }

    /// Indexes several source roots into one index, each walked and its modules named as
    /// [`SourceIndex::build_with`] does for one. Files are ordered by root (in the order
    /// given), then by relative path; each file belongs to one root: a root nested inside
    /// another is left out of the outer root's walk. `options` apply to every root (`--exclude`
    /// globs relative to each). With several roots, [`SourceFile::path`] starts with the root.
    ///
    /// # Errors
    /// [`SourceError::NoRoot`] when `roots` is empty, [`SourceError::NotADirectory`] when a
    /// root is not a directory, [`SourceError::DuplicateRoot`] when two roots are the same
    /// directory (however spelled, symbolic links resolved), [`SourceError::NoPythonFiles`]
    /// when a root holds no `.py` file of its own.
    pub fn build_roots(
        roots: &[PathBuf],
        options: &walk::WalkOptions,
        diag: &mut Diagnostics,
    ) -> Result<SourceIndex, SourceError> {
        let roots = resolve_roots(roots)?;
        let walked = crate::diagnostics::timed("index: walk, parse and extract", || {
            walk_roots(&roots, options, diag)
        })?;
        // One entry per module and per definition: sized once (the syntax entries are large,
        // and growing the vectors by doubling copied them several times over).
        let parsed = walked.iter().flatten();
        let files = parsed.clone().count();
        let definitions: usize = parsed
            .map(|(_, r)| r.as_ref().map_or(0, |f| f.defs.len() + 1))
            .sum();
        let mut index = SourceIndex {
            roots,
            files: Vec::with_capacity(files),
            functions: Vec::with_capacity(definitions),
            syntax: Vec::with_capacity(definitions),
            modules: FxHashMap::default(),
            packages: FxHashSet::default(),
        };
        for (root, parsed) in walked.into_iter().enumerate() {
            index.add_root(root, parsed, diag);
        }
        Ok(index)
    }

    /// Adds the files of root number `root` (sorted by relative path), naming their modules
    /// as if that root were alone.
    fn add_root(&mut self, root: usize, parsed: Vec<ParsedPath>, diag: &mut Diagnostics) {
        let given = self.roots[root].given.clone();
        let prefix = if self.roots.len() > 1 {
            display_prefix(&given)
        } else {
            String::new()
        };
        let rel_paths: Vec<String> = parsed.iter().map(|(p, _)| walk::slash_path(p)).collect();
        let modules = module_names(&rel_paths, &enclosing_package(&given));
        for (((rel, result), module), rel_path) in parsed.into_iter().zip(modules).zip(rel_paths) {
            let shown = given.join(&rel);
            match result {
                Ok(file) => {
                    if file.had_syntax_errors {
                        diag.warn(format!(
                            "{}: syntax errors; indexed the definitions tree-sitter recovered",
                            shown.display()
                        ));
                    }
                    if file.truncated {
                        diag.warn(format!(
                            "{}: code nested deeper than {} syntax levels was skipped",
                            shown.display(),
                            python::MAX_DEPTH
                        ));
                    }
                    let path = format!("{prefix}{rel_path}");
                    self.add_file(root, rel_path, path, module, file);
                }
                Err(message) => diag.warn(format!("{}: skipped: {message}", shown.display())),
            }
        }
    }

    fn add_file(
        &mut self,
        root: usize,
        rel_path: String,
        path: String,
        module: String,
        parsed: python::ParsedFile,
    ) {
        let file = FileId::from_index(self.files.len());
        let module_def = self.push(
            Function {
                qualname: module.clone(),
                name: module.rsplit('.').next().unwrap_or(&module).to_string(),
                kind: DefKind::Module,
                file,
                start_line: 1,
                end_line: parsed.line_count.max(1),
                parent: None,
            },
            parsed.module,
        );
        let base = module_def.index() + 1;
        let mut defs = Vec::with_capacity(parsed.defs.len());
        for d in parsed.defs {
            let qualname = if module.is_empty() {
                d.qualname
            } else {
                format!("{module}.{}", d.qualname)
            };
            let parent = Some(
                d.parent
                    .map_or(module_def, |p| FuncId::from_index(base + p as usize)),
            );
            defs.push(self.push(
                Function {
                    qualname,
                    name: d.name,
                    kind: d.kind,
                    file,
                    start_line: d.start_line,
                    end_line: d.end_line,
                    parent,
                },
                d.syntax,
            ));
        }
        let functions = &self.functions;
        defs.sort_by_key(|id| {
            let f = &functions[id.index()];
            (f.start_line, std::cmp::Reverse(f.end_line))
        });
        self.modules.entry(module.clone()).or_insert(file);
        let mut prefix = module.as_str();
        while let Some((p, _)) = prefix.rsplit_once('.') {
            if !self.packages.insert(p.to_string()) {
                break;
            }
            prefix = p;
        }
        self.files.push(SourceFile {
            root,
            rel_path,
            path,
            module,
            module_def,
            defs,
            line_count: parsed.line_count,
        });
    }

    fn push(&mut self, f: Function, syntax: DefSyntax) -> FuncId {
        let id = FuncId::from_index(self.functions.len());
        self.functions.push(f);
        self.syntax.push(syntax);
        id
    }

    /// What the syntax of a definition says (calls, bindings, facts). Panics only if the id is
    /// from another index.
    pub fn syntax(&self, id: FuncId) -> &DefSyntax {
        &self.syntax[id.index()]
    }

    /// The file of the module with this dotted name (`pkg.mod`; `pkg` is `pkg/__init__.py`).
    pub fn module(&self, dotted: &str) -> Option<FileId> {
        self.modules.get(dotted).copied()
    }

    /// True when `dotted` is a package prefix of some module (`pkg` for `pkg.mod`), as with a
    /// namespace package that has no `__init__.py`.
    pub fn is_package_prefix(&self, dotted: &str) -> bool {
        self.packages.contains(dotted)
    }

    /// The first source root as given (where `brownfield.toml` is looked up); empty for an
    /// index built from nothing ([`SourceIndex::default`]).
    pub fn root(&self) -> &Path {
        self.roots
            .first()
            .map_or(Path::new(""), |r| r.given.as_path())
    }

    /// Every source root, in the order given.
    pub fn roots(&self) -> &[SourceRoot] {
        &self.roots
    }

    /// The source roots as given, for messages: `app` or `app, lib`.
    pub fn roots_display(&self) -> String {
        let names: Vec<String> = self
            .roots
            .iter()
            .map(|r| r.given.display().to_string())
            .collect();
        names.join(", ")
    }

    /// Where a file is on disk: its root as given joined with its relative path.
    pub fn disk_path(&self, file: &SourceFile) -> PathBuf {
        self.roots
            .get(file.root)
            .map_or_else(PathBuf::new, |r| r.given.clone())
            .join(&file.rel_path)
    }

    /// All files, sorted by root (in the order given), then by relative path.
    pub fn files(&self) -> &[SourceFile] {
        &self.files
    }

    /// All definitions; [`FuncId`] `i` is `functions()[i]`.
    pub fn functions(&self) -> &[Function] {
        &self.functions
    }

    /// The definition an id names. Panics only if the id is from another index.
    pub fn function(&self, id: FuncId) -> &Function {
        &self.functions[id.index()]
    }

    /// The file an id names. Panics only if the id is from another index.
    pub fn file(&self, id: FileId) -> &SourceFile {
        &self.files[id.index()]
    }

    /// Total lines in all indexed files.
    pub fn total_lines(&self) -> u64 {
        self.files.iter().map(|f| u64::from(f.line_count)).sum()
    }
}

/// Checks the roots and resolves their symbolic links.
///
/// # Errors
/// [`SourceError::NoRoot`], [`SourceError::NotADirectory`] or [`SourceError::DuplicateRoot`].
fn resolve_roots(roots: &[PathBuf]) -> Result<Vec<SourceRoot>, SourceError> {
    if roots.is_empty() {
        return Err(SourceError::NoRoot);
    }
    let mut out: Vec<SourceRoot> = Vec::with_capacity(roots.len());
    for given in roots {
        let canonical = match given.canonicalize() {
            Ok(c) if c.is_dir() => c,
            _ => {
                return Err(SourceError::NotADirectory {
                    path: given.clone(),
                });
            }
        };
        if let Some(first) = out.iter().find(|r| r.canonical == canonical) {
            return Err(SourceError::DuplicateRoot {
                first: first.given.clone(),
                second: given.clone(),
            });
        }
        out.push(SourceRoot {
            given: given.clone(),
            canonical,
        });
    }
    Ok(out)
}

/// Walks and parses every root, each without the roots nested inside it; each root's files
/// sorted by relative path.
///
/// # Errors
/// [`SourceError::NoPythonFiles`] when a root has no `.py` file of its own.
fn walk_roots(
    roots: &[SourceRoot],
    options: &walk::WalkOptions,
    diag: &mut Diagnostics,
) -> Result<Vec<Vec<ParsedPath>>, SourceError> {
    let mut walked = Vec::with_capacity(roots.len());
    for root in roots {
        let nested: Vec<PathBuf> = roots
            .iter()
            .filter(|r| r.canonical != root.canonical && r.canonical.starts_with(&root.canonical))
            .map(|r| r.canonical.clone())
            .collect();
        let (mut parsed, walk_diag) = walk_and_parse(&root.given, options, &nested);
        diag.extend(walk_diag);
        if parsed.is_empty() {
            return Err(SourceError::NoPythonFiles {
                path: root.given.clone(),
            });
        }
        parsed.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        walked.push(parsed);
    }
    Ok(walked)
}

/// The start of the displayed path of a file under `given` when the index has several roots:
/// the root as given with `/` separators and a final `/` (`sample-profiles/chardet/`), without
/// a leading `./`; empty for `.` (paths are then relative to the working directory already).
fn display_prefix(given: &Path) -> String {
    let text = given.to_string_lossy().replace('\\', "/");
    let mut s = text.as_str();
    while let Some(rest) = s.strip_prefix("./") {
        s = rest.trim_start_matches('/');
    }
    let trimmed = s.trim_end_matches('/');
    match trimmed {
        "" if s.starts_with('/') => "/".to_string(),
        "" | "." => String::new(),
        t => format!("{t}/"),
    }
}

/// The dotted package name of `root` itself: when `root` holds an `__init__.py`, its name, with
/// the names of enclosing directories that are packages too (`a/b` with `a/__init__.py` and
/// `a/b/__init__.py` is `a.b`). Empty when `root` is not a package.
fn enclosing_package(root: &Path) -> String {
    let Ok(mut dir) = root.canonicalize() else {
        return String::new();
    };
    let mut names = Vec::new();
    while dir.join("__init__.py").is_file() {
        match dir.file_name() {
            Some(name) => names.push(name.to_string_lossy().into_owned()),
            None => break,
        }
        if !dir.pop() {
            break;
        }
    }
    names.reverse();
    names.join(".")
}

/// The dotted module name of every file (relative paths with `/`), following Python's import
/// system:
///
/// - a file in a package (a directory with `__init__.py`) is named from the outermost package
///   of its chain: `proj-sql/sqlparse/lexer.py` is `sqlparse.lexer`, and when the chain reaches
///   the root itself, the root's own package name `prefix` leads (`sqlparse.lexer` for
///   `--source site-packages/sqlparse`);
/// - any other file is named by its path from the root ([`module_name`]): namespace packages,
///   scripts, src-layout;
/// - names must be unique: files whose package names collide keep their path names instead.
pub fn module_names(rel_paths: &[String], prefix: &str) -> Vec<String> {
    use std::collections::{BTreeMap, BTreeSet};
    let package_dirs: BTreeSet<&str> = rel_paths
        .iter()
        .filter_map(|p| p.strip_suffix("__init__.py"))
        .map(|d| d.trim_end_matches('/'))
        .collect();
    let by_path = |rel: &str| join_prefix(prefix, &module_name(rel), package_dirs.contains(""));
    let mut names: Vec<String> = rel_paths
        .iter()
        .map(|rel| {
            let dir = rel.rsplit_once('/').map_or("", |(d, _)| d);
            if !package_dirs.contains(dir) {
                return by_path(rel);
            }
            // Walk up while the parent directory is a package too.
            let mut top = dir;
            while !top.is_empty() {
                let parent = top.rsplit_once('/').map_or("", |(d, _)| d);
                if !package_dirs.contains(parent) {
                    break;
                }
                top = parent;
            }
            let inside = if top.is_empty() {
                rel.as_str()
            } else {
                &rel[top.len() + 1..]
            };
            let start = top.rsplit_once('/').map_or(top, |(_, last)| last);
            let module = module_name(inside);
            let dotted = match (start, module.is_empty()) {
                ("", _) => module,
                (s, true) => s.to_string(),
                (s, false) => format!("{s}.{module}"),
            };
            join_prefix(prefix, &dotted, top.is_empty() && package_dirs.contains(""))
        })
        .collect();
    let mut count: BTreeMap<String, usize> = BTreeMap::new();
    for n in &names {
        *count.entry(n.clone()).or_default() += 1;
    }
    for (name, rel) in names.iter_mut().zip(rel_paths) {
        if count[name.as_str()] > 1 {
            *name = by_path(rel);
        }
    }
    names
}

fn join_prefix(prefix: &str, module: &str, root_is_package: bool) -> String {
    match (prefix.is_empty() || !root_is_package, module.is_empty()) {
        (true, _) => module.to_string(),
        (false, true) => prefix.to_string(),
        (false, false) => format!("{prefix}.{module}"),
    }
}

/// The dotted module name of a relative path, following Python's import system:
/// `pkg/mod.py` → `pkg.mod`, `pkg/__init__.py` → `pkg`, and a leading `src/` of the src-layout
/// is dropped (`src/pkg/mod.py` → `pkg.mod`).
pub fn module_name(rel_path: &str) -> String {
    let without_ext = rel_path
        .strip_suffix(".pyw")
        .or_else(|| rel_path.strip_suffix(".py"))
        .unwrap_or(rel_path);
    let mut parts: Vec<&str> = without_ext.split('/').filter(|p| !p.is_empty()).collect();
    if parts.len() > 1 && parts[0] == "src" {
        parts.remove(0);
    }
    if parts.last() == Some(&"__init__") {
        parts.pop();
    }
    parts.join(".")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_names_follow_the_import_system() {
        assert_eq!(module_name("pkg/mod.py"), "pkg.mod");
        assert_eq!(module_name("pkg/__init__.py"), "pkg");
        assert_eq!(module_name("src/pkg/sub/m.py"), "pkg.sub.m");
        assert_eq!(module_name("app.py"), "app");
        assert_eq!(module_name("src.py"), "src");
    }

    #[test]
    fn package_chains_name_modules() {
        let rels: Vec<String> = [
            "proj-sql/sqlparse/__init__.py",
            "proj-sql/sqlparse/engine/__init__.py",
            "proj-sql/sqlparse/engine/grouping.py",
            "proj-sql/workload.py",
            "a/pkg/__init__.py",
            "a/pkg/m.py",
            "b/pkg/__init__.py",
            "b/pkg/m.py",
            "src/ns/mod.py",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert_eq!(
            module_names(&rels, ""),
            vec![
                "sqlparse",
                "sqlparse.engine",
                "sqlparse.engine.grouping",
                "proj-sql.workload",
                "a.pkg",
                "a.pkg.m",
                "b.pkg",
                "b.pkg.m",
                "ns.mod",
            ]
        );
        let pkg: Vec<String> = [
            "__init__.py",
            "lexer.py",
            "engine/__init__.py",
            "engine/g.py",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert_eq!(
            module_names(&pkg, "sqlparse"),
            vec![
                "sqlparse",
                "sqlparse.lexer",
                "sqlparse.engine",
                "sqlparse.engine.g"
            ]
        );
    }

    #[test]
    fn a_tree_without_python_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("notes.txt"), "").unwrap();
        let e = SourceIndex::build(dir.path(), &mut Diagnostics::default()).unwrap_err();
        assert!(e.to_string().starts_with("no Python files under"), "{e}");
    }

    #[test]
    fn indexes_a_small_tree() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("pkg")).unwrap();
        std::fs::write(dir.path().join("pkg/__init__.py"), "").unwrap();
        std::fs::write(
            dir.path().join("pkg/m.py"),
            "class A:\n    def f(self):\n        def g():\n            return 1\n        return g()\n\n@dec\ndef h():\n    pass\n",
        )
        .unwrap();
        std::fs::write(dir.path().join("pkg/bad.py"), b"x = '\xff'\n").unwrap();
        let mut diag = Diagnostics::default();
        let idx = SourceIndex::build(dir.path(), &mut diag).unwrap();
        let names: Vec<(&str, &str, u32, u32)> = idx
            .functions()
            .iter()
            .map(|f| {
                (
                    f.qualname.as_str(),
                    f.kind.as_str(),
                    f.start_line,
                    f.end_line,
                )
            })
            .collect();
        assert_eq!(
            names,
            vec![
                ("pkg", "module", 1, 1),
                ("pkg.m", "module", 1, 9),
                ("pkg.m.A", "class", 1, 5),
                ("pkg.m.A.f", "method", 2, 5),
                ("pkg.m.A.f.g", "function", 3, 4),
                ("pkg.m.h", "function", 7, 9),
            ]
        );
        assert_eq!(diag.warnings().len(), 1);
        assert!(diag.warnings()[0].contains("bad.py: skipped: not valid UTF-8"));

        // Pointing --source at the package itself keeps the package in every name.
        let idx = SourceIndex::build(&dir.path().join("pkg"), &mut diag).unwrap();
        let names: Vec<&str> = idx
            .functions()
            .iter()
            .map(|f| f.qualname.as_str())
            .collect();
        assert_eq!(
            names,
            vec![
                "pkg",
                "pkg.m",
                "pkg.m.A",
                "pkg.m.A.f",
                "pkg.m.A.f.g",
                "pkg.m.h"
            ]
        );
    }

    /// An application `app/` (a driver script and a `util.py`) and a library root that is a
    /// package itself (`lib/chardet/`, with a `util.py` too), under one temp dir.
    fn two_roots() -> (tempfile::TempDir, PathBuf, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let app = dir.path().join("app");
        let lib = dir.path().join("lib/chardet");
        std::fs::create_dir_all(&app).unwrap();
        std::fs::create_dir_all(&lib).unwrap();
        std::fs::write(app.join("driver.py"), "def main():\n    pass\n").unwrap();
        std::fs::write(app.join("util.py"), "def app_helper():\n    pass\n").unwrap();
        std::fs::write(lib.join("__init__.py"), "def detect():\n    pass\n").unwrap();
        std::fs::write(lib.join("util.py"), "def lib_helper():\n    pass\n").unwrap();
        (dir, app, lib)
    }

    #[test]
    fn several_roots_keep_their_files_apart() {
        let (_dir, app, lib) = two_roots();
        let mut diag = Diagnostics::default();
        let roots = [app.clone(), lib.clone()];
        let idx =
            SourceIndex::build_roots(&roots, &walk::WalkOptions::default(), &mut diag).unwrap();
        let files: Vec<(usize, &str, &str, &str)> = idx
            .files()
            .iter()
            .map(|f| {
                (
                    f.root,
                    f.rel_path.as_str(),
                    f.path.as_str(),
                    f.module.as_str(),
                )
            })
            .collect();
        let (a, l) = (display_prefix(&app), display_prefix(&lib));
        assert_eq!(
            files,
            vec![
                (0, "driver.py", format!("{a}driver.py").as_str(), "driver"),
                (0, "util.py", format!("{a}util.py").as_str(), "util"),
                (
                    1,
                    "__init__.py",
                    format!("{l}__init__.py").as_str(),
                    "chardet"
                ),
                (1, "util.py", format!("{l}util.py").as_str(), "chardet.util"),
            ]
        );
        // Imports resolve by module name: each root's module is found.
        assert_eq!(idx.module("util"), Some(FileId::from_index(1)));
        assert_eq!(idx.module("chardet.util"), Some(FileId::from_index(3)));
        assert_eq!(idx.root(), app.as_path());
        assert_eq!(idx.roots().len(), 2);
        assert_eq!(idx.disk_path(&idx.files()[3]), lib.join("util.py"));
        assert!(diag.warnings().is_empty(), "{:?}", diag.warnings());

        // One root: paths as before, relative to it.
        let idx = SourceIndex::build(&lib, &mut diag).unwrap();
        assert_eq!(idx.files()[1].path, "util.py");
    }

    #[test]
    fn display_prefixes_are_the_roots_as_given() {
        for (given, prefix) in [
            ("app", "app/"),
            ("./app/", "app/"),
            (
                "sample-profiles/chardet/.cache/site",
                "sample-profiles/chardet/.cache/site/",
            ),
            ("/srv/venv/site-packages", "/srv/venv/site-packages/"),
            ("../lib", "../lib/"),
            (".", ""),
            ("./", ""),
            ("/", "/"),
        ] {
            assert_eq!(display_prefix(Path::new(given)), prefix, "{given}");
        }
    }

    #[test]
    fn a_root_twice_is_an_error_a_nested_root_is_carved_out() {
        let (dir, app, lib) = two_roots();
        let mut diag = Diagnostics::default();
        let opts = walk::WalkOptions::default();
        let again = dir.path().join("lib/../app/");
        let e = SourceIndex::build_roots(&[app.clone(), lib.clone(), again], &opts, &mut diag)
            .unwrap_err();
        assert!(matches!(e, SourceError::DuplicateRoot { .. }), "{e}");
        assert!(e.to_string().contains("are the same directory"), "{e}");
        let e = SourceIndex::build_roots(&[], &opts, &mut diag).unwrap_err();
        assert!(matches!(e, SourceError::NoRoot), "{e}");
        let e = SourceIndex::build_roots(&[app.join("missing")], &opts, &mut diag).unwrap_err();
        assert!(matches!(e, SourceError::NotADirectory { .. }), "{e}");

        // `dir` holds both roots: its own walk leaves them out, so each file is indexed once,
        // in its innermost root, in whichever order the roots are given.
        std::fs::write(dir.path().join("setup.py"), "").unwrap();
        for roots in [
            vec![dir.path().to_path_buf(), lib.clone(), app.clone()],
            vec![app.clone(), dir.path().to_path_buf(), lib.clone()],
        ] {
            let idx = SourceIndex::build_roots(&roots, &opts, &mut diag).unwrap();
            let mut files: Vec<(String, &str)> = idx
                .files()
                .iter()
                .map(|f| (roots[f.root].display().to_string(), f.rel_path.as_str()))
                .collect();
            files.sort();
            let name = |p: &Path| p.display().to_string();
            let mut expected = vec![
                (name(&app), "driver.py"),
                (name(&app), "util.py"),
                (name(dir.path()), "setup.py"),
                (name(&lib), "__init__.py"),
                (name(&lib), "util.py"),
            ];
            expected.sort();
            assert_eq!(files, expected);
        }
        // A root whose only files are those of a root nested in it has none of its own.
        let e = SourceIndex::build_roots(&[dir.path().join("lib"), lib.clone()], &opts, &mut diag)
            .unwrap_err();
        assert!(matches!(e, SourceError::NoPythonFiles { .. }), "{e}");
    }

    #[cfg(unix)]
    #[test]
    fn a_symlinked_root_is_followed_and_is_the_same_directory() {
        let (dir, app, _lib) = two_roots();
        let link = dir.path().join("app-link");
        std::os::unix::fs::symlink(&app, &link).unwrap();
        let mut diag = Diagnostics::default();
        let idx = SourceIndex::build(&link, &mut diag).unwrap();
        let rels: Vec<&str> = idx.files().iter().map(|f| f.rel_path.as_str()).collect();
        assert_eq!(rels, vec!["driver.py", "util.py"]);
        let opts = walk::WalkOptions::default();
        let e = SourceIndex::build_roots(&[app, link], &opts, &mut diag).unwrap_err();
        assert!(matches!(e, SourceError::DuplicateRoot { .. }), "{e}");
    }
}
