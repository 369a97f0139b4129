//! The Att-SVM model `f_W(X, z) = vᵀ Xᵀ softmax(X W z)` (Tarzanagh et al. 2023), its losses and the
//! stable pairwise gradient; the prompt (p-)model `f_p(X) = vᵀ Xᵀ softmax(X W p)`; and the `(K, Q)`
//! parameterisation `W = K Qᵀ`.
//!
//! With token scores `g_t = vᵀ x_t`, attention `a = softmax(σ)`, output `f = Σ_t a_t g_t` and loss
//! `ℓ(Y f)`: `∂ℓ/∂σ_t = ℓ'(Y f) Y a_t (g_t − f)`. Pitfall P1: `g_t − f` is evaluated as the pairwise
//! sum `Σ_s a_s (g_t − g_s)` and the gradient as `Σ_t c_t (x_t − x_r)` with `r = argmax a`, which
//! keeps the direction when one token's attention rounds to 1.

use crate::error::{check_finite, check_len, check_nonempty, check_positive, Error, Result};
use crate::qp::Mat;

/// A decreasing loss `ℓ(u)` of the margin `u = Y f`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Loss {
    /// `log(1 + e^{−u})`.
    Logistic,
    /// `e^{−u}`.
    Exponential,
    /// `−u` (constant slope: no loss-weight imbalance, pitfall P6).
    Correlation,
}

impl Loss {
    /// `ℓ(u)`, computed without overflow.
    pub fn value(self, u: f64) -> f64 {
        match self {
            Loss::Logistic => {
                if u > 0.0 {
                    (-u).exp().ln_1p()
                } else {
                    -u + u.exp().ln_1p()
                }
            }
            Loss::Exponential => (-u).exp(),
            Loss::Correlation => -u,
        }
    }
    /// `ℓ'(u)`.
    pub fn slope(self, u: f64) -> f64 {
        match self {
            Loss::Logistic => {
                if u > 0.0 {
                    let e = (-u).exp();
                    -e / (1.0 + e)
                } else {
                    -1.0 / (1.0 + u.exp())
                }
            }
            Loss::Exponential => -(-u).exp(),
            Loss::Correlation => -1.0,
        }
    }
}

/// Gradient assembly (pitfall P1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Form {
    /// Pairwise differences `Σ_s a_s (g_t − g_s)` and `x_t − x_r`.
    Stable,
    /// `g_t − f` with `f = Σ a_s g_s` and `Σ_t c_t x_t` (negative check only).
    Naive,
}

/// One input: tokens `X ∈ R^{T×d}`, query `z ∈ R^d`, label `Y ∈ {±1}`.
#[derive(Clone, Debug)]
pub struct Input {
    /// `T × d` tokens (rows).
    pub x: Mat,
    /// Query `z` (length `d`; for the p-model it is unused).
    pub z: Vec<f64>,
    /// Label `±1`.
    pub y: f64,
}

/// A dataset with its fixed head `v`. Fields are private: [`Problem::new`] checks that every
/// input has dimension `d = v.len()`, at least one token, finite entries and a ±1 label, and the
/// solvers rely on it.
#[derive(Clone, Debug)]
pub struct Problem {
    inputs: Vec<Input>,
    v: Vec<f64>,
}

impl Problem {
    /// Validates shapes (every `X_i` is `T_i × d`, `z_i` and `v` of length `d`, labels ±1, finite).
    pub fn new(inputs: Vec<Input>, v: Vec<f64>) -> Result<Self> {
        check_nonempty("inputs", &inputs)?;
        check_nonempty("head v", &v)?;
        crate::error::check_finite("head v", &v)?;
        let d = v.len();
        for inp in &inputs {
            check_len("token dimension", d, inp.x.cols())?;
            check_len("query dimension", d, inp.z.len())?;
            if inp.x.rows() == 0 {
                return Err(Error::Empty {
                    what: "input tokens",
                });
            }
            crate::error::check_finite("input tokens", inp.x.data())?;
            crate::error::check_finite("query", &inp.z)?;
            if inp.y != 1.0 && inp.y != -1.0 {
                return Err(Error::InvalidArgument {
                    what: "label",
                    reason: format!("must be +1 or -1, got {}", inp.y),
                });
            }
        }
        Ok(Problem { inputs, v })
    }

    /// Dimension `d`.
    pub fn dim(&self) -> usize {
        self.v.len()
    }

    /// The inputs.
    pub fn inputs(&self) -> &[Input] {
        &self.inputs
    }

    /// The head `v`.
    pub fn v(&self) -> &[f64] {
        &self.v
    }

    /// Label-signed token scores `γ_it = Y_i vᵀ x_it`.
    ///
    /// # Errors
    /// `OutOfRange` unless `i < inputs().len()`.
    pub fn gamma(&self, i: usize) -> Result<Vec<f64>> {
        let inp = self.inputs.get(i).ok_or(Error::OutOfRange {
            what: "input index",
            index: 0,
            value: i,
            bound: self.inputs.len(),
        })?;
        Ok(self.gamma_of(inp))
    }

