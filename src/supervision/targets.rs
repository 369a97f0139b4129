//! Distillation targets: teacher probabilities at a temperature, argmax one-hot targets, centring,
//! distribution checks, and the temperature-scaled KD loss with its logit gradient.
//!
//! Log-softmax is computed as `z_v/τ − m − ln Σ_u exp(z_u/τ − m)` with `m = max z/τ`, never as
//! `log(softmax)`. `τ → 0` (argmax one-hot) is its own code path ([`argmax_one_hot`]), never a tiny τ.

use crate::error::{check_finite, check_ids, check_len, Error, Result};
use faer::{Mat, MatRef};

/// Rejects a temperature that is not finite and positive.
pub fn check_temperature(what: &'static str, tau: f64) -> Result<()> {
    if tau.is_finite() && tau > 0.0 {
        Ok(())
    } else {
        Err(Error::InvalidArgument {
            what,
            reason: format!("temperature must be finite and > 0, got {tau}"),
        })
    }
}

/// `out = log_softmax(z/τ)` for one row (`out.len() == z.len() ≥ 1`, `τ > 0` unchecked).
pub fn log_softmax_into(z: &[f64], tau: f64, out: &mut [f64]) {
    let m = z.iter().fold(f64::NEG_INFINITY, |m, &v| m.max(v / tau));
    let lse = m + z.iter().map(|&v| (v / tau - m).exp()).sum::<f64>().ln();
    for (o, &v) in out.iter_mut().zip(z) {
        *o = v / tau - lse;
    }
}

/// `out = softmax(z/τ)` for one row with one `exp` per entry (`out.len() == z.len() ≥ 1`, `τ > 0`
/// unchecked): the hot-loop form of [`log_softmax_into`].
pub fn softmax_into(z: &[f64], tau: f64, out: &mut [f64]) {
    let inv = 1.0 / tau;
    let m = z.iter().fold(f64::NEG_INFINITY, |m, &v| m.max(v * inv));
    let mut sum = 0.0;
    for (o, &v) in out.iter_mut().zip(z) {
        *o = (v * inv - m).exp();
        sum += *o;
    }
    let r = 1.0 / sum;
    out.iter_mut().for_each(|o| *o *= r);
}

/// `softmax(z/τ)` of one row. Errors: empty or non-finite `z`, `τ ≤ 0`.
pub fn softmax(z: &[f64], tau: f64) -> Result<Vec<f64>> {
    crate::error::check_nonempty("logits", z)?;
    check_finite("logits", z)?;
    check_temperature("tau", tau)?;
    let mut out = vec![0.0; z.len()];
    log_softmax_into(z, tau, &mut out);
    out.iter_mut().for_each(|v| *v = v.exp());
    Ok(out)
}

/// Checks that a matrix is non-empty (rows and columns) and finite, naming the first bad entry by
/// its row-major flat index.
pub fn check_matrix(what: &'static str, z: MatRef<'_, f64>) -> Result<()> {
    if z.nrows() == 0 || z.ncols() == 0 {
        return Err(Error::Empty { what });
    }
    for i in 0..z.nrows() {
        for j in 0..z.ncols() {
            if !z[(i, j)].is_finite() {
                return Err(Error::NonFinite {
                    what,
                    index: i * z.ncols() + j,
                });
            }
        }
    }
    Ok(())
}

fn row(z: MatRef<'_, f64>, i: usize) -> Vec<f64> {
    (0..z.ncols()).map(|j| z[(i, j)]).collect()
}

/// Teacher probabilities `softmax(Z/τ)` row by row (`n × C`). Errors: empty or non-finite logits,
/// `τ ≤ 0` (use [`argmax_one_hot`] for the `τ → 0` limit).
pub fn teacher_probabilities(logits: MatRef<'_, f64>, tau: f64) -> Result<Mat<f64>> {
    check_matrix("logits", logits)?;
    check_temperature("tau", tau)?;
    let (n, c) = (logits.nrows(), logits.ncols());
    let mut p = Mat::<f64>::zeros(n, c);
    let mut buf = vec![0.0; c];
    for i in 0..n {
        log_softmax_into(&row(logits, i), tau, &mut buf);
        for j in 0..c {
            p[(i, j)] = buf[j].exp();
        }
    }
    Ok(p)
}

