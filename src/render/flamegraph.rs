//! Flamegraphs (SVG), drawn by the inferno crate from the plan's folded stacks: the whole
//! profile, one per phase with that phase's units highlighted, and the projected "after"
//! picture with migrated time shrunk by each unit's assumed speedup.
//!
//! Colours are fixed per kind of frame so the pictures read at a glance and are byte-for-byte
//! reproducible: codebase frames in warm reds/oranges (hashed by name), external Python frames
//! in yellow, native frames in blue-grey, thread/process/other frames in green and grey. In a
//! phase's picture its units' frames are bright red and everything else is muted. inferno
//! writes the SVG with quick-xml, which escapes every name.

use std::collections::BTreeSet;

use inferno::flamegraph::color::{BackgroundColor, BasicPalette, Color, PaletteMap};
use inferno::flamegraph::{self, Options, Palette};

use crate::plan::{AFTER_SCALE, FrameClass, Plan};

/// The whole-profile flamegraph.
///
/// # Errors
/// An I/O error from inferno (for example a folded line it cannot parse).
pub fn render(plan: &Plan) -> std::io::Result<Vec<u8>> {
    draw(
        plan,
        &plan.folded,
        format!("{}: where the time goes", plan.title),
        "red/orange: your codebase - yellow: stdlib and third-party Python - blue: native - green: threads, processes - grey: other".to_string(),
        &|label, class| color(label, class),
        1.0,
    )
}

/// The flamegraph of phase `number` with its units' frames highlighted.
///
/// # Errors
/// As [`render`].
pub fn render_phase(plan: &Plan, number: usize) -> std::io::Result<Vec<u8>> {
    let targets: BTreeSet<&str> = plan
        .units
        .iter()
        .filter(|u| u.phase == number)
        .flat_map(|u| u.labels.iter().map(String::as_str))
        .collect();
    let title = plan
        .phases
        .iter()
        .find(|p| p.number == number)
        .map_or("", |p| p.title);
    draw(
        plan,
        &plan.folded,
        format!("{}: phase {number} ({title})", plan.title),
        "bright red: the frames this phase moves to Rust - everything else muted".to_string(),
        &|label, class| {
            if targets.contains(label) {
                let h = stable_hash(label);
                rgb(230 + (h % 25) as u8, 30 + ((h >> 8) % 40) as u8, 30)
            } else {
                muted(label, class)
            }
        },
        1.0,
    )
}

/// The projected flamegraph after every phase: migrated time divided by each unit's mid
/// speedup (the picture's width is the projected run time).
///
/// # Errors
/// As [`render`].
pub fn render_after(plan: &Plan) -> std::io::Result<Vec<u8>> {
    let targets: BTreeSet<&str> = plan
        .units
        .iter()
        .flat_map(|u| u.labels.iter().map(String::as_str))
        .collect();
    let after: f64 = plan
        .folded_after
        .iter()
        .map(|(_, v)| *v as f64)
        .sum::<f64>()
        / AFTER_SCALE as f64;
    let before = plan.total_value.max(1) as f64;
    draw(
        plan,
        &plan.folded_after,
        format!(
            "{}: projected after all phases ({:.0}% of today's samples)",
            plan.title,
            100.0 * after / before
        ),
        "migrated frames (bright red) shrunk by each unit's assumed mid speedup; the rest (muted) unchanged; hover for projected samples".to_string(),
        &|label, class| {
            if targets.contains(label) {
                rgb(230, 40, 40)
            } else {
                muted(label, class)
            }
        },
        1.0 / AFTER_SCALE as f64,
    )
}

fn draw(
    plan: &Plan,
    folded: &[(String, u64)],
    title: String,
    subtitle: String,
    paint: &dyn Fn(&str, FrameClass) -> Color,
    factor: f64,
) -> std::io::Result<Vec<u8>> {
    let mut palette = PaletteMap::default();
    for (label, class) in &plan.label_classes {
        palette.insert(label, paint(label, *class));
    }
    // inferno's root frame ("all") has an empty function name.
    palette.insert("", rgb(200, 200, 205));

    let mut options = Options::default();
    options.title = title;
    options.subtitle = Some(subtitle);
    options.count_name = plan.unit.to_string();
    options.colors = Palette::Basic(BasicPalette::Hot);
    options.bgcolors = Some(BackgroundColor::Grey);
    options.deterministic = true;
    options.palette_map = Some(&mut palette);
    options.min_width = 0.1;
    options.factor = factor;

    let lines: Vec<String> = folded
        .iter()
        .map(|(stack, value)| format!("{stack} {value}"))
        .collect();
    let mut out = Vec::new();
    if lines.is_empty() {
        // inferno refuses empty input; an empty profile still gets a (blank) picture.
        flamegraph::from_lines(
            &mut options,
            std::iter::once(&*format!("{} 1", crate::plan::NO_PYTHON_FRAME)),
            &mut out,
        )?;
    } else {
        flamegraph::from_lines(&mut options, lines.iter().map(String::as_str), &mut out)?;
    }
    Ok(out)
}

/// A stable small hash of a name (FNV-1a), so colours do not change between runs or builds.
fn stable_hash(s: &str) -> u32 {
    s.bytes().fold(0x811c_9dc5u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    })
}

fn color(label: &str, class: FrameClass) -> Color {
    let h = stable_hash(label);
    // Three small offsets from the hash vary the shade within the class's hue.
    let (a, b, c) = (
        (h % 30) as u8,
        ((h >> 8) % 40) as u8,
        ((h >> 16) % 40) as u8,
    );
    match class {
        FrameClass::Codebase => rgb(225 + a, 70 + 2 * b, 30 + c),
        FrameClass::ExternalPython => rgb(215 + a, 195 + b, 80 + c),
        FrameClass::Native => rgb(120 + a, 150 + b, 200 + c),
        FrameClass::Thread => rgb(120 + a, 190 + b, 120 + c / 2),
        FrameClass::Other => rgb(180 + a / 2, 180 + a / 2, 185 + a / 2),
    }
}

/// A pale version of [`color`], for frames a phase does not move.
fn muted(label: &str, class: FrameClass) -> Color {
    let h = stable_hash(label);
    let a = (h % 20) as u8;
    match class {
        FrameClass::Codebase => rgb(235 + a / 2, 215 + a, 205 + a),
        FrameClass::ExternalPython => rgb(235 + a / 2, 230 + a / 2, 200 + a),
        FrameClass::Native => rgb(210 + a, 220 + a, 235 + a / 2),
        _ => rgb(220 + a, 220 + a, 222 + a),
    }
}

fn rgb(r: u8, g: u8, b: u8) -> Color {
    Color { r, g, b }
}
