//! The spec's two tiny ResMem instances (section 5(c)).

use super::knn::BruteForce;
use super::predictor::ResMem;
use super::residual::{classification_residuals, regression_residuals};
use crate::error::Result;
use crate::linalg::{linear_predict_unchecked as linear_predict, ridge_fit};
use crate::ops::argmax_rows;
use crate::ops::softmax_rows;
use crate::rng::seeded;
use rand::Rng;
use rand_distr::{Distribution, StandardNormal};

/// Test risks of the stylised regression problem at one training size.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RateRisk {
    /// Training points.
    pub n: usize,
    /// Test MSE of the capacity-limited linear base.
    pub base_mse: f64,
    /// Test MSE of base + 1-NN residual memory.
    pub resmem_mse: f64,
}

/// Stylised regression (RM5): `x ~ U[-1,1]^3`, `y = θ*·x` with `‖θ*‖ = 2`, noiseless; the base is
/// least squares projected onto the ball `‖θ‖ ≤ 0.5`, so its bias never vanishes; ResMem adds the
/// 1-NN training residual. Returns both test MSEs on `n_test` fresh points.
pub fn rate_instance(n: usize, n_test: usize, seed: u64) -> Result<RateRisk> {
    const D: usize = 3;
    let mut rng = seeded(seed, 51);
    let mut theta: Vec<f64> = (0..D).map(|_| StandardNormal.sample(&mut rng)).collect();
    let norm = theta.iter().map(|t| t * t).sum::<f64>().sqrt();
    theta.iter_mut().for_each(|t| *t *= 2.0 / norm);
    let draw = |m: usize, stream: u64| {
        let mut r = seeded(seed, stream);
        let x: Vec<f64> = (0..m * D).map(|_| r.random_range(-1.0..1.0)).collect();
        let y: Vec<f64> = x
            .chunks_exact(D)
            .map(|row| row.iter().zip(&theta).map(|(a, b)| a * b).sum())
            .collect();
        (x, y)
    };
    let (x, y) = draw(n, 52);
    let (xt, yt) = draw(n_test, 53);
    let mut w = ridge_fit(&x, &y, n, 0.0)?;
    let wn = w.iter().map(|t| t * t).sum::<f64>().sqrt();
    if wn > 0.5 {
        w.iter_mut().for_each(|t| *t *= 0.5 / wn);
    }
    let base_train = linear_predict(&x, &w, n, 1);
    let base_test = linear_predict(&xt, &w, n_test, 1);
    let residuals = regression_residuals(&y, &base_train)?;
    let memory = ResMem::new(BruteForce::new(x, D)?, residuals, 1, 1, 1.0)?;
    let pred = memory.predict(&xt, &base_test)?;
    let mse =
        |f: &[f64]| f.iter().zip(&yt).map(|(a, b)| (a - b).powi(2)).sum::<f64>() / n_test as f64;
    Ok(RateRisk {
        n,
        base_mse: mse(&base_test),
        resmem_mse: mse(&pred),
    })
}

/// The memorisation instance (RM1-RM2): `n = 200`, `d = 5`, `C = 4`; labels from a random linear
/// teacher, base `softmax(XW)` with a weak `W ~ 0.3·N(0,1)`.
#[derive(Clone, Debug)]
pub struct ClassificationInstance {
    /// Embeddings `[n, d]`.
    pub x: Vec<f64>,
    /// Labels `[n]`.
    pub labels: Vec<usize>,
    /// Base probabilities `softmax(XW)` `[n, C]`.
    pub base_probs: Vec<f64>,
    /// Residuals `e_y - base_probs` `[n, C]`.
    pub residuals: Vec<f64>,
    /// Dimension.
    pub d: usize,
    /// Classes.
    pub classes: usize,
}

impl ClassificationInstance {
    /// Draws the instance from `seed`.
    pub fn new(seed: u64) -> Result<Self> {
        let (n, d, c) = (200, 5, 4);
        let mut rng = seeded(seed, 54);
        let mut normal = || -> f64 { StandardNormal.sample(&mut rng) };
        let x: Vec<f64> = (0..n * d).map(|_| normal()).collect();
        let teacher: Vec<f64> = (0..d * c).map(|_| normal()).collect();
        let w: Vec<f64> = (0..d * c).map(|_| 0.3 * normal()).collect();
        let labels = argmax_rows(&linear_predict(&x, &teacher, n, c), c);
        let logits = linear_predict(&x, &w, n, c);
        let base_probs = softmax_rows(&logits, c, 1.0)?;
        let residuals = classification_residuals(&logits, &labels, c, 1.0)?;
        Ok(ClassificationInstance {
            x,
            labels,
            base_probs,
            residuals,
            d,
            classes: c,
        })
    }

    /// ResMem over the training embeddings with `k` neighbours and temperature `σ`.
    pub fn resmem(&self, k: usize, sigma: f64) -> Result<ResMem<BruteForce<f64>>> {
        ResMem::new(
            BruteForce::new(self.x.clone(), self.d)?,
            self.residuals.clone(),
            self.classes,
            k,
            sigma,
        )
    }

    /// `(max |f_RM(x_i) - e_{y_i}|, train accuracy)` of ResMem on its own training points.
    pub fn train_fit(&self, k: usize, sigma: f64) -> Result<(f64, f64)> {
        let pred = self.resmem(k, sigma)?.predict(&self.x, &self.base_probs)?;
        let c = self.classes;
        let mut err: f64 = 0.0;
        for (row, &y) in pred.chunks_exact(c).zip(&self.labels) {
            for (j, v) in row.iter().enumerate() {
                err = err.max((v - if j == y { 1.0 } else { 0.0 }).abs());
            }
        }
        let acc = argmax_rows(&pred, c)
            .iter()
            .zip(&self.labels)
            .filter(|(a, b)| a == b)
            .count() as f64
            / self.labels.len() as f64;
        Ok((err, acc))
    }
}
