//! Confidence scores of a model's probability vectors (rows checked by [`crate::ops::check_distributions`]).

use crate::error::Result;

use crate::ops::check_distributions;

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
