//! Distillation targets: teacher probabilities at a temperature, argmax one-hot targets, centring,
//! distribution checks, and the temperature-scaled KD loss with its logit gradient.
//!
//! The numerics (log-softmax, the KD row, the distribution and temperature checks) are
//! [`crate::ops`]'s; this file shapes them for `n × C` faer matrices. `τ → 0` (argmax one-hot) is
//! its own code path ([`argmax_one_hot`]), never a tiny τ.

use crate::error::{check_ids, check_len, Result};
use crate::linalg::check_matrix;
use crate::ops::{check_distribution_row, check_temperature, kd_row, log_softmax_into};
use faer::{Mat, MatRef};

fn row(z: MatRef<'_, f64>, i: usize) -> Vec<f64> {
    (0..z.ncols()).map(|j| z[(i, j)]).collect()
}

/// Teacher probabilities `softmax(Z/τ)` row by row (`n × C`). Errors: empty or non-finite logits,
/// `τ ≤ 0` (use [`argmax_one_hot`] for the `τ → 0` limit).
pub fn teacher_probabilities(logits: MatRef<'_, f64>, tau: f64) -> Result<Mat<f64>> {
    check_matrix("logits", logits)?;
    check_temperature("tau", tau)?;
    for i in 0..logits.nrows() {
        crate::ops::check_scaled_logits("logits", &row(logits, i), tau, i * logits.ncols())?;
    }
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
        .map(|i| crate::ops::argmax(&row(logits, i)))
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
/// within `1e-12·C` ([`crate::ops::check_distribution_row`]).
pub fn check_distributions(what: &'static str, p: MatRef<'_, f64>) -> Result<()> {
    check_matrix(what, p)?;
    for i in 0..p.nrows() {
        check_distribution_row(what, i, &row(p, i))?;
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
    for i in 0..student_logits.nrows() {
        let at = i * student_logits.ncols();
        crate::ops::check_scaled_logits("student_logits", &row(student_logits, i), tau, at)?;
    }
    let (n, c) = (teacher.nrows(), teacher.ncols());
    let mut grad = Mat::<f64>::zeros(n, c);
    let mut g = vec![0.0; c];
    let mut loss = 0.0;
    // ℓ = τ²/n Σ KL and ∂ℓ/∂z = τ²/n · (q − p)/τ.
    let scale = crate::ops::temperature::tau_squared_scale("tau", tau, 1.0 / n as f64)?;
    for i in 0..n {
        loss += kd_row(&row(teacher, i), &row(student_logits, i), tau, &mut g).kl;
        for j in 0..c {
            grad[(i, j)] = scale * g[j];
        }
    }
    let loss = scale * loss;
    // Logits near the scaled-logit limit can still overflow the sums above.
    crate::error::check_finite("kd loss (overflow from finite logits)", &[loss])?;
    crate::linalg::check_matrix_finite("kd gradient (overflow from finite logits)", grad.as_ref())?;
    Ok((loss, grad))
}
