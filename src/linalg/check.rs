//! Validation of faer matrices handed in by users.

use crate::error::{Error, Result};
use faer::MatRef;

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
