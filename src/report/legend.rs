//! Where a chart's legend goes: in a corner of the plot that no data reaches, else to the right of
//! the plot, so it never covers data.

/// Where the legend is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LegendPlace {
    /// Inside the plot, top right.
    UpperRight,
    /// Inside the plot, top left.
    UpperLeft,
    /// Inside the plot, bottom right.
    LowerRight,
    /// Inside the plot, bottom left.
    LowerLeft,
    /// Inside the plot, halfway up the right edge.
    CenterRight,
    /// Inside the plot, halfway up the left edge.
    CenterLeft,
    /// In a column to the right of the plot.
    Outside,
}

/// The corners in order of preference.
const CORNERS: [LegendPlace; 6] = [
    LegendPlace::UpperRight,
    LegendPlace::UpperLeft,
    LegendPlace::LowerRight,
    LegendPlace::LowerLeft,
    LegendPlace::CenterRight,
    LegendPlace::CenterLeft,
];

/// The first place (corners first, then halfway up the right and left edges) whose `w × h` box
/// holds none of `points`, else [`LegendPlace::Outside`].
///
/// `points` are in plot units: `(0, 0)` is the bottom-left of the plot area, `(1, 1)` the top
/// right; `w` and `h` are the legend's size (with its margin) as fractions of the plot's width and
/// height. Lines and filled areas must be passed as samples dense enough that a box cannot fall
/// between them (see [`densify`]).
pub fn place(points: &[(f64, f64)], w: f64, h: f64) -> LegendPlace {
    if w >= 0.6 || h >= 0.9 {
        return LegendPlace::Outside;
    }
    let inside = |corner: LegendPlace, (x, y): (f64, f64)| {
        use LegendPlace::*;
        let in_x = match corner {
            UpperRight | LowerRight | CenterRight => x >= 1.0 - w,
            _ => x <= w,
        };
        let in_y = match corner {
            UpperRight | UpperLeft => y >= 1.0 - h,
            CenterRight | CenterLeft => (y - 0.5).abs() <= h / 2.0,
            _ => y <= h,
        };
        in_x && in_y
    };
    CORNERS
        .into_iter()
        .find(|&c| !points.iter().any(|&p| inside(c, p)))
        .unwrap_or(LegendPlace::Outside)
}

/// Samples of the polyline through `points` (plot units), at most `step` apart, for [`place`].
pub fn densify(points: &[(f64, f64)], step: f64) -> Vec<(f64, f64)> {
    let mut out = Vec::with_capacity(points.len());
    for pair in points.windows(2) {
        let ((x0, y0), (x1, y1)) = (pair[0], pair[1]);
        let n = ((x1 - x0).hypot(y1 - y0) / step).ceil().clamp(1.0, 1e4) as usize;
        out.extend((0..n).map(|i| {
            let t = i as f64 / n as f64;
            (x0 + t * (x1 - x0), y0 + t * (y1 - y0))
        }));
    }
    out.extend(points.last().copied());
    out
}

/// Samples filling the vertical span `[y_lo, y_hi]` at `x` (plot units), at most `step` apart:
/// bands, bars and error bars occupy the whole span, not only its ends.
pub fn column(x: f64, y_lo: f64, y_hi: f64, step: f64) -> Vec<(f64, f64)> {
    densify(&[(x, y_lo), (x, y_hi)], step)
}
