//! plan.md: the migration plan as GitHub-flavoured Markdown.
//!
//! Formats a [`Plan`] and computes nothing. Names from the profile and the source are written
//! inside code spans (with `|` escaped and a fence longer than any backtick run), and other
//! text from them through [`escape_text`], so they cannot break tables or inject markup. The
//! Mermaid diagram quotes every label and replaces its metacharacters with Mermaid's entity
//! codes.

use std::fmt::Write;

pub use crate::model::percent;
use crate::plan::python_fixes::FixKind;
use crate::plan::{LeftOutReason, Phase, PhaseKind, Plan, Row, Unit};
use crate::top::amount;

/// The whole-profile flamegraph's file name.
pub const FLAMEGRAPH_FILE: &str = "flamegraph.svg";
/// The projected "after" flamegraph's file name.
pub const AFTER_FILE: &str = "flamegraph-after.svg";
/// The impact-vs-ease chart's file name.
pub const CHART_FILE: &str = "impact-vs-ease.svg";

/// The file name of phase `n`'s flamegraph.
pub fn phase_file(n: usize) -> String {
    format!("flamegraph-phase-{n}.svg")
}

/// Renders plan.md.
pub fn render(plan: &Plan) -> String {
    let mut md = String::new();
    // Writing to a String cannot fail; the results of writeln! are ignored on purpose.
    let w = &mut md;
    let _ = writeln!(
        w,
        "# Brownfield migration plan: {}\n",
        escape_text(&plan.title)
    );
    summary(w, plan);
    phase_table(w, plan);
    if !plan.candidates.is_empty() {
        let _ = writeln!(w, "## Impact vs ease\n");
        let _ = writeln!(
            w,
            "![Impact (movable share) against ease of isolation for the top candidates]({CHART_FILE})\n\n\
             Each point is a candidate from `brownfield rank`: up is more of the run moved to Rust \
             (log scale), right is easier to cut out. Red, orange and purple points are the units \
             of phases 1, 2 and 3; grey ones are not planned (see \"Not worth migrating\"). The \
             lines are the plan's thresholds: the quick-win isolation, and the movable share that \
             saves the minimum gain a unit must bring.\n"
        );
    }
    mermaid(w, plan);
    for p in &plan.phases {
        match p.kind {
            PhaseKind::SafetyNet => safety_net(w, plan, p),
            PhaseKind::Migration => phase_section(w, plan, p),
        }
    }
    not_worth(w, plan);

    let _ = writeln!(w, "## Hot functions\n");
    let _ = writeln!(
        w,
        "Codebase functions ranked by **self** share (samples whose leaf frame is the function's \
         own code), then total share (samples with the function anywhere on the stack, counted \
         once per sample). Top {} of {}.\n",
        plan.hot_functions.len(),
        plan.hot_function_count
    );
    ranked_table(w, plan, plan.hot_functions.iter());

    let _ = writeln!(w, "## Flamegraphs\n");
    let _ = writeln!(
        w,
        "![Flamegraph of the whole profile]({FLAMEGRAPH_FILE})\n\nToday. Codebase frames are \
         red/orange, stdlib and third-party Python yellow, native code blue. Open the SVG in a \
         browser to zoom and search.\n"
    );
    if plan.headline.units > 0 {
        let _ = writeln!(
            w,
            "![Projected flamegraph after all phases]({AFTER_FILE})\n\nProjected after every \
             phase: the migrated frames (bright red) shrunk by their unit's assumed mid speedup, \
             everything else unchanged.\n"
        );
    }

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

/// `1.34× (1.23×–1.37×)`.
fn projection(p: &crate::model::Projection) -> String {
    format!("{} ({})", times(p.mid), span(p.low, p.high))
}

/// `1.23×–1.37×`.
fn span(low: f64, high: f64) -> String {
    format!("{}–{}", times(low), times(high))
}

/// A configured speedup range as `3×–10×–30×` (low–mid–high).
fn three(r: &crate::config::Range) -> String {
    format!("{}–{}–{}", times(r.low), times(r.mid), times(r.high))
}

fn days(d: f64) -> String {
    if d < 10.0 {
        format!("{d:.1}")
    } else {
        format!("{d:.0}")
    }
}

fn summary(w: &mut String, plan: &Plan) {
    let h = &plan.headline;
    let _ = writeln!(w, "## Summary\n");
    let unmapped = plan.coverage.is_unmapped();
    if unmapped {
        unmapped_line(w, plan);
    } else if plan.coverage.share() < crate::mapping::LOW_COVERAGE_WARNING {
        let _ = writeln!(
            w,
            "- **Warning: only {} of samples touch the source tree.** Is `--source` the code that \
             was profiled? Everything below is about that small part.",
            percent(plan.coverage.share())
        );
    }
    if h.units == 0 && unmapped {
        // Said above: there is nothing to judge, so no verdict on what is worth rewriting.
    } else if h.units == 0 {
        let _ = writeln!(
            w,
            "- **Nothing here is worth rewriting in Rust on this profile's evidence.** No hot \
             function has enough pure-Python time that could move (see \"Not worth migrating\")."
        );
    } else {
        let _ = writeln!(
            w,
            "- **Moving {} unit{} ({} function{}, {} lines, about {} ideal engineer-days) to Rust \
             is projected to make this workload {} faster** (range {}; {} if the moved code \
             took no time at all).",
            h.units,
            plural(h.units),
            h.functions,
            plural(h.functions),
            h.lines,
            days(h.effort_days),
            times(h.projected_speedup.mid),
            span(h.projected_speedup.low, h.projected_speedup.high),
            times(h.upper_bound)
        );
        if let Some(first) = plan.phases.iter().find(|p| p.number == 1) {
            let names: Vec<String> = first.units.iter().map(|u| code(u)).collect();
            let _ = writeln!(
                w,
                "- Phase 1 (quick wins: {}) alone gives {} for about {} days.",
                names.join(", "),
                times(first.projected_speedup.mid),
                days(first.effort_days)
            );
        }
        let top = &plan.units[0];
        let _ = writeln!(
            w,
            "- The best first target is {} ({}): {} of all samples would run in Rust, {}.",
            code(&top.id),
            code(&format!("{}:{}", top.file, top.line)),
            percent(top.movable_share),
            top.category.label()
        );
    }
    if let Some(trap) = plan.not_worth.iter().find(|l| {
        matches!(
            l.reason,
            LeftOutReason::TimeInNative | LeftOutReason::IoBound | LeftOutReason::TooEntangled
        )
    }) {
        let _ = writeln!(
            w,
            "- Not worth it despite its share: {} ({} of samples), {}: {}.",
            code(&trap.function),
            percent(trap.total_share),
            reason_label(trap.reason),
            escape_text(&trap.detail)
        );
    }
    let _ = writeln!(
        w,
        "- Evidence: {} from {} profile{}; {} of samples touch the codebase ({} files, {} functions, {} lines).",
        amount(plan.total_value, plan.unit),
        plan.inputs.profiles.len(),
        plural(plan.inputs.profiles.len()),
        percent(plan.coverage.share()),
        plan.codebase.files,
        plan.codebase.functions,
        plan.codebase.lines
    );
    stability(w, plan);
    let s = &plan.config.speedup;
    let _ = writeln!(
        w,
        "- Assumptions: moved pure-Python code runs {} faster in Rust ({}), mixed code {}; \
         time in C, waiting and code that stays in Python is unchanged (Amdahl's law). Effort is \
         rough, within a factor of {}.",
        times(s.pure_python.mid),
        span(s.pure_python.low, s.pure_python.high),
        times(s.mixed.mid),
        plan.config.effort.range_factor
    );
    time_in_c(w, plan);
    let _ = writeln!(w);
}

/// The summary's line on how stable the first target is under resampling.
fn stability(w: &mut String, plan: &Plan) {
    let e = &plan.evidence;
    let (Some(first), Some(stays)) = (&e.first_target, e.first_stays_first) else {
        return;
    };
    let level = format!("{:.0}%", 100.0 * e.confidence);
    if e.unstable {
        let _ = writeln!(
            w,
            "- **Thin evidence: the first target, {}, stays first in only {} of {} resamples of \
             these samples.** Profile longer or merge more profiles before committing to it; \
             shares carry {level} intervals (see each unit).",
            code(first),
            percent(stays),
            e.resamples
        );
    } else {
        let _ = writeln!(
            w,
            "- Stability: the first target, {}, stays first in {} of {} resamples of these \
             samples; shares carry {level} intervals (see each unit).",
            code(first),
            percent(stays),
            e.resamples
        );
    }
}

/// The summary's lines on time that stays in C: garbage collection (or that it is invisible),
/// and the C subsystems.
fn time_in_c(w: &mut String, plan: &Plan) {
    let work = &plan.work;
    if plan.native_frames {
        let fix = plan
            .fix_in_python
            .iter()
            .any(|f| f.kind == FixKind::GarbageCollection);
        let _ = writeln!(
            w,
            "- Garbage collection: {} of samples{}",
            percent(work.gc),
            if fix {
                "; cheaper to cut in Python than to move (see \"Fix in Python first\" in phase 0)."
            } else {
                ", too little to act on."
            }
        );
    } else {
        let _ = writeln!(
            w,
            "- Caveat: the profile has no native frames. Garbage collection is invisible (its \
             time lands on whichever line allocated), and time in C called from Python is \
             recognised only for known calls (regex, compile, json, zlib, hashlib, ...). \
             Re-capture with `py-spy record --native` to see both, or time a run with \
             `gc.disable()`."
        );
    }
    let parts: Vec<String> = [
        ("the regex engine", work.regex),
        ("the parser and compiler", work.compile),
        ("allocation", work.alloc),
        ("other C code", work.native),
    ]
    .iter()
    .filter(|(_, share)| *share >= 0.005)
    .map(|(what, share)| format!("{what} {}", percent(*share)))
    .collect();
    if !parts.is_empty() {
        let _ = writeln!(
            w,
            "- Time in C that no rewrite moves: {}.",
            parts.join(", ")
        );
    }
}

fn phase_table(w: &mut String, plan: &Plan) {
    let _ = writeln!(w, "## Phases\n");
    let _ = writeln!(
        w,
        "| Phase | Units | Lines | Effort (days) | Moves | Cumulative | Projected speedup (low–high) | Bound |"
    );
    let _ = writeln!(w, "|---|---:|---:|---:|---:|---:|---|---:|");
    for p in &plan.phases {
        if p.kind == PhaseKind::SafetyNet {
            let _ = writeln!(
                w,
                "| 0 (safety net) | – | – | {} | – | – | – | – |",
                days(p.effort_days)
            );
            continue;
        }
        let _ = writeln!(
            w,
            "| {} ({}) | {} | {} | {} | {} | {} | **{}** | {} |",
            p.number,
            p.title,
            p.units.len(),
            p.lines,
            days(p.effort_days),
            percent(p.moved_share),
            percent(p.cumulative_share),
            projection(&p.projected_speedup),
            times(p.upper_bound)
        );
    }
    let _ = writeln!(
        w,
        "\nSpeedups are end to end, cumulative, by Amdahl's law over every unit moved so far. \
         \"Moves\" is the share of today's samples this phase moves to Rust; \"Cumulative\" adds \
         the earlier phases.\n"
    );
}

/// Mermaid's label text: quotes and markup characters as entity codes.
fn mermaid_label(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '&' => out.push_str("#amp;"),
            '#' => out.push_str("#35;"),
            '`' => out.push_str("#96;"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn mermaid(w: &mut String, plan: &Plan) {
    let g = &plan.hot_subgraph;
    if g.nodes.is_empty() {
        return;
    }
    let _ = writeln!(w, "## Hot subgraph\n");
    let _ = writeln!(
        w,
        "The planned units (one node per unit, named by its root function; one box per phase) \
         and the code that calls them most; arrows are calls (static or seen in the profile). \
         Every arrow that enters a unit is a boundary call that changes.\n"
    );
    let _ = writeln!(w, "```mermaid\nflowchart LR");
    let index_of = |id: &str| g.nodes.iter().position(|(n, _)| n == id).unwrap_or(0);
    let mut phases: Vec<usize> = g.nodes.iter().map(|(_, p)| *p).collect();
    phases.sort_unstable();
    phases.dedup();
    for phase in phases {
        let title = plan
            .phases
            .iter()
            .find(|p| p.number == phase)
            .map_or("", |p| p.title);
        if phase > 0 {
            let _ = writeln!(w, "  subgraph P{phase}[\"Phase {phase}: {title}\"]");
        }
        for (i, (id, p)) in g.nodes.iter().enumerate() {
            if *p == phase {
                let indent = if phase > 0 { "    " } else { "  " };
                let _ = writeln!(w, "{indent}n{i}[\"{}\"]", mermaid_label(id));
            }
        }
        if phase > 0 {
            let _ = writeln!(w, "  end");
        }
    }
    for (from, to) in &g.edges {
        let _ = writeln!(w, "  n{} --> n{}", index_of(from), index_of(to));
    }
    for (i, (_, p)) in g.nodes.iter().enumerate() {
        let class = match p {
            0 => "caller",
            _ => "moved",
        };
        let _ = writeln!(w, "  class n{i} {class}");
    }
    let _ = writeln!(
        w,
        "  classDef moved fill:#f8d0c8,stroke:#c0392b\n  classDef caller fill:#eeeeee,stroke:#888888\n```\n"
    );
}

fn safety_net(w: &mut String, plan: &Plan, p: &Phase) {
    let _ = writeln!(w, "## Phase 0: safety net\n");
    fix_in_python(w, plan);
    if plan.units.is_empty() {
        let _ = writeln!(w, "Nothing to pin: no unit is planned.\n");
        return;
    }
    let _ = writeln!(
        w,
        "Before any Rust: pin today's behaviour so the rewrite can be checked against it (about \
         {} days).\n\n\
         1. **Golden tests** for every entry point below: record inputs and outputs (and the \
         exceptions raised) from production or the test suite, and assert the same outputs.\n\
         2. **A benchmark** of each unit through its entry points, and a way to profile the \
         end-to-end workload again as it was profiled for this plan (same profiler, rate and \
         load), then rank it with the same command (`{}`), so before and after can be compared.\n",
        days(p.effort_days),
        escape_code_text(&plan.inputs.command_line)
    );
    let _ = writeln!(w, "| Unit | Entry point (as written) | Where |");
    let _ = writeln!(w, "|---|---|---|");
    for u in &plan.units {
        for e in &u.entry_points {
            // The root's row names the unit; other entry points of it are named themselves.
            let name = if e.id == u.id {
                code(&u.id)
            } else {
                format!("↳ {}", code(&e.id))
            };
            let _ = writeln!(
                w,
                "| {name} | {} | {} |",
                code(&e.signature),
                code(&format!("{}:{}", e.file, e.line))
            );
        }
    }
    let _ = writeln!(w);
}

/// Phase 0's "Fix in Python first" items ([`Plan::fix_in_python`]).
fn fix_in_python(w: &mut String, plan: &Plan) {
    if plan.fix_in_python.is_empty() {
        return;
    }
    let _ = writeln!(w, "### Fix in Python first\n");
    for f in &plan.fix_in_python {
        let what = f.kind.label();
        let lands: Vec<String> = f
            .lands_in
            .iter()
            .map(|(id, share)| format!("{} ({})", code(id), percent(*share)))
            .collect();
        let (head, lands) = match f.kind {
            FixKind::GarbageCollection if !lands.is_empty() => (
                String::new(),
                format!(" It is triggered most under {}.", lands.join(", ")),
            ),
            FixKind::PerCallOverhead => (format!(" in {}", lands.join(", ")), String::new()),
            _ => (String::new(), String::new()),
        };
        let detail = if f.detail.is_empty() {
            String::new()
        } else {
            let mut chars = f.detail.chars();
            let capital: String = chars
                .next()
                .into_iter()
                .flat_map(char::to_uppercase)
                .collect();
            format!(" {}.", escape_text(&(capital + chars.as_str())))
        };
        let _ = writeln!(
            w,
            "- **{what}: {} of samples{head}.**{lands}{detail} {}\n",
            percent(f.share),
            f.advice
        );
    }
}

/// Text for inside a code span written by hand (backticks would end it).
fn escape_code_text(s: &str) -> String {
    s.replace('`', "'").replace('|', "\\|")
}

fn phase_section(w: &mut String, plan: &Plan, p: &Phase) {
    let _ = writeln!(w, "## Phase {}: {}\n", p.number, p.title);
    let _ = writeln!(
        w,
        "Moves {} of samples in {} unit{} ({} lines, about {} days). Projected end-to-end speedup \
         after this phase: **{}** (range {}), at most {}.\n",
        percent(p.moved_share),
        p.units.len(),
        plural(p.units.len()),
        p.lines,
        days(p.effort_days),
        times(p.projected_speedup.mid),
        span(p.projected_speedup.low, p.projected_speedup.high),
        times(p.upper_bound)
    );
    let _ = writeln!(
        w,
        "![Flamegraph with phase {n}'s frames highlighted]({})\n",
        phase_file(p.number),
        n = p.number
    );
    let _ = writeln!(
        w,
        "| Unit | Where | Functions | Lines | Movable | Category | Isolation | Effort (days) | Alone |"
    );
    let _ = writeln!(w, "|---|---|---:|---:|---:|---|---:|---:|---|");
    for u in plan.units.iter().filter(|u| u.phase == p.number) {
        let _ = writeln!(
            w,
            "| {} | {} | {} | {} | {} | {} | {:.2} | {} ({}–{}) | {} |",
            code(&u.id),
            code(&format!("{}:{}", u.file, u.line)),
            u.members.len(),
            u.lines,
            percent(u.movable_share),
            u.category.label(),
            u.isolation,
            days(u.effort_days),
            days(u.effort_range[0]),
            days(u.effort_range[1]),
            projection(&u.projected_speedup)
        );
    }
    let _ = writeln!(w);
    for u in plan.units.iter().filter(|u| u.phase == p.number) {
        unit_section(w, u);
    }
}

/// The unit's crossing cost, when it lowers the speedup used by more than 5%.
fn crossing(w: &mut String, u: &Unit) {
    let Some(x) = u.crossing else {
        return;
    };
    if u.effective_speedup.mid >= 0.95 * u.assumed_speedup.mid {
        return;
    }
    let _ = writeln!(
        w,
        "**Crossing.** A call runs about {:.0} ns of Python; its {} crossing(s) into Rust cost \
         about {:.0} ns, so its time shrinks at most {} however fast the Rust body. The \
         projection uses {} ({}–{}) instead of the category's {} (docs/scoring.md §4).\n",
        x.python_ns,
        x.crossings,
        x.crossing_ns,
        times(x.ceiling),
        times(u.effective_speedup.mid),
        times(u.effective_speedup.low),
        times(u.effective_speedup.high),
        times(u.assumed_speedup.mid)
    );
}

fn unit_section(w: &mut String, u: &Unit) {
    let _ = writeln!(w, "### {}\n", code(&u.id));
    let _ = writeln!(w, "**Why here.** {}.\n", escape_text(&u.why));
    if let Some(i) = u.movable_interval {
        let planned = u.planned_in.map_or(String::new(), |p| {
            format!("; planned as a unit in {} of resamples", percent(p))
        });
        let _ = writeln!(
            w,
            "**Evidence.** Movable share {} (interval {}–{}){planned}.\n",
            percent(u.movable_share),
            percent(i.low),
            percent(i.high)
        );
    }
    let dominated: Vec<String> = u
        .members
        .iter()
        .skip(1)
        .filter(|m| !u.copies.contains(m))
        .map(|m| code(m))
        .collect();
    if !dominated.is_empty() {
        let _ = writeln!(
            w,
            "**Moves with it** (only it reaches them): {}.\n",
            dominated.join(", ")
        );
    }
    if !u.copies.is_empty() {
        let copies: Vec<String> = u.copies.iter().map(|m| code(m)).collect();
        let _ = writeln!(
            w,
            "**Helpers it takes along** (too small to pay for a crossing per call; Rust gets its \
             own copy, Python keeps its version for other callers): {}.\n",
            copies.join(", ")
        );
    }
    crossing(w, u);
    if !u.library_functions.is_empty() {
        let names: Vec<String> = u.library_functions.iter().map(|m| code(m)).collect();
        let _ = writeln!(
            w,
            "**Library code it replaces** (its time moves only if the Rust side does this work \
             too; counted in the effort): {}.\n",
            names.join(", ")
        );
    }
    let _ = writeln!(
        w,
        "**Boundary.** Python entry points, as written in the source:\n"
    );
    for e in &u.entry_points {
        let _ = writeln!(
            w,
            "- {} at {}",
            code(&e.signature),
            code(&format!("{}:{}", e.file, e.line))
        );
    }
    if u.call_sites.is_empty() {
        let _ = writeln!(
            w,
            "\nNo codebase call site calls it (it is called from outside the codebase, e.g. a framework).\n"
        );
    } else {
        let _ = writeln!(w, "\nCall sites that change ({}):\n", u.call_sites.len());
        for s in u.call_sites.iter().take(12) {
            let place = match s.line {
                Some(l) => format!("{}:{l}", s.file),
                None => format!("{} (seen in the profile)", s.file),
            };
            let _ = writeln!(
                w,
                "- {} in {} calls {}{}",
                code(&place),
                code(&s.caller),
                code(&s.callee),
                if s.in_loop { " (inside a loop)" } else { "" }
            );
        }
        if u.call_sites.len() > 12 {
            let _ = writeln!(
                w,
                "- ... and {} more (plan.json lists all)",
                u.call_sites.len() - 12
            );
        }
        let _ = writeln!(w);
    }
    if !u.callbacks.is_empty() || !u.calls_into_units.is_empty() {
        let _ = writeln!(w, "**Calls out of the unit.**\n");
        for cb in &u.callbacks {
            let _ = writeln!(w, "- {} (stays in Python: a call back from Rust)", code(cb));
        }
        for c in &u.calls_into_units {
            let unit = if c.function == c.unit {
                format!("a unit of phase {}", c.phase)
            } else {
                format!("moves with {} in phase {}", code(&c.unit), c.phase)
            };
            let _ = writeln!(
                w,
                "- {} ({unit}: Rust to Rust once both have moved)",
                code(&c.function)
            );
        }
        let _ = writeln!(w);
    }
    if u.risks.is_empty() {
        let _ = writeln!(
            w,
            "**Risks.** None found: no dynamic features, global state, I/O or exceptions.\n"
        );
    } else {
        let _ = writeln!(w, "**Risks.**\n");
        for r in &u.risks {
            let place = match (&r.file, r.line) {
                (Some(f), Some(l)) => format!(" ({})", code(&format!("{f}:{l}"))),
                _ => String::new(),
            };
            let _ = writeln!(
                w,
                "- {}: {}{}",
                r.kind.replace('_', " "),
                escape_text(&r.detail),
                place
            );
        }
        let _ = writeln!(w);
    }
    let _ = writeln!(w, "**Verify.**\n");
    for v in &u.verify {
        let _ = writeln!(w, "- {}", escape_text(v));
    }
    let _ = writeln!(w);
}

/// The reason in two or three words.
fn reason_label(r: LeftOutReason) -> &'static str {
    match r {
        LeftOutReason::TimeInNative => "time in C",
        LeftOutReason::IoBound => "I/O-bound",
        LeftOutReason::TooEntangled => "too entangled",
        LeftOutReason::TooSmall => "too small",
        LeftOutReason::Covered => "covered",
        LeftOutReason::CrossingBound => "crossing eats the gain",
        LeftOutReason::PoorReturn => "poor return",
        LeftOutReason::ObjectSetup => "object setup",
    }
}

fn not_worth(w: &mut String, plan: &Plan) {
    let _ = writeln!(w, "## Not worth migrating\n");
    if plan.not_worth.is_empty() {
        let _ = writeln!(
            w,
            "No hot function (total share at least {}) was left out.\n",
            percent(plan.config.plan.not_worth_min_total_share)
        );
        return;
    }
    let _ = writeln!(
        w,
        "Hot functions (total share at least {}) that are not planned, and why.\n",
        percent(plan.config.plan.not_worth_min_total_share)
    );
    let _ = writeln!(w, "| Function | Where | Total | Movable | Reason |");
    let _ = writeln!(w, "|---|---|---:|---:|---|");
    for l in &plan.not_worth {
        let reason = reason_label(l.reason);
        let _ = writeln!(
            w,
            "| {} | {} | {} | {} | **{reason}**: {} |",
            code(&l.function),
            code(&format!("{}:{}", l.file, l.line)),
            percent(l.total_share),
            percent(l.movable_share),
            escape_text(&l.detail)
        );
    }
    let _ = writeln!(w);
}

fn ranked_table<'a>(w: &mut String, plan: &Plan, rows: impl Iterator<Item = &'a Row>) {
    let _ = writeln!(
        w,
        "| Rank | Function | Where | Self | Total | Self {} | Total {} | Phase |",
        plan.unit, plan.unit
    );
    let _ = writeln!(w, "|---:|---|---|---:|---:|---:|---:|---:|");
    for r in rows {
        let _ = writeln!(
            w,
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            r.rank,
            code(&r.function),
            code(&format!("{}:{}", r.file, r.line)),
            percent(r.self_share),
            percent(r.total_share),
            r.self_value,
            r.total_value,
            if r.phase == 0 {
                "–".to_string()
            } else {
                r.phase.to_string()
            }
        );
    }
    let _ = writeln!(w);
}

fn method(w: &mut String, plan: &Plan) {
    let c = &plan.config;
    let _ = writeln!(w, "## Method and assumptions\n");
    let _ = writeln!(
        w,
        "- **Mapping.** Every frame is mapped to the innermost function of the source tree whose \
         file matches by path suffix and whose line span contains the frame's line.\n\
         - **Where time goes.** Each sample belongs to its deepest codebase frame and is \
         classified by its leaf: Python (with the interpreter's own dispatch under it), the \
         garbage collector, allocation, the regex engine, the parser and compiler (`compile`, \
         `ast.parse`), other native code (C extensions, C accelerators such as `json`, `zlib`, \
         `hashlib`, builtin methods), or waiting (I/O, sleeps, locks, idle). Native frames are \
         classified by CPython subsystem; without them, by what the leaf line calls. Only \
         Python time can get faster in Rust; a unit whose time is in standard-library Python \
         counts the library functions it must replace in its effort.\n\
         - **Units.** A unit is a function plus the codebase functions it dominates in the call \
         graph (every call path to them passes through it), recursion clusters kept whole, \
         methods that subclasses override or that are dispatched by name left in Python, and \
         copies of the tiny helpers it calls taken along. Its movable share is the Python time \
         of samples owned by its members.\n\
         - **Crossing.** Each call into Rust costs about {} ns to cross (PyO3, measured); a unit \
         whose code or samples say a call runs only a few times that much Python gets a lower \
         speedup, and one whose crossing costs as much as its Rust body is not a unit of its \
         own (it goes with the function holding its loop, or is fixed in Python).\n\
         - **Evidence.** Shares carry {:.0}% binomial (Wilson) intervals; the plan is made again \
         on {} resamples of the samples to say how stable its choices are.\n\
         - **Projection.** Amdahl's law, 1 / ((1 − p) + Σ pᵢ / sᵢ), with sᵢ per category: \
         pure-Python {}, mixed {}, native-bound {}, I/O-bound {} (low–mid–high); \
         calibrated against the standard library's C accelerators (docs/scoring.md).\n\
         - **Effort.** Ideal engineer-days from lines, complexity and boundary problems \
         ({} base days per unit, {} lines per day); rough, within a factor of {}.\n\
         - **Phasing.** Units are taken by gain per effort without overlap; a unit must save at \
         least {} of the run, {:.2}% of it per engineer-day, and have isolation at least {:.2}. \
         Phase 1 holds up to {} quick \
         wins (at most {} days, isolation at least {:.2}), phase 2 units up to {} days, phase 3 \
         the rest.\n\
         - **Not modelled.** Call counts (a sampling profile has none: the crossing bound comes \
         from the code and the samples), garbage collection and allocation that a rewrite would avoid (counted as \
         staying), and time in C called from Python that py-spy shows on the calling line \
         (unless captured with `--native`).\n",
        c.crossing.per_call_ns,
        100.0 * c.evidence.confidence,
        c.evidence.resamples,
        three(&c.speedup.pure_python),
        three(&c.speedup.mixed),
        three(&c.speedup.native_bound),
        three(&c.speedup.io_bound),
        c.effort.base_days,
        c.effort.lines_per_day,
        c.effort.range_factor,
        percent(c.plan.min_marginal_gain),
        100.0 * c.plan.min_gain_per_day,
        c.plan.min_isolation,
        c.plan.quick_win_max_units,
        c.plan.quick_win_max_days,
        c.plan.quick_win_min_isolation,
        c.plan.phase2_max_days
    );
}

fn coverage(w: &mut String, plan: &Plan) {
    let c = &plan.coverage;
    let share = |v: u64| percent(crate::mapping::ratio(v, plan.total_value));
    let _ = writeln!(w, "## Mapping coverage\n");
    let _ = writeln!(w, "| Measure | Share | {} |", plan.unit);
    let _ = writeln!(w, "|---|---:|---:|");
    for (what, v) in [
        ("Samples with a codebase frame", c.in_codebase),
        ("Leaf in codebase code", c.leaf_in_codebase),
        ("Leaf in standard-library Python", c.leaf_stdlib),
        ("Leaf in third-party Python", c.leaf_third_party),
        ("Leaf in native code", c.leaf_native),
        ("Other frames (thread, process, idle)", c.leaf_other),
    ] {
        let _ = writeln!(w, "| {what} | {} | {v} |", share(v));
    }
    if c.empty_stacks > 0 {
        let read = plan.total_value.saturating_add(c.empty_stacks);
        let _ = writeln!(
            w,
            "| Empty stacks, left out of every share (of all samples read) | {} | {} |",
            percent(crate::mapping::ratio(c.empty_stacks, read)),
            c.empty_stacks
        );
    }
    let work = &plan.work;
    let _ = writeln!(
        w,
        "\n{} of {} distinct frames mapped to the source tree. By kind of work: Python {}, \
         library Python {}, waiting {}; in C: garbage collection {}, allocation {}, regex engine \
         {}, parser and compiler {}, other native code {}{}.\n",
        c.frames_mapped,
        c.frames_total,
        percent(work.python),
        percent(work.library),
        percent(work.wait),
        percent(work.gc),
        percent(work.alloc),
        percent(work.regex),
        percent(work.compile),
        percent(work.native),
        if plan.native_frames {
            ""
        } else {
            " (no native frames: garbage collection and allocation are not seen)"
        }
    );
}

/// The summary's first line for a profile that does not belong to the source (planned with
/// `--allow-unmapped`): nothing maps, so the plan cannot say what is worth rewriting.
fn unmapped_line(w: &mut String, plan: &Plan) {
    let roots: Vec<String> = plan.inputs.source_roots.iter().map(|r| code(r)).collect();
    let _ = writeln!(
        w,
        "- **Nothing in this profile maps to the source: only {} of samples have a frame under \
         {}.** The profile does not look like it was taken of this code (another program, or \
         file names that do not end like the files under `--source`), so this plan cannot say \
         what is worth rewriting. It was made with `--allow-unmapped`.",
        percent(plan.coverage.share()),
        roots.join(", ")
    );
}

fn inputs(w: &mut String, plan: &Plan) {
    let _ = writeln!(w, "## Inputs\n");
    if plan.inputs.files.is_empty() {
        for p in &plan.inputs.profiles {
            let _ = writeln!(w, "- Profile: {}", code(p));
        }
    }
    for f in &plan.inputs.files {
        let _ = writeln!(
            w,
            "- Profile: {} ({} {} as read)",
            code(&f.path),
            f.total,
            plan.unit
        );
    }
    let _ = writeln!(w, "- Format: {}", code(&plan.inputs.format));
    match plan.inputs.source_roots.as_slice() {
        [] | [_] => {
            let _ = writeln!(w, "- Source root: {}", code(&plan.inputs.source_root));
        }
        roots => {
            let roots: Vec<String> = roots.iter().map(|r| code(r)).collect();
            let _ = writeln!(w, "- Source roots: {}", roots.join(", "));
        }
    }
    let _ = writeln!(
        w,
        "- Samples: {} {} after filters{}",
        plan.total_value,
        plan.unit,
        if plan.inputs.files.len() > 1 {
            format!(", {} profiles merged", plan.inputs.files.len())
        } else {
            String::new()
        }
    );
    if let Some(d) = plan.inputs.duration_seconds {
        let _ = writeln!(w, "- Duration: {d:.1} s");
    }
    let _ = writeln!(
        w,
        "- Configuration: {}",
        plan.inputs
            .config
            .as_deref()
            .map_or("built-in defaults".to_string(), code)
    );
    let _ = writeln!(w, "- Command: {}", code(&plan.inputs.command_line));
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

pub(crate) fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// A name as an inline code span that cannot break a table: `|` is escaped, and a name with
/// backticks gets a longer fence.
pub fn code(s: &str) -> String {
    let escaped = s.replace('|', "\\|").replace(['\n', '\r'], " ");
    // The fence is one backtick longer than the longest run inside.
    let longest = escaped.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    if longest == 0 {
        format!("`{escaped}`")
    } else {
        let fence = "`".repeat(longest + 1);
        format!("{fence} {escaped} {fence}")
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
        assert_eq!(code("a``b"), "``` a``b ```");
        assert_eq!(escape_text("<script>*a*"), "&lt;script&gt;\\*a\\*");
    }

    #[test]
    fn number_formats() {
        assert_eq!(percent(0.12345), "12.3%");
        assert_eq!(percent(0.0001), "<0.1%");
        assert_eq!(times(1.4267), "1.43×");
        assert_eq!(times(f64::INFINITY), "∞");
        assert_eq!(times(10.0), "10×");
        assert_eq!(times(2.5), "2.50×");
    }
}
