//! The spec's memorisation toy (section 2(c)): a Gaussian mixture with flipped labels, random
//! Fourier-feature models of increasing width fitted by ridge least squares on one-hot targets,
//! retrained on many random subsets.

use super::estimator::{memorisation_estimate, MemEstimate};
use crate::error::{check_len, Result};
use crate::linalg::{gemm_into_unchecked as gemm_into, spd_solve};
use crate::ops::argmax_rows;
use crate::rng::seeded;
use faer::{Mat, MatRef};
use rand::Rng;
use rand_distr::{Distribution, StandardNormal};
use rayon::prelude::*;

/// A labelled Gaussian mixture with a fraction of labels flipped.
#[derive(Clone, Debug)]
pub struct MixtureToy {
    /// Inputs `[n, d]` row-major.
    pub x: Vec<f64>,
    /// Given (possibly flipped) labels.
    pub labels: Vec<usize>,
    /// Whether label `i` was flipped.
    pub flipped: Vec<bool>,
    /// Points.
    pub n: usize,
    /// Dimension.
    pub d: usize,
    /// Classes.
    pub classes: usize,
}

impl MixtureToy {
    /// `n` points in `R^d` from `classes` unit-variance Gaussians with means `~ N(0, I)`;
    /// a `flip_rate` fraction of labels replaced by a different class.
    pub fn new(n: usize, d: usize, classes: usize, flip_rate: f64, seed: u64) -> Self {
        let mut rng = seeded(seed, 31);
        let normal = |r: &mut crate::rng::Rng| -> f64 { StandardNormal.sample(r) };
        let means: Vec<f64> = (0..classes * d).map(|_| normal(&mut rng)).collect();
        let mut x = Vec::with_capacity(n * d);
        let mut labels = Vec::with_capacity(n);
        let mut flipped = Vec::with_capacity(n);
        for i in 0..n {
            let y = i % classes;
            x.extend((0..d).map(|j| means[y * d + j] + normal(&mut rng)));
            let flip = rng.random::<f64>() < flip_rate;
            labels.push(if flip {
                (y + 1 + rng.random_range(0..classes - 1)) % classes
            } else {
                y
            });
            flipped.push(flip);
        }
        MixtureToy {
            x,
            labels,
            flipped,
            n,
            d,
            classes,
        }
    }

    /// One-hot targets `[n, C]` of the given labels.
    pub fn one_hot(&self) -> Vec<f64> {
        let mut t = vec![0.0; self.n * self.classes];
        for (i, &y) in self.labels.iter().enumerate() {
            t[i * self.classes + y] = 1.0;
        }
        t
    }
}

/// Random Fourier features `φ(x) = sqrt(2/p) cos(Wx + b)`, `W ~ N(0, I/d)` (bandwidth `sqrt(d)`),
/// `b ~ U[0, 2π)`; returns `[n, p]` row-major.
pub fn rff_features(x: &[f64], d: usize, p: usize, seed: u64) -> Vec<f64> {
    let mut rng = seeded(seed, 32 + p as u64);
    let scale = 1.0 / (d as f64).sqrt();
    let w: Vec<f64> = (0..p * d)
        .map(|_| {
            let z: f64 = StandardNormal.sample(&mut rng);
            scale * z
        })
        .collect();
    let b: Vec<f64> = (0..p)
        .map(|_| rng.random::<f64>() * std::f64::consts::TAU)
        .collect();
    let amp = (2.0 / p as f64).sqrt();
    x.chunks_exact(d)
        .flat_map(|xi| {
            let (w, b) = (&w, &b);
            (0..p).map(move |k| {
                let z: f64 = w[k * d..(k + 1) * d]
                    .iter()
                    .zip(xi)
                    .map(|(a, c)| a * c)
                    .sum();
                amp * (z + b[k]).cos()
            })
        })
        .collect()
}

