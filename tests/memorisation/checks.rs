//! Issue 13 checks that the earlier memorisation tests could not fail: the standard-error formula
//! against the simulated spread of the estimator, and the subset size `m` (not `m − 1`). Each
//! comes with its planted-bug negative control, which the same check must reject.

use super::{one_nn_instance, point_tolerance};
use attnmech::memorisation::exact::distance_orders;
use attnmech::memorisation::{
    exact_1nn_memorisation, memorisation_estimate, one_nn_correctness, sample_membership,
    MemEstimate,
};

/// The SE formula under test and its planted bugs, all evaluated from the same estimate fields.
#[derive(Clone, Copy, Debug, PartialEq)]
enum SeFormula {
    /// The library's `MemEstimate::se`.
    Shipped,
    /// Bug: `sqrt(p_in(1−p_in) + p_out(1−p_out))`, the `/K_in`, `/K_out` divisions dropped.
    NoCountDivision,
    /// Bug: both variances divided by the total run count `K` instead of `K_in`, `K_out`.
    TotalRuns,
}

fn se_of(est: &MemEstimate, i: usize, formula: SeFormula) -> f64 {
    let (pi, po) = (est.p_in()[i], est.p_out()[i]);
    let (ki, ko) = (est.k_in()[i] as f64, est.k_out()[i] as f64);
    let v = |p: f64| p * (1.0 - p);
    match formula {
        SeFormula::Shipped => est.se()[i],
        SeFormula::NoCountDivision => (v(pi) + v(po)).sqrt(),
        SeFormula::TotalRuns => ((v(pi) + v(po)) / (ki + ko)).sqrt(),
    }
}

/// Replicates of the SE simulation: `R` independent estimators, `K` runs each.
const SE_REPLICATES: usize = 300;
const SE_RUNS: usize = 200;

/// Simulated variance of `mem̂_i` over independent replicates of the estimator against the mean
/// squared SE of `se_of`, per point (only points whose mean shipped SE exceeds 0.01, i.e.
/// non-degenerate rates). Returns `(pooled ratio Σ var / Σ SE², per-point ratios sd/SE)`.
pub(super) fn spread_against_se(
    replicates: impl Iterator<Item = MemEstimate>,
    se_of: impl Fn(&MemEstimate, usize) -> f64,
) -> (f64, Vec<f64>) {
    let (mut sum, mut sum2, mut se2, mut mean_se) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut reps = 0.0;
    for est in replicates {
        let n = est.mem().len();
        if sum.is_empty() {
            (sum, sum2, se2, mean_se) = (vec![0.0; n], vec![0.0; n], vec![0.0; n], vec![0.0; n]);
        }
        for i in 0..n {
            sum[i] += est.mem()[i];
            sum2[i] += est.mem()[i] * est.mem()[i];
            se2[i] += se_of(&est, i).powi(2);
            mean_se[i] += est.se()[i];
        }
        reps += 1.0;
    }
    let (mut pooled_var, mut pooled_se2, mut ratios) = (0.0, 0.0, Vec::new());
    for i in (0..sum.len()).filter(|&i| mean_se[i] / reps > 0.01) {
        let var = (sum2[i] - sum[i] * sum[i] / reps) / (reps - 1.0);
        pooled_var += var;
        pooled_se2 += se2[i] / reps;
        ratios.push((var / (se2[i] / reps)).sqrt());
    }
    (pooled_var / pooled_se2, ratios)
}

/// The SE check's bands: pooled variance ratio within [0.85, 1.15] and every per-point sd ratio
/// within [0.7, 1.3] (reasons at [`mm_standard_error_matches_simulated_spread`]).
pub(super) fn within_se_bands(pooled: f64, ratios: &[f64], what: &str) -> bool {
    let (lo, hi) = ratios
        .iter()
        .fold((f64::INFINITY, 0.0f64), |(a, b), &r| (a.min(r), b.max(r)));
    eprintln!(
        "MM-SE {what}: pooled var/SE² {pooled:.3}, per-point sd/SE in [{lo:.3}, {hi:.3}] over {} points",
        ratios.len()
    );
    !ratios.is_empty()
        && (0.85..=1.15).contains(&pooled)
        && ratios.iter().all(|r| (0.7..=1.3).contains(r))
}

/// Does the SE check accept `formula`? The 1-NN instance of MM2 (n = 40, m = 28), R = 300
/// independent estimators of K = 200 runs each.
fn se_check(formula: SeFormula) -> bool {
    let inst = one_nn_instance(2);
    let n = inst.n;
    let orders = distance_orders(&inst.x, &inst.x, 2).unwrap();
    let replicates = (0..SE_REPLICATES).map(|r| {
        let membership = sample_membership(n, inst.m, SE_RUNS, 7_000 + r as u64).unwrap();
        let c =
            one_nn_correctness(&orders, &inst.labels, &inst.labels, &membership, SE_RUNS).unwrap();
        memorisation_estimate(&membership, &c, SE_RUNS).unwrap()
    });
    let (pooled, ratios) = spread_against_se(replicates, |est, i| se_of(est, i, formula));
    within_se_bands(pooled, &ratios, &format!("{formula:?}"))
}

