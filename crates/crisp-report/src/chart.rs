//! The plot kinds of the reports, drawn with plotters' SVG backend into strings.
//!
//! Each function takes plain numbers and labels (no crisp types), so a new report reuses them
//! and a test can draw one on its own. Text is left to the browser: without plotters' `ttf`
//! feature the SVG holds `<text>` elements, and layout uses plotters' size estimate.

use std::error::Error as StdError;
use std::ops::Range;

use crisp_core::{Error, Result};
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Width and height of a plot in SVG pixels (the page scales it to its column).
pub type Size = (u32, u32);

/// The default plot size.
pub const SIZE: Size = (560, 380);

/// Series colours: Tableau 10, readable on white and for the common colour blindnesses.
pub const PALETTE: [RGBColor; 10] = [
    RGBColor(0x4e, 0x79, 0xa7),
    RGBColor(0xf2, 0x8e, 0x2b),
    RGBColor(0xe1, 0x57, 0x59),
    RGBColor(0x76, 0xb7, 0xb2),
    RGBColor(0x59, 0xa1, 0x4f),
    RGBColor(0xed, 0xc9, 0x48),
    RGBColor(0xb0, 0x7a, 0xa1),
    RGBColor(0xff, 0x9d, 0xa7),
    RGBColor(0x9c, 0x75, 0x5f),
    RGBColor(0xba, 0xb0, 0xac),
];

/// Pass and fail colours of bars measured against a threshold.
const PASS: RGBColor = RGBColor(0x59, 0xa1, 0x4f);
const FAIL: RGBColor = RGBColor(0xe1, 0x57, 0x59);
const GREY: RGBColor = RGBColor(0x88, 0x88, 0x88);
const FONT: &str = "sans-serif";

/// The colour of series `i`.
pub fn color(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

type DrawResult = std::result::Result<(), Box<dyn StdError>>;

/// Draws on a fresh SVG canvas of `size` and returns the SVG text.
fn svg(
    size: Size,
    draw: impl FnOnce(&DrawingArea<SVGBackend<'_>, Shift>) -> DrawResult,
) -> Result<String> {
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, size).into_drawing_area();
        root.fill(&WHITE).map_err(plot_error)?;
        draw(&root).map_err(|e| plot_error(&*e))?;
        root.present().map_err(plot_error)?;
    }
    Ok(out)
}

fn plot_error(e: impl std::fmt::Display) -> Error {
    Error::data(format!("cannot draw a plot: {e}"))
}

/// A range around `lo..hi` with a margin, never empty.
pub fn padded(lo: f64, hi: f64) -> Range<f64> {
    if !(lo.is_finite() && hi.is_finite()) {
        return 0.0..1.0;
    }
    if hi <= lo {
        let pad = if lo == 0.0 { 1.0 } else { lo.abs() * 0.1 };
        return lo - pad..hi + pad;
    }
    let pad = (hi - lo) * 0.05;
    lo - pad..hi + pad
}

/// The smallest and largest finite values of `values` (`0..1` when there is none).
pub fn extent(values: impl IntoIterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = values
        .into_iter()
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    if lo > hi {
        (0.0, 1.0)
    } else {
        (lo, hi)
    }
}

/// The discrete axis of `n` categories: plotters' segmented coordinates give one segment
/// per value of the inclusive range, so `n` segments need `0..n − 1` (one is the least a
/// range can map).
fn segments(n: usize) -> Range<i32> {
    0..(n.max(2) as i32 - 1)
}

/// Whether every value is a whole number (run numbers, tree depths): its axis then labels
/// whole numbers only.
fn whole(values: impl IntoIterator<Item = f64>) -> bool {
    values.into_iter().all(|v| v.fract() == 0.0)
}

/// An axis tick: `short`, or nothing between whole numbers on a whole-number axis.
fn tick(v: f64, whole_only: bool) -> String {
    if whole_only && v.fract() != 0.0 {
        String::new()
    } else {
        short(v)
    }
}

