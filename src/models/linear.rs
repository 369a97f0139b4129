//! Affine layer `y = x Wᵀ + b` on packed token rows: `x` `[n, in]`, `W` `[out, in]`, `b` `[out]`.

use super::gemm::{gemm, view};
use crate::float::Float;

/// `y = x Wᵀ + b`, `[n, out]`.
pub fn forward<T: Float>(x: &[T], w: &[T], b: &[T], n: usize, d_in: usize) -> Vec<T> {
    let d_out = b.len();
    let mut y: Vec<T> = Vec::with_capacity(n * d_out);
    for _ in 0..n {
        y.extend_from_slice(b);
    }
    gemm(
        &mut y,
        view(x, n, d_in, false),
        view(w, d_out, d_in, true),
        true,
    );
    y
}

/// Backward of [`forward`]: returns `dx = dy W` `[n, in]` and adds `dyᵀ x` to `dw` and the
/// column sums of `dy` to `db`.
pub fn backward<T: Float>(
    x: &[T],
    w: &[T],
    dy: &[T],
    n: usize,
    d_in: usize,
    dw: &mut [T],
    db: &mut [T],
) -> Vec<T> {
    let d_out = db.len();
    let mut dx = vec![T::zero(); n * d_in];
    gemm(
        &mut dx,
        view(dy, n, d_out, false),
        view(w, d_out, d_in, false),
        false,
    );
    gemm(dw, view(dy, n, d_out, true), view(x, n, d_in, false), true);
    for row in dy.chunks_exact(d_out) {
        for (g, &v) in db.iter_mut().zip(row) {
            *g += v;
        }
    }
    dx
}
