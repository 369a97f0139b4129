//! The CCMC maximum-likelihood estimator (spec A5): convex, separable into one conditional-logit
//! problem per query column, solved by damped Newton with gauge fixing and an optional ridge.
//!
//! Column `j` objective (the part of `ℓ_n` that involves `θ = W̄[·, j]`):
//!
//! ```text
//! ℓ_j(θ) = (1/n) Σ_{i: j_i = j} [ −θ_{y_i} + ln Σ_{k ∈ S_i} m_k e^{θ_k} − ln m_{y_i} ] + λ ‖θ‖²,
//! ∇ = (1/n) Σ (p_i − e_{y_i}) + 2λθ,   ∇² = (1/n) Σ (diag p_i − p_i p_iᵀ) + 2λI.
//! ```
//!
//! Gauge: `θ_j = 0` (the query is in every choice set of its column), and in a component of `G_j`
//! not containing `j` its smallest token is pinned; entries outside `V_j` are unidentified and set
//! to 0. Without a ridge, a data set with no finite MLE is an `Err` naming the failing column and
//! split ([`super::coverage::check_mle_exists`]) instead of a silent divergence.

use super::coverage::{check_mle_exists, coverage_graph};
use super::data::ChoiceData;
use super::kernel::Wbar;
use crate::error::{check_ids, check_len, Error, Result};
use crate::linalg::Cholesky;
use crate::ops::log_softmax_in_place;
use faer::Mat;
use rayon::prelude::*;

/// Solver settings.
#[derive(Clone, Copy, Debug)]
pub struct MleOptions {
    /// Ridge `λ ≥ 0` on `‖W̄‖²` (free entries). `0` = plain MLE (existence is checked first).
    pub ridge: f64,
    /// Stop when the column gradient's max-norm is at most this.
    pub grad_tol: f64,
    /// Newton iterations per column before `Err(NotConverged)`.
    pub max_iter: usize,
}

impl Default for MleOptions {
    fn default() -> Self {
        MleOptions {
            ridge: 0.0,
            grad_tol: 1e-10,
            max_iter: 100,
        }
    }
}

/// Per-column solver diagnostics.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ColumnDiagnostics {
    /// The query column `j`.
    pub query: usize,
    /// Samples with query `j`.
    pub samples: usize,
    /// Free parameters (`|V_j|` minus the pinned ones).
    pub free: usize,
    /// Newton iterations spent.
    pub iterations: usize,
    /// Final gradient max-norm.
    pub grad_norm: f64,
}

/// The fit.
#[derive(Clone, Debug)]
pub struct MleFit {
    /// `Ŵ̄`, gauge `Ŵ̄[j, j] = 0`, unidentified entries 0.
    pub wbar: Wbar,
    /// `V_j` per column (the entries the data identify, up to the column constant).
    pub support: Vec<Vec<usize>>,
    /// Mean training NLL `ℓ_n(Ŵ̄)` (without the ridge term).
    pub nll: f64,
    /// Per-column diagnostics.
    pub diagnostics: Vec<ColumnDiagnostics>,
}

/// Sum over `rows` of the per-sample NLL (column `j` scores `theta`), and optionally its gradient
/// and Hessian (dense `K`-space).
fn column_terms(
    data: &ChoiceData,
    rows: &[usize],
    theta: &[f64],
    mut grad: Option<&mut [f64]>,
    mut hess: Option<&mut [f64]>,
) -> f64 {
    let kk = theta.len();
    let mut total = 0.0;
    let mut lp: Vec<f64> = Vec::new();
    for &i in rows {
        let s = data.sample(i);
        lp.clear();
        lp.extend(
            s.tokens
                .iter()
                .zip(s.log_counts)
                .map(|(&t, &lc)| lc + theta[t as usize]),
        );
        log_softmax_in_place(&mut lp);
        let at = s
            .tokens
            .iter()
            .position(|&t| t as usize == s.choice)
            .expect("choice is in the prompt by construction");
        total -= lp[at];
        if grad.is_none() && hess.is_none() {
            continue;
        }
        lp.iter_mut().for_each(|v| *v = v.exp());
        if let Some(g) = grad.as_deref_mut() {
            for (&t, &p) in s.tokens.iter().zip(&lp) {
                g[t as usize] += p;
            }
            g[s.choice] -= 1.0;
        }
        if let Some(h) = hess.as_deref_mut() {
            for (a, &ta) in s.tokens.iter().enumerate() {
                let row = &mut h[ta as usize * kk..(ta as usize + 1) * kk];
                row[ta as usize] += lp[a];
                for (&tb, &pb) in s.tokens.iter().zip(lp.iter()) {
                    row[tb as usize] -= lp[a] * pb;
                }
            }
        }
    }
    total
}

/// Mean NLL `ℓ_n(W̄)` over the data (spec A5).
pub fn nll(wbar: &Wbar, data: &ChoiceData) -> Result<f64> {
    check_len("wbar.vocab", data.vocab(), wbar.vocab())?;
    if data.is_empty() {
        return Err(Error::Empty { what: "data" });
    }
    let cols = data.by_column();
    let total: f64 = (0..data.vocab())
        .map(|j| column_terms(data, &cols[j], &wbar.column_at(j), None, None))
        .sum();
    Ok(total / data.len() as f64)
}

