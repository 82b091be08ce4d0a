//! The impact-vs-ease chart (SVG, drawn with plotters' SVG backend): every candidate as a point,
//! x = ease of isolation in [0, 1], y = movable share of samples, coloured by phase (units'
//! roots; members move with them), with the
//! four quadrants named: quick wins (easy, big), major projects (hard, big), fill-ins (easy,
//! small), not worth it (hard, small). The impact axis is logarithmic. plotters escapes the
//! text it writes. The legend stands in for a caption: plan.md titles the picture.

use plotters::prelude::*;

use crate::plan::Plan;

/// The movable share that separates big from small, in [0, 1]: the plan's own threshold,
/// the share that saves `[plan] min_marginal_gain` of the run at the pure-Python mid speedup.
fn impact_line(plan: &Plan) -> f64 {
    let s = plan.config.speedup.pure_python.mid;
    (plan.config.plan.min_marginal_gain / (1.0 - 1.0 / s)).clamp(Y_MIN * 2.0, 0.5)
}

/// The bottom of the (logarithmic) impact axis: smaller shares are drawn on it.
const Y_MIN: f64 = 0.002;

/// The chart's size in pixels.
const SIZE: (u32, u32) = (900, 560);

/// Colour of a phase's points (0: not planned).
fn phase_color(phase: usize) -> RGBColor {
    match phase {
        1 => RGBColor(214, 39, 40),
        2 => RGBColor(255, 127, 14),
        3 => RGBColor(148, 103, 189),
        _ => RGBColor(150, 150, 150),
    }
}

/// The last two components of a dotted id (`cluster.edit_distance`).
fn short(id: &str) -> String {
    let parts: Vec<&str> = id.rsplitn(3, '.').collect();
    match parts.as_slice() {
        [last, second, ..] => format!("{second}.{last}"),
        _ => id.to_string(),
    }
}

/// Renders the chart of the plan's candidates ([`Plan::candidates`]).
///
/// # Errors
/// A message if plotters fails to draw (it does not for finite data).
pub fn render(plan: &Plan) -> Result<String, String> {
    let ease_line = plan.config.plan.quick_win_min_isolation;
    let impact = impact_line(plan);
    let points: Vec<(f64, f64, usize, String)> = plan
        .candidates
        .iter()
        .map(|c| (c.isolation, c.movable_share, c.phase, c.function.clone()))
        .collect();
    // A log scale: shares from 0.2% to 40% all need to be told apart.
    let y_max = points.iter().map(|p| p.1).fold(impact * 2.0, f64::max) * 1.6;
    let y_min = Y_MIN;
    let points: Vec<(f64, f64, usize, String)> = points
        .into_iter()
        .map(|(x, y, phase, id)| (x, y.max(y_min), phase, id))
        .collect();
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        let err = |e: DrawingAreaErrorKind<_>| e.to_string();
        root.fill(&WHITE).map_err(err)?;
        let mut chart = ChartBuilder::on(&root)
            .margin(18)
            .margin_top(46)
            .x_label_area_size(50)
            .y_label_area_size(70)
            .build_cartesian_2d(0f64..1f64, (y_min..y_max).log_scale())
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_desc("ease of isolation (1 = trivially cut out)")
            .y_desc("movable share of samples")
            .y_label_formatter(&|y| {
                if *y < 0.01 {
                    format!("{:.1}%", y * 100.0)
                } else {
                    format!("{:.0}%", y * 100.0)
                }
            })
            .axis_desc_style(("sans-serif", 16))
            .label_style(("sans-serif", 14))
            .light_line_style(TRANSPARENT)
            .bold_line_style(RGBColor(236, 236, 236))
            .draw()
            .map_err(err)?;
        // Quadrant lines and names.
        let line = ShapeStyle::from(&RGBColor(120, 120, 120)).stroke_width(1);
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(ease_line, y_min), (ease_line, y_max)],
                line,
            )))
            .map_err(err)?;
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(0.0, impact), (1.0, impact)],
                line,
            )))
            .map_err(err)?;
        let quadrant = ("sans-serif", 15)
            .into_font()
            .color(&RGBColor(110, 110, 110));
        for (x, y, name) in [
            (ease_line + 0.01, y_max * 0.9, "quick wins"),
            (0.01, y_max * 0.9, "major projects"),
            (ease_line + 0.01, impact * 0.85, "fill-ins"),
            (0.01, impact * 0.85, "not worth it"),
        ] {
            chart
                .draw_series(std::iter::once(Text::new(name, (x, y), quadrant.clone())))
                .map_err(err)?;
        }
        // Points, unplanned first so planned ones are drawn on top; labels for the first 12.
        let mut order: Vec<usize> = (0..points.len()).collect();
        order.sort_by_key(|&i| (points[i].2 != 0, i));
        for i in order {
            let (x, y, phase, _) = &points[i];
            let color = phase_color(*phase);
            chart
                .draw_series(std::iter::once(Circle::new(
                    (*x, *y),
                    if *phase > 0 { 6 } else { 4 },
                    color.filled(),
                )))
                .map_err(err)?;
        }
        // Labels: the planned units, then the best-ranked others, 10 in all; alternately
        // above and below their point so neighbours overlap less.
        let label = ("sans-serif", 13).into_font().color(&RGBColor(40, 40, 40));
        let mut labelled: Vec<&(f64, f64, usize, String)> =
            points.iter().filter(|p| p.2 > 0).collect();
        labelled.extend(points.iter().filter(|p| p.2 == 0));
        for (k, (x, y, _, id)) in labelled.into_iter().take(10).enumerate() {
            // Above or below on the log axis: a fixed ratio.
            let ratio = if k % 2 == 0 { 1.12 } else { 0.89 };
            chart
                .draw_series(std::iter::once(Text::new(
                    short(id),
                    (x - 0.012, y * ratio),
                    label.clone().pos(plotters::style::text_anchor::Pos::new(
                        plotters::style::text_anchor::HPos::Right,
                        plotters::style::text_anchor::VPos::Center,
                    )),
                )))
                .map_err(err)?;
        }
        // Legend, in the caption band (pixel coordinates of the whole picture).
        for (k, (name, phase)) in [
            ("phase 1", 1),
            ("phase 2", 2),
            ("phase 3", 3),
            ("not planned", 0),
        ]
        .into_iter()
        .enumerate()
        {
            let x = 90 + 110 * k as i32;
            root.draw(&Circle::new((x, 22), 6, phase_color(phase).filled()))
                .map_err(err)?;
            root.draw(&Text::new(
                name,
                (x + 10, 14),
                ("sans-serif", 15).into_font(),
            ))
            .map_err(err)?;
        }
        root.present().map_err(err)?;
    }
    Ok(svg)
}
