//! L2 embedding matching `ℓ = ‖e^t − P e^s‖₂` (plain, not squared: the sentence-transformers
//! reimplementation's reading of the paper's Eq. 7/8) with an optional learned projection `P`
//! (`k_t × k_s`; the identity when `None`, which needs `k_t = k_s`).
//!
//! With `u = e^t − P e^s`: `∂ℓ/∂e^s = −Pᵀ u/‖u‖` and `∂ℓ/∂P = −u (e^s)ᵀ/‖u‖`; at `u = 0` the norm is
//! not differentiable and both gradients are taken as 0 (the minimum; a valid subgradient).

use crate::error::{check_finite, check_len, Error, Result};
use faer::{Mat, MatRef};

/// Value and gradients of the embedding-matching loss for one embedding pair.
#[derive(Clone, Debug, PartialEq)]
pub struct MatchLoss {
    /// `‖e^t − P e^s‖₂`.
    pub loss: f64,
    /// `∂ℓ/∂e^s` (length `k_s`).
    pub grad_student: Vec<f64>,
    /// `∂ℓ/∂P` (`k_t × k_s`) when a projection was given.
    pub grad_projection: Option<Mat<f64>>,
}

/// `‖e^t − P e^s‖₂` and its gradients (see the [module docs](self)). Errors: empty or non-finite
/// inputs, `P` not `k_t × k_s`, `k_t ≠ k_s` without a projection.
pub fn l2_match(
    teacher: &[f64],
    student: &[f64],
    projection: Option<MatRef<'_, f64>>,
) -> Result<MatchLoss> {
    crate::error::check_nonempty("teacher_embedding", teacher)?;
    crate::error::check_nonempty("student_embedding", student)?;
    check_finite("teacher_embedding", teacher)?;
    check_finite("student_embedding", student)?;
    let (kt, ks) = (teacher.len(), student.len());
    let projected: Vec<f64> = match projection {
        None => {
            check_len("student_embedding", kt, ks)?;
            student.to_vec()
        }
        Some(p) => {
            check_len("projection (rows)", kt, p.nrows())?;
            check_len("projection (columns)", ks, p.ncols())?;
            for i in 0..kt {
                for j in 0..ks {
                    if !p[(i, j)].is_finite() {
                        return Err(Error::NonFinite {
                            what: "projection",
                            index: i * ks + j,
                        });
                    }
                }
            }
            (0..kt)
                .map(|i| (0..ks).map(|j| p[(i, j)] * student[j]).sum())
                .collect()
        }
    };
    let u: Vec<f64> = teacher.iter().zip(&projected).map(|(t, s)| t - s).collect();
    let loss = u.iter().map(|v| v * v).sum::<f64>().sqrt();
    // Subgradient 0 at the kink u = 0.
    let unit: Vec<f64> = if loss > 0.0 {
        u.iter().map(|v| v / loss).collect()
    } else {
        vec![0.0; kt]
    };
    let (grad_student, grad_projection) = match projection {
        None => (unit.iter().map(|v| -v).collect(), None),
        Some(p) => (
            (0..ks)
                .map(|j| -(0..kt).map(|i| p[(i, j)] * unit[i]).sum::<f64>())
                .collect(),
            Some(Mat::from_fn(kt, ks, |i, j| -unit[i] * student[j])),
        ),
    };
    Ok(MatchLoss {
        loss,
        grad_student,
        grad_projection,
    })
}