    fn gamma_of(&self, inp: &Input) -> Vec<f64> {
        (0..inp.x.rows())
            .map(|t| inp.y * dot(inp.x.row_at(t), &self.v))
            .collect()
    }

    /// The globally optimal selection `opt_i = argmax_t γ_it`.
    pub fn optimal_alpha(&self) -> Vec<usize> {
        self.inputs
            .iter()
            .map(|inp| argmax(&self.gamma_of(inp)))
            .collect()
    }

    /// `ShapeMismatch` unless `w` is `d × d`; `NonFinite` for a NaN or an infinity in it.
    pub(crate) fn check_w(&self, what: &'static str, w: &Mat) -> Result<()> {
        check_len(what, self.dim(), w.rows())?;
        check_len(what, self.dim(), w.cols())?;
        check_finite(what, w.data())
    }

    /// `ShapeMismatch` unless `x` has `d` entries; `NonFinite` for a NaN or an infinity in it.
    fn check_vec(&self, what: &'static str, x: &[f64]) -> Result<()> {
        check_len(what, self.dim(), x.len())?;
        check_finite(what, x)
    }
}

/// `Σ a_i b_i`.
pub fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

pub use crate::ops::argmax;
use crate::ops::softmax_to_vec as softmax;

/// Per-input forward quantities and the score-space gradient `∂ℓ/∂σ` (already times `ℓ'`, `Y`).
struct Head {
    loss: f64,
    /// `∂ℓ/∂σ_t`.
    coeff: Vec<f64>,
    /// `r = argmax a`.
    r: usize,
}

fn head(sigma: &[f64], g: &[f64], y: f64, loss: Loss, form: Form) -> Head {
    let a = softmax(sigma);
    let r = argmax(&a);
    let f: f64 = dot(&a, g);
    let slope = loss.slope(y * f) * y;
    let coeff = (0..g.len())
        .map(|t| {
            let diff = match form {
                Form::Stable => a
                    .iter()
                    .zip(g)
                    .map(|(as_, gs)| as_ * (g[t] - gs))
                    .sum::<f64>(),
                Form::Naive => g[t] - f,
            };
            slope * a[t] * diff
        })
        .collect();
    Head {
        loss: loss.value(y * f),
        coeff,
        r,
    }
}

/// `Σ_t c_t x_t` (naive) or `Σ_t c_t (x_t − x_r)` (stable).
fn combine(x: &Mat, coeff: &[f64], r: usize, form: Form) -> Vec<f64> {
    let mut out = vec![0.0; x.cols()];
    for (t, &c) in coeff.iter().enumerate() {
        for (b, o) in out.iter_mut().enumerate() {
            let xv = match form {
                Form::Stable => x.at(t, b) - x.at(r, b),
                Form::Naive => x.at(t, b),
            };
            *o += c * xv;
        }
    }
    out
}

/// Attention `softmax(X W z)` of input `i`.
///
/// # Errors
/// `OutOfRange` for `i ≥ inputs().len()`; `ShapeMismatch` / `NonFinite` for a `w` that is not a
/// finite `d × d` matrix.
pub fn attention(p: &Problem, w: &Mat, i: usize) -> Result<Vec<f64>> {
    p.check_w("w", w)?;
    let inp = p.inputs.get(i).ok_or(Error::OutOfRange {
        what: "input index",
        index: 0,
        value: i,
        bound: p.inputs.len(),
    })?;
    let sigma: Vec<f64> = (0..inp.x.rows())
        .map(|t| w.bilinear(inp.x.row_at(t), &inp.z))
        .collect();
    Ok(softmax(&sigma))
}

/// `L(W) = (1/n) Σ ℓ(Y_i f_W(X_i, z_i))` and `∇_W L` (`d × d`).
///
/// # Errors
/// `ShapeMismatch` / `NonFinite` for a `w` that is not a finite `d × d` matrix.
pub fn loss_and_grad(p: &Problem, w: &Mat, loss: Loss, form: Form) -> Result<(f64, Mat)> {
    p.check_w("w", w)?;
    Ok(loss_and_grad_of(p, w, loss, form))
}

/// [`loss_and_grad`] of a validated `w`.
fn loss_and_grad_of(p: &Problem, w: &Mat, loss: Loss, form: Form) -> (f64, Mat) {
    let d = p.dim();
    let mut grad = Mat::zeros(d, d);
    let mut total = 0.0;
    let n = p.inputs.len() as f64;
    for inp in &p.inputs {
        let sigma: Vec<f64> = (0..inp.x.rows())
            .map(|t| w.bilinear(inp.x.row_at(t), &inp.z))
            .collect();
        let g: Vec<f64> = (0..inp.x.rows())
            .map(|t| dot(inp.x.row_at(t), &p.v))
            .collect();
        let h = head(&sigma, &g, inp.y, loss, form);
        total += h.loss;
        let u = combine(&inp.x, &h.coeff, h.r, form);
        grad.add_outer(1.0 / n, &u, &inp.z);
    }
    (total / n, grad)
}

