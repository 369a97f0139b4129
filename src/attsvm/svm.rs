//! Att-SVM(α) (Frobenius and nuclear), p-SVM, Gen-SVM, and the local-optimality test of a token
//! selection, on the [`crate::qp`] engine.

use super::model::{dot, Problem};
use crate::error::{check_finite, check_ids, check_len, check_positive, Error, Result};
use crate::qp::{Kkt, Mat, MinNormProblem, Options};

/// A solved max-margin problem.
#[derive(Clone, Debug)]
pub struct MaxMargin {
    /// The solution `W^mm_α` (`d × d`).
    pub w: Mat,
    /// KKT residuals of the Frobenius program.
    pub kkt: Kkt,
}

fn check_alpha(p: &Problem, alpha: &[usize]) -> Result<()> {
    check_len("alpha", p.inputs().len(), alpha.len())?;
    for (i, (&a, inp)) in alpha.iter().zip(p.inputs()).enumerate() {
        if a >= inp.x.rows() {
            return Err(Error::OutOfRange {
                what: "alpha",
                index: i,
                value: a,
                bound: inp.x.rows(),
            });
        }
    }
    Ok(())
}

/// The Att-SVM(α) program: `(x_{iα_i} − x_it)ᵀ W z_i ≥ 1` for `t ≠ α_i`.
pub fn att_svm_problem(p: &Problem, alpha: &[usize]) -> Result<MinNormProblem> {
    check_alpha(p, alpha)?;
    let d = p.dim();
    let mut q = MinNormProblem::new("Att-SVM", d, d);
    for (inp, &a) in p.inputs().iter().zip(alpha) {
        for t in 0..inp.x.rows() {
            if t == a {
                continue;
            }
            let u: Vec<f64> = inp
                .x
                .row_at(a)
                .iter()
                .zip(inp.x.row_at(t))
                .map(|(x, y)| x - y)
                .collect();
            q.push_at_least(&u, &inp.z, 1.0)?;
        }
    }
    Ok(q)
}

/// `W^mm_α = argmin ‖W‖_F` s.t. Att-SVM(α) rows (`Err(Infeasible)` when none separates).
pub fn att_svm(p: &Problem, alpha: &[usize]) -> Result<MaxMargin> {
    let s = att_svm_problem(p, alpha)?.solve(&Options::default())?;
    Ok(MaxMargin { w: s.w, kkt: s.kkt })
}

/// Nuclear-norm Att-SVM `W^mm_{⋆,α} = argmin ‖W‖_*` under the same rows, by ADMM on
/// `min ‖Z‖_* + I_C(W)` s.t. `W = Z`: singular-value soft-thresholding for `Z`, a warm-started
/// Hildreth projection onto the polyhedron `C` for `W`. Returns the SVT iterate `Z` (exactly low
/// rank) once `‖W − Z‖_F ≤ tol` and the `Z` update is below `tol`.
///
/// # Errors
/// Those of [`att_svm`]; `NonFinite` / `InvalidArgument` for a `tol` that is not finite and > 0;
/// `NotConverged` after `max_iter` iterations.
pub fn att_svm_nuclear(p: &Problem, alpha: &[usize], tol: f64, max_iter: usize) -> Result<Mat> {
    check_positive("tol", tol)?;
    let prob = att_svm_problem(p, alpha)?;
    // Start from the Frobenius solution (feasible; also proves feasibility).
    let start = prob.solve(&Options::default())?;
    let d = p.dim();
    let rho = 1.0;
    let mut w = start.w.clone();
    let mut z = start.w;
    let mut u = Mat::zeros(d, d);
    let mut warm = start.lambda;
    let opts = Options {
        tol: 1e-12,
        ..Options::default()
    };
    for it in 0..max_iter {
        let z_old = z.clone();
        let mut target = w.clone();
        target.axpy(1.0, &u);
        z = svt(&target, 1.0 / rho)?;
        let mut v = z.clone();
        v.axpy(-1.0, &u);
        let sol = prob.project(&v, Some(&warm), &opts)?;
        warm = sol.lambda;
        w = sol.w;
        let r = w.sub(&z);
        u.axpy(1.0, &r);
        let s = z.sub(&z_old).norm();
        if it > 10 && r.norm() <= tol && s <= tol {
            return Ok(z);
        }
    }
    Err(Error::NotConverged {
        what: "nuclear Att-SVM ADMM",
        iterations: max_iter,
        residual: w.sub(&z).norm(),
    })
}

