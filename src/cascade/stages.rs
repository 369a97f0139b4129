//! Two-model and stage-wise K-model cascades with confidence deferral, and their cost.

use super::scores::confidence;
use crate::error::{check_finite, check_len, Error, Result};
use crate::ops::argmax_rows;
use crate::ops::check_distributions;

/// What a cascade did on each example. The fields are private: one prediction and one answering
/// stage per example by construction ([`run_cascade`], [`CascadeRun::new`]).
#[derive(Clone, Debug, PartialEq)]
pub struct CascadeRun {
    predictions: Vec<usize>,
    stage: Vec<usize>,
}

impl CascadeRun {
    /// A run from its per-example predictions and answering stages.
    ///
    /// # Errors
    /// `ShapeMismatch` when the two lengths differ.
    pub fn new(predictions: Vec<usize>, stage: Vec<usize>) -> Result<Self> {
        crate::error::check_len("stage", predictions.len(), stage.len())?;
        Ok(CascadeRun { predictions, stage })
    }
    /// Final predicted class per example.
    pub fn predictions(&self) -> &[usize] {
        &self.predictions
    }
    /// Index of the stage that answered (`0..K`) per example; stages `0..=stage` were evaluated.
    pub fn stage(&self) -> &[usize] {
        &self.stage
    }

    /// Fraction of examples that reached stage `s` (stage 0: 1).
    pub fn reach_rate(&self, s: usize) -> f64 {
        self.stage.iter().filter(|&&t| t >= s).count() as f64 / self.stage.len().max(1) as f64
    }

    /// Mean cost per example when stage `s` costs `costs[s]` each time it is evaluated:
    /// `Σ_s costs[s] · P(reach s)` (two models: `cost1 + rate · cost2`).
    ///
    /// # Errors
    /// `ShapeMismatch` when `costs` has fewer entries than the stages reached; `NonFinite` for a
    /// NaN or `±∞` cost.
    pub fn expected_cost(&self, costs: &[f64]) -> Result<f64> {
        let stages = self.stage.iter().max().map_or(0, |&s| s + 1);
        if costs.len() < stages {
            return Err(Error::ShapeMismatch {
                what: "costs",
                expected: stages,
                got: costs.len(),
            });
        }
        check_finite("costs", costs)?;
        let n = self.stage.len().max(1) as f64;
        Ok(self
            .stage
            .iter()
            .map(|&t| costs[..=t].iter().sum::<f64>())
            .sum::<f64>()
            / n)
    }
}

/// Runs `probs.len() = K` models as a cascade: stage `s < K-1` answers when its confidence
/// `max_y p_y ≥ τ_s`, otherwise the example is deferred to stage `s + 1`; the last stage always
/// answers. `probs[s]` is `[n, C]`, `thresholds` has `K - 1` entries.
pub fn run_cascade(probs: &[&[f64]], classes: usize, thresholds: &[f64]) -> Result<CascadeRun> {
    if probs.is_empty() {
        return Err(Error::Empty { what: "probs" });
    }
    check_len("thresholds", probs.len() - 1, thresholds.len())?;
    check_finite("thresholds", thresholds)?;
    let n = check_distributions("probs[0]", probs[0], classes)?;
    for p in &probs[1..] {
        check_len("probs[s]", probs[0].len(), p.len())?;
        check_distributions("probs[s]", p, classes)?;
    }
    let mut predictions = Vec::with_capacity(n);
    let mut stage = Vec::with_capacity(n);
    for i in 0..n {
        let row = |s: usize| &probs[s][i * classes..(i + 1) * classes];
        let s = (0..probs.len() - 1)
            .find(|&s| confidence(row(s)) >= thresholds[s])
            .unwrap_or(probs.len() - 1);
        predictions.push(argmax_rows(row(s), classes)[0]);
        stage.push(s);
    }
    Ok(CascadeRun { predictions, stage })
}

/// Two-model cascade with an explicit deferral decision per example: `h2` where `defer`, else `h1`.
pub fn two_model_predict(
    p1: &[f64],
    p2: &[f64],
    classes: usize,
    defer: &[bool],
) -> Result<Vec<usize>> {
    let n = check_distributions("p1", p1, classes)?;
    check_len("p2", p1.len(), p2.len())?;
    check_distributions("p2", p2, classes)?;
    check_len("defer", n, defer.len())?;
    let (h1, h2) = (argmax_rows(p1, classes), argmax_rows(p2, classes));
    Ok((0..n)
        .map(|i| if defer[i] { h2[i] } else { h1[i] })
        .collect())
}
