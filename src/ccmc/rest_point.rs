//! Mean-field rest points of growing-context generation (spec A7.3).
//!
//! With `a(j → i) = exp(W̄[i, j])` and context frequencies `π`, the last-token chain is
//! `Q_π(j → k) ∝ π_k a(j → k)` and the frequencies follow `π̇ = μ(π) − π`, `μ(π)` the stationary
//! law of `Q_π` \[H\]. A **rest point with support `S`** is a fixed point `π = μ(π)` with
//! `supp π = S`. Because `μ_k = Σ_j μ_j π_k a(j→k)/Z_j`, `π = μ(π)` is equivalent to
//! `F_i(π) = 1` for every `i ∈ S` ([`super::winner::fitness`]). The rest point resists invasion
//! iff `F_i(π) < 1` for every token `i ∉ S` that the prompt contains.
//!
//! Solver: Newton on `F_i(π) − 1 = 0` (`i ∈ S`), where the equation of the heaviest support token
//! is replaced by `Σ π = 1` — the identity `Σ_i π_i (F_i(π) − 1) = 0` makes it redundant — with a
//! backtracking line search that keeps `π > 0` on `S`. Newton, unlike iterating `π ↦ μ(π)`, also
//! finds rest points that are unstable inside `S` (e.g. the interior point between two
//! self-dominant tokens), which the spec's winner-set analysis needs.

use super::kernel::Wbar;
use crate::error::{check_ids, check_nonempty, Error, Result};
use faer::linalg::solvers::Solve;
use faer::Mat;

/// A mean-field rest point.
#[derive(Clone, Debug, PartialEq)]
pub struct RestPoint {
    /// Frequencies `π` (length `K`): positive on the support, 0 off it, summing to 1.
    pub pi: Vec<f64>,
    /// Fitness `F_i(π)` of every token (length `K`): 1 on the support to the solver tolerance.
    pub fitness: Vec<f64>,
    /// `F_i(π) < 1` for every token off the support (all `K` tokens taken as present in the
    /// prompt): no absent token can invade.
    pub invasion_stable: bool,
    /// Newton iterations spent.
    pub iterations: usize,
}

/// Tolerance on `max_{i ∈ S} |F_i(π) − 1|` at which [`rest_point`] stops.
pub const REST_POINT_TOL: f64 = 1e-13;

/// Newton iterations [`rest_point`] allows before returning [`Error::NotConverged`].
pub const REST_POINT_MAX_ITER: usize = 200;

