//! Renders [`Scores`] (`brownfield rank`) as a terminal table, JSON or CSV.
//!
//! - table: one row per candidate (rank, function, file:line, self, total, movable, category,
//!   isolation, effort, projected speedup), then one "why" line per row and the traps;
//! - JSON: `{"schema_version": 1, "unit", "total", "config", "coverage_share", "work",
//!   "candidates": [...]}`, documented in docs/scoring.md; shares are fractions in [0, 1];
//! - CSV: a header row, then one row per candidate with the scalar columns.

use comfy_table::presets::NOTHING;
use comfy_table::{CellAlignment, Table};
use serde::Serialize;

use super::markdown::times;
use crate::model::{
    CallSite, Candidate, Category, Component, EffortTerm, Projection, Scores, Trap, WorkMix,
    percent,
};

/// What the renderers need besides the scores.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// The profile's unit.
    pub unit: &'a str,
    /// The configuration file used, `None` for the defaults.
    pub config: Option<&'a str>,
    /// Share of samples with a codebase frame, in [0, 1].
    pub coverage_share: f64,
    /// The profile does not belong to the source ([`crate::mapping::Coverage::is_unmapped`];
    /// ranked anyway with `--allow-unmapped`): the table says so first.
    pub unmapped: bool,
    /// Fraction of resamples in which the first candidate stays first, in [0, 1]
    /// ([`crate::evidence::first_candidate_stability`]); `None` when not computed.
    pub first_stays_first: Option<f64>,
}

/// The first `n` candidates as a table, followed by a line per candidate saying why.
pub fn table(scores: &Scores, n: usize, ctx: Context) -> String {
    let mut table = Table::new();
    table.load_style(NOTHING).set_header(vec![
        "rank",
        "function",
        "file:line",
        "self",
        "total",
        "movable",
        "category",
        "isolation",
        "effort (days)",
        "speedup (low-high)",
    ]);
    for c in scores.candidates.iter().take(n) {
        table.add_row(vec![
            c.rank.to_string(),
            c.function.clone(),
            format!("{}:{}", c.file, c.line),
            percent(c.self_share),
            percent(c.total_share),
            percent(c.movable_share),
            c.category.as_str().to_string(),
            format!("{:.2}", c.isolation.score),
            format!("{:.1}", c.effort.days),
            format!(
                "{} ({}-{})",
                times(c.projected_speedup.mid),
                times(c.projected_speedup.low),
                times(c.projected_speedup.high)
            ),
        ]);
    }
    for col in [0, 3, 4, 5, 7, 8] {
        if let Some(c) = table.column_mut(col) {
            c.set_cell_alignment(CellAlignment::Right);
        }
    }
    let shown = n.min(scores.candidates.len());
    let mut out = String::new();
    if ctx.unmapped {
        out.push_str(&format!(
            "nothing in this profile maps to the source: only {} of samples have a frame under \
             it, so this ranking cannot say what is worth rewriting (--allow-unmapped)\n",
            percent(ctx.coverage_share)
        ));
    }
    out.push_str(&format!(
        "{} candidates ({} shown); configuration: {}\n{}\n",
        scores.candidates.len(),
        shown,
        ctx.config.unwrap_or("defaults"),
        table.trim_fmt()
    ));
    if let (Some(stays), Some(first)) = (ctx.first_stays_first, scores.candidates.first()) {
        out.push_str(&format!(
            "{} stays first in {} of resamples of these samples\n",
            first.function,
            percent(stays)
        ));
    }
    if shown > 0 {
        out.push_str("\nwhy:\n");
    }
    for c in scores.candidates.iter().take(n) {
        out.push_str(&format!("{:>4}. {}: {}\n", c.rank, c.function, c.why));
    }
    out
}

/// The JSON document (docs/scoring.md).
#[derive(Serialize)]
struct Document<'a> {
    schema_version: u32,
    unit: &'a str,
    total: u64,
    config: Option<&'a str>,
    coverage_share: f64,
    first_stays_first: Option<f64>,
    work: WorkMix,
    candidates: Vec<Row<'a>>,
}

/// One candidate as JSON: the scalars the issue names (`isolation`, `effort` as numbers),
/// then the details.
#[derive(Serialize)]
struct Row<'a> {
    rank: usize,
    function: &'a str,
    kind: &'a str,
    file: &'a str,
    line: u32,
    self_share: f64,
    total_share: f64,
    movable_share: f64,
    category: Category,
    isolation: f64,
    effort: f64,
    projected_speedup: Projection,
    priority: f64,
    why: &'a str,
    work: WorkMix,
    unit: &'a [String],
    unit_lines: u32,
    entry_points: &'a [String],
    incoming: &'a [CallSite],
    callbacks: &'a [String],
    library_functions: &'a [String],
    isolation_components: &'a [Component],
    effort_range: [f64; 2],
    effort_terms: &'a [EffortTerm],
    assumed_speedup: crate::config::Range,
    effective_speedup: crate::config::Range,
    total_interval: Option<crate::evidence::Interval>,
    movable_interval: Option<crate::evidence::Interval>,
    crossing: Option<crate::model::Crossing>,
    copies: &'a [String],
    public_methods: &'a [crate::model::PublicMethod],
    object_setup: bool,
    traps: &'a [Trap],
}

