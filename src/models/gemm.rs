//! The module's one GEMM entry point: row blocks in parallel, each one `crate::linalg::gemm_into`.

use crate::float::Float;
use faer::{MatMut, MatRef};
use rayon::prelude::*;

/// Output rows per parallel task. Fixed, so the work split (and every bit of the result) does not
/// depend on the thread count.
const ROWS_PER_TASK: usize = 64;

/// A row-major `[rows, cols]` matrix view of `data`, transposed when `transpose` is set (a stride
/// swap, no copy).
pub(crate) fn view<T: Float>(
    data: &[T],
    rows: usize,
    cols: usize,
    transpose: bool,
) -> MatRef<'_, T> {
    let m = MatRef::from_row_major_slice(data, rows, cols);
    if transpose {
        m.transpose()
    } else {
        m
    }
}

/// `C = A·B` (or `C += A·B` when `accumulate`), `C` row-major `[A.nrows, B.ncols]`.
///
/// Splits `C` into blocks of [`ROWS_PER_TASK`] rows on the current rayon pool; each block is one
/// sequential `crate::linalg::gemm_into` (which ends with `vzeroupper`, see [`crate::vector_state`]), so the scalar `exp`
/// and `erf` calls that follow do not pay the AVX-SSE transition penalty.
pub(crate) fn gemm<T: Float>(c: &mut [T], a: MatRef<'_, T>, b: MatRef<'_, T>, accumulate: bool) {
    let (m, n) = (a.nrows(), b.ncols());
    debug_assert_eq!(a.ncols(), b.nrows());
    debug_assert_eq!(c.len(), m * n);
    if m == 0 || n == 0 {
        return;
    }
    c.par_chunks_mut(ROWS_PER_TASK * n)
        .enumerate()
        .for_each(|(block, c_rows)| {
            let r0 = block * ROWS_PER_TASK;
            let rows = c_rows.len() / n;
            crate::linalg::gemm_into_unchecked(
                MatMut::from_row_major_slice_mut(c_rows, rows, n),
                a.subrows(r0, rows),
                b,
                T::one(),
                accumulate,
            );
        });
}
