//! The soft-weighted residual correction and the combined ResMem predictor.

use super::knn::NeighbourIndex;
use crate::error::{check_finite, check_len, check_nonempty, Error, Result};
use crate::float::Float;

/// Soft neighbour weights `w_i = exp(-(δ_i - δ_min)/σ) / Σ_j exp(-(δ_j - δ_min)/σ)` over the
/// Euclidean distances `δ` of one query's neighbours.
///
/// Subtracting `δ_min` keeps the largest term at `exp(0) = 1`, so no σ underflows the sum.
/// `σ = +∞` is the uniform limit (weights `1/k`). Errors: empty or non-finite distances, σ ≤ 0
/// or NaN.
pub fn soft_weights(dists: &[f64], sigma: f64) -> Result<Vec<f64>> {
    check_sigma(sigma)?;
    check_nonempty("dists", dists)?;
    check_finite("dists", dists)?;
    Ok(soft_weights_unchecked(dists, sigma))
}

fn soft_weights_unchecked(dists: &[f64], sigma: f64) -> Vec<f64> {
    let min = dists.iter().cloned().fold(f64::INFINITY, f64::min);
    let mut w: Vec<f64> = dists
        .iter()
        .map(|&x| {
            if sigma.is_infinite() {
                1.0
            } else {
                (-(x - min) / sigma).exp()
            }
        })
        .collect();
    let s: f64 = w.iter().sum();
    w.iter_mut().for_each(|x| *x /= s);
    w
}

fn check_sigma(sigma: f64) -> Result<()> {
    if sigma > 0.0 {
        Ok(())
    } else {
        Err(Error::InvalidArgument {
            what: "sigma",
            reason: format!("must be > 0 (or +inf), got {sigma}"),
        })
    }
}

/// ResMem: `f_RM(x) = f(x) + Σ_{i ∈ N_k(x)} w_i(x) r_i` with [`soft_weights`] over the `k`
/// nearest training embeddings.
///
/// Residuals are row-major `[n, C]` (`C = 1` for scalar regression), one row per point of the
/// index, in the index's order.
#[derive(Clone, Debug)]
pub struct ResMem<I> {
    index: I,
    residuals: Vec<f64>,
    outputs: usize,
    k: usize,
    sigma: f64,
}

impl<I> ResMem<I> {
    /// Builds the memory. Errors: residual rows not matching the index, `k = 0` or `k > n`,
    /// σ ≤ 0, non-finite residuals.
    pub fn new<T: Float>(
        index: I,
        residuals: Vec<f64>,
        outputs: usize,
        k: usize,
        sigma: f64,
    ) -> Result<Self>
    where
        I: NeighbourIndex<T>,
    {
        if outputs == 0 {
            return Err(Error::InvalidArgument {
                what: "outputs",
                reason: "need at least one output".into(),
            });
        }
        let elems = crate::error::checked_elems("residuals: n·outputs", &[index.len(), outputs])?;
        check_len("residuals", elems, residuals.len())?;
        check_finite("residuals", &residuals)?;
        check_sigma(sigma)?;
        if k == 0 || k > index.len() {
            return Err(Error::InvalidArgument {
                what: "k",
                reason: format!("need 1 <= k <= n = {}, got {k}", index.len()),
            });
        }
        Ok(ResMem {
            index,
            residuals,
            outputs,
            k,
            sigma,
        })
    }

    /// The residual correction `Σ w_i r_i` for each query row, `[n_queries, C]`.
    pub fn correction<T: Float>(&self, queries: &[T]) -> Result<Vec<f64>>
    where
        I: NeighbourIndex<T>,
    {
        let nb = self.index.search(queries, self.k)?;
        let c = self.outputs;
        let mut out = vec![0.0; nb.n_queries() * c];
        for (q, row_out) in out.chunks_exact_mut(c).enumerate() {
            let dists: Vec<f64> = nb.row_sq_dists(q).iter().map(|x| x.sqrt()).collect();
            let w = soft_weights_unchecked(&dists, self.sigma);
            for (&i, wi) in nb.row(q).iter().zip(w) {
                for (o, r) in row_out.iter_mut().zip(&self.residuals[i * c..(i + 1) * c]) {
                    *o += wi * r;
                }
            }
        }
        Ok(out)
    }

    /// The combined prediction `base + correction`, `[n_queries, C]`; `base` holds the base
    /// model's outputs at the queries (for classification, `softmax(f/T)`).
    pub fn predict<T: Float>(&self, queries: &[T], base: &[f64]) -> Result<Vec<f64>>
    where
        I: NeighbourIndex<T>,
    {
        let mut out = self.correction(queries)?;
        check_len("base", out.len(), base.len())?;
        check_finite("base", base)?;
        out.iter_mut().zip(base).for_each(|(o, b)| *o += b);
        // Finite corrections and base outputs near f64::MAX overflow their sum.
        check_finite("prediction (overflow from finite inputs)", &out)?;
        Ok(out)
    }

    /// The underlying neighbour index.
    pub fn index(&self) -> &I {
        &self.index
    }
}