/// Axis labels turned upright, reading upwards, each ending just under its tick at `at`
/// (backend pixels). plotters centres rotated tick labels on the tick, which puts half of
/// each inside the plot, so these are drawn on the whole canvas instead.
fn upright_labels(
    root: &DrawingArea<SVGBackend<'_>, Shift>,
    labels: impl Iterator<Item = ((i32, i32), String)>,
) -> DrawResult {
    let style = TextStyle::from((FONT, 14).into_font().transform(FontTransform::Rotate270))
        .pos(Pos::new(HPos::Right, VPos::Center));
    for ((x, y), text) in labels {
        root.draw(&Text::new(text, (x, y + 8), style.clone()))?;
    }
    Ok(())
}

/// How many bin labels to skip so that `labels` fit along `width` pixels, and whether to
/// turn them upright: upright labels need about 18 px each, flat ones 8 px per character.
fn label_layout(labels: &[String], width: u32, max_chars: usize) -> (usize, bool) {
    let n = labels.len().max(1);
    let widest = labels
        .iter()
        .map(|l| l.chars().count().min(max_chars))
        .max()
        .unwrap_or(1);
    let slot = width as usize / n;
    if widest * 8 + 10 <= slot {
        (1, false)
    } else {
        ((n * 18).div_ceil(width as usize).max(1), true)
    }
}

/// How many value labels fit on a vertical axis of `pixels`: one per 30 px, 3 to 10.
fn y_ticks(pixels: u32) -> usize {
    (pixels / 30).clamp(3, 10) as usize
}

/// A number short enough for an axis tick or a bar label.
pub fn short(v: f64) -> String {
    let a = v.abs();
    if v == 0.0 {
        "0".into()
    } else if !(1e-3..1e6).contains(&a) {
        format!("{v:.2e}")
    } else if a >= 100.0 {
        format!("{v:.0}")
    } else if a >= 1.0 {
        trim_zeros(format!("{v:.2}"))
    } else {
        trim_zeros(format!("{v:.3}"))
    }
}

fn trim_zeros(text: String) -> String {
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// A text cut to `max` characters, with an ellipsis when cut.
pub fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let mut s: String = text.chars().take(max.saturating_sub(1)).collect();
        s.push('…');
        s
    }
}

/// One line of a [`line_chart`].
#[derive(Debug, Clone)]
pub struct Line {
    /// Legend text.
    pub name: String,
    /// Points in drawing order.
    pub points: Vec<(f64, f64)>,
    /// Whether each point also gets a marker (for few points, such as runs).
    pub markers: bool,
}

/// Axes of a plot.
#[derive(Debug, Clone)]
pub struct Axes {
    /// The x axis' label.
    pub x: String,
    /// The y axis' label.
    pub y: String,
    /// The x range (`None`: from the data).
    pub x_range: Option<Range<f64>>,
    /// The y range (`None`: from the data).
    pub y_range: Option<Range<f64>>,
}

impl Axes {
    /// Axes labelled `x` and `y`, ranges from the data.
    pub fn new(x: &str, y: &str) -> Self {
        Axes {
            x: x.into(),
            y: y.into(),
            x_range: None,
            y_range: None,
        }
    }

    /// Both axes from 0 to 1 (rates, probabilities).
    pub fn unit(x: &str, y: &str) -> Self {
        Axes {
            x_range: Some(0.0..1.0),
            y_range: Some(0.0..1.0),
            ..Axes::new(x, y)
        }
    }
}

type XyChart<'a, 'b> =
    ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// The legend of the series drawn so far, in a box at `position`.
fn legend<'a, 'b: 'a, X: Ranged, Y: Ranged>(
    chart: &mut ChartContext<'a, SVGBackend<'b>, Cartesian2d<X, Y>>,
    position: SeriesLabelPosition,
) -> DrawResult {
    chart
        .configure_series_labels()
        .position(position)
        .background_style(WHITE.mix(0.85))
        .border_style(RGBColor(0xcc, 0xcc, 0xcc))
        .label_font((FONT, 15))
        .draw()?;
    Ok(())
}

