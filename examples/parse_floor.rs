//! The "tree-sitter alone" floor for the `brownfield graph` benchmark (`benches/graph.sh`).
//!
//! `cargo run --release --example parse_floor -- DIR [--list]`
//!
//! Walks `DIR` with walkdir, reads every `.py` file and parses it with tree-sitter-python, in
//! parallel with rayon (one parser per worker thread, all cores), and walks each tree once
//! with a `TreeCursor` so the tree is really built and touched. It does nothing else: no
//! definitions, no names, no graph. Its wall time is the least any indexer built on
//! tree-sitter can take for the same files on this machine, and `brownfield graph` is measured
//! against it.
//!
//! Directories skipped are those `brownfield`'s own walker skips (`src/source/walk.rs`), so
//! both parse the same files: hidden directories, `__pycache__`, `node_modules`, `build`,
//! `dist`, `site-packages`, and virtualenvs (a directory holding `pyvenv.cfg`). Symbolic links
//! are not followed. As in brownfield, files that are not UTF-8 are skipped and a leading BOM
//! is dropped. Unlike brownfield, it does not read `.gitignore` files: the benchmark corpus has
//! none (`benches/graph.sh` checks that both programs saw the same number of files).
//!
//! It runs with the allocators `brownfield` runs with: jemalloc as Rust's global allocator on
//! Linux, and glibc's malloc, which tree-sitter's C code uses, tuned by
//! [`brownfield::tune_allocator`] (which makes tree-sitter alone a little faster too).
//!
//! Prints `key value` lines: files parsed, lines, bytes, syntax nodes, files whose tree has
//! errors (`root_node().has_error()`), files skipped as not UTF-8, and files that could not be
//! read. `--list` also prints the paths of the last three kinds on stderr.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use rayon::prelude::*;
use tree_sitter::Parser;
use walkdir::{DirEntry, WalkDir};

const SKIPPED_DIRS: &[&str] = &[
    "__pycache__",
    "node_modules",
    "build",
    "dist",
    "site-packages",
];

fn is_skipped_dir(e: &DirEntry) -> bool {
    if !e.file_type().is_dir() {
        return false;
    }
    let name = e.file_name().to_string_lossy();
    name.starts_with('.')
        || SKIPPED_DIRS.contains(&name.as_ref())
        || e.path().join("pyvenv.cfg").is_file()
}

fn python_files(root: &Path) -> Vec<PathBuf> {
    WalkDir::new(root)
        .follow_links(false)
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !is_skipped_dir(e))
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "py"))
        .map(DirEntry::into_path)
        .collect()
}

fn make_parser() -> Parser {
    let mut parser = Parser::new();
    parser
        .set_language(&tree_sitter_python::LANGUAGE.into())
        .expect("tree-sitter-python is compatible with the linked tree-sitter");
    parser
}

#[derive(Default)]
struct Stats {
    files: u64,
    lines: u64,
    bytes: u64,
    nodes: u64,
    syntax_errors: Vec<PathBuf>,
    not_utf8: Vec<PathBuf>,
    unreadable: Vec<PathBuf>,
}

impl Stats {
    fn merge(mut self, other: Stats) -> Stats {
        self.files += other.files;
        self.lines += other.lines;
        self.bytes += other.bytes;
        self.nodes += other.nodes;
        self.syntax_errors.extend(other.syntax_errors);
        self.not_utf8.extend(other.not_utf8);
        self.unreadable.extend(other.unreadable);
        self
    }
}

/// Every node of the tree, visited once in pre-order with a cursor.
fn count_nodes(tree: &tree_sitter::Tree) -> u64 {
    let mut cursor = tree.walk();
    let mut count = 0;
    loop {
        count += 1;
        if cursor.goto_first_child() {
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return count;
            }
        }
    }
}

fn parse_one(parser: &mut Parser, path: &Path) -> Stats {
    let mut stats = Stats::default();
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(_) => {
            stats.unreadable.push(path.to_path_buf());
            return stats;
        }
    };
    let Ok(text) = std::str::from_utf8(&bytes) else {
        stats.not_utf8.push(path.to_path_buf());
        return stats;
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    stats.files = 1;
    stats.bytes = bytes.len() as u64;
    stats.lines = text.lines().count() as u64;
    match parser.parse(text, None) {
        Some(tree) => {
            stats.nodes = count_nodes(&tree);
            if tree.root_node().has_error() {
                stats.syntax_errors.push(path.to_path_buf());
            }
        }
        None => stats.syntax_errors.push(path.to_path_buf()),
    }
    stats
}

// brownfield's global allocator (src/main.rs), so that the floor runs as brownfield does:
// tree-sitter's C code on glibc's malloc, Rust's allocations (file buffers, paths) on jemalloc.
#[cfg(target_os = "linux")]
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> ExitCode {
    // The allocator settings `brownfield` runs with (tree-sitter alone is a little faster with
    // them too), so the floor is as low as tree-sitter goes.
    // SAFETY: first thing in main, before any other thread starts.
    unsafe { brownfield::tune_allocator() };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let list = args.iter().any(|a| a == "--list");
    let dirs: Vec<&String> = args.iter().filter(|a| *a != "--list").collect();
    let [dir] = dirs.as_slice() else {
        eprintln!("usage: parse_floor DIR [--list]");
        return ExitCode::from(2);
    };
    let root = Path::new(dir.as_str());
    if !root.is_dir() {
        eprintln!("parse_floor: {} is not a directory", root.display());
        return ExitCode::from(2);
    }

    let paths = python_files(root);
    let stats = paths
        .par_iter()
        .map_init(make_parser, |parser, path| parse_one(parser, path))
        .reduce(Stats::default, Stats::merge);

    println!("files {}", stats.files);
    println!("lines {}", stats.lines);
    println!("bytes {}", stats.bytes);
    println!("nodes {}", stats.nodes);
    println!("syntax_error_files {}", stats.syntax_errors.len());
    println!("not_utf8_files {}", stats.not_utf8.len());
    println!("unreadable_files {}", stats.unreadable.len());
    if list {
        for (label, paths) in [
            ("syntax errors", &stats.syntax_errors),
            ("not UTF-8", &stats.not_utf8),
            ("unreadable", &stats.unreadable),
        ] {
            let mut paths = paths.clone();
            paths.sort();
            for p in paths {
                eprintln!("{label}: {}", p.display());
            }
        }
    }
    ExitCode::SUCCESS
}
