//! Finding the codebase's Python files under a source root (walkdir).
//!
//! Skipped: hidden directories (`.git`, `.venv`, `.tox`, ...), `__pycache__`, `node_modules`,
//! `build`, `dist`, `site-packages`, virtual environments (any directory holding a
//! `pyvenv.cfg`, whatever its name) unless the root itself is that virtualenv, whatever the
//! `.gitignore` files of the tree (and of the enclosing git checkout, when the root is inside
//! one) exclude, with git's semantics from the `ignore` crate (nested files, `!` negations,
//! directory patterns), and what `--exclude` globs exclude (gitignore glob syntax, relative to
//! the root: `tests/`, `*_pb2.py`, `**/migrations`). Symbolic links inside the tree are not
//! followed; a root that is itself a symbolic link is resolved first (the walk starts from its
//! canonical path), so `--source` may name a link to the checkout.

use std::path::{Path, PathBuf};

use ignore::Match;
use ignore::gitignore::{Gitignore, GitignoreBuilder};
use walkdir::{DirEntry, WalkDir};

use crate::diagnostics::Diagnostics;

/// Directory names never descended into.
const SKIPPED_DIRS: &[&str] = &[
    "__pycache__",
    "node_modules",
    "build",
    "dist",
    "site-packages",
];

/// How the source tree is walked.
#[derive(Debug, Clone)]
pub struct WalkOptions {
    /// Extra exclusions, gitignore glob syntax relative to the root (`--exclude`).
    pub exclude: Vec<String>,
    /// Honour `.gitignore` files (default true).
    pub gitignore: bool,
}

impl Default for WalkOptions {
    fn default() -> Self {
        WalkOptions {
            exclude: Vec::new(),
            gitignore: true,
        }
    }
}

/// The `.py` files under `root`, as paths relative to `root`, sorted by path.
///
/// When `root` is itself a virtualenv (it holds `pyvenv.cfg`), its `site-packages` is what the
/// user asked for and is walked. Entries that cannot be read (permissions, races) and
/// malformed `.gitignore` lines or `--exclude` globs become warnings in `diag`.
pub fn python_files(root: &Path, options: &WalkOptions, diag: &mut Diagnostics) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for_each_python_file(root, options, diag, |rel| out.push(rel));
    out.sort();
    out
}

/// Calls `found` with each `.py` file under `root` (relative to `root`) as the walk finds it,
/// in walk order, so that the caller can start on the first files while the walk goes on;
/// [`python_files`] gives them sorted. Warnings as in [`python_files`].
pub fn for_each_python_file(
    root: &Path,
    options: &WalkOptions,
    diag: &mut Diagnostics,
    found: impl FnMut(PathBuf),
) {
    for_each_python_file_except(root, options, &[], diag, found);
}

/// [`for_each_python_file`], leaving out the directories `except` (canonical paths, as
/// [`Path::canonicalize`] gives them): the other source roots nested inside `root`, whose
/// files belong to those roots.
pub(crate) fn for_each_python_file_except(
    root: &Path,
    options: &WalkOptions,
    except: &[PathBuf],
    diag: &mut Diagnostics,
    mut found: impl FnMut(PathBuf),
) {
    // One spelling of every path, so that the matchers' roots, the entries and `except` agree.
    let canonical = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let root = canonical.as_path();
    let root_is_venv = root.join("pyvenv.cfg").is_file();
    let exclude = exclude_matcher(root, &options.exclude, diag);
    // Matchers of the directories above the current entry: (depth of the directory, matcher).
    let mut ignores: Vec<(usize, Gitignore)> = Vec::new();
    if options.gitignore {
        for dir in enclosing_checkout_dirs(root) {
            if let Some(m) = gitignore_of(&dir, diag) {
                ignores.push((0, m));
            }
        }
    }
    let mut walker = WalkDir::new(root)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter();
    while let Some(entry) = walker.next() {
        let e = match entry {
            Ok(e) => e,
            Err(err) => {
                diag.warn(format!("while walking {}: {err}", root.display()));
                continue;
            }
        };
        let depth = e.depth();
        let is_dir = e.file_type().is_dir();
        // Leaving directories: drop the matchers of directories that are not ancestors.
        while ignores.last().is_some_and(|(d, _)| *d >= depth && *d > 0) {
            ignores.pop();
        }
        if depth > 0 {
            let skipped_dir = is_dir
                && ((is_skipped_dir(&e) && !(root_is_venv && e.file_name() == "site-packages"))
                    || except.iter().any(|x| x == e.path()));
            let ignored = is_ignored(e.path(), is_dir, &ignores)
                || exclude
                    .as_ref()
                    .is_some_and(|m| m.matched(e.path(), is_dir).is_ignore());
            if skipped_dir || ignored {
                if is_dir {
                    walker.skip_current_dir();
                }
                continue;
            }
        }
        if is_dir {
            if options.gitignore
                && let Some(m) = gitignore_of(e.path(), diag)
            {
                ignores.push((depth, m));
            }
            continue;
        }
        if e.file_type().is_file()
            && e.path().extension().is_some_and(|x| x == "py")
            && let Ok(rel) = e.path().strip_prefix(root)
        {
            found(rel.to_path_buf());
        }
    }
}