/// A random-feature ridge model family of one width, ready to be refitted on many subsets.
///
/// Fits the primal `(Φ_Sᵀ Φ_S + λI) W = Φ_Sᵀ Y_S` when `p ≤ |S|`, else the dual
/// `(K_SS + λI) α = Y_S` with the precomputed Gram `K = ΦΦᵀ` (a subset's Gram is a submatrix).
#[derive(Clone, Debug)]
pub struct RffRidge {
    features: Vec<f64>,
    gram: Mat<f64>,
    n: usize,
    p: usize,
    lambda: f64,
}

impl RffRidge {
    /// Features of width `p` for `x` `[n, d]` and ridge `λ > 0` (1e-6 for near-interpolation).
    pub fn new(x: &[f64], d: usize, p: usize, lambda: f64, seed: u64) -> Self {
        let n = x.len() / d;
        let features = rff_features(x, d, p, seed);
        let f = MatRef::from_row_major_slice(&features, n, p);
        let mut gram = Mat::<f64>::zeros(n, n);
        gemm_into(gram.as_mut(), f, f.transpose(), 1.0, false);
        RffRidge {
            features,
            gram,
            n,
            p,
            lambda,
        }
    }

    /// Fits on the points listed in `members` with targets `[n, C]` (rows of non-members are
    /// ignored) and predicts at all `n` points, `[n, C]` column-major.
    pub fn fit_predict(
        &self,
        members: &[usize],
        targets: &[f64],
        classes: usize,
    ) -> Result<Mat<f64>> {
        check_len("targets", self.n * classes, targets.len())?;
        let s = members.len();
        let y = Mat::<f64>::from_fn(s, classes, |a, c| targets[members[a] * classes + c]);
        let mut pred = Mat::<f64>::zeros(self.n, classes);
        if self.p <= s {
            let f = MatRef::from_row_major_slice(&self.features, self.n, self.p);
            let fs = Mat::<f64>::from_fn(s, self.p, |a, k| f[(members[a], k)]);
            let mut g = Mat::<f64>::zeros(self.p, self.p);
            gemm_into(g.as_mut(), fs.transpose(), fs.as_ref(), 1.0, false);
            (0..self.p).for_each(|k| g[(k, k)] += self.lambda);
            let mut rhs = Mat::<f64>::zeros(self.p, classes);
            gemm_into(rhs.as_mut(), fs.transpose(), y.as_ref(), 1.0, false);
            let w = spd_solve("ΦᵀΦ + λI", g.as_ref(), rhs.as_ref())?;
            gemm_into(pred.as_mut(), f, w.as_ref(), 1.0, false);
        } else {
            let mut g = Mat::<f64>::from_fn(s, s, |a, b| self.gram[(members[a], members[b])]);
            (0..s).for_each(|k| g[(k, k)] += self.lambda);
            let alpha = spd_solve("ΦΦᵀ + λI", g.as_ref(), y.as_ref())?;
            let cross = Mat::<f64>::from_fn(self.n, s, |i, b| self.gram[(i, members[b])]);
            gemm_into(pred.as_mut(), cross.as_ref(), alpha.as_ref(), 1.0, false);
        }
        Ok(pred)
    }