/// Numeric axes over `ranges` with their grid, labels and titles drawn: what lines and
/// scatter plots are drawn on. `whole_x` labels only whole numbers on the x axis.
fn xy_chart<'a, 'b>(
    root: &'a DrawingArea<SVGBackend<'b>, Shift>,
    ranges: (Range<f64>, Range<f64>),
    axes: &Axes,
    whole_x: bool,
    size: Size,
) -> std::result::Result<XyChart<'a, 'b>, Box<dyn StdError>> {
    let mut chart = ChartBuilder::on(root)
        .margin(12)
        .margin_right(34)
        .x_label_area_size(40)
        .y_label_area_size(64)
        .build_cartesian_2d(ranges.0, ranges.1)?;
    chart
        .configure_mesh()
        .x_desc(axes.x.as_str())
        .y_desc(axes.y.as_str())
        .x_label_formatter(&|v| tick(*v, whole_x))
        .y_labels(y_ticks(size.1.saturating_sub(64)))
        .y_label_formatter(&|v| short(*v))
        .label_style((FONT, 16))
        .light_line_style(RGBColor(0xee, 0xee, 0xee))
        .draw()?;
    Ok(chart)
}

/// Lines on shared axes, with a legend; `diagonal` draws the dashed `y = x` of a chance ROC
/// curve or a perfect calibration.
pub fn line_chart(lines: &[Line], axes: &Axes, diagonal: bool, size: Size) -> Result<String> {
    let all = || lines.iter().flat_map(|l| l.points.iter());
    let x_range = axes.x_range.clone().unwrap_or_else(|| {
        let (lo, hi) = extent(all().map(|p| p.0));
        padded(lo, hi)
    });
    let y_range = axes.y_range.clone().unwrap_or_else(|| {
        let (lo, hi) = extent(all().map(|p| p.1));
        padded(lo, hi)
    });
    let whole_x = whole(all().map(|p| p.0));
    svg(size, |root| {
        let mut chart = xy_chart(
            root,
            (x_range.clone(), y_range.clone()),
            axes,
            whole_x,
            size,
        )?;
        if diagonal {
            let lo = x_range.start.max(y_range.start);
            let hi = x_range.end.min(y_range.end);
            chart.draw_series(DashedLineSeries::new(
                [(lo, lo), (hi, hi)],
                6,
                4,
                GREY.stroke_width(1),
            ))?;
        }
        for (i, line) in lines.iter().enumerate() {
            let c = color(i);
            chart
                .draw_series(LineSeries::new(
                    line.points.iter().copied(),
                    c.stroke_width(2),
                ))?
                .label(clip(&line.name, 40))
                .legend(move |(x, y)| PathElement::new([(x, y), (x + 18, y)], c.stroke_width(2)));
            if line.markers {
                chart.draw_series(line.points.iter().map(|&p| Circle::new(p, 3, c.filled())))?;
            }
        }
        if lines.iter().any(|l| !l.name.is_empty()) {
            legend(&mut chart, SeriesLabelPosition::LowerRight)?;
        }
        Ok(())
    })
}

/// A horizontal line across a plot, such as a gate's threshold.
#[derive(Debug, Clone)]
pub struct Rule {
    /// Where it crosses the value axis.
    pub value: f64,
    /// Its label.
    pub label: String,
}