/// The `τ → 0` limit of [`teacher_probabilities`]: one-hot at the row argmax (ties: lowest index).
pub fn argmax_one_hot(logits: MatRef<'_, f64>) -> Result<Mat<f64>> {
    check_matrix("logits", logits)?;
    let labels: Vec<usize> = (0..logits.nrows())
        .map(|i| {
            (0..logits.ncols()).fold(0, |best, j| {
                if logits[(i, j)] > logits[(i, best)] {
                    j
                } else {
                    best
                }
            })
        })
        .collect();
    one_hot(&labels, logits.ncols())
}

/// One-hot targets (`n × C`) for `labels` in `0..classes`.
pub fn one_hot(labels: &[usize], classes: usize) -> Result<Mat<f64>> {
    crate::error::check_nonempty("labels", labels)?;
    check_ids("labels", labels, classes)?;
    Ok(Mat::from_fn(labels.len(), classes, |i, j| {
        if labels[i] == j {
            1.0
        } else {
            0.0
        }
    }))
}

/// Centred targets `Y − 1/C` (every entry shifted by the uniform probability).
pub fn centre(y: MatRef<'_, f64>) -> Mat<f64> {
    let shift = 1.0 / y.ncols().max(1) as f64;
    Mat::from_fn(y.nrows(), y.ncols(), |i, j| y[(i, j)] - shift)
}

/// Checks that every row of `p` is a probability distribution: finite, non-negative, summing to 1
/// within `1e-12·C` (the crate's convention).
pub fn check_distributions(what: &'static str, p: MatRef<'_, f64>) -> Result<()> {
    check_matrix(what, p)?;
    let c = p.ncols();
    for i in 0..p.nrows() {
        let mut s = 0.0;
        for j in 0..c {
            let v = p[(i, j)];
            if v < 0.0 {
                return Err(Error::InvalidArgument {
                    what,
                    reason: format!("row {i} is not a distribution: entry {j} is {v} < 0"),
                });
            }
            s += v;
        }
        if (s - 1.0).abs() > 1e-12 * c as f64 {
            return Err(Error::InvalidArgument {
                what,
                reason: format!("row {i} is not a distribution: sums to {s}"),
            });
        }
    }
    Ok(())
}

/// Temperature-scaled KD loss averaged over rows and its gradient in the student logits:
///
/// ```text
/// ℓ = (τ²/n) Σ_i KL(p_i ‖ softmax(z_i/τ)),     ∂ℓ/∂z_i = (τ/n) (softmax(z_i/τ) − p_i)
/// ```
///
/// `teacher`: `n × C` distributions (already at temperature τ, or one-hot labels with `τ = 1` for
/// plain cross-entropy up to the constant entropy); `student_logits`: `n × C`. `xlogy(0,·) = 0`.
pub fn kd_loss_and_grad(
    teacher: MatRef<'_, f64>,
    student_logits: MatRef<'_, f64>,
    tau: f64,
) -> Result<(f64, Mat<f64>)> {
    check_distributions("teacher", teacher)?;
    check_matrix("student_logits", student_logits)?;
    check_len(
        "student_logits (rows)",
        teacher.nrows(),
        student_logits.nrows(),
    )?;
    check_len(
        "student_logits (columns)",
        teacher.ncols(),
        student_logits.ncols(),
    )?;
    check_temperature("tau", tau)?;
    let (n, c) = (teacher.nrows(), teacher.ncols());
    let mut grad = Mat::<f64>::zeros(n, c);
    let mut lsm = vec![0.0; c];
    let mut loss = 0.0;
    for i in 0..n {
        log_softmax_into(&row(student_logits, i), tau, &mut lsm);
        for j in 0..c {
            let p = teacher[(i, j)];
            if p > 0.0 {
                loss += p * (p.ln() - lsm[j]);
            }
            grad[(i, j)] = tau * (lsm[j].exp() - p) / n as f64;
        }
    }
    Ok((tau * tau * loss / n as f64, grad))
}