/// Claim (spec 2(b), the estimator's standard error): `SE_i = sqrt(p_in(1−p_in)/K_in +
/// p_out(1−p_out)/K_out)` is the standard deviation of `mem̂_i`.
/// Hypothesis: runs are i.i.d. uniform m-subsets; given `K_in`, the in- and out-correctness flags
/// are i.i.d. Bernoulli, so `Var(mem̂_i | K_in)` is exactly the formula with the true rates, and
/// `mem̂_i` is conditionally unbiased, so the unconditional variance is the mean of it.
/// Measured: 1-NN instance of MM2 (n = 40, m = 28), R = 300 independent estimators of K = 200
/// runs each; the empirical variance of `mem̂_i` over replicates vs the mean of `SE_i²`.
/// Tolerance: the sample variance of R = 300 near-normal replicates has relative sd
/// `sqrt(2/(R−1)) ≈ 0.082` per point; plug-in bias `1 − 1/K_in` ≤ 2%. Per point the sd ratio
/// (relative sd ≈ 0.041) must lie in [0.7, 1.3] (> 7 sd); pooled over the ≈ 10+ non-degenerate
/// points the variance ratio (relative sd ≲ 0.03) must lie in [0.85, 1.15] (> 5 sd).
#[test]
fn mm_standard_error_matches_simulated_spread() {
    assert!(se_check(SeFormula::Shipped));
}

/// Negative controls of the SE check: dropping `/K_in`, `/K_out` (SE ≈ √K_in ≈ 12× too large at
/// K = 200; issue 13's ~40× at K = 4000) and dividing by the total K (SE ≈ 0.65× too small here)
/// must both be rejected.
#[test]
fn mm_standard_error_check_rejects_planted_bugs() {
    assert!(!se_check(SeFormula::NoCountDivision));
    assert!(!se_check(SeFormula::TotalRuns));
}

/// The subset-size check: exact membership row sums, then the estimator on a small instance
/// (n = 10, m = 5), where `mem` at size m and at size m − 1 differ by many SE at K = 20 000.
fn subset_size_check(membership: &[u8], n: usize, m: usize, runs: usize) -> bool {
    membership
        .chunks_exact(n)
        .all(|row| row.iter().map(|&v| v as usize).sum::<usize>() == m)
        && membership.iter().all(|&v| v <= 1)
        && runs * n == membership.len()
}

/// The estimator's agreement with the size-`m` exact 1-NN memorisation on the small instance:
/// max over points of `|mem̂ − exact_m| / tolerance`, `tolerance` the 4 SE (+ rule-of-three) band
/// of MM2 (Bonferroni over 10 points: P(any |z| > 4) ≈ 6e-4).
fn small_instance_worst_z(subset: usize) -> f64 {
    let (n, m, runs) = (10, 5, 20_000);
    let (x, labels, _) = attnmech::memorisation::toy::one_nn_instance(n, 31);
    let exact = exact_1nn_memorisation(&x, &labels, 2, m).unwrap();
    let membership = sample_membership(n, subset, runs, 32).unwrap();
    let orders = distance_orders(&x, &x, 2).unwrap();
    let c = one_nn_correctness(&orders, &labels, &labels, &membership, runs).unwrap();
    let est = memorisation_estimate(&membership, &c, runs).unwrap();
    (0..n)
        .map(|i| 4.0 * (est.mem()[i] - exact[i]).abs() / point_tolerance(&est, i))
        .fold(0.0, f64::max)
}

/// Claim (spec 2(b)): the estimator targets `mem` at subset size `m = |S_k|`.
/// Hypothesis: `sample_membership(n, m, …)` draws uniform subsets of size exactly `m`.
/// Measured: (a) every membership row of the MM2 setting (n = 40, m = 28, K = 4000) sums to
/// exactly `m` (exact); (b) on n = 10, m = 5, K = 20 000 the estimator matches the exact size-m
/// 1-NN memorisation within the MM2 band (4 SE + rule of three) at every point.
#[test]
fn mm_subset_size_is_m() {
    let membership = sample_membership(40, 28, 4000, 3).unwrap();
    assert!(subset_size_check(&membership, 40, 28, 4000));
    let z = small_instance_worst_z(5);
    eprintln!("MM subset size m: worst |mem̂ − exact_m| in SE = {z:.2}");
    assert!(z <= 4.0);
}

/// Negative control: subsets of size m − 1 fail both parts — the row sums, and the small-instance
/// comparison with the size-m exact values (the size-(m−1) estimator is off by > 4 SE somewhere).
#[test]
fn mm_subset_size_check_rejects_m_minus_one() {
    let membership = sample_membership(40, 27, 4000, 3).unwrap();
    assert!(!subset_size_check(&membership, 40, 28, 4000));
    let z = small_instance_worst_z(4);
    eprintln!("MM subset size m − 1: worst |mem̂ − exact_m| in SE = {z:.2}");
    assert!(z > 4.0);
}
