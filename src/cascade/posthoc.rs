//! Post-hoc deferral: a ridge regression `ĝ(φ(p1))` of the deferral gain, fitted on held-out data.
//!
//! Features `φ(p1) = [1, p_(1), p_(2), p_(3), H(p1), p_(1)², e_{argmax p1}]` (the sorted top-3
//! probabilities, the entropy, a square for non-monotone gains, and a class indicator so a
//! specialist downstream model is visible). Targets: Diff-01 `1{y = h2} - 1{y = h1}` or
//! Diff-Prob `p2_y - p1_y`. Defer iff `ĝ > τ`.

use super::scores::entropy;
use crate::error::{check_finite, check_ids, check_len, Result};
use crate::linalg::{linear_predict, ridge_fit};
use crate::ops::argmax;
use crate::ops::check_distributions;

/// Diff-01 targets from 0/1 correctness vectors.
pub fn diff01_targets(c1: &[f64], c2: &[f64]) -> Result<Vec<f64>> {
    check_len("c2", c1.len(), c2.len())?;
    check_finite("c1", c1)?;
    check_finite("c2", c2)?;
    Ok(c2.iter().zip(c1).map(|(a, b)| a - b).collect())
}

/// Diff-Prob targets `p2_y - p1_y` from both models' probabilities `[n, C]` and labels `[n]`.
pub fn diffprob_targets(
    p1: &[f64],
    p2: &[f64],
    labels: &[usize],
    classes: usize,
) -> Result<Vec<f64>> {
    let n = check_distributions("p1", p1, classes)?;
    check_len("p2", p1.len(), p2.len())?;
    check_distributions("p2", p2, classes)?;
    check_len("labels", n, labels.len())?;
    check_ids("labels", labels, classes)?;
    Ok(labels
        .iter()
        .enumerate()
        .map(|(i, &y)| p2[i * classes + y] - p1[i * classes + y])
        .collect())
}

/// The feature map `φ(p1)` of one probability vector (length `6 + C`).
pub fn features(p: &[f64]) -> Vec<f64> {
    let mut sorted = p.to_vec();
    sorted.sort_by(|a, b| b.total_cmp(a));
    let top = |k: usize| sorted.get(k).copied().unwrap_or(0.0);
    let arg = argmax(p);
    let mut f = vec![1.0, top(0), top(1), top(2), entropy(p), top(0) * top(0)];
    f.extend((0..p.len()).map(|c| (c == arg) as u8 as f64));
    f
}

/// A fitted post-hoc deferral rule.
#[derive(Clone, Debug, PartialEq)]
pub struct PostHocDeferral {
    weights: Vec<f64>,
    classes: usize,
}

impl PostHocDeferral {
    /// Fits `ĝ` by ridge regression (`λ > 0` keeps the intercept/indicator collinearity harmless)
    /// on held-out model-1 probabilities `p1` `[n, C]` and targets `[n]`.
    pub fn fit(p1: &[f64], classes: usize, targets: &[f64], lambda: f64) -> Result<Self> {
        let n = check_distributions("p1", p1, classes)?;
        check_len("targets", n, targets.len())?;
        let x: Vec<f64> = p1.chunks_exact(classes).flat_map(features).collect();
        let weights = ridge_fit(&x, targets, n, lambda)?;
        Ok(PostHocDeferral { weights, classes })
    }

    /// The predicted gains `ĝ(φ(p1))` (higher ⇒ defer first).
    pub fn predict(&self, p1: &[f64]) -> Result<Vec<f64>> {
        let n = check_distributions("p1", p1, self.classes)?;
        let x: Vec<f64> = p1.chunks_exact(self.classes).flat_map(features).collect();
        linear_predict(&x, &self.weights, n, 1)
    }
}
