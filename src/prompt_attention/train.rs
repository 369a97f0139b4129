//! Losses, full-batch training (GD or Adam), accuracy, and the first two GD steps from zero (B4).

use super::data::Dataset;
use super::models::{forward_backward, predict, Model, Params};
use crate::error::{check_nonempty, Error, Result};
use rand::Rng;
use rand_distr::StandardNormal;

/// Margin loss `ℓ(z)`, `z = y f`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Loss {
    /// `ln(1 + e^{−z})`, `ℓ'(z) = −1/(1 + e^{z})`.
    Logistic,
    /// `½ (1 − z)² = ½ (y − f)²` for `y = ±1`, `ℓ'(z) = z − 1`.
    Squared,
}

impl Loss {
    /// `ℓ(z)` (overflow-safe).
    pub fn value(self, z: f64) -> f64 {
        match self {
            Loss::Logistic => {
                if z > 0.0 {
                    (-z).exp().ln_1p()
                } else {
                    -z + z.exp().ln_1p()
                }
            }
            Loss::Squared => 0.5 * (1.0 - z).powi(2),
        }
    }
    /// `ℓ'(z)`.
    pub fn derivative(self, z: f64) -> f64 {
        match self {
            Loss::Logistic => -sigmoid(-z),
            Loss::Squared => z - 1.0,
        }
    }
}

/// `1/(1 + e^{−x})`, overflow-safe.
pub fn sigmoid(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

/// Mean loss `(1/n) Σ ℓ(y_i f_i)` and its parameter gradient.
pub fn loss_and_grad(
    model: Model,
    params: &Params,
    data: &Dataset,
    loss: Loss,
) -> Result<(f64, Params)> {
    let f = predict(model, params, data)?;
    let n = data.len() as f64;
    let w: Vec<f64> = f
        .iter()
        .zip(data.y())
        .map(|(fi, yi)| loss.derivative(yi * fi) * yi / n)
        .collect();
    let value = f
        .iter()
        .zip(data.y())
        .map(|(fi, yi)| loss.value(yi * fi))
        .sum::<f64>()
        / n;
    // Finite inputs near f64::MAX overflow the predictions, the loss or its gradient.
    crate::error::check_finite("loss (overflow from finite data)", &[value])?;
    let (_, g) = forward_backward(model, params, data, Some(&w))?;
    let g = g.ok_or(Error::InvalidArgument {
        what: "weights",
        reason: "forward_backward returned no gradient".into(),
    })?;
    crate::error::check_finite("gradient (overflow from finite data)", &g.flat())?;
    Ok((value, g))
}

/// Update rule.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Optimizer {
    /// `θ ← θ − η ∇`.
    Gd {
        /// Step size `η`.
        lr: f64,
    },
    /// Adam (β₁ = 0.9, β₂ = 0.999, ε = 1e-8).
    Adam {
        /// Step size.
        lr: f64,
    },
}

/// Full-batch training for `steps` steps; returns the parameters and the loss before each step.
pub fn train(
    model: Model,
    init: Params,
    data: &Dataset,
    loss: Loss,
    opt: Optimizer,
    steps: usize,
) -> Result<(Params, Vec<f64>)> {
    check_nonempty("data", data.y())?;
    let lr = match opt {
        Optimizer::Gd { lr } | Optimizer::Adam { lr } => lr,
    };
    if !(lr > 0.0 && lr.is_finite()) {
        return Err(Error::InvalidArgument {
            what: "lr",
            reason: "step size must be finite and > 0".into(),
        });
    }
    let d = data.dim();
    let mut theta = init.flat();
    let (mut m, mut v2) = (vec![0.0; theta.len()], vec![0.0; theta.len()]);
    let mut history = Vec::with_capacity(steps);
    for step in 1..=steps {
        let (l, g) = loss_and_grad(model, &Params::from_flat(d, &theta), data, loss)?;
        history.push(l);
        let g = g.flat();
        match opt {
            Optimizer::Gd { lr } => theta.iter_mut().zip(&g).for_each(|(t, gi)| *t -= lr * gi),
            Optimizer::Adam { lr } => {
                let (b1, b2) = (0.9f64, 0.999f64);
                let (c1, c2) = (1.0 - b1.powi(step as i32), 1.0 - b2.powi(step as i32));
                for i in 0..theta.len() {
                    m[i] = b1 * m[i] + (1.0 - b1) * g[i];
                    v2[i] = b2 * v2[i] + (1.0 - b2) * g[i] * g[i];
                    theta[i] -= lr * (m[i] / c1) / ((v2[i] / c2).sqrt() + 1e-8);
                }
            }
        }
    }
    Ok((Params::from_flat(d, &theta), history))
}

