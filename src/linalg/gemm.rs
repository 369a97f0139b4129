//! `C (=|+=) α · A · B` through faer's GEMM, sequential, with the vector-state fix after.
//!
//! The public entry points check every shape (and every size product, overflow-checked) before
//! touching or allocating anything, and return
//! [`Error::ShapeMismatch`](crate::Error::ShapeMismatch) / [`Error::Overflow`](crate::Error::Overflow)
//! instead of faer's assertion panics. Non-finite entries propagate as IEEE arithmetic says (the
//! product of finite inputs can still overflow to `±∞`); callers that promise finite output check
//! their own result. The `*_unchecked` variants are the crate-internal fast path for shapes that
//! hold by construction.

use crate::error::{check_len, checked_elems, Result};
use crate::float::Float;
use crate::vector_state::clear_upper_vector_state;
use faer::{Accum, Mat, MatMut, MatRef, Par};

/// Checks `dst` `m × n` = `lhs` `m × k` · `rhs` `k × n`.
fn check_product_shapes(
    dst: (usize, usize),
    lhs: (usize, usize),
    rhs: (usize, usize),
) -> Result<()> {
    check_len("gemm inner dimension (lhs cols = rhs rows)", lhs.1, rhs.0)?;
    check_len("gemm output rows (= lhs rows)", lhs.0, dst.0)?;
    check_len("gemm output cols (= rhs cols)", rhs.1, dst.1)
}

/// `dst = α · lhs · rhs` (`accumulate = false`) or `dst += α · lhs · rhs` (`true`).
/// Shapes: `lhs` `m × k`, `rhs` `k × n`, `dst` `m × n`. Transposes are free views
/// (`x.transpose()`).
///
/// # Errors
/// `ShapeMismatch` when the three shapes do not chain (checked before any work).
pub fn gemm_into<T: Float>(
    dst: MatMut<'_, T>,
    lhs: MatRef<'_, T>,
    rhs: MatRef<'_, T>,
    alpha: T,
    accumulate: bool,
) -> Result<()> {
    check_product_shapes(
        (dst.nrows(), dst.ncols()),
        (lhs.nrows(), lhs.ncols()),
        (rhs.nrows(), rhs.ncols()),
    )?;
    gemm_into_unchecked(dst, lhs, rhs, alpha, accumulate);
    Ok(())
}

/// [`gemm_into`] for shapes that chain by construction (faer asserts them).
pub(crate) fn gemm_into_unchecked<T: Float>(
    dst: MatMut<'_, T>,
    lhs: MatRef<'_, T>,
    rhs: MatRef<'_, T>,
    alpha: T,
    accumulate: bool,
) {
    let beta = if accumulate {
        Accum::Add
    } else {
        Accum::Replace
    };
    faer::linalg::matmul::matmul(dst, beta, lhs, rhs, alpha, Par::Seq);
    clear_upper_vector_state();
}

/// `lhs · rhs` as a new `m × n` matrix.
///
/// # Errors
/// `ShapeMismatch` when `lhs.ncols() != rhs.nrows()`; `Overflow` when `m · n` does not fit
/// `usize` (both checked before allocating).
pub fn gemm<T: Float>(lhs: MatRef<'_, T>, rhs: MatRef<'_, T>) -> Result<Mat<T>> {
    check_len(
        "gemm inner dimension (lhs cols = rhs rows)",
        lhs.ncols(),
        rhs.nrows(),
    )?;
    checked_elems("gemm output (m · n)", &[lhs.nrows(), rhs.ncols()])?;
    Ok(gemm_unchecked(lhs, rhs))
}

/// [`gemm`] for shapes that chain by construction.
pub(crate) fn gemm_unchecked<T: Float>(lhs: MatRef<'_, T>, rhs: MatRef<'_, T>) -> Mat<T> {
    let mut c = Mat::<T>::zeros(lhs.nrows(), rhs.ncols());
    gemm_into_unchecked(c.as_mut(), lhs, rhs, T::one(), false);
    c
}

