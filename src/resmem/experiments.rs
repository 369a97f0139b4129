//! The RM1, RM2 and RM5 experiments and their bounds, shared by the theorem checks and the report
//! (claims `resmem.RM1`, `resmem.RM2`, `resmem.RM5` in [`crate::claims`]).

use super::toy::{rate_instance, ClassificationInstance, RateRisk};
use crate::ccmc::experiments::ls_slope;
use crate::error::Result;

/// Training sizes every RM5 run includes (the test's sweep; the full report adds more).
pub const RM5_SIZES: [usize; 4] = [250, 1000, 4000, 16000];
/// Test points per size of the test's sweep.
pub const RM5_TEST_POINTS: usize = 2000;
/// RM5: ResMem's risk decays like `n^{−slope}` with slope in this range (theory `2/d = 0.67`).
pub const RM5_SLOPE: (f64, f64) = (0.5, 0.9);
/// RM5: the capacity-limited base risk changes by less than this (relative) across sizes (the
/// spec: flat, < 1%).
pub const RM5_BASE_CHANGE: f64 = 0.01;
/// RM5: the base risk lies in this band at every size (spec 0.740).
pub const RM5_BASE_LEVEL: (f64, f64) = (0.6, 0.9);

/// The stylised regression problem at each size: `rate_instance(n, n_test, seed)`.
pub fn rate_sweep(sizes: &[usize], n_test: usize, seed: u64) -> Result<Vec<RateRisk>> {
    sizes
        .iter()
        .map(|&n| rate_instance(n, n_test, seed))
        .collect()
}

/// The RM5 bound applied to a sweep.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rm5Verdict {
    /// `−` the least-squares slope of `ln(ResMem MSE)` on `ln n`.
    pub slope: f64,
    /// Largest `|base(n)/base(n₀) − 1|`.
    pub base_change: f64,
    /// Smallest and largest base risk.
    pub base_range: (f64, f64),
    /// Slope within [`RM5_SLOPE`], base change below [`RM5_BASE_CHANGE`], base within
    /// [`RM5_BASE_LEVEL`].
    pub passed: bool,
}

/// RM5: slope ∈ [0.5, 0.9], base risk flat (< 1% relative change) and in [0.6, 0.9].
pub fn rm5_verdict(risks: &[RateRisk]) -> Rm5Verdict {
    let (ln_n, ln_mse): (Vec<f64>, Vec<f64>) = risks
        .iter()
        .map(|r| ((r.n as f64).ln(), r.resmem_mse.ln()))
        .unzip();
    let slope = -ls_slope(&ln_n, &ln_mse);
    let base0 = risks.first().map_or(f64::NAN, |r| r.base_mse);
    let base_change = risks
        .iter()
        .map(|r| (r.base_mse / base0 - 1.0).abs())
        .fold(0.0, crate::ops::max_propagating_nan);
    let base_range = risks
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), r| {
            (
                crate::ops::min_propagating_nan(lo, r.base_mse),
                crate::ops::max_propagating_nan(hi, r.base_mse),
            )
        });
    Rm5Verdict {
        slope,
        base_change,
        base_range,
        passed: risks.len() >= 2
            && (RM5_SLOPE.0..=RM5_SLOPE.1).contains(&slope)
            && base_change < RM5_BASE_CHANGE
            && base_range.0 >= RM5_BASE_LEVEL.0
            && base_range.1 <= RM5_BASE_LEVEL.1,
    }
}

