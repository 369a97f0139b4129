//! The margin bound used for the trade-off the paper describes (the standard RKHS-ball margin bound;
//! the paper's own constants are tagged R in the spec and are not encoded).
//!
//! For binary `f` in an RKHS ball of radius `B = sqrt(SC)`, with probability at least `1 − δ`,
//!
//! ```text
//! P(y f(x) ≤ 0) ≤ (1/n) Σ 1{y_i f(x_i) ≤ γ} + 2 B sqrt(tr K) / (γ n) + 3 sqrt(ln(2/δ) / (2n))
//! ```

use crate::error::{check_finite, check_nonempty, Error, Result};
use serde::Serialize;

/// The three terms of the margin bound and their sum.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct MarginBound {
    /// `(1/n) Σ 1{y_i f(x_i) ≤ γ}`: the training γ-margin error.
    pub margin_error: f64,
    /// `2 sqrt(SC · tr K) / (γ n)`: the complexity term.
    pub complexity: f64,
    /// `3 sqrt(ln(2/δ)/(2n))`: the confidence term.
    pub confidence: f64,
    /// The sum of the three: a bound on the test error `P(y f(x) ≤ 0)`.
    pub total: f64,
}

/// Evaluates the bound from the training margins `y_i f(x_i)` (length `n`), the margin `γ > 0`,
/// `SC ≥ 0`, `tr K ≥ 0` and `δ ∈ (0, 1)`.
pub fn margin_bound(
    margins: &[f64],
    gamma: f64,
    sc: f64,
    trace_k: f64,
    delta: f64,
) -> Result<MarginBound> {
    check_nonempty("margins", margins)?;
    check_finite("margins", margins)?;
    check_finite("margin_bound scalars", &[gamma, sc, trace_k, delta])?;
    if gamma <= 0.0 || sc < 0.0 || trace_k < 0.0 || !(delta > 0.0 && delta < 1.0) {
        return Err(Error::InvalidArgument {
            what: "margin_bound",
            reason: format!("need gamma > 0, sc >= 0, tr K >= 0, 0 < delta < 1; got {gamma}, {sc}, {trace_k}, {delta}"),
        });
    }
    let n = margins.len() as f64;
    let margin_error = margins.iter().filter(|&&m| m <= gamma).count() as f64 / n;
    let complexity = 2.0 * (sc * trace_k).sqrt() / (gamma * n);
    if !complexity.is_finite() {
        return Err(Error::InvalidArgument {
            what: "margin_bound",
            reason: format!("2√(sc·tr K)/(γ n) overflows f64 (sc {sc}, tr K {trace_k}, γ {gamma})"),
        });
    }
    let confidence = 3.0 * ((2.0 / delta).ln() / (2.0 * n)).sqrt();
    Ok(MarginBound {
        margin_error,
        complexity,
        confidence,
        total: margin_error + complexity + confidence,
    })
}

/// Configuration of the SC8 experiment: a linear teacher on the sphere, noisy labels, and the
/// minimum-norm NTK interpolant of the teacher's outputs.
#[derive(Clone, Debug, Serialize)]
pub struct LinearTeacherConfig {
    /// Training points on `S²`.
    pub n_train: usize,
    /// Fresh test points.
    pub n_test: usize,
    /// Probability that a label `sign(v·x)` is flipped.
    pub label_noise: f64,
    /// Margin `γ`.
    pub gamma: f64,
    /// Confidence `δ`.
    pub delta: f64,
    /// Seed of the points and the label noise.
    pub seed: u64,
}

impl Default for LinearTeacherConfig {
    fn default() -> Self {
        LinearTeacherConfig {
            n_train: 2000,
            n_test: 2000,
            label_noise: 0.1,
            gamma: 0.3,
            delta: 0.05,
            seed: 0,
        }
    }
}

