//! The whole-profile flamegraph (SVG), drawn by the inferno crate from [`Plan::folded`].
//!
//! Colours are fixed per kind of frame so the picture reads at a glance and is byte-for-byte
//! reproducible: codebase frames in warm reds/oranges (hashed by name), external Python frames
//! in yellow, native frames in blue-grey, thread/process/other frames in green. inferno writes
//! the SVG with quick-xml, which escapes every name.

use inferno::flamegraph::color::{
    BackgroundColor, BasicPalette, Color, PaletteMap, parse_hex_color,
};
use inferno::flamegraph::{self, Options, Palette};

use crate::plan::{FrameClass, Plan};

/// Renders the flamegraph SVG into a byte vector.
///
/// # Errors
/// An I/O error from inferno (for example a folded line it cannot parse).
pub fn render(plan: &Plan) -> std::io::Result<Vec<u8>> {
    let mut palette = PaletteMap::default();
    for (label, class) in &plan.label_classes {
        palette.insert(label, color(label, *class));
    }
    // inferno's root frame ("all") has an empty function name.
    palette.insert("", rgb(200, 200, 205));

    let mut options = Options::default();
    options.title = format!("{}: where the time goes", plan.title);
    options.subtitle = Some(
        "red/orange: your codebase - yellow: stdlib and third-party Python - blue: native - green: threads, processes - grey: other"
            .to_string(),
    );
    options.count_name = plan.unit.to_string();
    options.colors = Palette::Basic(BasicPalette::Hot);
    options.bgcolors = Some(BackgroundColor::Grey);
    options.deterministic = true;
    options.palette_map = Some(&mut palette);
    options.min_width = 0.1;

    let lines: Vec<String> = plan
        .folded
        .iter()
        .map(|(stack, value)| format!("{stack} {value}"))
        .collect();
    let mut out = Vec::new();
    flamegraph::from_lines(&mut options, lines.iter().map(String::as_str), &mut out)?;
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

fn rgb(r: u8, g: u8, b: u8) -> Color {
    let hex = format!("#{r:02x}{g:02x}{b:02x}");
    parse_hex_color(&hex).expect("a #rrggbb string is a valid colour")
}
