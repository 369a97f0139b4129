//! faer decompositions (SVD, QR, symmetric eigenvalues, LU solve), each followed by the
//! vector-state fix and with faer's errors mapped to the crate's.

use super::check::{check_lower_finite, check_matrix_finite};
use crate::error::{check_len, Error, Result};
use crate::vector_state::clear_upper_vector_state;
use faer::linalg::solvers::Solve;
use faer::{Mat, MatMut, MatRef, Side};

fn not_converged(what: &'static str) -> Error {
    Error::NotConverged {
        what,
        iterations: 0,
        residual: f64::NAN,
    }
}

/// Singular values of `a`, largest first.
///
/// # Errors
/// `NonFinite` for a NaN or an infinity in `a`; `NotConverged` when faer's SVD fails.
pub fn singular_values(a: MatRef<'_, f64>) -> Result<Vec<f64>> {
    check_matrix_finite("matrix", a)?;
    let s = a
        .singular_values()
        .map_err(|_| not_converged("singular values"));
    clear_upper_vector_state();
    s
}

/// Thin SVD `A = U diag(s) Vᵀ` of an `m × n` matrix (`U` `m × r`, `V` `n × r`, `r = min(m, n)`).
pub struct ThinSvd {
    /// Left singular vectors, `m × r`.
    pub u: Mat<f64>,
    /// Singular values, largest first (`r`).
    pub s: Vec<f64>,
    /// Right singular vectors, `n × r`.
    pub v: Mat<f64>,
}

/// The thin SVD of `a`.
///
/// # Errors
/// `NonFinite` for a NaN or an infinity in `a`; `NotConverged` when faer's SVD fails.
pub fn thin_svd(a: MatRef<'_, f64>) -> Result<ThinSvd> {
    check_matrix_finite("matrix", a)?;
    let svd = a.thin_svd().map_err(|_| not_converged("SVD"));
    clear_upper_vector_state();
    let svd = svd?;
    let s = svd.S();
    Ok(ThinSvd {
        u: svd.U().to_owned(),
        s: (0..s.dim()).map(|k| s[k]).collect(),
        v: svd.V().to_owned(),
    })
}

/// The orthonormal factor `Q` (`n × n`) of the QR decomposition of a square `a`.
///
/// # Errors
/// `ShapeMismatch` for a non-square `a`; `NonFinite` for a NaN or an infinity in `a` (both checked
/// before factorising).
pub fn orthonormal_basis(a: MatRef<'_, f64>) -> Result<Mat<f64>> {
    check_len(
        "orthonormal_basis matrix (must be square)",
        a.nrows(),
        a.ncols(),
    )?;
    check_matrix_finite("orthonormal_basis matrix", a)?;
    let q = a.qr().compute_Q();
    clear_upper_vector_state();
    Ok(q)
}

/// Eigenvalues of the symmetric matrix `a` (its lower triangle is read), ascending.
///
/// # Errors
/// `ShapeMismatch` for a non-square `a`; `NonFinite` for a NaN or an infinity in `a`;
/// `NotConverged` when faer's solver fails.
pub fn symmetric_eigenvalues(a: MatRef<'_, f64>) -> Result<Vec<f64>> {
    check_len("symmetric matrix", a.nrows(), a.ncols())?;
    check_lower_finite("symmetric matrix", a)?;
    let ev = a
        .self_adjoint_eigenvalues(Side::Lower)
        .map_err(|_| not_converged("symmetric eigenvalues"));
    clear_upper_vector_state();
    let ev = ev?;
    // Finite entries near f64::MAX overflow the eigenvalues.
    crate::error::check_finite("symmetric eigenvalues (overflow from finite a)", &ev)?;
    Ok(ev)
}

/// `b ← A⁻¹ b` for a square `a` by LU with partial pivoting (no singularity check: a singular `a`
/// gives non-finite entries, which callers check).
pub fn lu_solve_in_place(a: MatRef<'_, f64>, b: MatMut<'_, f64>) -> Result<()> {
    check_len("lu matrix", a.nrows(), a.ncols())?;
    check_len("lu rhs (rows)", a.nrows(), b.nrows())?;
    check_matrix_finite("lu matrix", a)?;
    check_matrix_finite("lu rhs", b.as_ref())?;
    a.partial_piv_lu().solve_in_place(b);
    clear_upper_vector_state();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decompositions_reconstruct() {
        let a = Mat::from_fn(3, 2, |i, j| {
            (1 + i + 3 * j) as f64 + if i == j { 2.0 } else { 0.0 }
        });
        let svd = thin_svd(a.as_ref()).unwrap();
        assert_eq!(singular_values(a.as_ref()).unwrap().len(), 2);
        for i in 0..3 {
            for j in 0..2 {
                let r: f64 = (0..2)
                    .map(|k| svd.u[(i, k)] * svd.s[k] * svd.v[(j, k)])
                    .sum();
                assert!((r - a[(i, j)]).abs() < 1e-12);
            }
        }
        let q = orthonormal_basis(
            Mat::from_fn(3, 3, |i, j| (i * 3 + j) as f64 + (i == j) as u8 as f64).as_ref(),
        )
        .unwrap();
        for i in 0..3 {
            for j in 0..3 {
                let d: f64 = (0..3).map(|k| q[(k, i)] * q[(k, j)]).sum();
                assert!((d - if i == j { 1.0 } else { 0.0 }).abs() < 1e-12);
            }
        }
        let s = Mat::from_fn(2, 2, |i, j| if i == j { 2.0 } else { 1.0 });
        let ev = symmetric_eigenvalues(s.as_ref()).unwrap();
        assert!((ev[0] - 1.0).abs() < 1e-12 && (ev[1] - 3.0).abs() < 1e-12);
        let mut b = Mat::from_fn(2, 1, |i, _| i as f64 + 1.0);
        lu_solve_in_place(s.as_ref(), b.as_mut()).unwrap();
        assert!((2.0 * b[(0, 0)] + b[(1, 0)] - 1.0).abs() < 1e-14);
    }
}
