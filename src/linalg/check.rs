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
    check_region_finite(what, z, false)
}

/// Checks that every entry of the lower triangle (diagonal included) is finite: the part a
/// Cholesky or symmetric eigen solver reads (the strict upper triangle may hold anything).
pub fn check_lower_finite<T: crate::Float>(what: &'static str, z: MatRef<'_, T>) -> Result<()> {
    check_region_finite(what, z, true)
}

/// The entries `(i, j)` of the whole matrix, or of its lower triangle, are finite.
///
/// The scan runs down the columns, in the storage order of faer's column-major matrices: a
/// row-by-row scan of an `n × n` Gram strides by `n` and took longer than the copy it guards. Only
/// on failure is the region rescanned row by row, to name the first bad entry in row-major order.
fn check_region_finite<T: crate::Float>(
    what: &'static str,
    z: MatRef<'_, T>,
    lower_only: bool,
) -> Result<()> {
    let (rows, cols) = (z.nrows(), z.ncols());
    let first_row = |j: usize| if lower_only { j } else { 0 };
    let all_finite = (0..cols).all(|j| (first_row(j)..rows).all(|i| z[(i, j)].is_finite()));
    if all_finite {
        return Ok(());
    }
    (0..rows)
        .find_map(|i| {
            let last_col = if lower_only { (i + 1).min(cols) } else { cols };
            (0..last_col)
                .find(|&j| !z[(i, j)].is_finite())
                .map(|j| i * cols + j)
        })
        .map_or(Ok(()), |index| Err(Error::NonFinite { what, index }))
}