/// The rest point `π = stationary(Q_π)` of the mean-field dynamics with support `support`
/// (distinct token ids, any order). Errors: empty support, an id `≥ K` or a repeated id
/// ([`Error::Empty`], [`Error::OutOfRange`], [`Error::InvalidArgument`]); no rest point with all
/// support frequencies positive reached from the uniform start ([`Error::NotConverged`]).
pub fn rest_point(wbar: &Wbar, support: &[usize]) -> Result<RestPoint> {
    let kk = wbar.vocab();
    check_nonempty("support", support)?;
    check_ids("support", support, kk)?;
    let mut seen = vec![false; kk];
    for &s in support {
        if std::mem::replace(&mut seen[s], true) {
            return Err(Error::InvalidArgument {
                what: "support",
                reason: format!("token {s} listed twice"),
            });
        }
    }
    let n = support.len();
    // a[j][i] = exp(W̄[i, j] − max_l W̄[l, j]): per-query rescaling leaves every a(j→i)/Z_j unchanged.
    let a: Vec<Vec<f64>> = (0..kk)
        .map(|j| {
            let top = (0..kk)
                .map(|l| wbar.at(l, j))
                .fold(f64::NEG_INFINITY, f64::max);
            (0..kk).map(|i| (wbar.at(i, j) - top).exp()).collect()
        })
        .collect();
    let full = |p: &[f64]| {
        let mut pi = vec![0.0; kk];
        for (&s, &v) in support.iter().zip(p) {
            pi[s] = v;
        }
        pi
    };
    // F_i(π) = Σ_{j∈S} π_j a(j→i) / Z_j,  Z_j = Σ_{l∈S} π_l a(j→l).
    let partition = |p: &[f64]| -> Vec<f64> {
        support
            .iter()
            .map(|&j| support.iter().zip(p).map(|(&l, &pl)| pl * a[j][l]).sum())
            .collect()
    };
    let fitness_of = |p: &[f64], z: &[f64]| -> Vec<f64> {
        (0..kk)
            .map(|i| {
                support
                    .iter()
                    .zip(p)
                    .zip(z)
                    .map(|((&j, &pj), &zj)| pj * a[j][i] / zj)
                    .sum()
            })
            .collect()
    };
    let residual = |p: &[f64]| -> f64 {
        let z = partition(p);
        let f = fitness_of(p, &z);
        let sum_gap = (p.iter().sum::<f64>() - 1.0).abs();
        support
            .iter()
            .map(|&i| (f[i] - 1.0).abs())
            .fold(sum_gap, f64::max)
    };
    let mut p = vec![1.0 / n as f64; n];
    let mut res = residual(&p);
    let mut iterations = 0;
    while res > REST_POINT_TOL {
        if iterations == REST_POINT_MAX_ITER {
            return Err(Error::NotConverged {
                what: "ccmc rest point",
                iterations,
                residual: res,
            });
        }
        iterations += 1;
        let z = partition(&p);
        let f = fitness_of(&p, &z);
        let pinned = (0..n).fold(0, |b, r| if p[r] > p[b] { r } else { b });
        // J[r][m] = ∂F_{S_r}/∂π_{S_m} = a(S_m→S_r)/Z_m − Σ_j π_j a(j→S_r) a(j→S_m) / Z_j²
        let mut jac = Mat::<f64>::zeros(n, n);
        let mut rhs = Mat::<f64>::zeros(n, 1);
        for r in 0..n {
            let i = support[r];
            if r == pinned {
                for m in 0..n {
                    jac[(r, m)] = 1.0;
                }
                rhs[(r, 0)] = 1.0 - p.iter().sum::<f64>();
                continue;
            }
            for m in 0..n {
                let sm = support[m];
                let second: f64 = support
                    .iter()
                    .zip(&p)
                    .zip(&z)
                    .map(|((&j, &pj), &zj)| pj * a[j][i] * a[j][sm] / (zj * zj))
                    .sum();
                jac[(r, m)] = a[sm][i] / z[m] - second;
            }
            rhs[(r, 0)] = 1.0 - f[i];
        }
        let step = jac.partial_piv_lu().solve(rhs.as_ref());
        if (0..n).any(|m| !step[(m, 0)].is_finite()) {
            return Err(Error::NotConverged {
                what: "ccmc rest point (singular Jacobian)",
                iterations,
                residual: res,
            });
        }
        // Backtrack: keep π > 0 on S and make the residual fall.
        let mut t = 1.0;
        loop {
            let trial: Vec<f64> = (0..n).map(|m| p[m] + t * step[(m, 0)]).collect();
            if trial.iter().all(|&v| v > 0.0) {
                let r = residual(&trial);
                if r < res || r <= REST_POINT_TOL {
                    p = trial;
                    res = r;
                    break;
                }
            }
            t *= 0.5;
            if t < 1e-12 {
                return Err(Error::NotConverged {
                    what: "ccmc rest point (no positive descent step)",
                    iterations,
                    residual: res,
                });
            }
        }
    }
    let total: f64 = p.iter().sum();
    p.iter_mut().for_each(|v| *v /= total);
    let z = partition(&p);
    let fitness = fitness_of(&p, &z);
    let invasion_stable = (0..kk).all(|i| seen[i] || fitness[i] < 1.0);
    Ok(RestPoint {
        pi: full(&p),
        fitness,
        invasion_stable,
        iterations,
    })
}
