//! SVG charts for the report, drawn with plotters: lines, dashed lines, points, shaded bands,
//! error bars and bars over categories, on linear or logarithmic axes.
//!
//! Everything about how a figure looks is decided here, once: axis ranges come from the data;
//! ticks come from [`super::axis`] (decades on log axes, float-noise-free labels); the legend goes
//! in a corner no data reaches, else right of the plot ([`super::legend`]), and its swatches show
//! each series' line style. Log axes are drawn as linear axes over `log10` of the data.

use super::axis::{self, Ticks};
use super::legend::{self, LegendPlace};
use crate::error::{Error, Result};
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::path::Path;

/// Size of every figure, in pixels.
const SIZE: (u32, u32) = (860, 540);
/// Outer margin, caption height, x-label band, tick font size.
const MARGIN: i32 = 14;
const CAPTION_PX: i32 = 34;
const X_LABEL_AREA: i32 = 50;
const FONT_PX: f64 = 13.0;
/// Legend rows and swatch.
const LEGEND_ROW: i32 = 20;
const LEGEND_PAD: i32 = 8;
const SWATCH: i32 = 28;

/// What one series looks like.
#[derive(Clone, Debug)]
pub enum SeriesKind {
    /// Solid line through `(x, y)`.
    Line(Vec<(f64, f64)>),
    /// Dashed line through `(x, y)` (reference curves: bounds, predictions).
    Dashed(Vec<(f64, f64)>),
    /// Markers at `(x, y)`.
    Points(Vec<(f64, f64)>),
    /// Shaded band `(x, lo, hi)` (spread over draws).
    Band(Vec<(f64, f64, f64)>),
    /// Markers with vertical error bars `(x, y, half_width)`.
    ErrorBars(Vec<(f64, f64, f64)>),
    /// Bars over named categories `(category, value)`. A chart with bar series has a categorical x
    /// axis (the categories in order of first appearance); several bar series stand side by side.
    Bars(Vec<(String, f64)>),
}

/// A named series.
#[derive(Clone, Debug)]
pub struct Series {
    /// Legend entry.
    pub name: String,
    /// Data and style.
    pub kind: SeriesKind,
}

/// A 2-D chart, built with the chained methods and written by [`Chart::save_svg`].
#[derive(Clone, Debug, Default)]
pub struct Chart {
    /// Title above the plot.
    pub title: String,
    /// X axis label.
    pub x_label: String,
    /// Y axis label.
    pub y_label: String,
    /// Logarithmic x axis (non-positive x values are dropped).
    pub log_x: bool,
    /// Logarithmic y axis (non-positive y values are dropped).
    pub log_y: bool,
    /// The series, drawn in order.
    pub series: Vec<Series>,
}

impl Chart {
    /// An empty chart with a title.
    pub fn new(title: impl Into<String>) -> Self {
        Chart {
            title: title.into(),
            ..Default::default()
        }
    }
    /// Sets the axis labels.
    pub fn labels(mut self, x: impl Into<String>, y: impl Into<String>) -> Self {
        self.x_label = x.into();
        self.y_label = y.into();
        self
    }
    /// Logarithmic x axis.
    pub fn log_x(mut self) -> Self {
        self.log_x = true;
        self
    }
    /// Logarithmic y axis.
    pub fn log_y(mut self) -> Self {
        self.log_y = true;
        self
    }
    /// Adds a series.
    pub fn add(mut self, name: impl Into<String>, kind: SeriesKind) -> Self {
        self.series.push(Series {
            name: name.into(),
            kind,
        });
        self
    }
    /// Adds a solid line.
    pub fn line(self, name: impl Into<String>, pts: Vec<(f64, f64)>) -> Self {
        self.add(name, SeriesKind::Line(pts))
    }
    /// Adds a dashed line.
    pub fn dashed(self, name: impl Into<String>, pts: Vec<(f64, f64)>) -> Self {
        self.add(name, SeriesKind::Dashed(pts))
    }
    /// Adds markers.
    pub fn points(self, name: impl Into<String>, pts: Vec<(f64, f64)>) -> Self {
        self.add(name, SeriesKind::Points(pts))
    }
    /// Adds a shaded band `(x, lo, hi)`.
    pub fn band(self, name: impl Into<String>, pts: Vec<(f64, f64, f64)>) -> Self {
        self.add(name, SeriesKind::Band(pts))
    }
    /// Adds markers with error bars `(x, y, half_width)`.
    pub fn error_bars(self, name: impl Into<String>, pts: Vec<(f64, f64, f64)>) -> Self {
        self.add(name, SeriesKind::ErrorBars(pts))
    }
    /// Adds bars over categories `(category, value)`; the x axis becomes categorical.
    pub fn bars(self, name: impl Into<String>, bars: Vec<(String, f64)>) -> Self {
        self.add(name, SeriesKind::Bars(bars))
    }

