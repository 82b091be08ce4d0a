//! The ranked table printed to the terminal (comfy-table).

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{CellAlignment, ContentArrangement, Table};

use super::markdown::{pct, times};
use crate::plan::Plan;

/// The ranked table of the top [`crate::plan::PlanOptions::top`] functions, with the phase each
/// one is in.
pub fn ranked(plan: &Plan) -> Table {
    let mut table = Table::new();
    table
        .load_style(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(vec!["Rank", "Function", "Where", "Self", "Total", "Phase"]);
    for (i, r) in plan.rows.iter().enumerate().take(plan.options.top) {
        let phase = plan
            .phases
            .iter()
            .find(|p| p.rows.contains(&i))
            .map_or(String::new(), |p| p.number.to_string());
        table.add_row(vec![
            r.rank.to_string(),
            r.function.clone(),
            format!("{}:{}", r.file, r.line),
            pct(r.self_share),
            pct(r.total_share),
            phase,
        ]);
    }
    for col in [0, 3, 4, 5] {
        if let Some(c) = table.column_mut(col) {
            c.set_cell_alignment(CellAlignment::Right);
        }
    }
    table
}

/// One line per phase: `phase 1 (quick wins): 3 functions, 41.2% of samples → 1.59× (≤ 1.70×)`.
pub fn phase_lines(plan: &Plan) -> Vec<String> {
    plan.phases
        .iter()
        .map(|p| {
            format!(
                "phase {} ({}): {} functions, {} of samples moved (cumulative {}) -> {} projected (at most {})",
                p.number,
                p.title,
                p.rows.len(),
                pct(p.moved_share),
                pct(p.cumulative_share),
                times(p.projected_speedup),
                times(p.upper_bound)
            )
        })
        .collect()
}