/// p-model: `L(p) = (1/n) Σ ℓ(Y_i vᵀ X_iᵀ softmax(X_i W p))` and `∇_p L` (W fixed, `d × d`).
///
/// # Errors
/// `ShapeMismatch` / `NonFinite` for a `w` that is not a finite `d × d` matrix or a `pvec` that is
/// not a finite `d`-vector.
pub fn p_loss_and_grad(
    pr: &Problem,
    w: &Mat,
    pvec: &[f64],
    loss: Loss,
    form: Form,
) -> Result<(f64, Vec<f64>)> {
    pr.check_w("w", w)?;
    pr.check_vec("p", pvec)?;
    Ok(p_loss_and_grad_of(pr, w, pvec, loss, form))
}

/// [`p_loss_and_grad`] of validated arguments.
fn p_loss_and_grad_of(
    pr: &Problem,
    w: &Mat,
    pvec: &[f64],
    loss: Loss,
    form: Form,
) -> (f64, Vec<f64>) {
    let d = pr.dim();
    let mut grad = vec![0.0; d];
    let mut total = 0.0;
    let n = pr.inputs.len() as f64;
    for inp in &pr.inputs {
        let sigma: Vec<f64> = (0..inp.x.rows())
            .map(|t| w.bilinear(inp.x.row_at(t), pvec))
            .collect();
        let g: Vec<f64> = (0..inp.x.rows())
            .map(|t| dot(inp.x.row_at(t), &pr.v))
            .collect();
        let h = head(&sigma, &g, inp.y, loss, form);
        total += h.loss;
        let u = combine(&inp.x, &h.coeff, h.r, form);
        // σ_t = x_tᵀ W p ⇒ ∇_p = Wᵀ Σ c_t x_t.
        for (b, gb) in grad.iter_mut().enumerate() {
            *gb += (0..d).map(|a| w.at(a, b) * u[a]).sum::<f64>() / n;
        }
    }
    (total / n, grad)
}

/// `(K, Q)` parameterisation: `W = K Qᵀ` (`K, Q ∈ R^{d×m}`); returns `L`, `∇_K = ∇_W Q`,
/// `∇_Q = ∇_Wᵀ K`.
///
/// # Errors
/// `ShapeMismatch` unless `k` and `q` are both `d × m`; `NonFinite` for a NaN or an infinity in
/// them (or in `W = K Qᵀ`).
pub fn kq_loss_and_grad(p: &Problem, k: &Mat, q: &Mat, loss: Loss) -> Result<(f64, Mat, Mat)> {
    check_len("k rows", p.dim(), k.rows())?;
    check_len("q rows", p.dim(), q.rows())?;
    check_len("q cols", k.cols(), q.cols())?;
    check_finite("k", k.data())?;
    check_finite("q", q.data())?;
    let w = k.matmul(&q.transpose())?;
    let (l, gw) = loss_and_grad(p, &w, loss, Form::Stable)?;
    Ok((l, gw.matmul(q)?, gw.transpose().matmul(k)?))
}

/// Normalized gradient descent on `W`: `W ← W − η ∇L/‖∇L‖` for `steps` steps (stops early on a zero
/// or non-finite gradient: pitfall P2).
///
/// # Errors
/// As [`loss_and_grad`] for `w0`; `NonFinite` / `InvalidArgument` for an `eta` that is not finite
/// and > 0.
pub fn ngd(p: &Problem, w0: &Mat, loss: Loss, eta: f64, steps: usize, form: Form) -> Result<Mat> {
    p.check_w("w0", w0)?;
    check_positive("eta", eta)?;
    let mut w = w0.clone();
    for _ in 0..steps {
        let (_, g) = loss_and_grad_of(p, &w, loss, form);
        let n = g.norm();
        if n == 0.0 || !n.is_finite() {
            break;
        }
        w.axpy(-eta / n, &g);
    }
    Ok(w)
}

/// Normalized gradient descent on the prompt `p` (W fixed).
///
/// # Errors
/// As [`p_loss_and_grad`] for `(w, p0)`; `NonFinite` / `InvalidArgument` for an `eta` that is not
/// finite and > 0.
#[allow(clippy::too_many_arguments)]
pub fn p_ngd(
    pr: &Problem,
    w: &Mat,
    p0: &[f64],
    loss: Loss,
    eta: f64,
    steps: usize,
    form: Form,
) -> Result<Vec<f64>> {
    pr.check_w("w", w)?;
    pr.check_vec("p0", p0)?;
    check_positive("eta", eta)?;
    let mut p = p0.to_vec();
    for _ in 0..steps {
        let (_, g) = p_loss_and_grad_of(pr, w, &p, loss, form);
        let n = dot(&g, &g).sqrt();
        if n == 0.0 || !n.is_finite() {
            break;
        }
        for (x, gi) in p.iter_mut().zip(&g) {
            *x -= eta * gi / n;
        }
    }
    Ok(p)
}