    /// The categories of the bar series, in order of first appearance.
    fn categories(&self) -> Vec<String> {
        let mut cats: Vec<String> = Vec::new();
        for s in &self.series {
            if let SeriesKind::Bars(b) = &s.kind {
                for (c, _) in b {
                    if !cats.contains(c) {
                        cats.push(c.clone());
                    }
                }
            }
        }
        cats
    }

    /// Every series in axis space (`log10` on a log axis), without what an axis cannot show.
    fn mapped(&self, cats: &[String]) -> Vec<Mapped> {
        let ax = |x: f64| to_axis(x, self.log_x);
        let ay = |y: f64| to_axis(y, self.log_y);
        let xy = |p: &[(f64, f64)]| -> Vec<(f64, f64)> {
            p.iter()
                .filter_map(|&(x, y)| Some((ax(x)?, ay(y)?)))
                .collect()
        };
        let spans = |p: &[(f64, f64, f64)], mid: bool| -> Vec<(f64, f64, f64, f64)> {
            p.iter()
                .filter_map(|&(x, a, b)| {
                    let (lo, hi) = if mid { (a - b, a + b) } else { (a, b) };
                    Some((ax(x)?, ay(lo)?, ay(if mid { a } else { lo })?, ay(hi)?))
                })
                .collect()
        };
        let n_bars = self
            .series
            .iter()
            .filter(|s| matches!(s.kind, SeriesKind::Bars(_)))
            .count()
            .max(1);
        let mut bar_index = 0;
        self.series
            .iter()
            .map(|s| match &s.kind {
                SeriesKind::Line(p) => Mapped::Line(xy(p), false),
                SeriesKind::Dashed(p) => Mapped::Line(xy(p), true),
                SeriesKind::Points(p) => Mapped::Points(xy(p)),
                SeriesKind::Band(p) => Mapped::Band(spans(p, false)),
                SeriesKind::ErrorBars(p) => Mapped::ErrorBars(spans(p, true)),
                SeriesKind::Bars(b) => {
                    let width = 0.8 / n_bars as f64;
                    let j = bar_index as f64;
                    bar_index += 1;
                    Mapped::Bars(
                        b.iter()
                            .filter_map(|(c, v)| {
                                let i = cats.iter().position(|k| k == c)? as f64;
                                let left = i - 0.4 + j * width;
                                Some((left + 0.05 * width, left + 0.95 * width, ay(*v)?))
                            })
                            .collect(),
                    )
                }
            })
            .collect()
    }

    /// Writes the chart as an SVG file.
    pub fn save_svg(&self, path: &Path) -> Result<()> {
        let root = SVGBackend::new(path, SIZE).into_drawing_area();
        self.draw(&root)
            .map_err(|e| Error::file(path, format!("drawing the chart: {e}")))
    }

    fn draw(
        &self,
        root: &DrawingArea<SVGBackend<'_>, Shift>,
    ) -> std::result::Result<(), Box<dyn std::error::Error + '_>> {
        let cats = self.categories();
        let mapped = self.mapped(&cats);
        let (xr, yr) =
            extent(&mapped, !cats.is_empty(), self.log_x, self.log_y).ok_or_else(|| {
                Box::new(Error::InvalidArgument {
                    what: "chart",
                    reason: format!("`{}` has no finite point to draw", self.title),
                }) as Box<dyn std::error::Error>
            })?;
        let xr = if cats.is_empty() {
            xr
        } else {
            (-0.5, cats.len() as f64 - 0.5)
        };
        let integer = |pick: fn(&(f64, f64)) -> f64, log: bool, span: (f64, f64)| {
            !log && span.1 - span.0 >= 2.0
                && self.raw_points().iter().all(|p| pick(p).fract() == 0.0)
        };
        let (w, h) = (SIZE.0 as i32, SIZE.1 as i32);
        let plot_h = f64::from(h - 2 * MARGIN - CAPTION_PX - X_LABEL_AREA);
        let y_ticks = axis::fit(
            yr.0,
            yr.1,
            self.log_y,
            integer(|p| p.1, self.log_y, yr),
            plot_h,
            false,
        );
        let y_area = y_ticks
            .major
            .iter()
            .map(|(_, s)| axis::text_width(s, FONT_PX))
            .fold(0.0, f64::max) as i32
            + 44;

