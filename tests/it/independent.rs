//! An independent reading of a py-spy raw capture, written without the library, so the
//! binary's figures can be checked against it.
//!
//! It does not use line spans or tree-sitter at all: it names functions from py-spy's own
//! frame names (`co_qualname` on Python 3.11+, e.g. `Tokenizer.next_token` or
//! `run.<locals>.<genexpr>`) and the file path below the package directory.

use std::collections::{BTreeMap, BTreeSet};

/// Self and total sample counts per dotted function name, and the capture's total without
/// empty stacks.
#[derive(Debug, Default)]
pub struct Expected {
    pub total: u64,
    /// dotted name → (self, total)
    pub functions: BTreeMap<String, (u64, u64)>,
}

/// `name (file:line)` → (name, file)
fn split_frame(frame: &str) -> Option<(&str, &str)> {
    let inner = frame.strip_suffix(')')?;
    let open = inner.rfind(" (")?;
    let name = &inner[..open];
    let loc = &inner[open + 2..];
    let file = match loc.rfind(':') {
        Some(i) if loc[i + 1..].chars().all(|c| c.is_ascii_digit()) => &loc[..i],
        _ => loc,
    };
    Some((name, file))
}

/// The dotted name of a frame of package `package` (the module's name for module-level code),
/// or `None` for frames outside it.
fn dotted(frame: &str, package: &str) -> Option<String> {
    let (name, file) = split_frame(frame)?;
    let needle = format!("{package}/");
    let start = if file.starts_with(&needle) {
        0
    } else {
        file.find(&format!("/{needle}"))? + 1
    };
    let rel = file[start..].strip_suffix(".py")?;
    let module = rel.replace('/', ".");
    let module = module
        .strip_suffix(".__init__")
        .unwrap_or(&module)
        .to_string();
    let mut parts: Vec<&str> = name.split('.').filter(|p| *p != "<locals>").collect();
    while parts.last().is_some_and(|p| p.starts_with('<')) {
        parts.pop();
    }
    if parts.is_empty() {
        return Some(module);
    }
    Some(format!("{module}.{}", parts.join(".")))
}

/// Reads the capture text.
pub fn compute(raw: &str, package: &str) -> Expected {
    let mut e = Expected::default();
    for line in raw.lines() {
        if line.trim().is_empty() {
            continue;
        }
        let (stack, count) = line.rsplit_once(' ').expect("count");
        let count: u64 = count.parse().expect("numeric count");
        // Empty stacks say nothing about where time went: brownfield leaves them out of the
        // total (docs/scoring.md §1).
        if stack.trim().is_empty() {
            continue;
        }
        e.total += count;
        let frames: Vec<&str> = stack.split(';').collect();
        let mut seen = BTreeSet::new();
        for (i, f) in frames.iter().enumerate() {
            let Some(name) = dotted(f, package) else {
                continue;
            };
            let entry = e.functions.entry(name.clone()).or_default();
            if i == frames.len() - 1 {
                entry.0 += count;
            }
            if seen.insert(name) {
                entry.1 += count;
            }
        }
    }
    e
}

#[test]
fn frame_names_become_dotted_names() {
    assert_eq!(
        dotted("Tokenizer.next (logpipe/tokenizer.py:12)", "logpipe").as_deref(),
        Some("logpipe.tokenizer.Tokenizer.next")
    );
    assert_eq!(
        dotted("run.<locals>.<genexpr> (/srv/x/logpipe/a.py:3)", "logpipe").as_deref(),
        Some("logpipe.a.run")
    );
    assert_eq!(
        dotted("<module> (logpipe/__main__.py:3)", "logpipe").as_deref(),
        Some("logpipe.__main__")
    );
    assert_eq!(dotted("dumps (json/__init__.py:231)", "logpipe"), None);
}