/// Horizontal bars, one per label, in the given order (the first at the top). With a `rule`
/// the bars on its wrong side (`higher_is_better` says which) are red and the others green;
/// without one they are all blue.
pub fn bar_chart(
    labels: &[String],
    values: &[f64],
    value_axis: &str,
    rule: Option<(&Rule, bool)>,
    size: Size,
) -> Result<String> {
    let n = labels.len().max(1);
    let (lo, hi) = extent(
        values
            .iter()
            .copied()
            .chain([0.0])
            .chain(rule.map(|(r, _)| r.value)),
    );
    let x_range = lo.min(0.0)..hi + (hi - lo.min(0.0)).max(1e-12) * 0.18;
    let height = size.1.max(60 + 22 * n as u32);
    let widest = labels.iter().map(|l| l.chars().count()).max().unwrap_or(4);
    let label_area = (widest.min(28) as u32 * 8 + 16).max(40);
    svg((size.0, height), |root| {
        let mut chart = ChartBuilder::on(root)
            .margin(12)
            .margin_right(34)
            .x_label_area_size(40)
            .y_label_area_size(label_area)
            .build_cartesian_2d(x_range.clone(), segments(n).into_segmented())?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .x_desc(value_axis)
            .x_label_formatter(&|v| short(*v))
            .y_labels(n)
            .y_label_formatter(&|v| match v {
                SegmentValue::CenterOf(i) => labels
                    .get((n as i32 - 1 - *i) as usize)
                    .map(|l| clip(l, 28))
                    .unwrap_or_default(),
                _ => String::new(),
            })
            .label_style((FONT, 15))
            .light_line_style(RGBColor(0xee, 0xee, 0xee))
            .draw()?;
        chart.draw_series(values.iter().enumerate().map(|(i, &v)| {
            let row = n as i32 - 1 - i as i32;
            let fill = match rule {
                Some((r, higher_is_better)) => {
                    let ok = if higher_is_better {
                        v >= r.value
                    } else {
                        v <= r.value
                    };
                    if ok {
                        PASS
                    } else {
                        FAIL
                    }
                }
                None => PALETTE[0],
            };
            let mut bar = Rectangle::new(
                [
                    (0.0, SegmentValue::Exact(row)),
                    (v, SegmentValue::Exact(row + 1)),
                ],
                fill.filled(),
            );
            bar.set_margin(3, 3, 0, 0);
            bar
        }))?;
        chart.draw_series(values.iter().enumerate().map(|(i, &v)| {
            let row = n as i32 - 1 - i as i32;
            Text::new(
                format!("  {}", short(v)),
                (v.max(0.0), SegmentValue::CenterOf(row)),
                (FONT, 14)
                    .into_font()
                    .color(&BLACK)
                    .pos(Pos::new(HPos::Left, VPos::Center)),
            )
        }))?;
        if let Some((r, _)) = rule {
            let c = BLACK;
            chart
                .draw_series(DashedLineSeries::new(
                    [
                        (r.value, SegmentValue::Exact(0)),
                        (r.value, SegmentValue::Exact(n as i32)),
                    ],
                    5,
                    3,
                    c.stroke_width(2),
                ))?
                .label(r.label.clone())
                .legend(move |(x, y)| PathElement::new([(x, y), (x + 18, y)], c.stroke_width(2)));
            legend(&mut chart, SeriesLabelPosition::UpperRight)?;
        }
        Ok(())
    })
}

