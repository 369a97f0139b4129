//! Optimisers: plain gradient descent, normalized gradient descent, and the ridge
//! (regularisation) path by damped Newton.

use super::dataset::Dataset;
use super::model::{
    check_hessian_size, check_w, hessian_of, loss_and_grad_of, loss_of, GradientForm,
};
use crate::error::{check_positive, Error, Result};
use crate::qp::mat::spd_solve;
use crate::qp::Mat;

/// Step rule.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Step {
    /// `W ← W − η ∇L`.
    Plain(f64),
    /// `W ← W − η ∇L / ‖∇L‖_F` (the authors' choice).
    Normalized(f64),
}

/// Why a run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stop {
    /// All steps were taken.
    Completed,
    /// The gradient was exactly zero (softmax tail underflowed, pitfall P2): `W` is final.
    ZeroGradient,
}

/// The outcome of [`descend`].
#[derive(Clone, Debug)]
pub struct Run {
    /// Final iterate.
    pub w: Mat,
    /// Steps actually taken.
    pub steps: usize,
    /// Why it ended.
    pub stop: Stop,
}

/// Runs `steps` steps of gradient descent from `w0` with the given step rule and gradient form.
/// `observe(step, &W)` is called before the first step (step 0) and after every step.
///
/// Errors: shape mismatch of `w0`, a non-finite gradient or iterate ([`Error::NonFinite`]).
pub fn descend(
    ds: &Dataset,
    w0: &Mat,
    step: Step,
    form: GradientForm,
    steps: usize,
    mut observe: impl FnMut(usize, &Mat),
) -> Result<Run> {
    check_w(ds.embeddings(), w0)?;
    let (Step::Plain(eta) | Step::Normalized(eta)) = step;
    check_positive("step size", eta)?;
    let mut w = w0.clone();
    observe(0, &w);
    for t in 0..steps {
        let ev = loss_and_grad_of(ds, &w, form);
        let gnorm = ev.grad.norm();
        if !gnorm.is_finite() {
            return Err(Error::NonFinite {
                what: "gradient",
                index: t,
            });
        }
        if gnorm == 0.0 {
            return Ok(Run {
                w,
                steps: t,
                stop: Stop::ZeroGradient,
            });
        }
        let scale = match step {
            Step::Plain(eta) => eta,
            Step::Normalized(eta) => eta / gnorm,
        };
        w.axpy(-scale, &ev.grad);
        observe(t + 1, &w);
    }
    Ok(Run {
        w,
        steps,
        stop: Stop::Completed,
    })
}

/// Minimiser of `L(W) + (λ/2)‖W‖_F²` by damped Newton (Cholesky of `∇²L + λI`, backtracking
/// Armijo line search), warm-started at `w0`.
pub fn ridge_minimizer(ds: &Dataset, lambda: f64, w0: &Mat) -> Result<Mat> {
    if !(lambda > 0.0 && lambda.is_finite()) {
        return Err(Error::InvalidArgument {
            what: "ridge lambda",
            reason: format!("must be positive and finite, got {lambda}"),
        });
    }
    check_w(ds.embeddings(), w0)?;
    let d = ds.dim();
    // Newton on vec(W): a d² × d² Hessian, sized before it is allocated.
    check_hessian_size(d)?;
    let dd = d * d;
    let objective = |w: &Mat| loss_of(ds, w) + 0.5 * lambda * w.dot(w);
    let mut w = w0.clone();
    for _ in 0..500 {
        let ev = loss_and_grad_of(ds, &w, GradientForm::Stable);
        let mut g = ev.grad.clone();
        g.axpy(lambda, &w);
        let mut h = hessian_of(ds, &w);
        for i in 0..dd {
            h.data_mut()[i * dd + i] += lambda;
        }
        let step = spd_solve(&h, g.data())?;
        let decrement: f64 = step.iter().zip(g.data()).map(|(s, g)| s * g).sum();
        let f0 = ev.loss + 0.5 * lambda * w.dot(&w);
        // The predicted decrease is below what f64 resolves in the objective: converged.
        if decrement <= 1e-15 * f0 {
            return Ok(w);
        }
        let mut t = 1.0;
        loop {
            let mut trial = w.clone();
            for (x, s) in trial.data_mut().iter_mut().zip(&step) {
                *x -= t * s;
            }
            if objective(&trial) <= f0 - 0.25 * t * decrement {
                w = trial;
                break;
            }
            t *= 0.5;
            if t < 1e-16 {
                // No decrease representable: at the minimiser to working precision.
                return Ok(w);
            }
        }
    }
    Err(Error::NotConverged {
        what: "ridge Newton",
        iterations: 500,
        residual: f64::NAN,
    })
}

/// The ridge path `W_λ` for decreasing `lambdas`, each warm-started at the previous one.
pub fn ridge_path(ds: &Dataset, lambdas: &[f64]) -> Result<Vec<Mat>> {
    let mut w = Mat::zeros(ds.dim(), ds.dim());
    let mut out = Vec::with_capacity(lambdas.len());
    for &l in lambdas {
        w = ridge_minimizer(ds, l, &w)?;
        out.push(w.clone());
    }
    Ok(out)
}
