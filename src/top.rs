//! `brownfield top`: pprof's top table (flat, flat%, sum%, cum, cum%) of a profile, with no
//! source tree involved.
//!
//! - **flat** (self): value of samples whose leaf frame is the entry;
//! - **cum** (total): value of samples with the entry anywhere on the stack, counted **once per
//!   sample** even under recursion;
//! - **sum%**: running total of flat% down the table.
//!
//! Entries are keyed by [`Granularity`]; rows are sorted by flat, then cum (descending), then
//! name (ascending), like `go tool pprof -top`.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::profile::{FrameId, Profile};

/// What one row of the table stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Granularity {
    /// A function: frames with the same function name and file (pprof `-functions`).
    #[default]
    Function,
    /// A source line: function, file and line (pprof `-lines`).
    Line,
    /// A file (pprof `-files`).
    File,
}

/// One row of the top table. Shares are fractions in [0, 1] of [`TopTable::total`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TopRow {
    /// The entry: a function name (with its file when two functions share a name), `name
    /// file:line`, or a file.
    pub name: String,
    /// Flat (self) value, in the profile's unit.
    pub flat: u64,
    /// `flat / total`.
    pub flat_share: f64,
    /// Running sum of `flat_share` down the table, this row included.
    pub sum_share: f64,
    /// Cum (total) value, in the profile's unit.
    pub cum: u64,
    /// `cum / total`.
    pub cum_share: f64,
}

/// The whole table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TopTable {
    /// Unit of `flat`, `cum` and `total` (`samples`, `nanoseconds`, `bytes`, `count`, `weight`).
    pub unit: &'static str,
    /// The sample type, as `type/unit`.
    pub sample_type: String,
    /// Sum of all sample values.
    pub total: u64,
    /// Rows, sorted; every entry of the profile (truncate for display).
    pub rows: Vec<TopRow>,
}

type Key = (u32, u32, u32);

/// Computes the top table of `profile` at `granularity`.
pub fn top(profile: &Profile, granularity: Granularity) -> TopTable {
    // Key of each frame: (function, file, line) string ids / numbers, with parts dropped by
    // granularity; u32::MAX stands for "none".
    const NONE: u32 = u32::MAX;
    let key_of = |f: FrameId| -> Key {
        let frame = profile.frame(f);
        let file = frame.file.map_or(NONE, |s| s.index() as u32);
        let function = frame.function.index() as u32;
        match granularity {
            Granularity::Function => (function, file, NONE),
            Granularity::Line => (function, file, frame.line.map_or(0, |l| l.get())),
            Granularity::File if file != NONE => (NONE, file, NONE),
            Granularity::File => (function, NONE, NONE),
        }
    };
    let mut index: BTreeMap<Key, usize> = BTreeMap::new();
    let frame_entry: Vec<usize> = profile
        .frame_ids()
        .map(|f| {
            let k = key_of(f);
            let next = index.len();
            *index.entry(k).or_insert(next)
        })
        .collect();
    let entry_of: Vec<Option<usize>> = frame_entry.iter().map(|&e| Some(e)).collect();
    let (flat, cum) = profile.self_and_total(&entry_of, index.len());

    // Names: a function name alone unless two entries share it.
    let mut name_count: BTreeMap<u32, usize> = BTreeMap::new();
    for &(function, _, _) in index.keys() {
        *name_count.entry(function).or_default() += 1;
    }
    let str_of = |id: u32| profile.string(crate::profile::StrId::from_index(id as usize));
    let total = profile.total();
    let share = |v: u64| {
        if total == 0 {
            0.0
        } else {
            v as f64 / total as f64
        }
    };
    let mut rows: Vec<TopRow> = index
        .iter()
        .filter(|&(_, &e)| cum[e] > 0)
        .map(|(&(function, file, line), &e)| {
            let name = match granularity {
                Granularity::File if function == NONE => str_of(file).to_string(),
                Granularity::Line if file != NONE => {
                    format!("{} {}:{}", str_of(function), str_of(file), line)
                }
                _ if file != NONE && name_count[&function] > 1 => {
                    format!("{} ({})", str_of(function), str_of(file))
                }
                _ => str_of(function).to_string(),
            };
            TopRow {
                name,
                flat: flat[e],
                flat_share: share(flat[e]),
                sum_share: 0.0,
                cum: cum[e],
                cum_share: share(cum[e]),
            }
        })
        .collect();
    rows.sort_by(|a, b| {
        b.flat
            .cmp(&a.flat)
            .then(b.cum.cmp(&a.cum))
            .then_with(|| a.name.cmp(&b.name))
    });
    let mut running = 0u64;
    for r in &mut rows {
        running += r.flat;
        r.sum_share = share(running);
    }
    TopTable {
        unit: profile.unit().as_str(),
        sample_type: profile.metadata().sample_type.clone(),
        total,
        rows,
    }
}