/// A matrix of numbers as coloured cells, with each value written in its cell: a confusion
/// matrix (`diverging = false`: white to blue by value) or a correlation matrix
/// (`diverging = true`: red below 0, blue above, on −1..1). `None` cells are grey.
pub fn heatmap(
    rows: &[String],
    columns: &[String],
    values: &[Vec<Option<f64>>],
    text: impl Fn(f64) -> String,
    diverging: bool,
    axes: (&str, &str),
    size: Size,
) -> Result<String> {
    let (nr, nc) = (rows.len().max(1), columns.len().max(1));
    let max = values
        .iter()
        .flatten()
        .flatten()
        .fold(0.0_f64, |m, v| m.max(v.abs()));
    let cell = |v: f64| -> RGBColor {
        let t = if diverging {
            v.clamp(-1.0, 1.0)
        } else if max > 0.0 {
            v / max
        } else {
            0.0
        };
        let (base, t) = if t < 0.0 {
            (PALETTE[2], -t)
        } else {
            (PALETTE[0], t)
        };
        let mix = |b: u8| (255.0 - (255.0 - b as f64) * t).round() as u8;
        RGBColor(mix(base.0), mix(base.1), mix(base.2))
    };
    let widest = rows.iter().map(|l| l.chars().count()).max().unwrap_or(4);
    let label_area = (widest.min(20) as u32 * 8 + 44).max(60);
    let widest_column = columns
        .iter()
        .map(|c| c.chars().count().min(20))
        .max()
        .unwrap_or(1);
    let rotate = label_layout(columns, size.0 - label_area - 40, 20).1;
    let height =
        size.1.max(22 * nr as u32 + 90) + if rotate { 8 * widest_column as u32 } else { 0 };
    let show_text = nr * nc <= 400;
    svg((size.0, height), |root| {
        let mut chart = ChartBuilder::on(root)
            .margin(12)
            .margin_right(34)
            .x_label_area_size(if rotate {
                40 + 8 * widest_column as u32
            } else {
                48
            })
            .y_label_area_size(label_area)
            .build_cartesian_2d(segments(nc).into_segmented(), segments(nr).into_segmented())?;
        let name = |labels: &[String], i: i32, flip: bool, n: usize| -> String {
            let k = if flip { n as i32 - 1 - i } else { i };
            labels
                .get(k as usize)
                .map(|l| clip(l, 20))
                .unwrap_or_default()
        };
        chart
            .configure_mesh()
            .disable_mesh()
            .x_desc(axes.0)
            .y_desc(axes.1)
            .axis_desc_style((FONT, 15))
            .x_labels(nc)
            .y_labels(nr)
            .label_style((FONT, 15))
            .x_label_formatter(&|v| match v {
                SegmentValue::CenterOf(i) if !rotate => name(columns, *i, false, nc),
                _ => String::new(),
            })
            .y_label_formatter(&|v| match v {
                SegmentValue::CenterOf(i) => name(rows, *i, true, nr),
                _ => String::new(),
            })
            .draw()?;
        if rotate {
            let labels = (0..nc).map(|c| {
                let at = chart
                    .backend_coord(&(SegmentValue::CenterOf(c as i32), SegmentValue::Exact(0)));
                (at, name(columns, c as i32, false, nc))
            });
            upright_labels(root, labels)?;
        }
        let cells = values
            .iter()
            .enumerate()
            .flat_map(|(r, row)| row.iter().enumerate().map(move |(c, v)| (r, c, *v)));
        chart.draw_series(cells.clone().map(|(r, c, v)| {
            let y = nr as i32 - 1 - r as i32;
            let fill = v.map_or(RGBColor(0xdd, 0xdd, 0xdd), cell);
            Rectangle::new(
                [
                    (SegmentValue::Exact(c as i32), SegmentValue::Exact(y)),
                    (
                        SegmentValue::Exact(c as i32 + 1),
                        SegmentValue::Exact(y + 1),
                    ),
                ],
                fill.filled(),
            )
        }))?;
        if show_text {
            chart.draw_series(cells.filter_map(|(r, c, v)| {
                let v = v?;
                let y = nr as i32 - 1 - r as i32;
                let strong = if diverging {
                    v.abs() > 0.6
                } else {
                    max > 0.0 && v / max > 0.6
                };
                let ink = if strong { WHITE } else { BLACK };
                Some(Text::new(
                    text(v),
                    (SegmentValue::CenterOf(c as i32), SegmentValue::CenterOf(y)),
                    (FONT, 15)
                        .into_font()
                        .color(&ink)
                        .pos(Pos::new(HPos::Center, VPos::Center)),
                ))
            }))?;
        }
        Ok(())
    })
}

/// One distribution of a [`bars_by_bin`] plot: a share per bin.
#[derive(Debug, Clone)]
pub struct Shares {
    /// Legend text.
    pub name: String,
    /// One share per bin (fractions of the series' rows).
    pub values: Vec<f64>,
}

