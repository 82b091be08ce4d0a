//! What `brownfield plan` prints to the terminal (comfy-table): the hot functions with the
//! phase each one is in, and one line per phase.

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{CellAlignment, ContentArrangement, Table};

use super::markdown::{percent, times};
use crate::plan::{PhaseKind, Plan};

/// The hot-functions table (the plan's top rows by self time), with each one's phase.
pub fn ranked(plan: &Plan) -> Table {
    let mut table = Table::new();
    table
        .load_style(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(vec!["Rank", "Function", "Where", "Self", "Total", "Phase"]);
    for r in &plan.hot_functions {
        table.add_row(vec![
            r.rank.to_string(),
            r.function.clone(),
            format!("{}:{}", r.file, r.line),
            percent(r.self_share),
            percent(r.total_share),
            if r.phase == 0 {
                String::new()
            } else {
                r.phase.to_string()
            },
        ]);
    }
    for col in [0, 3, 4, 5] {
        if let Some(c) = table.column_mut(col) {
            c.set_cell_alignment(CellAlignment::Right);
        }
    }
    table
}

/// One line per migration phase: `phase 1 (quick wins): 2 units, 40.4% of samples moved
/// (cumulative 40.4%) -> 1.57x projected (1.37x-1.63x, at most 1.68x)`.
pub fn phase_lines(plan: &Plan) -> Vec<String> {
    plan.phases
        .iter()
        .filter(|p| p.kind == PhaseKind::Migration)
        .map(|p| {
            format!(
                "phase {} ({}): {} unit{}, {} of samples moved (cumulative {}) -> {} projected ({}-{}, at most {})",
                p.number,
                p.title,
                p.units.len(),
                super::markdown::plural(p.units.len()),
                percent(p.moved_share),
                percent(p.cumulative_share),
                times(p.projected_speedup.mid),
                times(p.projected_speedup.low),
                times(p.projected_speedup.high),
                times(p.upper_bound)
            )
        })
        .collect()
}
