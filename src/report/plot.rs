//! SVG charts for the report, drawn with plotters: lines, dashed lines, points, shaded bands and
//! error bars on linear or logarithmic axes. Axis ranges come from the data.

use crate::error::{Error, Result};
use plotters::coord::ranged1d::{AsRangedCoord, ValueFormatter};
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::Path;

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

    /// Every `(x, y)` the chart must show, after dropping what a log axis cannot.
    fn extent(&self) -> Option<((f64, f64), (f64, f64))> {
        let keep = |x: f64, y: f64| {
            x.is_finite() && y.is_finite() && (!self.log_x || x > 0.0) && (!self.log_y || y > 0.0)
        };
        let mut xs = (f64::INFINITY, f64::NEG_INFINITY);
        let mut ys = (f64::INFINITY, f64::NEG_INFINITY);
        let mut add = |x: f64, y: f64| {
            if keep(x, y) {
                xs = (xs.0.min(x), xs.1.max(x));
                ys = (ys.0.min(y), ys.1.max(y));
            }
        };
        for s in &self.series {
            match &s.kind {
                SeriesKind::Line(p) | SeriesKind::Dashed(p) | SeriesKind::Points(p) => {
                    p.iter().for_each(|&(x, y)| add(x, y))
                }
                SeriesKind::Band(p) => p.iter().for_each(|&(x, lo, hi)| {
                    add(x, lo);
                    add(x, hi)
                }),
                SeriesKind::ErrorBars(p) => p.iter().for_each(|&(x, y, e)| {
                    add(x, y - e);
                    add(x, y + e)
                }),
            }
        }
        if xs.0 > xs.1 {
            return None;
        }
        Some((pad(xs, self.log_x), pad(ys, self.log_y)))
    }

    /// Writes the chart as an SVG file.
    pub fn save_svg(&self, path: &Path) -> Result<()> {
        let ((x0, x1), (y0, y1)) = self.extent().ok_or_else(|| Error::InvalidArgument {
            what: "chart",
            reason: format!("`{}` has no finite point to draw", self.title),
        })?;
        let root = SVGBackend::new(path, (860, 540)).into_drawing_area();
        let r = match (self.log_x, self.log_y) {
            (false, false) => self.draw(&root, x0..x1, y0..y1),
            (true, false) => self.draw(&root, (x0..x1).log_scale(), y0..y1),
            (false, true) => self.draw(&root, x0..x1, (y0..y1).log_scale()),
            (true, true) => self.draw(&root, (x0..x1).log_scale(), (y0..y1).log_scale()),
        };
        r.map_err(|e| Error::Io(format!("drawing {}: {e}", path.display())))
    }

    fn draw<X, Y>(
        &self,
        root: &DrawingArea<SVGBackend<'_>, Shift>,
        xr: X,
        yr: Y,
    ) -> std::result::Result<(), Box<dyn std::error::Error + '_>>
    where
        X: AsRangedCoord<Value = f64>,
        Y: AsRangedCoord<Value = f64>,
        X::CoordDescType: ValueFormatter<f64>,
        Y::CoordDescType: ValueFormatter<f64>,
    {
        root.fill(&WHITE)?;
        let mut chart = ChartBuilder::on(root)
            .caption(&self.title, ("sans-serif", 20))
            .margin(14)
            .x_label_area_size(44)
            .y_label_area_size(72)
            .build_cartesian_2d(xr, yr)?;
        chart
            .configure_mesh()
            .x_desc(self.x_label.as_str())
            .y_desc(self.y_label.as_str())
            .light_line_style(RGBColor(238, 238, 238))
            .max_light_lines(3)
            .draw()?;
        let ok = |x: f64, y: f64| {
            x.is_finite() && y.is_finite() && (!self.log_x || x > 0.0) && (!self.log_y || y > 0.0)
        };
        for (i, s) in self.series.iter().enumerate() {
            let c = PALETTE[i % PALETTE.len()].to_rgba();
            let legend =
                move |(x, y): (i32, i32)| Rectangle::new([(x, y - 4), (x + 16, y + 4)], c.filled());
            match &s.kind {
                SeriesKind::Line(p) => {
                    let pts: Vec<_> = p.iter().cloned().filter(|&(x, y)| ok(x, y)).collect();
                    chart
                        .draw_series(LineSeries::new(pts, c.stroke_width(2)))?
                        .label(s.name.as_str())
                        .legend(legend);
                }
                SeriesKind::Dashed(p) => {
                    let pts: Vec<_> = p.iter().cloned().filter(|&(x, y)| ok(x, y)).collect();
                    chart
                        .draw_series(DashedLineSeries::new(pts, 8, 5, c.stroke_width(2)))?
                        .label(s.name.as_str())
                        .legend(legend);
                }
                SeriesKind::Points(p) => {
                    let pts = p.iter().cloned().filter(|&(x, y)| ok(x, y));
                    chart
                        .draw_series(pts.map(|pt| Circle::new(pt, 3, c.filled())))?
                        .label(s.name.as_str())
                        .legend(legend);
                }
                SeriesKind::Band(p) => {
                    let lo: Vec<_> = p
                        .iter()
                        .map(|&(x, l, _)| (x, l))
                        .filter(|&(x, y)| ok(x, y))
                        .collect();
                    let hi: Vec<_> = p
                        .iter()
                        .rev()
                        .map(|&(x, _, h)| (x, h))
                        .filter(|&(x, y)| ok(x, y))
                        .collect();
                    let poly: Vec<_> = lo.into_iter().chain(hi).collect();
                    chart
                        .draw_series(std::iter::once(Polygon::new(poly, c.mix(0.25).filled())))?
                        .label(s.name.as_str())
                        .legend(legend);
                }
                SeriesKind::ErrorBars(p) => {
                    let pts = p
                        .iter()
                        .cloned()
                        .filter(|&(x, y, e)| ok(x, y - e) && ok(x, y + e));
                    chart
                        .draw_series(pts.map(|(x, y, e)| {
                            ErrorBar::new_vertical(x, y - e, y, y + e, c.filled(), 6)
                        }))?
                        .label(s.name.as_str())
                        .legend(legend);
                }
            }
        }
        if !self.series.is_empty() {
            chart
                .configure_series_labels()
                .background_style(WHITE.mix(0.85))
                .border_style(BLACK)
                .position(SeriesLabelPosition::UpperRight)
                .draw()?;
        }
        root.present()?;
        Ok(())
    }
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

/// Pads a data range by 5% (multiplicatively on a log axis); widens a degenerate range.
fn pad((lo, hi): (f64, f64), log: bool) -> (f64, f64) {
    if log {
        let (l, h) = (lo.log10(), hi.log10());
        let w = ((h - l) * 0.05).max(0.05);
        (10f64.powf(l - w), 10f64.powf(h + w))
    } else {
        let w = ((hi - lo) * 0.05).max(1e-12 + lo.abs().max(hi.abs()) * 1e-3);
        (lo - w, hi + w)
    }
}
