//! Tile sizes and the tile GEMM (faer, sequential: the parallelism is over tiles).

use crate::attention::Shape;
use crate::float::Float;
use faer::linalg::matmul::matmul;
use faer::{Accum, MatMut, MatRef, Par};

/// Query rows per tile (`Br`).
pub(crate) const BLOCK_Q: usize = 64;

/// Tile sizes of one call. They depend only on the shape (never on the thread count), which is half
/// of the determinism argument (see `proofs-notes/attention_kernels_cpu.md`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Tiles {
    /// Query rows per tile `Br`.
    pub br: usize,
    /// Keys per tile `Bc`.
    pub bc: usize,
}

impl Tiles {
    /// Forward tiles: `Br = 64`, `Bc` such that a `Bc × d` K or V tile is about 64 KiB of f32
    /// (`Bc = 256` at `d = 64`, 64 at `d = 256`), clamped to `[64, 256]` and to the key count.
    pub(crate) fn forward(shape: Shape) -> Self {
        let bc = (16_384 / shape.head_dim.max(1)).clamp(64, 256);
        Tiles {
            br: BLOCK_Q.min(shape.q_len.max(1)),
            bc: bc.min(shape.kv_len.max(1)),
        }
    }

    /// Backward tiles: `Br = 64`, `Bc = 128` (d ≤ 128) or 64, clamped to the lengths: the KV tile's
    /// `dK, dV` accumulators (`2·Bc·d`) stay in L1/L2 while Q tiles stream past.
    pub(crate) fn backward(shape: Shape) -> Self {
        let bc = if shape.head_dim <= 128 { 128 } else { 64 };
        Tiles {
            br: BLOCK_Q.min(shape.q_len.max(1)),
            bc: bc.min(shape.kv_len.max(1)),
        }
    }
}

/// Row-major `rows × cols` view of the first `rows·cols` elements of `x`.
#[inline]
pub(crate) fn view<T: Float>(x: &[T], rows: usize, cols: usize) -> MatRef<'_, T> {
    MatRef::from_row_major_slice(&x[..rows * cols], rows, cols)
}

/// Mutable row-major `rows × cols` view of the first `rows·cols` elements of `x`.
#[inline]
pub(crate) fn view_mut<T: Float>(x: &mut [T], rows: usize, cols: usize) -> MatMut<'_, T> {
    MatMut::from_row_major_slice_mut(&mut x[..rows * cols], rows, cols)
}

/// `dst (=|+=) alpha · lhs · rhs` on one tile, single-threaded.
///
/// The kernel's own tile GEMM: attention sits below `crate::linalg` in the layer order
/// (papers → ops/linalg → attention → core), so it calls faer directly and clears the vector state
/// itself.
#[inline]
#[allow(clippy::disallowed_methods)]
pub(crate) fn gemm<T: Float>(
    dst: MatMut<'_, T>,
    accum: Accum,
    lhs: MatRef<'_, T>,
    rhs: MatRef<'_, T>,
    alpha: T,
) {
    matmul(dst, accum, lhs, rhs, alpha, Par::Seq);
    super::simd::clear_upper_state();
}

/// Row-major `rows × cols` view with `row_stride` elements between rows, starting at `x[0]`.
#[inline]
pub(crate) fn strided<T: Float>(
    x: &[T],
    rows: usize,
    cols: usize,
    row_stride: usize,
) -> MatRef<'_, T> {
    MatRef::from_row_major_slice_with_stride(x, rows, cols, row_stride)
}

/// The `rows × dim` tile of head `h` starting at token `s0` of batch entry `b` of a view.
#[inline]
pub(crate) fn view_tile<'a, T: Float>(
    x: &crate::attention::View<'a, T>,
    b: usize,
    s0: usize,
    rows: usize,
    h: usize,
) -> MatRef<'a, T> {
    let dim = x.dims().dim;
    strided(&x.data()[x.offset(b, s0, h)..], rows, dim, x.strides().seq)
}
