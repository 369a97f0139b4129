//! The RM5 rate experiment and its bound, shared by the theorem check and the report
//! (claim `resmem.RM5` in [`crate::claims`]).

use super::toy::{rate_instance, RateRisk};
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
        .fold(0.0, f64::max);
    let base_range = risks
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), r| {
            (lo.min(r.base_mse), hi.max(r.base_mse))
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