/// Whether the innermost matcher that has an opinion ignores `path` (git's precedence: a
/// deeper `.gitignore` overrides a shallower one, `!pattern` re-includes).
fn is_ignored(path: &Path, is_dir: bool, ignores: &[(usize, Gitignore)]) -> bool {
    for (_, m) in ignores.iter().rev() {
        match m.matched(path, is_dir) {
            Match::Ignore(_) => return true,
            Match::Whitelist(_) => return false,
            Match::None => {}
        }
    }
    false
}

/// The `.gitignore` of `dir`, if it has one.
fn gitignore_of(dir: &Path, diag: &mut Diagnostics) -> Option<Gitignore> {
    let file = dir.join(".gitignore");
    if !file.is_file() {
        return None;
    }
    let mut builder = GitignoreBuilder::new(dir);
    if let Some(err) = builder.add(&file) {
        diag.warn(format!("{}: {err}", file.display()));
    }
    builder.build().ok()
}

/// The directories from the enclosing git checkout's top (the nearest ancestor holding
/// `.git`) down to the parent of `root`, outermost first; empty when `root` is not inside a
/// checkout or is its top.
fn enclosing_checkout_dirs(root: &Path) -> Vec<PathBuf> {
    let Ok(root) = root.canonicalize() else {
        return Vec::new();
    };
    let mut dirs = Vec::new();
    let mut dir = root.parent();
    while let Some(d) = dir {
        dirs.push(d.to_path_buf());
        if d.join(".git").exists() {
            dirs.reverse();
            return dirs;
        }
        dir = d.parent();
    }
    Vec::new()
}

fn exclude_matcher(root: &Path, globs: &[String], diag: &mut Diagnostics) -> Option<Gitignore> {
    if globs.is_empty() {
        return None;
    }
    let mut builder = GitignoreBuilder::new(root);
    for g in globs {
        if let Err(err) = builder.add_line(None, g) {
            diag.warn(format!("--exclude {g:?}: {err}"));
        }
    }
    match builder.build() {
        Ok(m) => Some(m),
        Err(err) => {
            diag.warn(format!("--exclude: {err}"));
            None
        }
    }
}

fn is_skipped_dir(e: &DirEntry) -> bool {
    let name = e.file_name().to_string_lossy();
    name.starts_with('.')
        || SKIPPED_DIRS.contains(&name.as_ref())
        || e.path().join("pyvenv.cfg").is_file()
}

