//! Renders [`TopTable`] as a terminal table, JSON or CSV.
//!
//! - table: pprof's columns `flat flat% sum% cum cum%` and the name, values scaled for people;
//! - JSON: `{"unit", "sample_type", "total", "rows": [{"name", "flat", "flat_share",
//!   "sum_share", "cum", "cum_share"}]}` with raw values in `unit` and shares in [0, 1];
//! - CSV: a header `name,flat,flat_share,sum_share,cum,cum_share`, then one row per entry.

use comfy_table::presets::NOTHING;
use comfy_table::{CellAlignment, Table};

use super::markdown::percent;
use crate::top::{TopTable, human_value};

/// The first `n` rows as a pprof-style text table, with the `Showing ...` header line.
pub fn table(t: &TopTable, n: usize) -> String {
    let shown: u64 = t.rows.iter().take(n).map(|r| r.flat).sum();
    let share = if t.total == 0 {
        0.0
    } else {
        shown as f64 / t.total as f64
    };
    let mut table = Table::new();
    table
        .load_style(NOTHING)
        .set_header(vec!["flat", "flat%", "sum%", "cum", "cum%", ""]);
    for r in t.rows.iter().take(n) {
        table.add_row(vec![
            human_value(r.flat, t.unit),
            pct2(r.flat_share),
            pct2(r.sum_share),
            human_value(r.cum, t.unit),
            pct2(r.cum_share),
            r.name.clone(),
        ]);
    }
    for col in 0..5 {
        if let Some(c) = table.column_mut(col) {
            c.set_cell_alignment(CellAlignment::Right);
        }
    }
    format!(
        "Type: {}\nShowing nodes accounting for {}, {} of {} total ({} of {} rows)\n{}",
        t.sample_type,
        human_value(shown, t.unit),
        percent(share),
        human_value(t.total, t.unit),
        n.min(t.rows.len()),
        t.rows.len(),
        table.trim_fmt()
    )
}

fn pct2(share: f64) -> String {
    format!("{:.2}%", share * 100.0)
}

/// The first `n` rows as JSON.
///
/// # Errors
/// Only if serialisation fails, which it does not for these types.
pub fn json(t: &TopTable, n: usize) -> serde_json::Result<String> {
    let mut shown = t.clone();
    shown.rows.truncate(n);
    serde_json::to_string_pretty(&shown)
}

/// The first `n` rows as CSV.
///
/// # Errors
/// Only if writing to memory fails, which it does not.
pub fn csv(t: &TopTable, n: usize) -> Result<String, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in t.rows.iter().take(n) {
        w.serialize(r)?;
    }
    let bytes = w.into_inner().map_err(|e| e.into_error())?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}