        // Legend: size, then the first empty corner of the plot, else a column on the right.
        let entries: Vec<(usize, &Series)> = self
            .series
            .iter()
            .enumerate()
            .filter(|(_, s)| !s.name.is_empty())
            .collect();
        let text_w = entries
            .iter()
            .map(|(_, s)| axis::text_width(&s.name, FONT_PX) * 0.9)
            .fold(0.0, f64::max) as i32;
        let legend_w = 2 * LEGEND_PAD + SWATCH + 8 + text_w;
        let legend_h = 2 * LEGEND_PAD + LEGEND_ROW * entries.len() as i32;
        let plot_w = f64::from(w - 2 * MARGIN - y_area);
        let place = if entries.is_empty() {
            LegendPlace::UpperRight
        } else {
            let samples = unit_samples(&mapped, xr, yr, self.log_y);
            legend::place(
                &samples,
                f64::from(legend_w + 2 * LEGEND_PAD) / plot_w,
                f64::from(legend_h + 2 * LEGEND_PAD) / plot_h,
            )
        };
        root.fill(&WHITE)?;
        // The title spans the whole figure, also when the legend takes a column on the right.
        let body = root
            .margin(MARGIN / 2, 0, 0, 0)
            .titled(&self.title, ("sans-serif", 20))?;
        let area = if place == LegendPlace::Outside {
            body.split_horizontally(w - legend_w - 2 * MARGIN).0
        } else {
            body
        };
        let area_w = area.get_pixel_range().0.len() as f64;
        let x_ticks = if cats.is_empty() {
            axis::fit(
                xr.0,
                xr.1,
                self.log_x,
                integer(|p| p.0, self.log_x, xr),
                area_w - f64::from(2 * MARGIN + y_area),
                true,
            )
        } else {
            Ticks {
                major: cats
                    .iter()
                    .enumerate()
                    .map(|(i, c)| (i as f64, c.clone()))
                    .collect(),
                minor: Vec::new(),
            }
        };

        let x_spec = TickAxis::new(xr, &x_ticks);
        let y_spec = TickAxis::new(yr, &y_ticks);
        let mut chart = ChartBuilder::on(&area)
            .margin(MARGIN)
            .x_label_area_size(X_LABEL_AREA)
            .y_label_area_size(y_area)
            .build_cartesian_2d(x_spec, y_spec)?;
        let x_label = |v: &f64| label_at(&x_ticks.major, *v);
        let y_label = |v: &f64| label_at(&y_ticks.major, *v);
        let mut mesh = chart.configure_mesh();
        mesh.x_desc(self.x_label.as_str())
            .y_desc(self.y_label.as_str())
            .x_label_formatter(&x_label)
            .y_label_formatter(&y_label)
            .label_style(("sans-serif", FONT_PX))
            .axis_desc_style(("sans-serif", 14))
            .bold_line_style(RGBColor(215, 215, 215))
            .light_line_style(RGBColor(240, 240, 240));
        if !cats.is_empty() {
            mesh.disable_x_mesh();
        }
        mesh.draw()?;