/// Fits `W̄` by per-column damped Newton (parallel over columns, deterministic).
pub fn fit(data: &ChoiceData, opts: &MleOptions) -> Result<MleFit> {
    let kk = data.vocab();
    if data.is_empty() {
        return Err(Error::Empty { what: "data" });
    }
    if !(opts.ridge >= 0.0 && opts.ridge.is_finite()) {
        return Err(Error::InvalidArgument {
            what: "ridge",
            reason: "must be finite and ≥ 0".into(),
        });
    }
    crate::error::check_positive("grad_tol", opts.grad_tol)?;
    if opts.ridge == 0.0 {
        check_mle_exists(data)?;
    }
    let cov = coverage_graph(data)?;
    let cols = data.by_column();
    let n = data.len() as f64;
    let results: Result<Vec<(Vec<f64>, ColumnDiagnostics, f64)>> = (0..kk)
        .into_par_iter()
        .map(|j| {
            let c = &cov[j];
            let pinned: Vec<usize> = c
                .components
                .iter()
                .map(|comp| if comp.contains(&j) { j } else { comp[0] })
                .collect();
            let free: Vec<usize> = c
                .support
                .iter()
                .copied()
                .filter(|k| !pinned.contains(k))
                .collect();
            let rows = &cols[j];
            let ridge_term =
                |th: &[f64]| opts.ridge * free.iter().map(|&k| th[k] * th[k]).sum::<f64>();
            // Value, gradient and Hessian at θ in one pass over the column's samples.
            let evaluate = |th: &[f64]| {
                let mut g = vec![0.0; kk];
                let mut h = vec![0.0; kk * kk];
                let v =
                    column_terms(data, rows, th, Some(&mut g), Some(&mut h)) / n + ridge_term(th);
                (v, g, h)
            };
            let nf = free.len();
            let mut theta = vec![0.0; kk];
            let (mut f, mut g, mut h) = evaluate(&theta);
            let mut iterations = 0;
            let mut grad_norm;
            loop {
                let gf: Vec<f64> = free
                    .iter()
                    .map(|&k| g[k] / n + 2.0 * opts.ridge * theta[k])
                    .collect();
                grad_norm = gf.iter().fold(0.0_f64, |a, v| a.max(v.abs()));
                if grad_norm <= opts.grad_tol || nf == 0 {
                    break;
                }
                if iterations >= opts.max_iter {
                    return Err(Error::NotConverged {
                        what: "CCMC MLE Newton (column)",
                        iterations,
                        residual: grad_norm,
                    });
                }
                let hf = Mat::from_fn(nf, nf, |a, b| {
                    h[free[a] * kk + free[b]] / n + if a == b { 2.0 * opts.ridge } else { 0.0 }
                });
                // The error names the column (as `pivot`), not the pivot inside it.
                let llt =
                    Cholesky::factor("CCMC MLE column Hessian", hf.as_ref()).map_err(|_| {
                        Error::NotPositiveDefinite {
                            what: "CCMC MLE column Hessian",
                            pivot: j,
                        }
                    })?;
                let mut step = Mat::from_fn(nf, 1, |a, _| -gf[a]);
                llt.solve_in_place(step.as_mut())?;
                let slope: f64 = (0..nf).map(|a| gf[a] * step[(a, 0)]).sum();
                // Backtracking (Armijo) line search; near the optimum the full Newton step is
                // accepted and its evaluation is reused for the next iteration.
                let mut t = 1.0;
                let mut accepted = false;
                for _ in 0..60 {
                    let mut cand = theta.clone();
                    for (a, &k) in free.iter().enumerate() {
                        cand[k] += t * step[(a, 0)];
                    }
                    let (fc, gc, hc) = evaluate(&cand);
                    // Once the predicted decrease is below the rounding of f, Armijo compares
                    // noise: take the full Newton step (quadratic-convergence region).
                    let negligible = -slope <= 1e-13 * (1.0 + f.abs());
                    if negligible || fc <= f + 1e-4 * t * slope {
                        (theta, f, g, h) = (cand, fc, gc, hc);
                        accepted = true;
                        break;
                    }
                    t *= 0.5;
                }
                iterations += 1;
                if !accepted {
                    break; // at machine precision: no decrease possible
                }
            }
            let raw = column_terms(data, &cols[j], &theta, None, None);
            Ok((
                theta,
                ColumnDiagnostics {
                    query: j,
                    samples: cols[j].len(),
                    free: nf,
                    iterations,
                    grad_norm,
                },
                raw,
            ))
        })
        .collect();
    let results = results?;
    let wbar = Wbar::from_fn(kk, |k, j| results[j].0[k])?;
    Ok(MleFit {
        wbar,
        support: cov.into_iter().map(|c| c.support).collect(),
        nll: results.iter().map(|r| r.2).sum::<f64>() / n,
        diagnostics: results.into_iter().map(|r| r.1).collect(),
    })
}

/// Gauge-free squared error: `Σ_j ‖centre_{V_j}(a[·, j]) − centre_{V_j}(b[·, j])‖²`, columns centred
/// over their support `V_j` (the only comparison that means anything, spec A9).
///
/// # Errors
/// `ShapeMismatch` when the vocabularies or `support.len()` disagree; `OutOfRange` for a support
/// id `≥ vocab`.
pub fn gauge_free_sq_error(a: &Wbar, b: &Wbar, support: &[Vec<usize>]) -> Result<f64> {
    check_len("b.vocab", a.vocab(), b.vocab())?;
    check_len("support", a.vocab(), support.len())?;
    for s in support {
        check_ids("support", s, a.vocab())?;
    }
    let mut total = 0.0;
    for (j, s) in support.iter().enumerate() {
        if s.is_empty() {
            continue;
        }
        let diff: Vec<f64> = s.iter().map(|&k| a.at(k, j) - b.at(k, j)).collect();
        let mean = diff.iter().sum::<f64>() / diff.len() as f64;
        total += diff.iter().map(|d| (d - mean).powi(2)).sum::<f64>();
    }
    Ok(total)
}