/// Classification accuracy of `sign(f)`; a tie `f = 0` counts ½ (so a constant-zero classifier
/// scores exactly ½, spec B6 pitfall on `sign(0)`).
pub fn accuracy(model: Model, params: &Params, data: &Dataset) -> Result<f64> {
    accuracy_with_ties(model, params, data, 0.0)
}

/// [`accuracy`] with every output `|f| ≤ tie_tol` counted as a tie (½): for outputs that cancel
/// exactly in exact arithmetic (LinPA on the blind instance) and are left as rounding noise.
pub fn accuracy_with_ties(
    model: Model,
    params: &Params,
    data: &Dataset,
    tie_tol: f64,
) -> Result<f64> {
    let f: Vec<f64> = predict(model, params, data)?
        .into_iter()
        .map(|v| if v.abs() <= tie_tol { 0.0 } else { v })
        .collect();
    let hits: f64 = f
        .iter()
        .zip(data.y())
        .map(|(fi, yi)| {
            let z = fi * yi;
            if z > 0.0 {
                1.0
            } else if z == 0.0 {
                0.5
            } else {
                0.0
            }
        })
        .sum();
    Ok(hits / data.len() as f64)
}

/// The mean-estimator head with a fixed prompt (B5; the B4 step-1 head up to `η/2`):
/// `v̂ = (1/n) Σ y_i X_iᵀ softmax(X_i q)`.
pub fn mean_head(q: &[f64], data: &Dataset) -> Result<Vec<f64>> {
    let d = data.dim();
    let h = super::models::prompt_pool(q, data)?;
    let mut v = vec![0.0; d];
    for (hi, y) in h.chunks(d).zip(data.y()) {
        v.iter_mut()
            .zip(hi)
            .for_each(|(a, b)| *a += y * b / data.len() as f64);
    }
    Ok(v)
}

/// Random initialisation: every parameter `N(0, scale²)`.
pub fn random_params(dim: usize, scale: f64, rng: &mut impl Rng) -> Params {
    let mut draw = |k: usize| -> Vec<f64> {
        (0..k)
            .map(|_| scale * rng.sample::<f64, _>(StandardNormal))
            .collect()
    };
    Params {
        q: draw(dim),
        v: draw(dim),
        w: draw(dim * dim),
    }
}

/// The first two logistic-GD steps of prompt-attention from `(q, v) = (0, 0)` in closed form (B4):
/// `v₁ = (η/2)(1/n) Σ y_i x̄_i`, `q₁ = 0`,
/// `q₂ = η (1/n) Σ σ(−y_i f_i) y_i Cov_T(X_i) v₁` with `f_i = v₁ᵀ x̄_i`. Returns `(v₁, q₂)`.
pub fn two_steps_closed_form(data: &Dataset, eta: f64) -> Result<(Vec<f64>, Vec<f64>)> {
    check_nonempty("data", data.y())?;
    crate::error::check_positive("eta", eta)?;
    data.validate()?;
    let (n, t, d) = (data.len(), data.tokens(), data.dim());
    let means: Vec<Vec<f64>> = (0..n)
        .map(|i| {
            let mut m = vec![0.0; d];
            for row in data.input(i).chunks(d) {
                m.iter_mut().zip(row).for_each(|(a, b)| *a += b / t as f64);
            }
            m
        })
        .collect();
    let mut v1 = vec![0.0; d];
    for (m, y) in means.iter().zip(data.y()) {
        v1.iter_mut()
            .zip(m)
            .for_each(|(a, b)| *a += 0.5 * eta * y * b / n as f64);
    }
    let mut q2 = vec![0.0; d];
    for (i, (m, &y)) in means.iter().zip(data.y()).enumerate() {
        let f: f64 = m.iter().zip(&v1).map(|(a, b)| a * b).sum();
        let c = eta * sigmoid(-y * f) * y / n as f64;
        // Cov_T(X) v₁ = (1/T) Σ_t (x_t − x̄)(x_t − x̄)ᵀ v₁
        for row in data.input(i).chunks(d) {
            let proj: f64 = row
                .iter()
                .zip(m)
                .zip(&v1)
                .map(|((x, mu), v)| (x - mu) * v)
                .sum();
            for a in 0..d {
                q2[a] += c * proj * (row[a] - m[a]) / t as f64;
            }
        }
    }
    // Finite data can still overflow `x − x̄` or the products above (entries near f64::MAX).
    crate::error::check_finite("two_steps_closed_form v1 (overflow from finite data)", &v1)?;
    crate::error::check_finite("two_steps_closed_form q2 (overflow from finite data)", &q2)?;
    Ok((v1, q2))
}