        let base = if self.log_y { yr.0 } else { 0.0 };
        for (i, m) in mapped.iter().enumerate() {
            let c = color(i);
            match m {
                Mapped::Line(p, false) => {
                    chart.draw_series(LineSeries::new(p.clone(), c.stroke_width(2)))?;
                }
                Mapped::Line(p, true) => {
                    chart.draw_series(DashedLineSeries::new(p.clone(), 8, 5, c.stroke_width(2)))?;
                }
                Mapped::Points(p) => {
                    chart.draw_series(p.iter().map(|&pt| Circle::new(pt, 3, c.filled())))?;
                }
                Mapped::Band(p) => {
                    let lo = p.iter().map(|&(x, l, _, _)| (x, l));
                    let hi = p.iter().rev().map(|&(x, _, _, h)| (x, h));
                    let poly: Vec<_> = lo.chain(hi).collect();
                    chart.draw_series(std::iter::once(Polygon::new(poly, c.mix(0.25).filled())))?;
                }
                Mapped::ErrorBars(p) => {
                    chart.draw_series(p.iter().map(|&(x, lo, mid, hi)| {
                        ErrorBar::new_vertical(x, lo, mid, hi, c.filled(), 6)
                    }))?;
                }
                Mapped::Bars(b) => {
                    chart.draw_series(b.iter().map(|&(l, r, v)| {
                        Rectangle::new([(l, base), (r, v)], c.mix(0.85).filled())
                    }))?;
                }
            }
        }

        if !entries.is_empty() {
            let (px, py) = chart.plotting_area().get_pixel_range();
            let inset = LEGEND_PAD;
            let (lx, ly) = match place {
                LegendPlace::UpperRight => (px.end - legend_w - inset, py.start + inset),
                LegendPlace::UpperLeft => (px.start + inset, py.start + inset),
                LegendPlace::LowerRight => (px.end - legend_w - inset, py.end - legend_h - inset),
                LegendPlace::LowerLeft => (px.start + inset, py.end - legend_h - inset),
                LegendPlace::CenterRight => (
                    px.end - legend_w - inset,
                    (py.start + py.end - legend_h) / 2,
                ),
                LegendPlace::CenterLeft => (px.start + inset, (py.start + py.end - legend_h) / 2),
                LegendPlace::Outside => (px.end + MARGIN, py.start),
            };
            draw_legend(root, (lx, ly), (legend_w, legend_h), &entries)?;
        }
        root.present()?;
        Ok(())
    }

    /// Every data point as given (before any axis transform), for the integer-tick test.
    fn raw_points(&self) -> Vec<(f64, f64)> {
        let mut out = Vec::new();
        for s in &self.series {
            match &s.kind {
                SeriesKind::Line(p) | SeriesKind::Dashed(p) | SeriesKind::Points(p) => {
                    out.extend(p.iter().copied())
                }
                SeriesKind::Band(p) | SeriesKind::ErrorBars(p) => {
                    out.extend(p.iter().flat_map(|&(x, a, b)| [(x, a), (x, b)]))
                }
                SeriesKind::Bars(b) => out.extend(b.iter().map(|(_, v)| (0.0, *v))),
            }
        }
        out
    }
}

/// A linear axis over `[lo, hi]` (axis space) whose grid lines are exactly the given ticks.
struct TickAxis {
    lo: f64,
    hi: f64,
    major: Vec<f64>,
    minor: Vec<f64>,
}

impl TickAxis {
    fn new((lo, hi): (f64, f64), ticks: &Ticks) -> Self {
        TickAxis {
            lo,
            hi,
            major: ticks.major.iter().map(|t| t.0).collect(),
            minor: ticks.minor.clone(),
        }
    }
}

impl Ranged for TickAxis {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, v: &f64, limit: (i32, i32)) -> i32 {
        let t = (v - self.lo) / (self.hi - self.lo);
        limit.0 + (f64::from(limit.1 - limit.0) * t).round() as i32
    }

    fn key_points<H: KeyPointHint>(&self, hint: H) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            self.minor.clone()
        } else {
            self.major.clone()
        }
    }

    fn range(&self) -> std::ops::Range<f64> {
        self.lo..self.hi
    }
}

/// A series in axis space, ready to draw.
enum Mapped {
    /// Polyline; `true` when dashed.
    Line(Vec<(f64, f64)>, bool),
    Points(Vec<(f64, f64)>),
    /// `(x, lo, mid, hi)`; `mid` unused.
    Band(Vec<(f64, f64, f64, f64)>),
    /// `(x, lo, y, hi)`.
    ErrorBars(Vec<(f64, f64, f64, f64)>),
    /// `(left, right, value)` in category units.
    Bars(Vec<(f64, f64, f64)>),
}

