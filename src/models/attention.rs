//! Multi-head self-attention through `attnmech::attention`: the one place this module calls the
//! kernels (so an API change touches only this file).
//!
//! Packed rows `[n, H·d]` are scattered into the kernels' padded `[B, H, T, d]` layout (padding
//! rows are 0) and the kernel's per-batch valid key length masks the padded keys, so a sequence's
//! outputs do not depend on what else is in the batch.

use super::batch::Batch;
use crate::attention::{self, Forward, Options, Shape};
use crate::error::Result;
use crate::float::Float;

/// The kernel call's shape and options for a batch.
fn plan(batch: &Batch, heads: usize, head_dim: usize, causal: bool) -> (Shape, Options) {
    let t = batch.max_len();
    let shape = Shape {
        batch: batch.sequences(),
        heads,
        q_len: t,
        kv_len: t,
        head_dim,
    };
    let opts = Options::new()
        .causal(causal)
        .kv_valid_len(batch.lengths.clone());
    (shape, opts)
}

/// Packed `[n, H·d]` → padded `[B, H, T, d]` (padding rows 0).
pub fn to_heads<T: Float>(x: &[T], batch: &Batch, heads: usize, head_dim: usize) -> Vec<T> {
    let t = batch.max_len();
    let mut out = vec![T::zero(); batch.sequences() * heads * t * head_dim];
    for (b, (&start, &len)) in batch.offsets().iter().zip(&batch.lengths).enumerate() {
        for i in 0..len {
            let row = &x[(start + i) * heads * head_dim..(start + i + 1) * heads * head_dim];
            for h in 0..heads {
                let dst = ((b * heads + h) * t + i) * head_dim;
                out[dst..dst + head_dim].copy_from_slice(&row[h * head_dim..(h + 1) * head_dim]);
            }
        }
    }
    out
}

/// Padded `[B, H, T, d]` → packed `[n, H·d]` (padding rows dropped).
pub fn from_heads<T: Float>(x: &[T], batch: &Batch, heads: usize, head_dim: usize) -> Vec<T> {
    let t = batch.max_len();
    let mut out = vec![T::zero(); batch.tokens() * heads * head_dim];
    for (b, (&start, &len)) in batch.offsets().iter().zip(&batch.lengths).enumerate() {
        for i in 0..len {
            let row = &mut out[(start + i) * heads * head_dim..(start + i + 1) * heads * head_dim];
            for h in 0..heads {
                let src = ((b * heads + h) * t + i) * head_dim;
                row[h * head_dim..(h + 1) * head_dim].copy_from_slice(&x[src..src + head_dim]);
            }
        }
    }
    out
}

/// What the backward needs: the padded `q, k, v` and the kernel's forward result.
#[derive(Clone, Debug)]
pub struct Tape<T> {
    q: Vec<T>,
    k: Vec<T>,
    v: Vec<T>,
    fwd: Forward<T>,
}

/// `softmax(QKᵀ/√d, key padding [, causal]) V` per head; inputs and output packed `[n, H·d]`.
pub fn forward<T: Float>(
    q: &[T],
    k: &[T],
    v: &[T],
    batch: &Batch,
    heads: usize,
    causal: bool,
) -> Result<(Vec<T>, Tape<T>)> {
    let head_dim = q.len() / batch.tokens() / heads;
    let (shape, opts) = plan(batch, heads, head_dim, causal);
    let (q, k, v) = (
        to_heads(q, batch, heads, head_dim),
        to_heads(k, batch, heads, head_dim),
        to_heads(v, batch, heads, head_dim),
    );
    let fwd = attention::forward(&q, &k, &v, shape, &opts)?;
    let out = from_heads(&fwd.out, batch, heads, head_dim);
    Ok((out, Tape { q, k, v, fwd }))
}

/// Backward of [`forward`]: `(dq, dk, dv)`, packed `[n, H·d]`.
pub fn backward<T: Float>(
    tape: &Tape<T>,
    d_out: &[T],
    batch: &Batch,
    heads: usize,
    causal: bool,
) -> Result<(Vec<T>, Vec<T>, Vec<T>)> {
    let head_dim = d_out.len() / batch.tokens() / heads;
    let (shape, opts) = plan(batch, heads, head_dim, causal);
    let d_out = to_heads(d_out, batch, heads, head_dim);
    let g = attention::backward(&tape.q, &tape.k, &tape.v, &tape.fwd, &d_out, shape, &opts)?;
    Ok((
        from_heads(&g.dq, batch, heads, head_dim),
        from_heads(&g.dk, batch, heads, head_dim),
        from_heads(&g.dv, batch, heads, head_dim),
    ))
}
