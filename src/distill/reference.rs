//! f64 reference divergences and gradients, written straight from the formulas (several passes,
//! explicit log-softmax vector, no clamping). Test oracles for [`super::divergence`].

use super::Divergence;
use crate::error::{check_finite, check_len, Result};
use crate::ops::check_temperature;

/// `lsm(z / T)`: `z_v/T − m − ln Σ_u exp(z_u/T − m)` with `m = max z/T`.
/// ([`crate::ops::log_softmax_into`], itself tested against the plain formula.)
///
/// # Errors
/// `InvalidArgument` for a bad temperature; `NonFinite` for a NaN or `±∞` logit.
pub fn log_softmax(z: &[f64], temperature: f64) -> Result<Vec<f64>> {
    check_temperature("temperature", temperature)?;
    check_finite("z", z)?;
    let mut out = vec![0.0; z.len()];
    crate::ops::log_softmax_into(z, temperature, &mut out);
    Ok(out)
}

/// `x · (a − b)` with `0 · anything = 0` (the `xlogy(0, ·) = 0` convention).
fn xdiff(x: f64, a: f64, b: f64) -> f64 {
    if x == 0.0 {
        0.0
    } else {
        x * (a - b)
    }
}

/// One position: `(D(p ‖ q_T), ∂D/∂z)` for teacher log-probs `lp` and student logits `z`.
///
/// # Errors
/// `ShapeMismatch` when `lp` and `z` differ in length; the errors of [`log_softmax`].
pub fn divergence_and_grad(
    div: Divergence,
    lp: &[f64],
    z: &[f64],
    temperature: f64,
) -> Result<(f64, Vec<f64>)> {
    check_len("lp", z.len(), lp.len())?;
    let lq = log_softmax(z, temperature)?;
    let p: Vec<f64> = lp.iter().map(|v| v.exp()).collect();
    let q: Vec<f64> = lq.iter().map(|v| v.exp()).collect();
    let v = lp.len();
    let inv_t = 1.0 / temperature;
    // Gradient w.r.t. z' of a loss whose derivative w.r.t. q_k is h_k (through lq = lsm(z')):
    // ∂/∂z'_k = q_k (h_k − Σ q h). Every K1.2 formula has that shape.
    let centred = |h: &[f64]| -> Vec<f64> {
        let mean: f64 = (0..v).map(|k| q[k] * h[k]).sum();
        (0..v).map(|k| q[k] * (h[k] - mean) * inv_t).collect()
    };
    Ok(match div {
        Divergence::ForwardKl | Divergence::Jsd { beta: 0.0 } => {
            let loss = (0..v).map(|k| xdiff(p[k], lp[k], lq[k])).sum();
            (loss, (0..v).map(|k| (q[k] - p[k]) * inv_t).collect())
        }
        Divergence::ReverseKl | Divergence::Jsd { beta: 1.0 } => {
            let f: Vec<f64> = (0..v).map(|k| lq[k] - lp[k]).collect();
            let loss = (0..v).map(|k| q[k] * f[k]).sum();
            (loss, centred(&f))
        }
        Divergence::Jsd { beta } => {
            let lm: Vec<f64> = (0..v)
                .map(|k| (beta * p[k] + (1.0 - beta) * q[k]).ln())
                .collect();
            let loss = (0..v)
                .map(|k| beta * xdiff(p[k], lp[k], lm[k]) + (1.0 - beta) * q[k] * (lq[k] - lm[k]))
                .sum();
            let h: Vec<f64> = (0..v).map(|k| (1.0 - beta) * (lq[k] - lm[k])).collect();
            (loss, centred(&h))
        }
        Divergence::Tvd => {
            let loss = 0.5 * (0..v).map(|k| (p[k] - q[k]).abs()).sum::<f64>();
            let s: Vec<f64> = (0..v)
                .map(|k| {
                    let d = q[k] - p[k];
                    0.5 * if d > 0.0 {
                        1.0
                    } else if d < 0.0 {
                        -1.0
                    } else {
                        0.0
                    }
                })
                .collect();
            (loss, centred(&s))
        }
    })
}
