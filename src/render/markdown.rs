//! plan.md: the migration plan as GitHub-flavoured Markdown.
//!
//! Formats a [`Plan`] and computes nothing. Names from the profile and the source are written
//! inside code spans with `|` escaped, so they cannot break tables or inject markup.

use std::fmt::Write;

use crate::plan::{Phase, Plan, Row};
use crate::top::amount;

/// The file name the flamegraph is written to, linked from plan.md.
pub const FLAMEGRAPH_FILE: &str = "flamegraph.svg";

/// Renders plan.md.
pub fn render(plan: &Plan) -> String {
    let mut md = String::new();
    // Writing to a String cannot fail; the results of writeln! are ignored on purpose.
    let w = &mut md;
    let s = plan.options.assumed_speedup;
    let _ = writeln!(
        w,
        "# Brownfield migration plan: {}\n",
        escape_text(&plan.title)
    );

    summary(w, plan);

    let _ = writeln!(w, "## Phases\n");
    if plan.phases.is_empty() {
        let _ = writeln!(
            w,
            "No codebase function has a self share of at least {}, so there is nothing worth \
             rewriting on this profile's evidence. See the hot functions below.\n",
            pct(plan.options.min_self_share)
        );
    } else {
        let _ = writeln!(
            w,
            "| Phase | Functions | Lines | Self share moved | Cumulative share | Projected speedup (at {}) | Upper bound |",
            times(s)
        );
        let _ = writeln!(w, "|---|---:|---:|---:|---:|---:|---:|");
        for p in &plan.phases {
            let _ = writeln!(
                w,
                "| {} ({}) | {} | {} | {} | {} | **{}** | {} |",
                p.number,
                p.title,
                p.rows.len(),
                p.lines,
                pct(p.moved_share),
                pct(p.cumulative_share),
                times(p.projected_speedup),
                times(p.upper_bound)
            );
        }
        let _ = writeln!(w);
        for p in &plan.phases {
            phase_section(w, plan, p);
        }
    }

    let _ = writeln!(w, "## Hot functions\n");
    let _ = writeln!(
        w,
        "Codebase functions ranked by **self** share (samples whose leaf frame is the function's \
         own code), then total share (samples with the function anywhere on the stack, counted \
         once per sample). Top {} of {}.\n",
        plan.options.top.min(plan.rows.len()),
        plan.rows.len()
    );
    ranked_table(w, plan, plan.rows.iter().take(plan.options.top));

    let _ = writeln!(w, "## Flamegraph\n");
    let _ = writeln!(
        w,
        "![Flamegraph of the whole profile]({FLAMEGRAPH_FILE})\n\nCodebase frames are red/orange, \
         stdlib and third-party Python yellow, native code blue. Open the SVG in a browser to \
         zoom and search.\n"
    );

    method(w, plan);
    coverage(w, plan);
    if !plan.warnings.is_empty() {
        let _ = writeln!(w, "## Warnings\n");
        for warning in &plan.warnings {
            let _ = writeln!(w, "- {}", escape_text(warning));
        }
        let _ = writeln!(w);
    }
    inputs(w, plan);
    md
}

fn summary(w: &mut String, plan: &Plan) {
    let _ = writeln!(w, "## Summary\n");
    match (plan.phases.first(), plan.phases.last()) {
        (Some(first), Some(last)) => {
            let _ = writeln!(
                w,
                "- **Rewriting {} function{} ({} lines) in Rust is projected to make this workload \
                 {} faster** ({} if the rewritten code took no time at all).",
                first.rows.len(),
                plural(first.rows.len()),
                first.lines,
                times(first.projected_speedup),
                times(first.upper_bound)
            );
            if last.number != first.number {
                let _ = writeln!(
                    w,
                    "- Going on through phase {} ({} functions in all) projects {} (upper bound {}).",
                    last.number,
                    plan.phases.iter().map(|p| p.rows.len()).sum::<usize>(),
                    times(last.projected_speedup),
                    times(last.upper_bound)
                );
            }
            let top = &plan.rows[first.rows[0]];
            let _ = writeln!(
                w,
                "- The hottest function is {} ({}): {} of all samples run its own code.",
                code(&top.function),
                code(&format!("{}:{}", top.file, top.line)),
                pct(top.self_share)
            );
        }
        _ => {
            let _ = writeln!(
                w,
                "- No codebase function reaches the {} self-share threshold: nothing here is worth a rewrite yet.",
                pct(plan.options.min_self_share)
            );
        }
    }
    let _ = writeln!(
        w,
        "- Evidence: {} from {} profile{}; {} of samples touch the codebase ({} files, {} functions, {} lines).",
        amount(plan.total_value, plan.unit),
        plan.inputs.profiles.len(),
        plural(plan.inputs.profiles.len()),
        pct(plan.coverage.share()),
        plan.codebase.files,
        plan.codebase.functions,
        plan.codebase.lines
    );
    let _ = writeln!(
        w,
        "- Assumption: each rewritten function's own code runs {} faster in Rust; everything else \
         (callers, stdlib, C extensions, I/O) is unchanged.",
        times(plan.options.assumed_speedup)
    );
    if plan.coverage.leaf_native == 0 {
        let _ = writeln!(
            w,
            "- Caveat: the profile has no native frames, so time in C called directly from Python \
             (a compiled regex's `match`, `hashlib`, `sorted`, freeing objects) counts as the \
             calling function's own time and the projections may be too high. Check each \
             candidate's hottest line below, and re-capture with `py-spy record --native` to \
             separate C time."
        );
    }
    let _ = writeln!(w);
}

