//! `C (=|+=) α · A · B` through faer's GEMM, sequential, with the vector-state fix after.

use crate::float::Float;
use crate::vector_state::clear_upper_vector_state;
use faer::{Accum, Mat, MatMut, MatRef, Par};

/// `dst = α · lhs · rhs` (`accumulate = false`) or `dst += α · lhs · rhs` (`true`).
/// Shapes: `lhs` `m × k`, `rhs` `k × n`, `dst` `m × n` (faer panics on a mismatch: callers
/// validate user shapes first). Transposes are free views (`x.transpose()`).
pub fn gemm_into<T: Float>(
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
pub fn gemm<T: Float>(lhs: MatRef<'_, T>, rhs: MatRef<'_, T>) -> Mat<T> {
    let mut c = Mat::<T>::zeros(lhs.nrows(), rhs.ncols());
    gemm_into(c.as_mut(), lhs, rhs, T::one(), false);
    c
}

/// `op(a) · op(b)` on flat row-major buffers, row-major out. `a` is stored `[a_dims.0, a_dims.1]`,
/// `b` `[b_dims.0, b_dims.1]`; `op` transposes when its flag is set (a stride swap, no copy).
pub fn gemm_row_major<T: Float>(
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
    gemm_into(
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
            assert!(close(&gemm_row_major(&a, (m, k), false, &b, (k, n), false)));
            let at = transpose(&a, m, k);
            let bt = transpose(&b, k, n);
            assert!(close(&gemm_row_major(&at, (k, m), true, &bt, (n, k), true)));
            let am = MatRef::from_row_major_slice(&a, m, k);
            let bm = MatRef::from_row_major_slice(&b, k, n);
            let mut c = gemm(am, bm);
            assert!((0..m * n).all(|i| (c[(i / n, i % n)] - want[i]).abs() < 1e-12));
            gemm_into(c.as_mut(), am, bm, -2.0, true);
            assert!((0..m * n).all(|i| (c[(i / n, i % n)] + want[i]).abs() < 1e-12));
        }
    }
}