/// Singular-value soft-thresholding `U max(S − τ, 0) Vᵀ` (proximal map of `τ‖·‖_*`).
///
/// # Errors
/// `NonFinite` for a NaN or an infinity in `m` or `tau`; `InvalidArgument` for `tau < 0`.
pub fn svt(m: &Mat, tau: f64) -> Result<Mat> {
    check_finite("m", m.data())?;
    crate::error::check_in_range("tau", tau, 0.0, f64::MAX)?;
    let svd = crate::linalg::thin_svd(m.as_faer())?;
    let (uu, s, vv) = (&svd.u, &svd.s, &svd.v);
    let mut out = Mat::zeros(m.rows(), m.cols());
    for k in 0..s.len() {
        let sk = s[k] - tau;
        if sk <= 0.0 {
            continue;
        }
        let ucol: Vec<f64> = (0..m.rows()).map(|a| uu[(a, k)]).collect();
        let vcol: Vec<f64> = (0..m.cols()).map(|b| vv[(b, k)]).collect();
        out.add_outer(sk, &ucol, &vcol);
    }
    Ok(out)
}

/// Support tokens `T_i = {t ≠ α_i : (x_{iα_i} − x_it)ᵀ W z_i ≤ 1 + tol}` of a solution.
///
/// # Errors
/// `ShapeMismatch` / `OutOfRange` for an `alpha` that is not one token per input;
/// `ShapeMismatch` / `NonFinite` for a `w` that is not a finite `d × d` matrix; `NonFinite` for a
/// NaN or infinite `tol`.
pub fn support_tokens(p: &Problem, alpha: &[usize], w: &Mat, tol: f64) -> Result<Vec<Vec<usize>>> {
    check_alpha(p, alpha)?;
    p.check_w("w", w)?;
    crate::error::check_finite_scalar("tol", tol)?;
    Ok(support_tokens_of(p, alpha, w, tol))
}

fn support_tokens_of(p: &Problem, alpha: &[usize], w: &Mat, tol: f64) -> Vec<Vec<usize>> {
    p.inputs()
        .iter()
        .zip(alpha)
        .map(|(inp, &a)| {
            (0..inp.x.rows())
                .filter(|&t| {
                    t != a && {
                        let m = w.bilinear(inp.x.row_at(a), &inp.z)
                            - w.bilinear(inp.x.row_at(t), &inp.z);
                        m <= 1.0 + tol
                    }
                })
                .collect()
        })
        .collect()
}

/// Local optimality of a selection `α`: Att-SVM(α) feasible and `γ_{iα_i} > γ_it` for every
/// support token `t ∈ T_i` (support tolerance 1e-6).
pub fn is_locally_optimal(p: &Problem, alpha: &[usize]) -> Result<bool> {
    let sol = match att_svm(p, alpha) {
        Ok(s) => s,
        Err(Error::Infeasible { .. }) => return Ok(false),
        Err(e) => return Err(e),
    };
    let support = support_tokens_of(p, alpha, &sol.w, 1e-6);
    for (i, ts) in support.iter().enumerate() {
        let g = p.gamma(i)?;
        if !ts.iter().all(|&t| g[alpha[i]] > g[t]) {
            return Ok(false);
        }
    }
    Ok(true)
}

/// p-SVM for the prompt model with fixed `W`: `p^mm = argmin ‖p‖` s.t.
/// `(x_{iα_i} − x_it)ᵀ W p ≥ 1`.
///
/// # Errors
/// `ShapeMismatch` / `OutOfRange` for a bad `alpha`; `ShapeMismatch` / `NonFinite` for a `w` that
/// is not a finite `d × d` matrix; the solver's errors.
pub fn p_svm(pr: &Problem, w: &Mat, alpha: &[usize]) -> Result<Vec<f64>> {
    check_alpha(pr, alpha)?;
    pr.check_w("w", w)?;
    let d = pr.dim();
    let mut q = MinNormProblem::new("p-SVM", d, 1);
    for (inp, &a) in pr.inputs().iter().zip(alpha) {
        for t in 0..inp.x.rows() {
            if t == a {
                continue;
            }
            let diff: Vec<f64> = inp
                .x
                .row_at(a)
                .iter()
                .zip(inp.x.row_at(t))
                .map(|(x, y)| x - y)
                .collect();
            let u: Vec<f64> = (0..d)
                .map(|b| (0..d).map(|c| diff[c] * w.at(c, b)).sum())
                .collect();
            q.push_at_least(&u, &[1.0], 1.0)?;
        }
    }
    Ok(q.solve(&Options::default())?.w.into_data())
}