impl<'a> Row<'a> {
    fn of(c: &'a Candidate) -> Row<'a> {
        Row {
            rank: c.rank,
            function: &c.function,
            kind: c.kind,
            file: &c.file,
            line: c.line,
            self_share: c.self_share,
            total_share: c.total_share,
            movable_share: c.movable_share,
            category: c.category,
            isolation: c.isolation.score,
            effort: c.effort.days,
            projected_speedup: c.projected_speedup,
            priority: c.priority,
            why: &c.why,
            work: c.work,
            unit: &c.unit,
            unit_lines: c.unit_lines,
            entry_points: &c.entry_points,
            incoming: &c.incoming,
            callbacks: &c.callbacks,
            library_functions: &c.library_functions,
            isolation_components: &c.isolation.components,
            effort_range: [c.effort.low, c.effort.high],
            effort_terms: &c.effort.terms,
            assumed_speedup: c.assumed_speedup,
            effective_speedup: c.effective_speedup,
            total_interval: c.total_interval,
            movable_interval: c.movable_interval,
            crossing: c.crossing,
            copies: &c.copies,
            public_methods: &c.public_methods,
            object_setup: c.object_setup,
            traps: &c.traps,
        }
    }
}

/// The first `n` candidates as pretty-printed JSON, with a final newline.
///
/// # Errors
/// Only if serialisation fails, which it does not for these types.
pub fn json(scores: &Scores, n: usize, ctx: Context) -> serde_json::Result<String> {
    let doc = Document {
        schema_version: 1,
        unit: ctx.unit,
        total: scores.total,
        config: ctx.config,
        coverage_share: ctx.coverage_share,
        first_stays_first: ctx.first_stays_first,
        work: scores.work,
        candidates: scores.candidates.iter().take(n).map(Row::of).collect(),
    };
    let mut s = serde_json::to_string_pretty(&doc)?;
    s.push('\n');
    Ok(s)
}

/// One candidate as a CSV record.
#[derive(Serialize)]
struct CsvRow<'a> {
    rank: usize,
    function: &'a str,
    file: &'a str,
    line: u32,
    self_share: f64,
    total_share: f64,
    movable_share: f64,
    category: &'a str,
    isolation: f64,
    effort_days: f64,
    speedup_low: f64,
    speedup_mid: f64,
    speedup_high: f64,
    priority: f64,
    traps: String,
    why: &'a str,
}

/// The first `n` candidates as CSV with a header row.
///
/// # Errors
/// Only if writing to memory fails, which it does not.
pub fn csv(scores: &Scores, n: usize) -> Result<String, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for c in scores.candidates.iter().take(n) {
        let traps: Vec<&str> = c.traps.iter().map(Trap::kind).collect();
        w.serialize(CsvRow {
            rank: c.rank,
            function: &c.function,
            file: &c.file,
            line: c.line,
            self_share: c.self_share,
            total_share: c.total_share,
            movable_share: c.movable_share,
            category: c.category.as_str(),
            isolation: c.isolation.score,
            effort_days: c.effort.days,
            speedup_low: c.projected_speedup.low,
            speedup_mid: c.projected_speedup.mid,
            speedup_high: c.projected_speedup.high,
            priority: c.priority,
            traps: traps.join(" "),
            why: &c.why,
        })?;
    }
    let bytes = w.into_inner().map_err(|e| e.into_error())?;
    if scores.candidates.is_empty() || n == 0 {
        return Ok(CSV_HEADER.to_string());
    }
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// The CSV header, written alone when there is no candidate.
const CSV_HEADER: &str = "rank,function,file,line,self_share,total_share,movable_share,category,\
isolation,effort_days,speedup_low,speedup_mid,speedup_high,priority,traps,why\n";

#[cfg(test)]
mod tests {
    use super::*;

    /// The names written by hand agree with what serde writes: trap kinds with their JSON tag,
    /// the CSV header alone with the one the writer gives before a row.
    #[test]
    fn hand_written_names_match_the_serialised_ones() {
        let traps = [
            Trap::TimeNotMovable {
                total_share: 0.5,
                movable_share: 0.1,
                native: 0.8,
                wait: 0.0,
            },
            Trap::CalledInHotLoop {
                caller: "m.f".into(),
                file: "m.py".into(),
                line: 3,
                caller_fraction: 0.5,
            },
        ];
        for t in &traps {
            let json = serde_json::to_value(t).unwrap();
            assert_eq!(json["kind"], t.kind());
        }
        let mut w = csv::Writer::from_writer(Vec::new());
        w.serialize(CsvRow {
            rank: 1,
            function: "m.f",
            file: "m.py",
            line: 1,
            self_share: 0.0,
            total_share: 0.0,
            movable_share: 0.0,
            category: "mixed",
            isolation: 0.0,
            effort_days: 0.0,
            speedup_low: 1.0,
            speedup_mid: 1.0,
            speedup_high: 1.0,
            priority: 0.0,
            traps: String::new(),
            why: "",
        })
        .unwrap();
        let text = String::from_utf8(w.into_inner().unwrap()).unwrap();
        assert_eq!(
            text.lines().next().map(|l| format!("{l}\n")).unwrap(),
            CSV_HEADER
        );
    }
}
