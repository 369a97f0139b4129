//! Sentence embeddings: mean over each sequence's token rows, then L2 normalisation
//! (sentence-transformers' `mean` pooling + `Normalize`).

use super::batch::Batch;
use crate::float::Float;

/// Mean of each sequence's rows: `[B, D]`.
pub fn mean_forward<T: Float>(h: &[T], batch: &Batch, d: usize) -> Vec<T> {
    let mut out = vec![T::zero(); batch.sequences() * d];
    for ((o, &start), &len) in out
        .chunks_exact_mut(d)
        .zip(&batch.offsets())
        .zip(&batch.lengths)
    {
        for row in h[start * d..(start + len) * d].chunks_exact(d) {
            for (o, &v) in o.iter_mut().zip(row) {
                *o += v;
            }
        }
        let inv = T::one() / T::of(len as f64);
        o.iter_mut().for_each(|v| *v *= inv);
    }
    out
}

/// Backward of [`mean_forward`]: `dh` `[n, D]`.
pub fn mean_backward<T: Float>(d_mean: &[T], batch: &Batch, d: usize) -> Vec<T> {
    let mut dh = vec![T::zero(); batch.tokens() * d];
    for ((g, &start), &len) in d_mean
        .chunks_exact(d)
        .zip(&batch.offsets())
        .zip(&batch.lengths)
    {
        let inv = T::one() / T::of(len as f64);
        for row in dh[start * d..(start + len) * d].chunks_exact_mut(d) {
            for (r, &v) in row.iter_mut().zip(g) {
                *r = v * inv;
            }
        }
    }
    dh
}

/// Each row divided by its L2 norm (a zero row stays zero): `[B, D]`.
pub fn l2_normalize_forward<T: Float>(x: &[T], d: usize) -> Vec<T> {
    let mut y = x.to_vec();
    for row in y.chunks_exact_mut(d) {
        let norm = row.iter().map(|&v| v * v).sum::<T>().sqrt();
        if norm > T::zero() {
            row.iter_mut().for_each(|v| *v /= norm);
        }
    }
    y
}

/// Backward of [`l2_normalize_forward`]: `dx = (dy − y (y·dy)) / ‖x‖`.
pub fn l2_normalize_backward<T: Float>(x: &[T], dy: &[T], d: usize) -> Vec<T> {
    let mut dx = vec![T::zero(); x.len()];
    for ((dx, x), dy) in dx
        .chunks_exact_mut(d)
        .zip(x.chunks_exact(d))
        .zip(dy.chunks_exact(d))
    {
        let norm = x.iter().map(|&v| v * v).sum::<T>().sqrt();
        if norm > T::zero() {
            let dot = x.iter().zip(dy).map(|(&a, &b)| a * b).sum::<T>() / norm;
            for ((dx, &dy), &x) in dx.iter_mut().zip(dy).zip(x) {
                *dx = (dy - x / norm * dot) / norm;
            }
        }
    }
    dx
}