/// Gen-SVM (§5.1): `min ‖W‖_F` s.t. `(x_iα − x_iβ)ᵀ W z_i = 0` for `α, β ∈ O_i` and
/// `(x_iα − x_iτ)ᵀ W z_i ≥ 1` for `α ∈ O_i`, `τ ∉ O_i` (`selected[i] = O_i`, position indices).
///
/// # Errors
/// `ShapeMismatch` unless there is one set per input; `OutOfRange` for a position outside its
/// input; the solver's errors.
pub fn gen_svm(p: &Problem, selected: &[Vec<usize>]) -> Result<MaxMargin> {
    check_selected(p, selected)?;
    let d = p.dim();
    let mut q = MinNormProblem::new("Gen-SVM", d, d);
    for (inp, o) in p.inputs().iter().zip(selected) {
        let diff = |a: usize, b: usize| -> Vec<f64> {
            inp.x
                .row_at(a)
                .iter()
                .zip(inp.x.row_at(b))
                .map(|(x, y)| x - y)
                .collect()
        };
        for &a in o {
            for t in 0..inp.x.rows() {
                if o.contains(&t) {
                    if t != a {
                        q.push_equality(&diff(a, t), &inp.z, 0.0)?;
                    }
                } else {
                    q.push_at_least(&diff(a, t), &inp.z, 1.0)?;
                }
            }
        }
    }
    let s = q.solve(&Options::default())?;
    Ok(MaxMargin { w: s.w, kkt: s.kkt })
}

/// `W^fin` of the SVM-equivalence: the min-norm `W` with `(x_iβ − x_iα)ᵀ W z_i = log(s_iβ/s_iα)` for
/// `α, β ∈ O_i`, given limiting softmax values `s_i` (positive on `O_i`).
///
/// # Errors
/// As [`gen_svm`] for `selected`; `ShapeMismatch` unless `s[i]` has one value per token of input
/// `i`; `InvalidArgument` for a value on `O_i` that is not finite and > 0 (its log is the
/// right-hand side); the solver's errors.
pub fn gen_w_fin(p: &Problem, selected: &[Vec<usize>], s: &[Vec<f64>]) -> Result<Mat> {
    check_selected(p, selected)?;
    check_len("softmax values", p.inputs().len(), s.len())?;
    for ((inp, o), si) in p.inputs().iter().zip(selected).zip(s) {
        check_len("softmax values row", inp.x.rows(), si.len())?;
        for &a in o {
            check_positive("softmax value on a selected token", si[a])?;
        }
    }
    let d = p.dim();
    let mut q = MinNormProblem::new("SVM-equivalence W^fin", d, d);
    for ((inp, o), si) in p.inputs().iter().zip(selected).zip(s) {
        let Some(&a) = o.first() else { continue };
        for &b in o.iter().skip(1) {
            let u: Vec<f64> = inp
                .x
                .row_at(b)
                .iter()
                .zip(inp.x.row_at(a))
                .map(|(x, y)| x - y)
                .collect();
            q.push_equality(&u, &inp.z, (si[b] / si[a]).ln())?;
        }
    }
    Ok(q.solve(&Options::default())?.w)
}

/// Margin of selection `α` under `W`: `min_{i, t≠α_i} (x_{iα_i} − x_it)ᵀ W z_i` (`+∞` when no
/// input has a second token).
///
/// # Errors
/// `ShapeMismatch` / `OutOfRange` for a bad `alpha`; `ShapeMismatch` / `NonFinite` for a `w` that
/// is not a finite `d × d` matrix.
pub fn margin(p: &Problem, alpha: &[usize], w: &Mat) -> Result<f64> {
    check_alpha(p, alpha)?;
    p.check_w("w", w)?;
    let mut m = f64::INFINITY;
    for (inp, &a) in p.inputs().iter().zip(alpha) {
        let wz: Vec<f64> = (0..w.rows()).map(|r| dot(w.row_at(r), &inp.z)).collect();
        for t in 0..inp.x.rows() {
            if t != a {
                m = m.min(dot(inp.x.row_at(a), &wz) - dot(inp.x.row_at(t), &wz));
            }
        }
    }
    Ok(m)
}

/// One set of token positions per input, each position inside its input.
fn check_selected(p: &Problem, selected: &[Vec<usize>]) -> Result<()> {
    check_len("selected sets", p.inputs().len(), selected.len())?;
    for (inp, o) in p.inputs().iter().zip(selected) {
        check_ids("selected set", o, inp.x.rows())?;
    }
    Ok(())
}
