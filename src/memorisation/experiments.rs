//! The MM2 experiment (the subsampling estimator against exact 1-NN memorisation) and its bound,
//! shared by the theorem check and the report (claim `memorisation.MM2` in [`crate::claims`]).

use super::estimator::{memorisation_estimate, MemEstimate};
use super::exact::{distance_orders, exact_1nn_memorisation, one_nn_correctness};
use super::subsets::sample_membership;
use super::toy::one_nn_instance;
use crate::error::Result;

/// MM2 protocol: points of the 1-NN instance.
pub const MM2_N: usize = 40;
/// MM2 protocol: training-subset size.
pub const MM2_M: usize = 28;
/// MM2 protocol: subsampling runs `K`.
pub const MM2_RUNS: usize = 4000;
/// MM2: largest `|mem̂ − mem|` over the points (spec run: 0.024).
pub const MM2_MAX_ERROR: f64 = 0.06;

/// One MM2 run: the instance's exact memorisation and the estimate.
#[derive(Clone, Debug)]
pub struct OneNnMemorisation {
    /// Exact 1-NN memorisation at subset size `m` (subset combinatorics).
    pub exact: Vec<f64>,
    /// The subsampling estimate with its standard errors.
    pub estimate: MemEstimate,
    /// Which points carry a flipped (noisy) label.
    pub flipped: Vec<bool>,
}

/// Spec MM2: the 3-cluster 1-NN instance of `n` points (`one_nn_instance(n, seed)`, every tenth
/// label flipped), exact memorisation at subset size `m`, and the estimator over `runs` uniform
/// subsets (membership stream `seed ^ 0x6d6d`).
pub fn one_nn_memorisation(
    n: usize,
    m: usize,
    runs: usize,
    seed: u64,
) -> Result<OneNnMemorisation> {
    let (x, labels, flipped) = one_nn_instance(n, seed);
    let exact = exact_1nn_memorisation(&x, &labels, 2, m)?;
    let membership = sample_membership(n, m, runs, seed ^ 0x6d6d)?;
    let orders = distance_orders(&x, &x, 2)?;
    let c = one_nn_correctness(&orders, &labels, &labels, &membership, runs)?;
    Ok(OneNnMemorisation {
        exact,
        estimate: memorisation_estimate(&membership, &c, runs)?,
        flipped,
    })
}

/// Tolerance `4 SE + 1e-9` of an estimate, where a cell whose empirical rate is 0 or 1 (plug-in
/// variance 0) gets the rule-of-three bound `3/K` on its true rate instead of a zero standard
/// error: a true rate of 1e-4 is observed as exactly 0 in ~1000 runs most of the time.
pub fn tolerance(se: f64, p_in: f64, p_out: f64, k_in: f64, k_out: f64) -> f64 {
    let degenerate = |p: f64, k: f64| if p == 0.0 || p == 1.0 { 3.0 / k } else { 0.0 };
    4.0 * se + degenerate(p_in, k_in) + degenerate(p_out, k_out) + 1e-9
}

/// [`tolerance`] of point `i` of an estimate.
pub fn point_tolerance(est: &MemEstimate, i: usize) -> f64 {
    tolerance(
        est.se()[i],
        est.p_in()[i],
        est.p_out()[i],
        est.k_in()[i] as f64,
        est.k_out()[i] as f64,
    )
}

/// The MM2 bound applied to one run.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Mm2Verdict {
    /// Largest `|mem̂_i − mem_i|`.
    pub max_error: f64,
    /// Largest `|mem̂_i − mem_i| / tolerance_i · 4` (≤ 4 when every point is within tolerance).
    pub max_z: f64,
    /// Mean exact memorisation of the flipped points (spec 0.98).
    pub flipped_mean: f64,
    /// Mean exact memorisation of the clean points (spec 0.06).
    pub clean_mean: f64,
    /// The estimator part: every point within [`point_tolerance`] and `max_error ≤ 0.06`.
    pub estimator_ok: bool,
    /// The instance part: flipped mean > 0.8 and clean mean < 0.3.
    pub separation_ok: bool,
    /// Both.
    pub passed: bool,
}

/// MM2: every `|mem̂_i − mem_i|` within `4 SE` (rule-of-three at degenerate cells), the largest at
/// most [`MM2_MAX_ERROR`], and the noisy points memorised far more than the clean ones.
pub fn mm2_verdict(run: &OneNnMemorisation) -> Mm2Verdict {
    let est = &run.estimate;
    let err = |i: usize| (est.mem()[i] - run.exact[i]).abs();
    let n = run.exact.len();
    let max_error = (0..n).map(err).fold(0.0, crate::ops::max_propagating_nan);
    let max_z = (0..n)
        .map(|i| 4.0 * err(i) / point_tolerance(est, i))
        .fold(0.0, crate::ops::max_propagating_nan);
    let mean = |noisy: bool| {
        let v: Vec<f64> = (0..n)
            .filter(|&i| run.flipped[i] == noisy)
            .map(|i| run.exact[i])
            .collect();
        v.iter().sum::<f64>() / v.len().max(1) as f64
    };
    let (flipped_mean, clean_mean) = (mean(true), mean(false));
    let estimator_ok = n > 0 && max_z <= 4.0 && max_error <= MM2_MAX_ERROR;
    let separation_ok = flipped_mean > 0.8 && clean_mean < 0.3;
    Mm2Verdict {
        max_error,
        max_z,
        flipped_mean,
        clean_mean,
        estimator_ok,
        separation_ok,
        passed: estimator_ok && separation_ok,
    }
}