/// A value in its unit, scaled for people: `1.28s`, `350ms`, `12.50MB`, `781`.
pub fn human_value(value: u64, unit: &str) -> String {
    let scaled = |steps: &[(f64, &str)]| -> String {
        let v = value as f64;
        for &(factor, suffix) in steps.iter().rev() {
            if v >= factor {
                return trim(format!("{:.2}", v / factor)) + suffix;
            }
        }
        format!("{value}{}", steps[0].1)
    };
    match unit {
        "nanoseconds" => scaled(&[(1.0, "ns"), (1e3, "us"), (1e6, "ms"), (1e9, "s")]),
        "bytes" => scaled(&[
            (1.0, "B"),
            (1024.0, "kB"),
            (1024.0 * 1024.0, "MB"),
            (1024.0 * 1024.0 * 1024.0, "GB"),
        ]),
        _ => value.to_string(),
    }
}

/// A value with its unit in words: `2621 samples`, `8.29s of sampled time`, `12MB`,
/// `40 events`, `1000000000 (normalized weight)`.
pub fn amount(value: u64, unit: &str) -> String {
    match unit {
        "samples" => format!("{value} samples"),
        "nanoseconds" => format!("{} of sampled time", human_value(value, unit)),
        "bytes" => human_value(value, unit),
        "count" => format!("{value} events"),
        _ => format!("{value} ({unit})"),
    }
}

fn trim(s: String) -> String {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::collapsed;
    use std::io::Cursor;
    use std::path::Path;

    #[test]
    fn flat_cum_and_sum_like_pprof() {
        let text = "main (a.py:1);fib (a.py:5);fib (a.py:6) 6\nmain (a.py:1);log (b.py:2) 3\nmain (a.py:2) 1\n";
        let p = collapsed::parse(Path::new("p"), Cursor::new(text.as_bytes().to_vec())).unwrap();
        let t = top(&p, Granularity::Function);
        let rows: Vec<(&str, u64, u64)> = t
            .rows
            .iter()
            .map(|r| (r.name.as_str(), r.flat, r.cum))
            .collect();
        assert_eq!(rows, vec![("fib", 6, 6), ("log", 3, 3), ("main", 1, 10)]);
        assert_eq!(t.rows[1].sum_share, 0.9);
        let t = top(&p, Granularity::Line);
        assert_eq!(t.rows[0].name, "fib a.py:6");
        assert_eq!(
            t.rows.iter().find(|r| r.name == "fib a.py:5").unwrap().cum,
            6
        );
        let t = top(&p, Granularity::File);
        let rows: Vec<(&str, u64, u64)> = t
            .rows
            .iter()
            .map(|r| (r.name.as_str(), r.flat, r.cum))
            .collect();
        assert_eq!(rows, vec![("a.py", 7, 10), ("b.py", 3, 3)]);
    }

    #[test]
    fn human_values() {
        assert_eq!(human_value(1_280_000_000, "nanoseconds"), "1.28s");
        assert_eq!(human_value(350_000_000, "nanoseconds"), "350ms");
        assert_eq!(human_value(0, "nanoseconds"), "0ns");
        assert_eq!(human_value(781, "samples"), "781");
        assert_eq!(human_value(3 * 1024 * 1024, "bytes"), "3MB");
        assert_eq!(
            amount(8_290_000_000, "nanoseconds"),
            "8.29s of sampled time"
        );
        assert_eq!(amount(12, "samples"), "12 samples");
    }
}