/// A relative path with `/` separators (the form reports and mapping use on every platform).
pub fn slash_path(rel: &Path) -> String {
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skips_caches_and_virtualenvs() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for d in [
            "pkg",
            "pkg/__pycache__",
            ".git",
            "venv2",
            "node_modules",
            "pkg/sub",
        ] {
            std::fs::create_dir_all(root.join(d)).unwrap();
        }
        std::fs::write(root.join("venv2/pyvenv.cfg"), "").unwrap();
        for f in [
            "pkg/a.py",
            "pkg/__pycache__/a.py",
            ".git/x.py",
            "venv2/y.py",
            "node_modules/z.py",
            "pkg/sub/b.py",
            "pkg/readme.txt",
            "top.py",
        ] {
            std::fs::write(root.join(f), "").unwrap();
        }
        let mut diag = Diagnostics::default();
        let files: Vec<String> = python_files(root, &WalkOptions::default(), &mut diag)
            .iter()
            .map(|p| slash_path(p))
            .collect();
        assert_eq!(files, vec!["pkg/a.py", "pkg/sub/b.py", "top.py"]);

        // A virtualenv given as the root is walked, site-packages included.
        let venv = root.join("venv2");
        std::fs::create_dir_all(venv.join("lib/python3.11/site-packages/pkg")).unwrap();
        std::fs::write(venv.join("lib/python3.11/site-packages/pkg/m.py"), "").unwrap();
        let files: Vec<String> = python_files(&venv, &WalkOptions::default(), &mut diag)
            .iter()
            .map(|p| slash_path(p))
            .collect();
        assert_eq!(files, vec!["lib/python3.11/site-packages/pkg/m.py", "y.py"]);
    }

    #[test]
    fn honours_gitignore_and_exclude_globs() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for d in ["app/gen", "app/keep", "tests", "app/migrations"] {
            std::fs::create_dir_all(root.join(d)).unwrap();
        }
        std::fs::write(root.join(".gitignore"), "gen/\n*_pb2.py\n").unwrap();
        // A nested .gitignore re-includes one generated file.
        std::fs::write(root.join("app/.gitignore"), "!keep_pb2.py\nlocal.py\n").unwrap();
        for f in [
            "app/a.py",
            "app/gen/g.py",
            "app/x_pb2.py",
            "app/keep_pb2.py",
            "app/local.py",
            "app/keep/k.py",
            "app/migrations/0001.py",
            "tests/test_a.py",
        ] {
            std::fs::write(root.join(f), "").unwrap();
        }
        let mut diag = Diagnostics::default();
        let names = |opts: &WalkOptions, diag: &mut Diagnostics| -> Vec<String> {
            python_files(root, opts, diag)
                .iter()
                .map(|p| slash_path(p))
                .collect()
        };
        assert_eq!(
            names(&WalkOptions::default(), &mut diag),
            vec![
                "app/a.py",
                "app/keep/k.py",
                "app/keep_pb2.py",
                "app/migrations/0001.py",
                "tests/test_a.py"
            ]
        );
        let mut opts = WalkOptions::default();
        opts.exclude = vec!["tests/".into(), "**/migrations".into()];
        assert_eq!(
            names(&opts, &mut diag),
            vec!["app/a.py", "app/keep/k.py", "app/keep_pb2.py"]
        );
        opts.gitignore = false;
        opts.exclude.clear();
        assert_eq!(names(&opts, &mut diag).len(), 8);
        assert!(diag.warnings().is_empty(), "{:?}", diag.warnings());
    }

    fn slash_names(files: Vec<PathBuf>) -> Vec<String> {
        files.iter().map(|p| slash_path(p)).collect()
    }

    #[cfg(unix)]
    #[test]
    fn a_root_that_is_a_symlink_is_followed_links_inside_are_not() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real");
        std::fs::create_dir_all(real.join("pkg")).unwrap();
        std::fs::write(real.join("pkg/a.py"), "").unwrap();
        let outside = dir.path().join("outside");
        std::fs::create_dir_all(&outside).unwrap();
        std::fs::write(outside.join("o.py"), "").unwrap();
        std::os::unix::fs::symlink(&outside, real.join("linked")).unwrap();
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        let mut diag = Diagnostics::default();
        let files = slash_names(python_files(&link, &WalkOptions::default(), &mut diag));
        assert_eq!(
            files,
            vec!["pkg/a.py"],
            "the root link is followed, `linked` is not"
        );
        assert!(diag.warnings().is_empty(), "{:?}", diag.warnings());
    }

    #[test]
    fn nested_roots_are_left_out_of_the_outer_walk() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("lib/pkg")).unwrap();
        for f in ["driver.py", "lib/pkg/m.py", "lib/top.py"] {
            std::fs::write(root.join(f), "").unwrap();
        }
        let inner = root.join("lib").canonicalize().unwrap();
        let mut diag = Diagnostics::default();
        let mut found = Vec::new();
        for_each_python_file_except(
            root,
            &WalkOptions::default(),
            std::slice::from_ref(&inner),
            &mut diag,
            |rel| found.push(rel),
        );
        assert_eq!(slash_names(found), vec!["driver.py"]);
    }
}
