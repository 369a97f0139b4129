//! The distillation loss for students: `ℓ = (1-λ) CE(y, q) + λ T² KL(p_T ‖ q_T)`.

use crate::error::{check_finite, check_ids, check_len, check_nonempty, Error, Result};
use crate::ops::{check_scaled_logits, check_temperature, kd_row, log_softmax_into};

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
    let elems = crate::error::checked_elems("student: n·classes", &[labels.len(), classes])?;
    check_len("student", elems, student.len())?;
    check_len("teacher", student.len(), teacher.len())?;
    check_ids("labels", labels, classes)?;
    check_finite("student", student)?;
    check_finite("teacher", teacher)?;
    if !(0.0..=1.0).contains(&lambda) {
        return Err(Error::InvalidArgument {
            what: "lambda",
            reason: format!("need lambda in [0, 1], got {lambda}"),
        });
    }
    check_temperature("temperature", temperature)?;
    check_scaled_logits("student", student, temperature, 0)?;
    check_scaled_logits("teacher", teacher, temperature, 0)?;
    // Hard term: the KD row with p = e_y at τ = 1 (KL(e_y ‖ q) = −ln q_y); soft term: τ² KL(p_T ‖ q_T).
    let n = labels.len() as f64;
    let soft_scale =
        crate::ops::temperature::tau_squared_scale("temperature", temperature, lambda)?;
    let mut loss = 0.0;
    let mut grad = vec![0.0; student.len()];
    let (mut one_hot, mut p_t) = (vec![0.0; classes], vec![0.0; classes]);
    let (mut g_hard, mut g_soft) = (vec![0.0; classes], vec![0.0; classes]);
    for ((z, zt), (&y, g)) in student
        .chunks_exact(classes)
        .zip(teacher.chunks_exact(classes))
        .zip(labels.iter().zip(grad.chunks_exact_mut(classes)))
    {
        one_hot.fill(0.0);
        one_hot[y] = 1.0;
        // exp(log-softmax), the form kd_row uses for q_T (equal logits: zero soft gradient).
        log_softmax_into(zt, temperature, &mut p_t);
        p_t.iter_mut().for_each(|v| *v = v.exp());
        let hard = kd_row(&one_hot, z, 1.0, &mut g_hard).kl;
        let soft = kd_row(&p_t, z, temperature, &mut g_soft).kl;
        loss += (1.0 - lambda) * hard + soft_scale * soft;
        for c in 0..classes {
            g[c] = ((1.0 - lambda) * g_hard[c] + soft_scale * g_soft[c]) / n;
        }
    }
    let loss = loss / n;
    // Logits near the scaled-logit limit can still overflow the sums above.
    check_finite("distillation loss (overflow from finite logits)", &[loss])?;
    check_finite("distillation gradient (overflow from finite logits)", &grad)?;
    Ok((loss, grad))
}