/// A value on an axis: itself, or `log10` of it on a log axis; `None` where the axis cannot show it.
fn to_axis(v: f64, log: bool) -> Option<f64> {
    match (v.is_finite(), log) {
        (true, false) => Some(v),
        (true, true) if v > 0.0 => Some(v.log10()),
        _ => None,
    }
}

/// The padded x and y ranges (axis space) of everything drawn; bars on a linear axis start at 0.
fn extent(
    mapped: &[Mapped],
    categorical: bool,
    log_x: bool,
    log_y: bool,
) -> Option<((f64, f64), (f64, f64))> {
    let mut xs = (f64::INFINITY, f64::NEG_INFINITY);
    let mut ys = (f64::INFINITY, f64::NEG_INFINITY);
    let mut add = |x: f64, y: f64| {
        xs = (xs.0.min(x), xs.1.max(x));
        ys = (ys.0.min(y), ys.1.max(y));
    };
    let mut bars = false;
    for m in mapped {
        match m {
            Mapped::Line(p, _) | Mapped::Points(p) => p.iter().for_each(|&(x, y)| add(x, y)),
            Mapped::Band(p) | Mapped::ErrorBars(p) => p.iter().for_each(|&(x, lo, _, hi)| {
                add(x, lo);
                add(x, hi)
            }),
            Mapped::Bars(b) => {
                bars = true;
                b.iter().for_each(|&(l, r, v)| {
                    add(l, v);
                    add(r, v)
                })
            }
        }
    }
    if xs.0 > xs.1 {
        return None;
    }
    if bars && !log_y {
        // Bars grow from zero, so zero is on the axis.
        ys = (ys.0.min(0.0), ys.1.max(0.0));
    }
    let x = if categorical { xs } else { pad(xs, log_x) };
    let y = if bars && !log_y && ys.0 >= 0.0 {
        (0.0, pad((0.0, ys.1), false).1)
    } else {
        pad(ys, log_y)
    };
    Some((x, y))
}

/// Pads a range by 5% of its span (in axis space, so multiplicatively on a log axis); widens a
/// degenerate range (to ±0.05 decades, or ±0.1% of the value).
fn pad((lo, hi): (f64, f64), log: bool) -> (f64, f64) {
    let floor = if log {
        0.05
    } else {
        1e-12 + 1e-3 * lo.abs().max(hi.abs())
    };
    let w = ((hi - lo) * 0.05).max(floor);
    (lo - w, hi + w)
}

/// Every drawn item as samples in plot units (`(0, 0)` bottom left, `(1, 1)` top right), dense
/// enough that a legend box cannot fall between them.
fn unit_samples(mapped: &[Mapped], xr: (f64, f64), yr: (f64, f64), log_y: bool) -> Vec<(f64, f64)> {
    const STEP: f64 = 0.01;
    let u = |x: f64| (x - xr.0) / (xr.1 - xr.0);
    let v = |y: f64| (y - yr.0) / (yr.1 - yr.0);
    let base = if log_y { yr.0 } else { 0.0 };
    let mut out = Vec::new();
    for m in mapped {
        match m {
            Mapped::Line(p, _) => {
                let unit: Vec<_> = p.iter().map(|&(x, y)| (u(x), v(y))).collect();
                out.extend(legend::densify(&unit, STEP));
            }
            Mapped::Points(p) => out.extend(p.iter().map(|&(x, y)| (u(x), v(y)))),
            Mapped::ErrorBars(p) => {
                for &(x, lo, _, hi) in p {
                    out.extend(legend::column(u(x), v(lo), v(hi), STEP));
                }
            }
            Mapped::Band(p) => {
                for pair in p.windows(2) {
                    let ((x0, l0, _, h0), (x1, l1, _, h1)) = (pair[0], pair[1]);
                    let n = ((u(x1) - u(x0)).abs() / STEP).ceil().clamp(1.0, 1e3) as usize;
                    for k in 0..=n {
                        let t = k as f64 / n as f64;
                        let lerp = |a: f64, b: f64| a + t * (b - a);
                        out.extend(legend::column(
                            u(lerp(x0, x1)),
                            v(lerp(l0, l1)),
                            v(lerp(h0, h1)),
                            STEP,
                        ));
                    }
                }
                if let [(x, lo, _, hi)] = p.as_slice() {
                    out.extend(legend::column(u(*x), v(*lo), v(*hi), STEP));
                }
            }
            Mapped::Bars(b) => {
                for &(l, r, val) in b {
                    let n = ((u(r) - u(l)) / STEP).ceil().max(1.0) as usize;
                    for k in 0..=n {
                        let x = l + (r - l) * k as f64 / n as f64;
                        out.extend(legend::column(u(x), v(base), v(val), STEP));
                    }
                }
            }
        }
    }
    out
}