fn phase_section(w: &mut String, plan: &Plan, p: &Phase) {
    let _ = writeln!(w, "### Phase {}: {}\n", p.number, p.title);
    let _ = writeln!(
        w,
        "Moves {} of samples ({} cumulative). Projected end-to-end speedup after this phase: \
         **{}** at an assumed {} per function, at most {}.\n",
        pct(p.moved_share),
        pct(p.cumulative_share),
        times(p.projected_speedup),
        times(plan.options.assumed_speedup),
        times(p.upper_bound)
    );
    let _ = writeln!(w, "| Function | Where | Lines | Self | Total | Why |");
    let _ = writeln!(w, "|---|---|---:|---:|---:|---|");
    for &i in &p.rows {
        let r = &plan.rows[i];
        let _ = writeln!(
            w,
            "| {} | {} | {} | {} | {} | {} |",
            code(&r.function),
            code(&format!("{}:{}", r.file, r.line)),
            r.lines,
            pct(r.self_share),
            pct(r.total_share),
            why(r)
        );
    }
    let _ = writeln!(w);
}

fn why(r: &Row) -> String {
    let own = if r.total_share > 0.0 {
        r.self_share / r.total_share
    } else {
        0.0
    };
    let what = if r.kind == "module" {
        "its module's top-level code"
    } else {
        "its own Python code"
    };
    let mut why = format!(
        "rank {} by self time; {} of the time under it is {what}",
        r.rank,
        pct(own)
    );
    if let Some(h) = &r.hot_line {
        let _ = write!(why, "; {} of that on line {}", pct(h.self_fraction), h.line);
        if !h.text.is_empty() {
            let _ = write!(why, ": {}", code(&shorten(&h.text, 60)));
        }
    }
    why
}

/// At most `n` characters of `s`, with `...` when cut.
fn shorten(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        return s.to_string();
    }
    let mut out: String = s.chars().take(n).collect();
    out.push_str("...");
    out
}

fn ranked_table<'a>(w: &mut String, plan: &Plan, rows: impl Iterator<Item = &'a Row>) {
    let _ = writeln!(
        w,
        "| Rank | Function | Where | Self | Total | Self {} | Total {} |",
        plan.unit, plan.unit
    );
    let _ = writeln!(w, "|---:|---|---|---:|---:|---:|---:|");
    for r in rows {
        let _ = writeln!(
            w,
            "| {} | {} | {} | {} | {} | {} | {} |",
            r.rank,
            code(&r.function),
            code(&format!("{}:{}", r.file, r.line)),
            pct(r.self_share),
            pct(r.total_share),
            r.self_value,
            r.total_value
        );
    }
    let _ = writeln!(w);
}

