//! Finding the codebase's Python files under a source root (walkdir).
//!
//! Skipped: hidden directories (`.git`, `.venv`, `.tox`, ...), `__pycache__`, `node_modules`,
//! `build`, `dist`, `site-packages`, and virtual environments (any directory holding a
//! `pyvenv.cfg`, whatever its name), unless the root itself is that virtualenv. Symbolic links
//! are not followed.

use std::path::{Path, PathBuf};

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

/// The `.py` files under `root`, as paths relative to `root`, sorted by path.
///
/// When `root` is itself a virtualenv (it holds `pyvenv.cfg`), its `site-packages` is what the
/// user asked for and is walked. Entries that cannot be read (permissions, races) become
/// warnings in `diag`.
pub fn python_files(root: &Path, diag: &mut Diagnostics) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let root_is_venv = root.join("pyvenv.cfg").is_file();
    let walker = WalkDir::new(root)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            e.depth() == 0
                || !is_skipped_dir(e)
                || (root_is_venv && e.file_name() == "site-packages")
        });
    for entry in walker {
        match entry {
            Ok(e) => {
                if e.file_type().is_file()
                    && e.path().extension().is_some_and(|x| x == "py")
                    && let Ok(rel) = e.path().strip_prefix(root)
                {
                    out.push(rel.to_path_buf());
                }
            }
            Err(err) => diag.warn(format!("while walking {}: {err}", root.display())),
        }
    }
    out.sort();
    out
}

fn is_skipped_dir(e: &DirEntry) -> bool {
    if !e.file_type().is_dir() {
        return false;
    }
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
        let files: Vec<String> = python_files(root, &mut diag)
            .iter()
            .map(|p| slash_path(p))
            .collect();
        assert_eq!(files, vec!["pkg/a.py", "pkg/sub/b.py", "top.py"]);

        // A virtualenv given as the root is walked, site-packages included.
        let venv = root.join("venv2");
        std::fs::create_dir_all(venv.join("lib/python3.11/site-packages/pkg")).unwrap();
        std::fs::write(venv.join("lib/python3.11/site-packages/pkg/m.py"), "").unwrap();
        let files: Vec<String> = python_files(&venv, &mut diag)
            .iter()
            .map(|p| slash_path(p))
            .collect();
        assert_eq!(files, vec!["lib/python3.11/site-packages/pkg/m.py", "y.py"]);
    }
}