/// What the SC8 experiment measured.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct LinearTeacherOutcome {
    /// SC of the teacher's outputs `v·x_i` under the analytic NTK (≤ ‖v‖² = 1, see the notes).
    pub teacher_sc: f64,
    /// The bound for the interpolant of the teacher's outputs.
    pub teacher_bound: MarginBound,
    /// Test error `P(y f(x) ≤ 0)` of that interpolant on fresh noisy labels.
    pub test_error: f64,
    /// SC of the noisy ±1 labels themselves.
    pub label_sc: f64,
    /// The bound for the interpolant of the noisy labels (margins all 1).
    pub label_bound: MarginBound,
}

/// SC8: `n_train` points on `S²`, teacher `f*(x) = v·x` with `v = (0.6, 0, 0.8)`, labels
/// `sign(v·x)` flipped with probability `label_noise`. The student is the minimum-norm interpolant
/// (analytic ReLU NTK) of the teacher's outputs; its margin bound is compared with its test error,
/// and with the bound of the interpolant of the noisy labels.
pub fn linear_teacher_bound(cfg: &LinearTeacherConfig) -> Result<LinearTeacherOutcome> {
    use super::complexity::GramFactor;
    use super::ntk::{relu_ntk_cross, relu_ntk_gram};
    use rand::Rng;
    if cfg.n_train == 0 || cfg.n_test == 0 || !(0.0..=1.0).contains(&cfg.label_noise) {
        return Err(Error::InvalidArgument {
            what: "LinearTeacherConfig",
            reason: "need n_train, n_test > 0 and label_noise in [0, 1]".into(),
        });
    }
    let mut rng = crate::rng::seeded(cfg.seed, 0x5c8);
    let x = super::online::sphere(cfg.n_train, 3, &mut rng);
    let xt = super::online::sphere(cfg.n_test, 3, &mut rng);
    let v = [0.6, 0.0, 0.8];
    let teacher = |m: &faer::Mat<f64>, i: usize| (0..3).map(|j| m[(i, j)] * v[j]).sum::<f64>();
    let mut noisy = |m: &faer::Mat<f64>, i: usize| {
        let s = if teacher(m, i) > 0.0 { 1.0 } else { -1.0 };
        if rng.random::<f64>() < cfg.label_noise {
            -s
        } else {
            s
        }
    };
    let y: Vec<f64> = (0..cfg.n_train).map(|i| noisy(&x, i)).collect();
    let yt: Vec<f64> = (0..cfg.n_test).map(|i| noisy(&xt, i)).collect();
    let targets = faer::Mat::from_fn(cfg.n_train, 1, |i, _| teacher(&x, i));
    let f = GramFactor::new(relu_ntk_gram(x.as_ref())?.as_ref(), 0.0)?;
    let teacher_sc = f.complexity(targets.as_ref())?;
    let pred = crate::linalg::gemm_unchecked(
        relu_ntk_cross(xt.as_ref(), x.as_ref())?.as_ref(),
        f.solve(targets.as_ref())?.as_ref(),
    );
    let wrong = (0..cfg.n_test)
        .filter(|&i| yt[i] * pred[(i, 0)] <= 0.0)
        .count();
    let margins: Vec<f64> = (0..cfg.n_train).map(|i| y[i] * targets[(i, 0)]).collect();
    let teacher_bound = margin_bound(&margins, cfg.gamma, teacher_sc, f.trace(), cfg.delta)?;
    let labels = faer::Mat::from_fn(cfg.n_train, 1, |i, _| y[i]);
    let label_sc = f.complexity(labels.as_ref())?;
    let label_bound = margin_bound(
        &vec![1.0; cfg.n_train],
        cfg.gamma,
        label_sc,
        f.trace(),
        cfg.delta,
    )?;
    Ok(LinearTeacherOutcome {
        teacher_sc,
        teacher_bound,
        test_error: wrong as f64 / cfg.n_test as f64,
        label_sc,
        label_bound,
    })
}