/// `op(a) · op(b)` on flat row-major buffers, row-major out. `a` is stored `[a_dims.0, a_dims.1]`,
/// `b` `[b_dims.0, b_dims.1]`; `op` transposes when its flag is set (a stride swap, no copy).
///
/// # Errors
/// `Overflow` when a product of dimensions does not fit `usize`; `ShapeMismatch` when a buffer
/// length differs from its dimensions or the inner dimensions of `op(a)` and `op(b)` differ. All
/// checked before allocating.
pub fn gemm_row_major<T: Float>(
    a: &[T],
    a_dims: (usize, usize),
    transpose_a: bool,
    b: &[T],
    b_dims: (usize, usize),
    transpose_b: bool,
) -> Result<Vec<T>> {
    check_len(
        "gemm_row_major a (rows · cols)",
        checked_elems("gemm_row_major a (rows · cols)", &[a_dims.0, a_dims.1])?,
        a.len(),
    )?;
    check_len(
        "gemm_row_major b (rows · cols)",
        checked_elems("gemm_row_major b (rows · cols)", &[b_dims.0, b_dims.1])?,
        b.len(),
    )?;
    let op = |d: (usize, usize), t: bool| if t { (d.1, d.0) } else { d };
    let (oa, ob) = (op(a_dims, transpose_a), op(b_dims, transpose_b));
    check_len(
        "gemm_row_major inner dimension (op(a) cols = op(b) rows)",
        oa.1,
        ob.0,
    )?;
    checked_elems("gemm_row_major output (m · n)", &[oa.0, ob.1])?;
    Ok(gemm_row_major_unchecked(
        a,
        a_dims,
        transpose_a,
        b,
        b_dims,
        transpose_b,
    ))
}

/// [`gemm_row_major`] for shapes and lengths that hold by construction.
pub(crate) fn gemm_row_major_unchecked<T: Float>(
    a: &[T],
    a_dims: (usize, usize),
    transpose_a: bool,
    b: &[T],
    b_dims: (usize, usize),
    transpose_b: bool,
) -> Vec<T> {
    let a = MatRef::from_row_major_slice(a, a_dims.0, a_dims.1);
    let b = MatRef::from_row_major_slice(b, b_dims.0, b_dims.1);
    let a = if transpose_a { a.transpose() } else { a };
    let b = if transpose_b { b.transpose() } else { b };
    let (m, n) = (a.nrows(), b.ncols());
    let mut c = vec![T::zero(); m * n];
    gemm_into_unchecked(
        MatMut::from_row_major_slice_mut(&mut c, m, n),
        a,
        b,
        T::one(),
        false,
    );
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive(a: &[f64], b: &[f64], m: usize, k: usize, n: usize) -> Vec<f64> {
        let mut c = vec![0.0; m * n];
        for i in 0..m {
            for j in 0..n {
                c[i * n + j] = (0..k).map(|l| a[i * k + l] * b[l * n + j]).sum();
            }
        }
        c
    }

    fn transpose(a: &[f64], r: usize, c: usize) -> Vec<f64> {
        (0..c * r).map(|i| a[(i % r) * c + i / r]).collect()
    }

    #[test]
    fn matches_naive_on_shapes_around_tiles() {
        for &(m, k, n) in &[(1, 1, 1), (3, 5, 2), (15, 16, 17), (17, 33, 9), (0, 3, 2)] {
            let a: Vec<f64> = (0..m * k).map(|i| (i as f64 * 0.37).sin()).collect();
            let b: Vec<f64> = (0..k * n).map(|i| (i as f64 * 0.11).cos()).collect();
            let want = naive(&a, &b, m, k, n);
            let close = |c: &[f64]| c.iter().zip(&want).all(|(x, y)| (x - y).abs() < 1e-12);
            assert!(close(
                &gemm_row_major(&a, (m, k), false, &b, (k, n), false).unwrap()
            ));
            let at = transpose(&a, m, k);
            let bt = transpose(&b, k, n);
            assert!(close(
                &gemm_row_major(&at, (k, m), true, &bt, (n, k), true).unwrap()
            ));
            let am = MatRef::from_row_major_slice(&a, m, k);
            let bm = MatRef::from_row_major_slice(&b, k, n);
            let mut c = gemm(am, bm).unwrap();
            assert!((0..m * n).all(|i| (c[(i / n, i % n)] - want[i]).abs() < 1e-12));
            gemm_into(c.as_mut(), am, bm, -2.0, true).unwrap();
            assert!((0..m * n).all(|i| (c[(i / n, i % n)] + want[i]).abs() < 1e-12));
        }
    }
}
