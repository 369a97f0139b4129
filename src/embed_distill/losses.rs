//! Score-distillation losses over one query's candidate list (`L` documents) and their gradients
//! in the student scores.
//!
//! ```text
//! softmax-CE:  ℓ = −Σ_j p^t_j · lsm(s^s/τ_s)_j,   p^t = softmax(s^t/τ_t),
//!              ∂ℓ/∂s^s = (softmax(s^s/τ_s) − p^t) / τ_s
//! margin-MSE:  ℓ = (1/(L−1)) Σ_{j≠+} (Δ^s_j − Δ^t_j)²,   Δ_j = s_+ − s_j
//! label CE:    ℓ = −lsm(s^s/τ)_+,   ∂ℓ/∂s^s = (softmax(s^s/τ) − e_+) / τ
//! ```
//!
//! The softmax-CE value at a perfect match is the teacher entropy `H(p^t)`, not 0; the excess over
//! that minimum is `KL(p^t ‖ softmax(s^s/τ_s))`, reported alongside.

use crate::error::{check_finite, check_len, check_nonempty, Error, Result};
use crate::ops::{check_scaled_logits, check_temperature, kd_row, log_softmax_into};

/// Value and student-score gradient of a score loss for one query.
#[derive(Clone, Debug, PartialEq)]
pub struct ScoreLoss {
    /// The loss value.
    pub loss: f64,
    /// For softmax-CE: `KL(p^t ‖ p^s) = loss − H(p^t)`, zero exactly at the minimiser; for the
    /// other losses equal to `loss`.
    pub excess: f64,
    /// `∂loss/∂s^s` (length `L`).
    pub grad: Vec<f64>,
}

/// The loss, checked: finite scores near `f64::MAX` overflow the squares and differences.
fn checked(loss: f64, excess: f64, grad: Vec<f64>) -> Result<ScoreLoss> {
    check_finite("score loss (overflow from finite scores)", &[loss, excess])?;
    check_finite("score loss gradient (overflow from finite scores)", &grad)?;
    Ok(ScoreLoss { loss, excess, grad })
}

fn check_scores(student: &[f64], teacher: &[f64]) -> Result<()> {
    check_nonempty("student_scores", student)?;
    check_len("teacher_scores", student.len(), teacher.len())?;
    check_finite("student_scores", student)?;
    check_finite("teacher_scores", teacher)
}

/// Softmax cross-entropy score distillation for one query (see the [module docs](self)).
/// Errors: empty or mismatched lengths, non-finite scores, temperatures ≤ 0.
pub fn softmax_ce(student: &[f64], teacher: &[f64], tau_s: f64, tau_t: f64) -> Result<ScoreLoss> {
    check_scores(student, teacher)?;
    check_temperature("tau_s", tau_s)?;
    check_temperature("tau_t", tau_t)?;
    check_scaled_logits("student_scores", student, tau_s, 0)?;
    check_scaled_logits("teacher_scores", teacher, tau_t, 0)?;
    let l = student.len();
    // p^t as exp(log-softmax), the form kd_row uses for q: a perfect match gives a zero gradient
    // bit for bit.
    let mut p_t = vec![0.0; l];
    log_softmax_into(teacher, tau_t, &mut p_t);
    p_t.iter_mut().for_each(|v| *v = v.exp());
    let mut grad = vec![0.0; l];
    let row = kd_row(&p_t, student, tau_s, &mut grad);
    checked(row.cross_entropy, row.kl, grad)
}

/// Margin-MSE for one query with positive document `positive` and the other `L − 1` candidates as
/// negatives. Invariant to a constant shift of either score vector. Errors: `L < 2`, `positive ≥ L`,
/// mismatched lengths, non-finite scores.
pub fn margin_mse(student: &[f64], teacher: &[f64], positive: usize) -> Result<ScoreLoss> {
    check_scores(student, teacher)?;
    let l = student.len();
    if l < 2 {
        return Err(Error::InvalidArgument {
            what: "student_scores",
            reason: "margin-MSE needs a positive and at least one negative".into(),
        });
    }
    crate::error::check_ids("positive", &[positive], l)?;
    let norm = 1.0 / (l - 1) as f64;
    let mut loss = 0.0;
    let mut grad = vec![0.0; l];
    for j in (0..l).filter(|&j| j != positive) {
        let r = (student[positive] - student[j]) - (teacher[positive] - teacher[j]);
        loss += norm * r * r;
        grad[positive] += 2.0 * norm * r;
        grad[j] -= 2.0 * norm * r;
    }
    checked(loss, loss, grad)
}

/// One-hot cross-entropy on the positive document at temperature `tau`.
pub fn label_ce(student: &[f64], positive: usize, tau: f64) -> Result<ScoreLoss> {
    check_nonempty("student_scores", student)?;
    check_finite("student_scores", student)?;
    crate::error::check_ids("positive", &[positive], student.len())?;
    check_temperature("tau", tau)?;
    check_scaled_logits("student_scores", student, tau, 0)?;
    // The KD row with the one-hot target e_+: KL(e_+ ‖ q) = CE = −lsm_+.
    let mut target = vec![0.0; student.len()];
    target[positive] = 1.0;
    let mut grad = vec![0.0; student.len()];
    let row = kd_row(&target, student, tau, &mut grad);
    checked(row.cross_entropy, row.cross_entropy, grad)
}