/// Distributions over the same bins as overlaid translucent bars: a histogram, the training
/// against the new data of a column, or predicted probabilities per true class. `bins` names
/// the bins (only some are written when there are many).
pub fn bars_by_bin(
    bins: &[String],
    series: &[Shares],
    axes: (&str, &str),
    size: Size,
) -> Result<String> {
    let n = bins.len().max(1);
    let (_, hi) = extent(
        series
            .iter()
            .flat_map(|s| s.values.iter().copied())
            .chain([0.0]),
    );
    let y_top = if hi > 0.0 { hi * 1.08 } else { 1.0 };
    let (every, rotate) = label_layout(bins, size.0 - 100, 18);
    let widest_bin = bins
        .iter()
        .map(|b| b.chars().count().min(18))
        .max()
        .unwrap_or(1);
    svg(size, |root| {
        let mut chart = ChartBuilder::on(root)
            .margin(12)
            .margin_right(34)
            .x_label_area_size(if rotate {
                44 + 8 * widest_bin as u32
            } else {
                40
            })
            .y_label_area_size(56)
            .build_cartesian_2d(segments(n).into_segmented(), 0.0..y_top)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_desc(axes.0)
            .y_desc(axes.1)
            .axis_desc_style((FONT, 15))
            .x_labels(n)
            .x_label_style((FONT, 15))
            .x_label_formatter(&|v| match v {
                SegmentValue::CenterOf(i) if !rotate && (*i as usize) % every == 0 => bins
                    .get(*i as usize)
                    .map(|b| clip(b, 14))
                    .unwrap_or_default(),
                _ => String::new(),
            })
            .y_labels(y_ticks(size.1.saturating_sub(
                24 + if rotate {
                    44 + 8 * widest_bin as u32
                } else {
                    40
                },
            )))
            .y_label_formatter(&|v| short(*v))
            .y_label_style((FONT, 15))
            .light_line_style(RGBColor(0xee, 0xee, 0xee))
            .draw()?;
        if rotate {
            let labels = bins.iter().enumerate().step_by(every).map(|(i, b)| {
                let at = chart.backend_coord(&(SegmentValue::CenterOf(i as i32), 0.0));
                (at, clip(b, 18))
            });
            upright_labels(root, labels)?;
        }
        let alpha = if series.len() > 1 { 0.55 } else { 0.9 };
        for (k, s) in series.iter().enumerate() {
            let c = color(k);
            chart
                .draw_series(s.values.iter().enumerate().map(|(i, &v)| {
                    let mut bar = Rectangle::new(
                        [
                            (SegmentValue::Exact(i as i32), 0.0),
                            (SegmentValue::Exact(i as i32 + 1), v),
                        ],
                        c.mix(alpha).filled(),
                    );
                    bar.set_margin(0, 0, 1, 1);
                    bar
                }))?
                .label(clip(&s.name, 40))
                .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], c.filled()));
        }
        if series.len() > 1 || series.iter().any(|s| !s.name.is_empty()) {
            legend(&mut chart, SeriesLabelPosition::UpperRight)?;
        }
        Ok(())
    })
}

/// Points, with an optional dashed `y = x` (predicted against actual) or `y = 0` (residuals).
pub fn scatter(
    points: &[(f64, f64)],
    axes: &Axes,
    reference: Reference,
    size: Size,
) -> Result<String> {
    let (x_lo, x_hi) = extent(points.iter().map(|p| p.0));
    let (y_lo, y_hi) = extent(points.iter().map(|p| p.1));
    let (x_range, y_range) = match reference {
        Reference::Diagonal => {
            let r = padded(x_lo.min(y_lo), x_hi.max(y_hi));
            (r.clone(), r)
        }
        _ => (padded(x_lo, x_hi), padded(y_lo.min(0.0), y_hi.max(0.0))),
    };
    let x_range = axes.x_range.clone().unwrap_or(x_range);
    let y_range = axes.y_range.clone().unwrap_or(y_range);
    let whole_x = whole(points.iter().map(|p| p.0));
    let radius = if points.len() > 500 { 2 } else { 3 };
    let alpha = if points.len() > 500 { 0.35 } else { 0.8 };
    svg(size, |root| {
        let mut chart = xy_chart(
            root,
            (x_range.clone(), y_range.clone()),
            axes,
            whole_x,
            size,
        )?;
        let ends = match reference {
            Reference::Diagonal => {
                let lo = x_range.start.max(y_range.start);
                let hi = x_range.end.min(y_range.end);
                Some([(lo, lo), (hi, hi)])
            }
            Reference::Zero => Some([(x_range.start, 0.0), (x_range.end, 0.0)]),
            Reference::None => None,
        };
        if let Some(ends) = ends {
            chart.draw_series(DashedLineSeries::new(ends, 6, 4, GREY.stroke_width(1)))?;
        }
        chart.draw_series(
            points
                .iter()
                .map(|&p| Circle::new(p, radius, PALETTE[0].mix(alpha).filled())),
        )?;
        Ok(())
    })
}

