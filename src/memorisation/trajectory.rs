//! Memorisation trajectories across ordered model sizes `s_1 < … < s_L`.
//!
//! Library rule (the paper's exact rule is not public), with slack `δ` (default 0.1 ≈ 3 SE at
//! K = 300 runs): increasing if `t_L - t_1 > δ` and every step `> -δ`; decreasing symmetrically;
//! cap-shaped if the argmax is interior and exceeds both ends by more than `δ`; otherwise other.

use crate::error::{check_finite, Error, Result};
use crate::ops::argmax;
use serde::Serialize;

/// Default slack `δ`.
pub const DEFAULT_SLACK: f64 = 0.1;

/// The shape of one example's memorisation trajectory.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Shape {
    /// Rises with size.
    Increasing,
    /// Falls with size.
    Decreasing,
    /// Rises then falls (interior maximum).
    Cap,
    /// Flat or none of the above.
    Other,
}

impl Shape {
    /// All shapes, in display order.
    pub const ALL: [Shape; 4] = [
        Shape::Decreasing,
        Shape::Cap,
        Shape::Increasing,
        Shape::Other,
    ];
}

/// Classifies a trajectory `t` (length `L ≥ 2`) with slack `delta ≥ 0`.
pub fn classify_trajectory(t: &[f64], delta: f64) -> Result<Shape> {
    if t.len() < 2 {
        return Err(Error::InvalidArgument {
            what: "trajectory",
            reason: format!("need at least 2 sizes, got {}", t.len()),
        });
    }
    if delta.is_nan() || delta < 0.0 {
        return Err(Error::InvalidArgument {
            what: "delta",
            reason: format!("slack must be >= 0, got {delta}"),
        });
    }
    check_finite("trajectory", t)?;
    let (first, last) = (t[0], t[t.len() - 1]);
    let steps = || t.windows(2).map(|w| w[1] - w[0]);
    if last - first > delta && steps().all(|s| s > -delta) {
        return Ok(Shape::Increasing);
    }
    if first - last > delta && steps().all(|s| s < delta) {
        return Ok(Shape::Decreasing);
    }
    let arg = argmax(t);
    let max = t[arg];
    if arg > 0 && arg < t.len() - 1 && max - first > delta && max - last > delta {
        return Ok(Shape::Cap);
    }
    Ok(Shape::Other)
}

/// Counts per shape of the trajectories `values[s][i]` (sizes × examples), in [`Shape::ALL`] order,
/// along with each example's shape.
pub fn shape_counts(values: &[Vec<f64>], delta: f64) -> Result<(Vec<Shape>, [usize; 4])> {
    let n = values.first().map_or(0, Vec::len);
    let mut shapes = Vec::with_capacity(n);
    let mut counts = [0usize; 4];
    for i in 0..n {
        let t: Vec<f64> = values
            .iter()
            .map(|v| v.get(i).copied().unwrap_or(f64::NAN))
            .collect();
        let s = classify_trajectory(&t, delta)?;
        counts[Shape::ALL.iter().position(|&a| a == s).unwrap_or(3)] += 1;
        shapes.push(s);
    }
    Ok((shapes, counts))
}
