//! Input embeddings: `x_t = word[id_t] + position[pos_t] + token_type[type_t]` (positions restart
//! at 0 in each sequence), then LayerNorm.

use super::batch::Batch;
use super::params::EmbeddingParams;
use crate::float::Float;

/// The summed table rows, `[n, D]` (before the LayerNorm).
pub fn forward<T: Float>(p: &EmbeddingParams<T>, batch: &Batch, d: usize) -> Vec<T> {
    let mut x = vec![T::zero(); batch.tokens() * d];
    let mut row = 0;
    for &len in &batch.lengths {
        for pos in 0..len {
            let out = &mut x[row * d..(row + 1) * d];
            let w = &p.word[batch.ids[row] * d..(batch.ids[row] + 1) * d];
            let ps = &p.position[pos * d..(pos + 1) * d];
            for ((o, &a), &b) in out.iter_mut().zip(w).zip(ps) {
                *o = a + b;
            }
            if !p.token_type.is_empty() {
                let t = batch.type_ids.get(row).copied().unwrap_or(0);
                for (o, &v) in out.iter_mut().zip(&p.token_type[t * d..(t + 1) * d]) {
                    *o += v;
                }
            }
            row += 1;
        }
    }
    x
}

/// Scatter-adds `dx` `[n, D]` into the gradients of the three tables.
pub fn backward<T: Float>(g: &mut EmbeddingParams<T>, batch: &Batch, dx: &[T], d: usize) {
    let mut row = 0;
    for &len in &batch.lengths {
        for pos in 0..len {
            let dr = &dx[row * d..(row + 1) * d];
            let id = batch.ids[row];
            for (w, &v) in g.word[id * d..(id + 1) * d].iter_mut().zip(dr) {
                *w += v;
            }
            for (w, &v) in g.position[pos * d..(pos + 1) * d].iter_mut().zip(dr) {
                *w += v;
            }
            if !g.token_type.is_empty() {
                let t = batch.type_ids.get(row).copied().unwrap_or(0);
                for (w, &v) in g.token_type[t * d..(t + 1) * d].iter_mut().zip(dr) {
                    *w += v;
                }
            }
            row += 1;
        }
    }
}
