//! Seeded Att-SVM instances as in `TFasSVM/local_converge.ipynb` and `svm_rank.ipynb`.

use super::model::{Input, Problem};
use crate::error::Result;
use crate::qp::Mat;
use rand::Rng;
use rand_distr::StandardNormal;

fn unit(rng: &mut impl Rng, d: usize) -> Vec<f64> {
    let v: Vec<f64> = (0..d).map(|_| rng.sample(StandardNormal)).collect();
    let n = v.iter().map(|x| x * x).sum::<f64>().sqrt();
    v.into_iter().map(|x| x / n).collect()
}

/// `n` inputs of `T` unit-norm Gaussian tokens in `R^d`, unit queries `z_i`, random labels ±1 and a
/// random unit head `v`.
pub fn random_problem(rng: &mut impl Rng, n: usize, t: usize, d: usize) -> Result<Problem> {
    let v = unit(rng, d);
    let inputs = (0..n)
        .map(|_| {
            let mut x = Mat::zeros(t, d);
            for r in 0..t {
                for (b, val) in unit(rng, d).into_iter().enumerate() {
                    x.set_at(r, b, val);
                }
            }
            let z = unit(rng, d);
            let y = if rng.random::<bool>() { 1.0 } else { -1.0 };
            Input { x, z, y }
        })
        .collect();
    Problem::new(inputs, v)
}