/// The reference line of a [`scatter`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reference {
    /// None.
    None,
    /// `y = x`.
    Diagonal,
    /// `y = 0`.
    Zero,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(svg: &str, tag: &str) -> usize {
        svg.matches(&format!("<{tag}")).count()
    }

    #[test]
    fn a_line_chart_draws_each_line_and_its_legend() {
        let lines = vec![
            Line {
                name: "model".into(),
                points: vec![(0.0, 0.0), (0.2, 0.7), (1.0, 1.0)],
                markers: false,
            },
            Line {
                name: "baseline <b>".into(),
                points: vec![(0.0, 0.0), (1.0, 1.0)],
                markers: true,
            },
        ];
        let svg = line_chart(&lines, &Axes::unit("FPR", "TPR"), true, SIZE).unwrap();
        assert!(svg.starts_with("<svg"), "{}", &svg[..40]);
        assert!(svg.contains("\nmodel\n") && svg.contains("\nbaseline &lt;b&gt;\n"));
        // Two data lines, the diagonal, the legend's two keys; markers for the second line.
        assert!(count(&svg, "polyline") >= 4, "{svg}");
        assert_eq!(count(&svg, "circle"), 2);
    }

    #[test]
    fn bars_against_a_rule_are_coloured_by_their_side() {
        let labels = vec!["Male".to_string(), "Female".to_string()];
        let rule = Rule {
            value: 0.85,
            label: "accuracy >= 0.85".into(),
        };
        let svg = bar_chart(&labels, &[0.9, 0.8], "accuracy", Some((&rule, true)), SIZE).unwrap();
        assert!(svg.contains("#59A14F") && svg.contains("#E15759"), "{svg}");
        assert!(svg.contains("accuracy &gt;= 0.85"));
        let lower_better =
            bar_chart(&labels, &[0.9, 0.8], "psi", Some((&rule, false)), SIZE).unwrap();
        assert!(lower_better.contains("#59A14F") && lower_better.contains("#E15759"));
    }

    #[test]
    fn a_heatmap_writes_every_value_in_its_cell() {
        let names = vec!["a".to_string(), "b".to_string()];
        let values = vec![vec![Some(5.0), Some(1.0)], vec![None, Some(7.0)]];
        let svg = heatmap(
            &names,
            &names,
            &values,
            |v| format!("{v:.0}"),
            false,
            ("predicted", "true"),
            SIZE,
        )
        .unwrap();
        for v in ["5", "1", "7"] {
            assert!(svg.contains(&format!("\n{v}\n")), "{v} missing");
        }
        assert!(svg.contains("#DDDDDD"), "the missing cell is grey");
    }

    #[test]
    fn numbers_are_short_and_ranges_never_empty() {
        assert_eq!(short(1234.5), "1234");
        assert_eq!(short(0.12345), "0.123");
        assert_eq!(
            (short(0.1), short(1.0), short(0.25)),
            ("0.1".into(), "1".into(), "0.25".into())
        );
        assert_eq!(short(2.5e7), "2.50e7");
        assert_eq!(padded(3.0, 3.0), 2.7..3.3);
        assert_eq!(extent([f64::NAN]), (0.0, 1.0));
    }
}
