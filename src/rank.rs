//! Ranking: self and total shares of samples per codebase definition.
//!
//! - **self** (flat, exclusive): value of samples whose *leaf* frame maps to the definition;
//! - **total** (cum, inclusive): value of samples with the definition *anywhere* on the stack,
//!   counted **once per sample** even under recursion.
//!
//! Shares are fractions in [0, 1] of the profile total. `rank` and `plan` drop empty stacks
//! before ranking ([`crate::profile::transform::drop_empty_stacks`]), so the total is of the
//! samples with a stack. This is a pure function of (profile, mapping, index).

use rustc_hash::FxHashMap;

use crate::mapping::{Mapping, ratio};
use crate::profile::Profile;
use crate::source::{DefKind, FuncId, SourceIndex};

/// Self and total value of one codebase definition.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DefStats {
    /// The definition.
    pub def: FuncId,
    /// Value of samples whose leaf frame is in this definition, in the profile's unit.
    pub self_value: u64,
    /// Value of samples with this definition anywhere on the stack, once per sample.
    pub total_value: u64,
    /// `self_value / profile total`, in [0, 1].
    pub self_share: f64,
    /// `total_value / profile total`, in [0, 1].
    pub total_share: f64,
    /// The line where most of the self value lands, and that value (`None` without lines).
    pub hottest_line: Option<(u32, u64)>,
}

/// Self/total statistics of every codebase definition that appears in the profile.
#[derive(Debug, Clone)]
pub struct Ranking {
    /// Functions and methods with a non-zero total, and modules with a non-zero self value
    /// (hot top-level code, as in scripts), sorted by self value descending, then total
    /// descending, then qualified name ascending (deterministic).
    pub functions: Vec<DefStats>,
    /// Sum of self values over every definition, modules and classes included: the value of
    /// samples whose leaf is codebase code.
    pub codebase_self_value: u64,
    /// The profile total, the denominator of every share.
    pub total: u64,
}

/// Computes self and total for every definition ([`Profile::self_and_total`] over the
/// mapping), and each definition's hottest line from the leaf frames.
pub fn rank(profile: &Profile, mapping: &Mapping, index: &SourceIndex) -> Ranking {
    let n = index.functions().len();
    let entry_of: Vec<Option<usize>> = profile
        .frame_ids()
        .map(|f| mapping.def_of(f).map(FuncId::index))
        .collect();
    let (self_value, total_value) = profile.self_and_total(&entry_of, n);
    let mut by_line: FxHashMap<(u32, u32), u64> = FxHashMap::default();
    for sample in profile.values_by_stack() {
        if let Some(leaf) = profile.frames_leaf_to_root(sample.stack).next()
            && let Some(d) = mapping.def_of(leaf)
            && let Some(line) = profile.frame(leaf).line
        {
            *by_line.entry((d.index() as u32, line.get())).or_default() += sample.value;
        }
    }

    // The hottest line of each definition: most value, then the lowest line number.
    let mut hottest: FxHashMap<u32, (u32, u64)> = FxHashMap::default();
    for (&(def, line), &v) in &by_line {
        let e = hottest.entry(def).or_insert((line, v));
        if v > e.1 || (v == e.1 && line < e.0) {
            *e = (line, v);
        }
    }

    let total = profile.total();
    let mut functions: Vec<DefStats> = index
        .functions()
        .iter()
        .enumerate()
        .filter(|(i, f)| match f.kind {
            DefKind::Function | DefKind::Method => total_value[*i] > 0,
            DefKind::Module => self_value[*i] > 0,
            DefKind::Class => false,
        })
        .map(|(i, _)| DefStats {
            def: FuncId::from_index(i),
            self_value: self_value[i],
            total_value: total_value[i],
            self_share: ratio(self_value[i], total),
            total_share: ratio(total_value[i], total),
            hottest_line: hottest.get(&(i as u32)).copied(),
        })
        .collect();
    functions.sort_by(|a, b| {
        b.self_value
            .cmp(&a.self_value)
            .then(b.total_value.cmp(&a.total_value))
            .then_with(|| {
                index
                    .function(a.def)
                    .qualname
                    .cmp(&index.function(b.def).qualname)
            })
    });
    Ranking {
        functions,
        codebase_self_value: self_value.iter().sum(),
        total,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn hot_module_level_code_is_ranked_and_the_hottest_line_found() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("script.py"),
            "total = 0\nfor i in range(10**7):\n    total += i * i\n",
        )
        .unwrap();
        let mut d = Diagnostics::default();
        let idx = SourceIndex::build(dir.path(), &mut d).unwrap();
        let text = "<module> (script.py:3) 9\n<module> (script.py:2) 1\n";
        let p = collapsed::parse(Path::new("p"), Cursor::new(text.as_bytes().to_vec())).unwrap();
        let m = Mapping::build(&p, &idx, &mut d);
        let r = rank(&p, &m, &idx);
        assert_eq!(r.functions.len(), 1);
        assert_eq!(idx.function(r.functions[0].def).qualname, "script");
        assert_eq!(r.functions[0].self_value, 10);
        assert_eq!(r.functions[0].hottest_line, Some((3, 9)));
    }

    use super::*;
    use crate::diagnostics::Diagnostics;
    use crate::ingest::collapsed;
    use std::io::Cursor;
    use std::path::Path;

    #[test]
    fn recursion_counts_total_once_and_self_at_the_leaf() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("m.py"),
            "def fib(n):\n    return fib(n - 1) + fib(n - 2)\n\ndef main():\n    fib(9)\n",
        )
        .unwrap();
        let mut d = Diagnostics::default();
        let idx = SourceIndex::build(dir.path(), &mut d).unwrap();
        let text = "main (m.py:5);fib (m.py:2);fib (m.py:2);fib (m.py:2) 6\n\
                    main (m.py:5);fib (m.py:2);len (json/x.py:1) 3\n\
                    main (m.py:5) 1\n\
                    \x20 10\n";
        let p = collapsed::parse(Path::new("p"), Cursor::new(text.as_bytes().to_vec())).unwrap();
        let m = Mapping::build(&p, &idx, &mut d);
        let r = rank(&p, &m, &idx);
        let rows: Vec<(&str, u64, u64)> = r
            .functions
            .iter()
            .map(|s| {
                (
                    idx.function(s.def).qualname.as_str(),
                    s.self_value,
                    s.total_value,
                )
            })
            .collect();
        assert_eq!(rows, vec![("m.fib", 6, 9), ("m.main", 1, 10)]);
        assert_eq!(r.total, 20);
        assert_eq!(r.functions[0].self_share, 0.3);
        assert_eq!(r.functions[1].total_share, 0.5);
    }
}
