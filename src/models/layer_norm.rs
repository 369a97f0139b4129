//! LayerNorm over the last axis: `y = γ ∘ x̂ + β`, `x̂ = (x − μ) / √(σ² + ε)` per row (biased σ²).

use crate::float::Float;
use rayon::prelude::*;

/// Rows per parallel task (fixed: results do not depend on the thread count).
const ROWS_PER_TASK: usize = 32;

/// What the backward needs: the normalised rows `x̂` `[n, D]` and `1/√(σ² + ε)` per row.
#[derive(Clone, Debug)]
pub struct Tape<T> {
    /// `[n, D]`.
    pub x_hat: Vec<T>,
    /// `[n]`.
    pub rstd: Vec<T>,
}

/// Forward: returns `y` `[n, D]` and the tape.
pub fn forward<T: Float>(x: &[T], gamma: &[T], beta: &[T], eps: f64) -> (Vec<T>, Tape<T>) {
    let d = gamma.len();
    let n = x.len() / d;
    let mut y = vec![T::zero(); n * d];
    let mut x_hat = vec![T::zero(); n * d];
    let mut rstd = vec![T::zero(); n];
    let eps = T::of(eps);
    let inv_d = T::one() / T::of(d as f64);
    y.par_chunks_mut(ROWS_PER_TASK * d)
        .zip(x_hat.par_chunks_mut(ROWS_PER_TASK * d))
        .zip(rstd.par_chunks_mut(ROWS_PER_TASK))
        .zip(x.par_chunks(ROWS_PER_TASK * d))
        .for_each(|(((y, xh), r), x)| {
            for (((y, xh), r), x) in y
                .chunks_exact_mut(d)
                .zip(xh.chunks_exact_mut(d))
                .zip(r.iter_mut())
                .zip(x.chunks_exact(d))
            {
                let mean = x.iter().copied().sum::<T>() * inv_d;
                let var = x.iter().map(|&v| (v - mean) * (v - mean)).sum::<T>() * inv_d;
                let s = T::one() / (var + eps).sqrt();
                *r = s;
                for ((((y, xh), &x), &g), &b) in
                    y.iter_mut().zip(xh.iter_mut()).zip(x).zip(gamma).zip(beta)
                {
                    *xh = (x - mean) * s;
                    *y = g * *xh + b;
                }
            }
        });
    (y, Tape { x_hat, rstd })
}

/// Backward: returns `dx` and adds `Σ dy ∘ x̂` to `d_gamma` and `Σ dy` to `d_beta`.
///
/// With `g = γ ∘ dy`: `dx = rstd · (g − mean(g) − x̂ · mean(g ∘ x̂))`.
pub fn backward<T: Float>(
    tape: &Tape<T>,
    gamma: &[T],
    dy: &[T],
    d_gamma: &mut [T],
    d_beta: &mut [T],
) -> Vec<T> {
    let d = gamma.len();
    let inv_d = T::one() / T::of(d as f64);
    let mut dx = vec![T::zero(); dy.len()];
    dx.par_chunks_mut(ROWS_PER_TASK * d)
        .zip(dy.par_chunks(ROWS_PER_TASK * d))
        .zip(tape.x_hat.par_chunks(ROWS_PER_TASK * d))
        .zip(tape.rstd.par_chunks(ROWS_PER_TASK))
        .for_each(|(((dx, dy), xh), r)| {
            for (((dx, dy), xh), &s) in dx
                .chunks_exact_mut(d)
                .zip(dy.chunks_exact(d))
                .zip(xh.chunks_exact(d))
                .zip(r)
            {
                let mut mean_g = T::zero();
                let mut mean_gx = T::zero();
                for ((&g, &dy), &xh) in gamma.iter().zip(dy).zip(xh) {
                    let g = g * dy;
                    mean_g += g;
                    mean_gx += g * xh;
                }
                mean_g *= inv_d;
                mean_gx *= inv_d;
                for (((dx, &g), &dy), &xh) in dx.iter_mut().zip(gamma).zip(dy).zip(xh) {
                    *dx = s * (g * dy - mean_g - xh * mean_gx);
                }
            }
        });
    // Parameter gradients: a sequential sum over rows in row order (deterministic).
    for (dy, xh) in dy.chunks_exact(d).zip(tape.x_hat.chunks_exact(d)) {
        for (((dg, db), &dy), &xh) in d_gamma.iter_mut().zip(d_beta.iter_mut()).zip(dy).zip(xh) {
            *dg += dy * xh;
            *db += dy;
        }
    }
    dx
}