fn method(w: &mut String, plan: &Plan) {
    let _ = writeln!(w, "## Method and assumptions\n");
    let _ = writeln!(
        w,
        "- Every frame of the profile is mapped to the innermost function of the source tree \
         whose file matches by path suffix and whose line span contains the frame's line; the \
         frame's function name confirms the match.\n\
         - A function's movable time is approximated by its **self share**: time in its callees \
         stays where it is unless they move too.\n\
         - Candidates have a self share of at least {}. Phase 1 takes the top {} candidates, \
         Phase 2 the next {}.\n\
         - Projections use Amdahl's law: speedup = 1 / ((1 − p) + p / s), with p the cumulative \
         self share moved and s = {} the assumed speedup of rewritten code; the upper bound is \
         1 / (1 − p).\n\
         - Caveat: without `py-spy --native`, time spent in C functions called directly from \
         Python (a compiled regex's `match`, `hashlib` digests, `str` methods) is counted as the \
         calling function's self time, so shares of functions that mostly call C code \
         overstate what a rewrite can win.\n\
         - Not modelled in this version: call counts (a sampling profile has none), so a small \
         helper called millions of times may lose its gain to the per-call cost of crossing \
         between Python and Rust; its boundary (callers, call sites), isolation and effort.\n\
         - Samples of waiting threads (idle) are left out unless `--idle` is given; thread frames \
         are merged unless `--threads`.\n",
        pct(plan.options.min_self_share),
        plan.options.phase1_size,
        plan.options.phase2_size,
        times(plan.options.assumed_speedup)
    );
}

fn coverage(w: &mut String, plan: &Plan) {
    let c = &plan.coverage;
    let share = |v: u64| {
        pct(if plan.total_value == 0 {
            0.0
        } else {
            v as f64 / plan.total_value as f64
        })
    };
    let _ = writeln!(w, "## Mapping coverage\n");
    let _ = writeln!(w, "| Measure | Share | {} |", plan.unit);
    let _ = writeln!(w, "|---|---:|---:|");
    let _ = writeln!(
        w,
        "| Samples with a codebase frame | {} | {} |",
        share(c.in_codebase),
        c.in_codebase
    );
    let _ = writeln!(
        w,
        "| Leaf in codebase code | {} | {} |",
        share(c.leaf_in_codebase),
        c.leaf_in_codebase
    );
    let _ = writeln!(
        w,
        "| Leaf in standard-library Python | {} | {} |",
        share(c.leaf_stdlib),
        c.leaf_stdlib
    );
    let _ = writeln!(
        w,
        "| Leaf in third-party Python | {} | {} |",
        share(c.leaf_third_party),
        c.leaf_third_party
    );
    let _ = writeln!(
        w,
        "| Leaf in native code | {} | {} |",
        share(c.leaf_native),
        c.leaf_native
    );
    let _ = writeln!(
        w,
        "| Empty stacks and other frames | {} | {} |",
        share(c.leaf_other),
        c.leaf_other
    );
    let _ = writeln!(
        w,
        "\n{} of {} distinct frames mapped to the source tree.\n",
        c.frames_mapped, c.frames_total
    );
}

fn inputs(w: &mut String, plan: &Plan) {
    let _ = writeln!(w, "## Inputs\n");
    for p in &plan.inputs.profiles {
        let _ = writeln!(w, "- Profile: {}", code(p));
    }
    let _ = writeln!(w, "- Source root: {}", code(&plan.inputs.source_root));
    let _ = writeln!(w, "- Samples: {} {}", plan.total_value, plan.unit);
    let _ = writeln!(w, "- Command: {}", code(&plan.inputs.command_line));
}

/// A fraction in [0, 1] as a percentage with one decimal.
pub fn pct(share: f64) -> String {
    format!("{:.1}%", share * 100.0)
}

/// A speedup factor with two decimals, e.g. `1.42×`; whole numbers without decimals (`10×`).
pub fn times(factor: f64) -> String {
    if factor.is_infinite() {
        "∞".to_string()
    } else if factor.fract() == 0.0 && factor.abs() < 1e9 {
        format!("{factor:.0}×")
    } else {
        format!("{factor:.2}×")
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// A name as an inline code span that cannot break a table: `|` is escaped, and a name with
/// backticks gets a longer fence.
pub fn code(s: &str) -> String {
    let escaped = s.replace('|', "\\|").replace(['\n', '\r'], " ");
    if escaped.contains('`') {
        format!("`` {escaped} ``")
    } else {
        format!("`{escaped}`")
    }
}

/// Plain text with Markdown and HTML metacharacters escaped.
pub fn escape_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '#' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_cannot_break_markup() {
        assert_eq!(code("a|b"), "`a\\|b`");
        assert_eq!(code("x`y"), "`` x`y ``");
        assert_eq!(escape_text("<script>*a*"), "&lt;script&gt;\\*a\\*");
    }

    #[test]
    fn number_formats() {
        assert_eq!(pct(0.12345), "12.3%");
        assert_eq!(times(1.4267), "1.43×");
        assert_eq!(times(f64::INFINITY), "∞");
        assert_eq!(times(10.0), "10×");
        assert_eq!(times(2.5), "2.50×");
    }
}
