//! The spec's tiny cascade instances (section 4(c)) with model-1 probability vectors attached, so
//! post-hoc rules have features to learn from.
//!
//! `s1 ~ U(0.1, 1)`; model 1 predicts a uniform class `h1 ∈ 0..10` with `p1 = s1` on it and the
//! rest spread evenly; `c1 ~ Bern(acc1)`, `c2 ~ Bern(acc2)`.

use super::curve::{deferral_curve, oracle_curve, random_curve, DeferralCurve};
use super::posthoc::{diff01_targets, PostHocDeferral};
use crate::error::Result;
use crate::rng::seeded;
use rand::Rng;

/// Classes of model 1 in the instances.
pub const CLASSES: usize = 10;

/// Which tiny instance.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InstanceKind {
    /// A: calibrated `acc1 = s1`, `acc2 = 0.5 + 0.5 s1`: `g = 0.5 - 0.5 s1` decreasing, so
    /// confidence deferral is optimal.
    ConfidenceSuffices,
    /// B: `acc1 = s1`; model 2 is a specialist, `acc2 = 0.98` on classes `h1 ∈ {0,1,2}` (30%,
    /// independent of `s1`) and 0.05 elsewhere.
    Specialist,
    /// Label noise: inputs with `s1 < 0.35` carry random labels, so both models are right only by
    /// chance (`acc1 = acc2 = 0.1`, zero gain); elsewhere as in A. `E[g | s1]` rises then falls.
    LabelNoise,
}

/// Samples of one instance.
#[derive(Clone, Debug)]
pub struct CurveInstance {
    /// Model-1 probabilities `[n, CLASSES]`.
    pub p1: Vec<f64>,
    /// Model-1 confidence `s1 = max p1`.
    pub s1: Vec<f64>,
    /// Realised correctness of model 1 (0/1).
    pub c1: Vec<f64>,
    /// Realised correctness of model 2 (0/1).
    pub c2: Vec<f64>,
    /// Expected gain `g = acc2 - acc1` at each input.
    pub gain: Vec<f64>,
}

impl CurveInstance {
    /// Draws `n` examples of `kind` from `seed`.
    pub fn new(kind: InstanceKind, n: usize, seed: u64) -> Self {
        let mut rng = seeded(seed, 41);
        let mut inst = CurveInstance {
            p1: Vec::with_capacity(n * CLASSES),
            s1: Vec::with_capacity(n),
            c1: Vec::with_capacity(n),
            c2: Vec::with_capacity(n),
            gain: Vec::with_capacity(n),
        };
        for _ in 0..n {
            let s: f64 = rng.random_range(0.1..1.0);
            let h1 = rng.random_range(0..CLASSES);
            let rest = (1.0 - s) / (CLASSES - 1) as f64;
            inst.p1
                .extend((0..CLASSES).map(|c| if c == h1 { s } else { rest }));
            let (a1, a2) = match kind {
                InstanceKind::ConfidenceSuffices => (s, 0.5 + 0.5 * s),
                InstanceKind::Specialist => (s, if h1 < 3 { 0.98 } else { 0.05 }),
                InstanceKind::LabelNoise if s < 0.35 => (0.1, 0.1),
                InstanceKind::LabelNoise => (s, 0.5 + 0.5 * s),
            };
            inst.s1.push(s);
            inst.c1.push((rng.random::<f64>() < a1) as u8 as f64);
            inst.c2.push((rng.random::<f64>() < a2) as u8 as f64);
            inst.gain.push(a2 - a1);
        }
        inst
    }

    /// The examples `range` as a new instance (for held-out splits).
    pub fn slice(&self, range: std::ops::Range<usize>) -> Self {
        CurveInstance {
            p1: self.p1[range.start * CLASSES..range.end * CLASSES].to_vec(),
            s1: self.s1[range.clone()].to_vec(),
            c1: self.c1[range.clone()].to_vec(),
            c2: self.c2[range.clone()].to_vec(),
            gain: self.gain[range].to_vec(),
        }
    }
}

/// The curves compared in the report and the trend checks.
#[derive(Clone, Debug)]
pub struct CurveSet {
    /// Deferral by low confidence (`score = -s1`).
    pub confidence: DeferralCurve,
    /// Deferral by the post-hoc Diff-01 ridge rule fitted on the other half.
    pub posthoc: DeferralCurve,
    /// Deferral by the expected gain `g` (the Bayes rule's order).
    pub expected_gain: DeferralCurve,
    /// Deferral by the realised gain `c2 - c1` (pointwise upper envelope).
    pub oracle: DeferralCurve,
    /// Random deferral in expectation.
    pub random: DeferralCurve,
}

/// Fits the post-hoc rule on the first half of `n` samples of `kind`, and draws every curve on
/// the second half.
pub fn curve_set(kind: InstanceKind, n: usize, seed: u64) -> Result<CurveSet> {
    let all = CurveInstance::new(kind, n, seed);
    let (fit, eval) = (all.slice(0..n / 2), all.slice(n / 2..n));
    let rule = PostHocDeferral::fit(&fit.p1, CLASSES, &diff01_targets(&fit.c1, &fit.c2)?, 1e-3)?;
    let neg_s1: Vec<f64> = eval.s1.iter().map(|s| -s).collect();
    Ok(CurveSet {
        confidence: deferral_curve(&eval.c1, &eval.c2, &neg_s1)?,
        posthoc: deferral_curve(&eval.c1, &eval.c2, &rule.predict(&eval.p1)?)?,
        expected_gain: deferral_curve(&eval.c1, &eval.c2, &eval.gain)?,
        oracle: oracle_curve(&eval.c1, &eval.c2)?,
        random: random_curve(&eval.c1, &eval.c2)?,
    })
}
