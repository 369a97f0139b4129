//! The score-gap bound behind EmbedDistill: a teacher-student score gap is controlled by the
//! embedding mismatch.
//!
//! ```text
//! ⟨q_t,d_t⟩ − ⟨q_s,d_s⟩ = ⟨q_t − q_s, d_t⟩ + ⟨q_s, d_t − d_s⟩
//! |gap| ≤ ‖q_t − q_s‖‖d_t‖ + ‖q_s‖‖d_t − d_s‖ ≤ R (‖Δq‖ + ‖Δd‖)   (norms ≤ R)
//! ```
//!
//! For the asymmetric student (`d_s = d_t`) the gap is exactly `⟨q_t − q_s, d_t⟩`.

use crate::error::{check_finite, check_len, check_nonempty, Result};

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Euclidean distance `‖a − b‖`.
pub(crate) fn dist(a: &[f64], b: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y) * (x - y))
        .sum::<f64>()
        .sqrt()
}

fn check4(q_t: &[f64], d_t: &[f64], q_s: &[f64], d_s: &[f64]) -> Result<()> {
    check_nonempty("q_t", q_t)?;
    for (what, v) in [("d_t", d_t), ("q_s", q_s), ("d_s", d_s)] {
        check_len(what, q_t.len(), v.len())?;
    }
    for (what, v) in [("q_t", q_t), ("d_t", d_t), ("q_s", q_s), ("d_s", d_s)] {
        check_finite(what, v)?;
    }
    Ok(())
}

/// The gap `⟨q_t,d_t⟩ − ⟨q_s,d_s⟩` and the bound `‖q_t−q_s‖‖d_t‖ + ‖q_s‖‖d_t−d_s‖` on its absolute
/// value. All four embeddings have the same length `k`.
pub fn score_gap_and_bound(
    q_t: &[f64],
    d_t: &[f64],
    q_s: &[f64],
    d_s: &[f64],
) -> Result<(f64, f64)> {
    check4(q_t, d_t, q_s, d_s)?;
    let gap = dot(q_t, d_t) - dot(q_s, d_s);
    let norm = |v: &[f64]| dot(v, v).sqrt();
    let bound = dist(q_t, q_s) * norm(d_t) + norm(q_s) * dist(d_t, d_s);
    // Finite embeddings near f64::MAX overflow the dot products and norms.
    check_finite(
        "score gap and bound (overflow from finite embeddings)",
        &[gap, bound],
    )?;
    Ok((gap, bound))
}

/// The radius form `R (‖q_t − q_s‖ + ‖d_t − d_s‖)`, valid when every embedding norm is `≤ R`.
pub fn score_gap_radius_bound(
    radius: f64,
    q_t: &[f64],
    d_t: &[f64],
    q_s: &[f64],
    d_s: &[f64],
) -> Result<f64> {
    check4(q_t, d_t, q_s, d_s)?;
    check_finite("radius", &[radius])?;
    Ok(radius * (dist(q_t, q_s) + dist(d_t, d_s)))
}
