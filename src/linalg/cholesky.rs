//! Symmetric positive-definite solves by Cholesky (`A = L Lᵀ`), never an explicit inverse.

use super::check::{check_lower_finite, check_matrix_finite};
use crate::error::{check_len, Error, Result};
use crate::float::Float;
use crate::vector_state::clear_upper_vector_state;
use faer::dyn_stack::{MemBuffer, MemStack};
use faer::linalg::cholesky::llt::factor::{cholesky_in_place, cholesky_in_place_scratch, LltError};
use faer::linalg::solvers::{Llt, Solve};
use faer::{Mat, MatMut, MatRef, Par, Side};

/// Overwrites the lower triangle of the square `a` with its Cholesky factor `L` (`A = L Lᵀ`), with
/// an explicit faer parallelism (`Par::Seq` is bitwise reproducible). The strict upper triangle is
/// not part of the result: faer's blocked factorisation uses it as scratch.
///
/// # Errors
/// `ShapeMismatch` for a non-square `a`; `NonFinite` for a NaN or an infinity in the lower
/// triangle of `a`; [`Error::NotPositiveDefinite`] naming `what` and the first pivot that was not positive.
pub fn factor_lower_in_place<T: Float>(
    what: &'static str,
    mut a: MatMut<'_, T>,
    par: Par,
) -> Result<()> {
    check_len(what, a.nrows(), a.ncols())?;
    check_lower_finite(what, a.as_ref())?;
    let n = a.nrows();
    let mut mem = MemBuffer::new(cholesky_in_place_scratch::<T>(n, par, Default::default()));
    let stack = MemStack::new(&mut mem);
    let res = cholesky_in_place(
        a.as_mut(),
        Default::default(),
        par,
        stack,
        Default::default(),
    );
    clear_upper_vector_state();
    res.map(|_| ()).map_err(|e| match e {
        LltError::NonPositivePivot { index } => Error::NotPositiveDefinite { what, pivot: index },
    })
}

/// The Cholesky factor of an SPD `n × n` matrix, for one or many solves.
pub struct Cholesky {
    llt: Llt<f64>,
}

impl Cholesky {
    /// Factors `a` (its lower triangle is read).
    ///
    /// # Errors
    /// `ShapeMismatch` for a non-square `a`; `NonFinite` for a NaN or an infinity in `a`;
    /// [`Error::NotPositiveDefinite`] naming `what` and the failing pivot.
    pub fn factor(what: &'static str, a: MatRef<'_, f64>) -> Result<Self> {
        check_len(what, a.nrows(), a.ncols())?;
        check_lower_finite(what, a)?;
        let llt = a.llt(Side::Lower).map_err(|e| match e {
            LltError::NonPositivePivot { index } => {
                Error::NotPositiveDefinite { what, pivot: index }
            }
        });
        clear_upper_vector_state();
        Ok(Cholesky { llt: llt? })
    }

    /// Dimension `n`.
    pub fn dim(&self) -> usize {
        self.llt.L().nrows()
    }

    /// `A⁻¹ b` for `b` `n × c`. Errors: `ShapeMismatch` when `b` has the wrong number of rows,
    /// `NonFinite` for a NaN or an infinity in `b`.
    pub fn solve(&self, b: MatRef<'_, f64>) -> Result<Mat<f64>> {
        check_len("rhs (rows)", self.dim(), b.nrows())?;
        check_matrix_finite("rhs", b)?;
        let x = self.llt.solve(b);
        clear_upper_vector_state();
        Ok(x)
    }

    /// `b ← A⁻¹ b` in place. Errors as [`Cholesky::solve`].
    pub fn solve_in_place(&self, b: MatMut<'_, f64>) -> Result<()> {
        check_len("rhs (rows)", self.dim(), b.nrows())?;
        check_matrix_finite("rhs", b.as_ref())?;
        self.llt.solve_in_place(b);
        clear_upper_vector_state();
        Ok(())
    }
}

/// Solves `A X = B` for symmetric positive-definite `A` (`n × n`) and `B` (`n × c`).
///
/// # Errors
/// `ShapeMismatch` for a non-square `A` or a `B` with the wrong number of rows; `NonFinite` for a
/// NaN or an infinity in `A` or `B`; [`Error::NotPositiveDefinite`] naming `what` and the failing
/// pivot.
pub fn spd_solve(what: &'static str, a: MatRef<'_, f64>, b: MatRef<'_, f64>) -> Result<Mat<f64>> {
    check_len(what, a.nrows(), a.ncols())?;
    check_len("rhs", a.nrows(), b.nrows())?;
    Cholesky::factor(what, a)?.solve(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn solves_and_reports_the_failing_pivot() {
        let a = Mat::from_fn(3, 3, |i, j| if i == j { 4.0 } else { 1.0 });
        let b = Mat::from_fn(3, 2, |i, j| (i + 2 * j) as f64);
        let x = spd_solve("a", a.as_ref(), b.as_ref()).unwrap();
        for i in 0..3 {
            for j in 0..2 {
                let ax: f64 = (0..3).map(|l| a[(i, l)] * x[(l, j)]).sum();
                assert!((ax - b[(i, j)]).abs() < 1e-14);
            }
        }
        let mut y = b.clone();
        Cholesky::factor("a", a.as_ref())
            .unwrap()
            .solve_in_place(y.as_mut())
            .unwrap();
        assert_eq!(y, x);
        let bad = Mat::from_fn(2, 2, |i, j| if i == j { 1.0 } else { 2.0 });
        assert!(matches!(
            spd_solve("bad", bad.as_ref(), b.as_ref().subrows(0, 2)),
            Err(Error::NotPositiveDefinite { what: "bad", .. })
        ));
        assert!(spd_solve("a", a.as_ref(), b.as_ref().subrows(0, 2)).is_err());
        assert!(spd_solve("a", a.as_ref().subcols(0, 2), b.as_ref()).is_err());
        let mut l = a.clone();
        factor_lower_in_place("a", l.as_mut(), Par::Seq).unwrap();
        for i in 0..3 {
            for j in 0..=i {
                let llt: f64 = (0..=j).map(|k| l[(i, k)] * l[(j, k)]).sum();
                assert!((llt - a[(i, j)]).abs() < 1e-14);
            }
        }
        let mut bad2 = bad.clone();
        assert_eq!(
            factor_lower_in_place("bad", bad2.as_mut(), Par::Seq),
            Err(Error::NotPositiveDefinite {
                what: "bad",
                pivot: 1
            })
        );
    }
}