/// The label of the tick at `v`, or `v` formatted for reading when no tick sits there.
fn label_at(ticks: &[axis::Tick], v: f64) -> String {
    ticks
        .iter()
        .find(|(p, _)| (p - v).abs() <= 1e-9 * (1.0 + v.abs()))
        .map_or_else(|| super::format::number(v), |(_, s)| s.clone())
}

/// Draws the legend box at `(x, y)` (pixels of `root`): one row per entry, with a swatch that shows
/// the series' style (solid or dashed line, marker, shaded band, error bar, bar).
fn draw_legend(
    root: &DrawingArea<SVGBackend<'_>, Shift>,
    (x, y): (i32, i32),
    (w, h): (i32, i32),
    entries: &[(usize, &Series)],
) -> std::result::Result<(), Box<dyn std::error::Error>> {
    root.draw(&Rectangle::new(
        [(x, y), (x + w, y + h)],
        WHITE.mix(0.92).filled(),
    ))?;
    root.draw(&Rectangle::new(
        [(x, y), (x + w, y + h)],
        RGBColor(120, 120, 120).stroke_width(1),
    ))?;
    let text = TextStyle::from(("sans-serif", FONT_PX).into_font())
        .pos(Pos::new(HPos::Left, VPos::Center));
    for (row, (i, s)) in entries.iter().enumerate() {
        let c = color(*i);
        let yc = y + LEGEND_PAD + LEGEND_ROW * row as i32 + LEGEND_ROW / 2;
        let (x0, x1) = (x + LEGEND_PAD, x + LEGEND_PAD + SWATCH);
        let xm = (x0 + x1) / 2;
        match &s.kind {
            SeriesKind::Line(_) => root.draw(&PathElement::new(
                vec![(x0, yc), (x1, yc)],
                c.stroke_width(2),
            ))?,
            SeriesKind::Dashed(_) => root.draw(&DashedPathElement::new(
                vec![(x0, yc), (x1, yc)],
                6,
                4,
                c.stroke_width(2),
            ))?,
            SeriesKind::Points(_) => root.draw(&Circle::new((xm, yc), 3, c.filled()))?,
            SeriesKind::Band(_) => root.draw(&Rectangle::new(
                [(x0, yc - 6), (x1, yc + 6)],
                c.mix(0.25).filled(),
            ))?,
            SeriesKind::ErrorBars(_) => {
                root.draw(&PathElement::new(
                    vec![(xm, yc - 7), (xm, yc + 7)],
                    c.stroke_width(1),
                ))?;
                root.draw(&PathElement::new(
                    vec![(xm - 3, yc - 7), (xm + 3, yc - 7)],
                    c.stroke_width(1),
                ))?;
                root.draw(&PathElement::new(
                    vec![(xm - 3, yc + 7), (xm + 3, yc + 7)],
                    c.stroke_width(1),
                ))?;
                root.draw(&Circle::new((xm, yc), 3, c.filled()))?
            }
            SeriesKind::Bars(_) => root.draw(&Rectangle::new(
                [(x0 + 6, yc - 6), (x1 - 6, yc + 6)],
                c.mix(0.85).filled(),
            ))?,
        }
        root.draw(&Text::new(s.name.clone(), (x1 + 8, yc), text.clone()))?;
    }
    Ok(())
}

/// The colour of series `i`.
fn color(i: usize) -> RGBAColor {
    PALETTE[i % PALETTE.len()].to_rgba()
}

/// Tableau-10 colours: distinguishable, and readable on white.
const PALETTE: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];
