//! Deferral curves (accuracy against deferral rate) and their area.
//!
//! On `n` examples with correctness (or expected accuracy) vectors `c1`, `c2` and a defer score
//! (higher ⇒ defer first), sort descending (stable: ties by lower index) and
//! `acc(j/n) = mean(c1) + (1/n) Σ_{first j} (c2 - c1)`, `j = 0..n`. AUDC is the trapezoid area
//! over rates `[0, 1]`.

use crate::error::{check_finite, check_len, check_nonempty, Result};

/// A deferral curve sampled at rates `j/n`, `j = 0..=n` (`n ≥ 1`). Built only by the functions
/// below, so the two vectors always have the same length `n + 1 ≥ 2` and finite entries.
#[derive(Clone, Debug, PartialEq)]
pub struct DeferralCurve {
    /// Deferral rates `j/n`.
    rates: Vec<f64>,
    /// Cascade accuracy at each rate.
    accuracy: Vec<f64>,
}

impl DeferralCurve {
    /// Deferral rates `j/n`, `j = 0..=n`.
    pub fn rates(&self) -> &[f64] {
        &self.rates
    }

    /// Cascade accuracy at each rate.
    pub fn accuracy(&self) -> &[f64] {
        &self.accuracy
    }

    /// Area under the curve (trapezoid rule over `[0, 1]`).
    pub fn area(&self) -> f64 {
        self.rates
            .windows(2)
            .zip(self.accuracy.windows(2))
            .map(|(r, a)| (r[1] - r[0]) * (a[0] + a[1]) / 2.0)
            .sum()
    }

    /// Accuracy at `rate ∈ [0, 1]` by linear interpolation (clamped to `[0, 1]`; NaN gives NaN).
    pub fn at(&self, rate: f64) -> f64 {
        let n = self.rates.len() - 1;
        if rate.is_nan() {
            return f64::NAN;
        }
        let t = rate.clamp(0.0, 1.0) * n as f64;
        let j = (t.floor() as usize).min(n.saturating_sub(1));
        let w = t - j as f64;
        if n == 0 {
            return self.accuracy[0];
        }
        self.accuracy[j] * (1.0 - w) + self.accuracy[j + 1] * w
    }

    /// `(rate, accuracy)` pairs, thinned to at most `points` for plotting.
    pub fn points(&self, points: usize) -> Vec<(f64, f64)> {
        let step = (self.rates.len() / points.max(1)).max(1);
        let mut v: Vec<(f64, f64)> = self
            .rates
            .iter()
            .zip(&self.accuracy)
            .step_by(step)
            .map(|(&r, &a)| (r, a))
            .collect();
        if let (Some(&r), Some(&a)) = (self.rates.last(), self.accuracy.last()) {
            if v.last().is_none_or(|p| p.0 < r) {
                v.push((r, a));
            }
        }
        v
    }
}

/// The deferral curve of `score` (higher ⇒ deferred earlier) on correctness vectors `c1`, `c2`.
pub fn deferral_curve(c1: &[f64], c2: &[f64], score: &[f64]) -> Result<DeferralCurve> {
    check_nonempty("c1", c1)?;
    check_len("c2", c1.len(), c2.len())?;
    check_len("score", c1.len(), score.len())?;
    check_finite("c1", c1)?;
    check_finite("c2", c2)?;
    check_finite("score", score)?;
    let n = c1.len();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| score[b].total_cmp(&score[a]).then(a.cmp(&b)));
    let mut acc = Vec::with_capacity(n + 1);
    let mut sum: f64 = c1.iter().sum();
    acc.push(sum / n as f64);
    for &i in &order {
        sum += c2[i] - c1[i];
        acc.push(sum / n as f64);
    }
    Ok(DeferralCurve {
        rates: (0..=n).map(|j| j as f64 / n as f64).collect(),
        accuracy: acc,
    })
}

/// The oracle curve: deferral by the realised gain `c2 - c1`; pointwise above every other curve.
pub fn oracle_curve(c1: &[f64], c2: &[f64]) -> Result<DeferralCurve> {
    check_nonempty("c1", c1)?;
    check_len("c2", c1.len(), c2.len())?;
    check_finite("c1", c1)?;
    check_finite("c2", c2)?;
    let gain: Vec<f64> = c2.iter().zip(c1).map(|(a, b)| a - b).collect();
    deferral_curve(c1, c2, &gain)
}

/// Random deferral in expectation: the line from `(0, acc1)` to `(1, acc2)`, area
/// `(acc1 + acc2)/2`, sampled at the same `n + 1` rates.
pub fn random_curve(c1: &[f64], c2: &[f64]) -> Result<DeferralCurve> {
    check_nonempty("c1", c1)?;
    check_len("c2", c1.len(), c2.len())?;
    check_finite("c1", c1)?;
    check_finite("c2", c2)?;
    let n = c1.len();
    let a1 = c1.iter().sum::<f64>() / n as f64;
    let a2 = c2.iter().sum::<f64>() / n as f64;
    let rates: Vec<f64> = (0..=n).map(|j| j as f64 / n as f64).collect();
    let accuracy = rates.iter().map(|r| a1 + r * (a2 - a1)).collect();
    Ok(DeferralCurve { rates, accuracy })
}
