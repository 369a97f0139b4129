//! Validation of faer matrices handed in by users.

use crate::error::{Error, Result};
use faer::MatRef;

/// Checks that a matrix is non-empty (rows and columns) and finite, naming the first bad entry by
/// its row-major flat index.
pub fn check_matrix(what: &'static str, z: MatRef<'_, f64>) -> Result<()> {
    if z.nrows() == 0 || z.ncols() == 0 {
        return Err(Error::Empty { what });
    }
    check_matrix_finite(what, z)
}

/// Checks that every entry is finite (an empty matrix passes), naming the first bad entry by its
/// row-major flat index. `O(rows·cols)`: cheap beside the `O(n³)` factorisations it guards.
pub fn check_matrix_finite<T: crate::Float>(what: &'static str, z: MatRef<'_, T>) -> Result<()> {
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

/// Checks that every entry of the lower triangle (diagonal included) is finite: the part a
/// Cholesky or symmetric eigen solver reads (the strict upper triangle may hold anything).
pub fn check_lower_finite<T: crate::Float>(what: &'static str, z: MatRef<'_, T>) -> Result<()> {
    for i in 0..z.nrows() {
        for j in 0..=i.min(z.ncols().saturating_sub(1)) {
            if z.ncols() > 0 && !z[(i, j)].is_finite() {
                return Err(Error::NonFinite {
                    what,
                    index: i * z.ncols() + j,
                });
            }
        }
    }
    Ok(())
}