/// RM1: `k = 1` reproduces every training label up to this (the spec: error 0.0 in f64; the
/// self-distance is 0, so `f_RM = f + (e_y − f)` with two roundings of numbers in [0, 1]).
pub const RM1_MAX_ERROR: f64 = 2.0 * f64::EPSILON;
/// RM2: the neighbours of the σ sweep (the spec's k = 10).
pub const RM2_K: usize = 10;
/// RM2: the temperatures of the sweep, decreasing (the spec's 1, 0.1, 0.01).
pub const RM2_SIGMAS: [f64; 3] = [1.0, 0.1, 0.01];
/// RM2: the training error at the smallest σ is below this (the spec: ~1e-15; with a
/// nearest-other squared-distance gap Δ ≳ 0.3 the other weights are `exp(−Δ/σ) < 1e-13`).
pub const RM2_MAX_ERROR: f64 = 1e-9;
/// RM2, the control that the check can fail: with `k = 2` and σ = 1e6 (uniform weights over two
/// neighbours) the training error stays above this.
pub const RM2_LARGE_SIGMA_MIN_ERROR: f64 = 0.1;
/// RM2's control: neighbours and temperature.
pub const RM2_LARGE_SIGMA: (usize, f64) = (2, 1e6);

/// The training fits of the memorisation instance (RM1, RM2): `(max |f_RM(x_i) − e_{y_i}|, train
/// accuracy)` per setting.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct MemorisationFits {
    /// `k = 1`, σ = 1.
    pub k1: (f64, f64),
    /// `k =` [`RM2_K`] at each of [`RM2_SIGMAS`]: `(σ, error, accuracy)`.
    pub sigma_sweep: Vec<(f64, f64, f64)>,
    /// [`RM2_LARGE_SIGMA`].
    pub large_sigma: (f64, f64),
}

/// RM1 and RM2's experiment: ResMem on its own training points of
/// [`ClassificationInstance::new`]`(seed)` with `k = 1`, with `k = 10` over [`RM2_SIGMAS`], and
/// with [`RM2_LARGE_SIGMA`].
///
/// # Errors
/// As [`ClassificationInstance::new`] and [`ClassificationInstance::train_fit`].
pub fn memorisation_fits(seed: u64) -> Result<MemorisationFits> {
    let inst = ClassificationInstance::new(seed)?;
    let sigma_sweep = RM2_SIGMAS
        .iter()
        .map(|&s| {
            let (err, acc) = inst.train_fit(RM2_K, s)?;
            Ok((s, err, acc))
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(MemorisationFits {
        k1: inst.train_fit(1, 1.0)?,
        sigma_sweep,
        large_sigma: inst.train_fit(RM2_LARGE_SIGMA.0, RM2_LARGE_SIGMA.1)?,
    })
}

/// RM1: `k = 1` error `≤ 2ε` and every training label recovered.
pub fn rm1_verdict(f: &MemorisationFits) -> bool {
    f.k1.0 <= RM1_MAX_ERROR && f.k1.1 == 1.0
}

/// RM2's bound applied, by part.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rm2Verdict {
    /// The error strictly decreases as σ falls.
    pub decreasing: bool,
    /// Error at the smallest σ.
    pub small_sigma_error: f64,
    /// Accuracy at the smallest σ.
    pub small_sigma_accuracy: f64,
    /// Error of the [`RM2_LARGE_SIGMA`] control.
    pub large_sigma_error: f64,
    /// Decreasing, error `<` [`RM2_MAX_ERROR`] with accuracy 1 at the smallest σ, and the control
    /// above [`RM2_LARGE_SIGMA_MIN_ERROR`].
    pub passed: bool,
}

/// RM2: error decreasing in σ, `< 1e-9` with accuracy 1 at σ = 0.01, and the `k = 2`, σ = 1e6
/// control not memorising (error `> 0.1`).
pub fn rm2_verdict(f: &MemorisationFits) -> Rm2Verdict {
    let decreasing = f.sigma_sweep.windows(2).all(|w| w[1].1 < w[0].1);
    let (small_sigma_error, small_sigma_accuracy) = f
        .sigma_sweep
        .last()
        .map_or((f64::NAN, f64::NAN), |s| (s.1, s.2));
    let large_sigma_error = f.large_sigma.0;
    Rm2Verdict {
        decreasing,
        small_sigma_error,
        small_sigma_accuracy,
        large_sigma_error,
        passed: f.sigma_sweep.len() >= 2
            && decreasing
            && small_sigma_error < RM2_MAX_ERROR
            && small_sigma_accuracy == 1.0
            && large_sigma_error > RM2_LARGE_SIGMA_MIN_ERROR,
    }
}
