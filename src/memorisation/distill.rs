//! The distillation loss for students: `ℓ = (1-λ) CE(y, q) + λ T² KL(p_T ‖ q_T)`.

use crate::error::{check_finite, check_ids, check_len, check_nonempty, Error, Result};

fn log_softmax(z: &[f64], t: f64) -> Vec<f64> {
    let m = z.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let lse = z.iter().map(|&v| ((v - m) / t).exp()).sum::<f64>().ln();
    z.iter().map(|&v| (v - m) / t - lse).collect()
}

/// Mean distillation loss over `n` rows and its gradient with respect to the student logits.
///
/// `student` and `teacher` logits `[n, C]` row-major, `labels` `[n]`, `λ ∈ [0, 1]`, `T > 0`.
/// With `q = softmax(z)`, `q_T = softmax(z/T)`, `p_T = softmax(z_teacher/T)`:
/// `ℓ = (1-λ)(-ln q_y) + λ T² Σ_c p_T,c (ln p_T,c - ln q_T,c)`, and
/// `∂ℓ/∂z = (1-λ)(q - e_y) + λ T (q_T - p_T)` (the `T²` keeps the soft term's gradient scale
/// independent of `T`). Returns `(mean loss, gradient of the mean [n, C])`.
pub fn distillation_loss(
    student: &[f64],
    teacher: &[f64],
    labels: &[usize],
    classes: usize,
    lambda: f64,
    temperature: f64,
) -> Result<(f64, Vec<f64>)> {
    check_nonempty("labels", labels)?;
    check_len("student", labels.len() * classes, student.len())?;
    check_len("teacher", student.len(), teacher.len())?;
    check_ids("labels", labels, classes)?;
    check_finite("student", student)?;
    check_finite("teacher", teacher)?;
    let valid = (0.0..=1.0).contains(&lambda) && temperature > 0.0 && temperature.is_finite();
    if !valid {
        return Err(Error::InvalidArgument {
            what: "lambda/temperature",
            reason: format!("need lambda in [0, 1] and T > 0, got {lambda}, {temperature}"),
        });
    }
    let n = labels.len() as f64;
    let mut loss = 0.0;
    let mut grad = vec![0.0; student.len()];
    for ((z, zt), (&y, g)) in student
        .chunks_exact(classes)
        .zip(teacher.chunks_exact(classes))
        .zip(labels.iter().zip(grad.chunks_exact_mut(classes)))
    {
        let lq = log_softmax(z, 1.0);
        let lqt = log_softmax(z, temperature);
        let lpt = log_softmax(zt, temperature);
        let kl: f64 = lpt.iter().zip(&lqt).map(|(p, q)| p.exp() * (p - q)).sum();
        loss += (1.0 - lambda) * (-lq[y]) + lambda * temperature * temperature * kl;
        for c in 0..classes {
            let hard = lq[c].exp() - if c == y { 1.0 } else { 0.0 };
            let soft = lqt[c].exp() - lpt[c].exp();
            g[c] = ((1.0 - lambda) * hard + lambda * temperature * soft) / n;
        }
    }
    Ok((loss / n, grad))
}