    /// Correctness matrix `[runs, n]` against `labels`: run `k` fits on row `k` of `membership`
    /// with `targets` and predicts by argmax. Runs are fitted in parallel; results are ordered.
    pub fn correctness(
        &self,
        membership: &[u8],
        runs: usize,
        targets: &[f64],
        labels: &[usize],
        classes: usize,
    ) -> Result<Vec<u8>> {
        let n = self.n;
        check_len("membership", runs * n, membership.len())?;
        let rows = (0..runs)
            .into_par_iter()
            .map(|k| {
                let members: Vec<usize> = (0..n).filter(|&i| membership[k * n + i] == 1).collect();
                let pred = self.fit_predict(&members, targets, classes)?;
                let flat: Vec<f64> = (0..n)
                    .flat_map(|i| (0..classes).map(move |c| (i, c)))
                    .map(|(i, c)| pred[(i, c)])
                    .collect();
                Ok(argmax_rows(&flat, classes)
                    .iter()
                    .zip(labels)
                    .map(|(a, b)| (a == b) as u8)
                    .collect::<Vec<u8>>())
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(rows.concat())
    }
}

/// Memorisation estimates of the toy at each width (ridge `λ`, one-hot targets).
pub fn size_sweep(
    toy: &MixtureToy,
    widths: &[usize],
    membership: &[u8],
    runs: usize,
    lambda: f64,
    seed: u64,
) -> Result<Vec<MemEstimate>> {
    let targets = toy.one_hot();
    widths
        .iter()
        .map(|&p| {
            let model = RffRidge::new(&toy.x, toy.d, p, lambda, seed);
            let c = model.correctness(membership, runs, &targets, &toy.labels, toy.classes)?;
            memorisation_estimate(membership, &c, runs)
        })
        .collect()
}

/// Distillation on the toy: a teacher of width `teacher_width` and ridge `teacher_lambda` fitted
/// once on all points; students of width `student_width` refitted on each subset to the teacher's
/// outputs (squared-loss distillation). Memorisation is measured against the given labels.
/// Returns `(one-hot student estimate, distilled student estimate, teacher agreement with labels)`.
pub fn distillation_experiment(
    toy: &MixtureToy,
    membership: &[u8],
    runs: usize,
    student_width: usize,
    teacher: (usize, f64),
    seed: u64,
) -> Result<(MemEstimate, MemEstimate, f64)> {
    let all: Vec<usize> = (0..toy.n).collect();
    let one_hot = toy.one_hot();
    let t_model = RffRidge::new(&toy.x, toy.d, teacher.0, teacher.1, seed);
    let t_pred = t_model.fit_predict(&all, &one_hot, toy.classes)?;
    let soft: Vec<f64> = (0..toy.n)
        .flat_map(|i| (0..toy.classes).map(move |c| (i, c)))
        .map(|(i, c)| t_pred[(i, c)])
        .collect();
    let agree = argmax_rows(&soft, toy.classes)
        .iter()
        .zip(&toy.labels)
        .filter(|(a, b)| a == b)
        .count() as f64
        / toy.n as f64;
    let student = RffRidge::new(&toy.x, toy.d, student_width, 1e-6, seed);
    let hard = student.correctness(membership, runs, &one_hot, &toy.labels, toy.classes)?;
    let dist = student.correctness(membership, runs, &soft, &toy.labels, toy.classes)?;
    Ok((
        memorisation_estimate(membership, &hard, runs)?,
        memorisation_estimate(membership, &dist, runs)?,
        agree,
    ))
}

/// The 1-NN instance of check MM2: `n` points in `R^2` around three well-separated centres
/// (`(0,0)`, `(6,0)`, `(0,6)`, unit noise), label `i mod 3`, every tenth label flipped to the
/// next class. Returns `(x [n, 2], labels, flipped)`.
pub fn one_nn_instance(n: usize, seed: u64) -> (Vec<f64>, Vec<usize>, Vec<bool>) {
    let mut rng = seeded(seed, 0);
    let mut x = Vec::with_capacity(2 * n);
    let mut labels = Vec::with_capacity(n);
    let mut flipped = Vec::with_capacity(n);
    for i in 0..n {
        let y = i % 3;
        let c = [(0.0, 0.0), (6.0, 0.0), (0.0, 6.0)][y];
        let (a, b): (f64, f64) = (
            StandardNormal.sample(&mut rng),
            StandardNormal.sample(&mut rng),
        );
        x.extend([c.0 + a, c.1 + b]);
        let flip = i % 10 == 0;
        labels.push(if flip { (y + 1) % 3 } else { y });
        flipped.push(flip);
    }
    (x, labels, flipped)
}
