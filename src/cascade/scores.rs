//! Confidence scores of a model's probability vectors, and the distribution check they rely on.

use crate::error::{check_finite, check_len, check_nonempty, Error, Result};

/// Row sums must be 1 within `1e-12 · C` (the spec's convention for probability vectors).
pub const SUM_TOLERANCE_PER_CLASS: f64 = 1e-12;

/// Checks that `probs` `[n, C]` row-major holds probability vectors: finite, non-negative,
/// summing to 1 within `1e-12 · C`. Returns `n`.
pub fn check_distributions(what: &'static str, probs: &[f64], classes: usize) -> Result<usize> {
    if classes == 0 {
        return Err(Error::InvalidArgument {
            what: "classes",
            reason: "need at least one class".into(),
        });
    }
    check_nonempty(what, probs)?;
    check_len(what, probs.len().div_ceil(classes) * classes, probs.len())?;
    check_finite(what, probs)?;
    for (r, row) in probs.chunks_exact(classes).enumerate() {
        let s: f64 = row.iter().sum();
        if row.iter().any(|&p| p < 0.0)
            || (s - 1.0).abs() > SUM_TOLERANCE_PER_CLASS * classes as f64
        {
            return Err(Error::InvalidArgument {
                what,
                reason: format!("row {r} is not a probability vector (sum {s})"),
            });
        }
    }
    Ok(probs.len() / classes)
}

/// A confidence signal computed from one model's probability vector.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Score {
    /// `max_y p_y` (maximum softmax probability).
    Confidence,
    /// `p_(1) - p_(2)`, the gap between the two largest probabilities.
    Margin,
    /// `-Σ p_y ln p_y` (an uncertainty: higher means less confident).
    Entropy,
}

/// `max_y p_y`.
pub fn confidence(p: &[f64]) -> f64 {
    p.iter().cloned().fold(f64::NEG_INFINITY, f64::max)
}

/// `p_(1) - p_(2)` (for a single class, `p_(1)`).
pub fn margin(p: &[f64]) -> f64 {
    let (mut a, mut b) = (f64::NEG_INFINITY, f64::NEG_INFINITY);
    for &x in p {
        if x > a {
            b = a;
            a = x;
        } else if x > b {
            b = x;
        }
    }
    if b.is_finite() {
        a - b
    } else {
        a
    }
}

/// Shannon entropy `-Σ p ln p` with `0 ln 0 = 0`.
pub fn entropy(p: &[f64]) -> f64 {
    -p.iter()
        .filter(|&&x| x > 0.0)
        .map(|&x| x * x.ln())
        .sum::<f64>()
}

/// Deferral scores (higher ⇒ defer first) of `probs` `[n, C]`: `-confidence`, `-margin` or
/// `+entropy`. Errors if a row is not a probability vector.
pub fn deferral_scores(probs: &[f64], classes: usize, score: Score) -> Result<Vec<f64>> {
    check_distributions("probs", probs, classes)?;
    Ok(probs
        .chunks_exact(classes)
        .map(|p| match score {
            Score::Confidence => -confidence(p),
            Score::Margin => -margin(p),
            Score::Entropy => entropy(p),
        })
        .collect())
}
