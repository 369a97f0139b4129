//! Neural tangent kernels of a two-layer ReLU network: the analytic (infinite-width) kernel and the
//! empirical kernel assembled from per-example gradients of a finite network.
//!
//! Network (NTK parametrisation), input `x ∈ R^d`, width `m`, `C` outputs:
//!
//! ```text
//! f(x) = A · relu(W x) / √m,      W ∈ R^{m×d} (rows w_r),  A ∈ R^{C×m}
//! ∂f_c/∂A_{c',r} = δ_{cc'} relu(w_r·x) / √m
//! ∂f_c/∂w_r      = A_{cr} 1{w_r·x > 0} x / √m
//! ```
//!
//! With `W, A` standard normal, each output's empirical NTK tends to half the analytic kernel
//! `Θ(x,x') = ‖x‖‖x'‖ (k1(θ) + cos θ · k0(θ))` as `m → ∞` (arc-cosine kernels of degree 0 and 1:
//! `E[relu(w·x) relu(w·x')] = ‖x‖‖x'‖ k1/2`, `E[1{w·x>0} 1{w·x'>0}] = k0/2`).

use crate::error::{check_finite, check_len, Error, Result};
use crate::linalg::check_matrix;
use crate::linalg::gemm_into_unchecked as gemm_into;
use crate::rng::seeded;
use faer::{Mat, MatRef};
use rand_distr::{Distribution, StandardNormal};
use std::f64::consts::PI;

/// The analytic two-layer ReLU NTK from the inner product and the two norms:
/// `u = cos θ = ⟨x,x'⟩/(‖x‖‖x'‖)`, `k0 = (π−θ)/π`, `k1 = (sin θ + (π−θ) u)/π`,
/// `Θ = ‖x‖‖x'‖ (k1 + u·k0)`. A zero input gives `Θ = 0`; `u` is clamped to `[−1, 1]` against
/// rounding.
pub fn relu_ntk_from_inner(inner: f64, norm_a: f64, norm_b: f64) -> f64 {
    let scale = norm_a * norm_b;
    if scale == 0.0 {
        return 0.0;
    }
    let u = (inner / scale).clamp(-1.0, 1.0);
    let theta = u.acos();
    let k0 = (PI - theta) / PI;
    // sin θ = sqrt(1 − u²) on θ ∈ [0, π]: one transcendental fewer per entry.
    let k1 = ((1.0 - u * u).sqrt() + (PI - theta) * u) / PI;
    scale * (k1 + u * k0)
}

/// Cross-kernel `Θ(a_i, b_j)` (`n_a × n_b`) of the rows of `a` (`n_a × d`) and `b` (`n_b × d`); the
/// inner products come from one faer GEMM.
pub fn relu_ntk_cross(a: MatRef<'_, f64>, b: MatRef<'_, f64>) -> Result<Mat<f64>> {
    check_matrix("a", a)?;
    check_matrix("b", b)?;
    check_len("b (columns)", a.ncols(), b.ncols())?;
    let mut g = Mat::<f64>::zeros(a.nrows(), b.nrows());
    gemm_into(g.as_mut(), a, b.transpose(), 1.0, false);
    let na: Vec<f64> = (0..a.nrows()).map(|i| a.row(i).norm_l2()).collect();
    let nb: Vec<f64> = (0..b.nrows()).map(|i| b.row(i).norm_l2()).collect();
    for j in 0..b.nrows() {
        for i in 0..a.nrows() {
            g[(i, j)] = relu_ntk_from_inner(g[(i, j)], na[i], nb[j]);
        }
    }
    Ok(g)
}

/// Gram `Θ(x_i, x_j)` (`n × n`, exactly symmetric) of the rows of `x` (`n × d`).
pub fn relu_ntk_gram(x: MatRef<'_, f64>) -> Result<Mat<f64>> {
    let mut g = relu_ntk_cross(x, x)?;
    for j in 0..g.ncols() {
        for i in j + 1..g.nrows() {
            g[(j, i)] = g[(i, j)];
        }
    }
    // Finite rows near f64::MAX overflow the inner products.
    crate::linalg::check_matrix_finite("relu_ntk_gram (overflow from finite x)", g.as_ref())?;
    Ok(g)
}

/// A two-layer ReLU network `f(x) = A relu(W x)/√m` (see the [module docs](self)). The fields
/// are private: `W` and `A` agree in `m`, every size is at least 1 and every weight is finite by
/// construction ([`TwoLayerRelu::new`], [`TwoLayerRelu::random`], [`TwoLayerRelu::set_params`]).
#[derive(Clone, Debug)]
pub struct TwoLayerRelu {
    w: Mat<f64>,
    a: Mat<f64>,
}

impl TwoLayerRelu {
    /// A network from its layers: `W` (`m × d`) and `A` (`C × m`).
    ///
    /// # Errors
    /// `Empty` when `m`, `d` or `C` is 0; `ShapeMismatch` when `A` has not `m` columns;
    /// `NonFinite` for a NaN or infinite weight.
    pub fn new(w: Mat<f64>, a: Mat<f64>) -> Result<Self> {
        check_matrix("w", w.as_ref())?;
        check_matrix("a", a.as_ref())?;
        check_len("a (columns)", w.nrows(), a.ncols())?;
        Ok(TwoLayerRelu { w, a })
    }
    /// First layer `W` (`m × d`).
    pub fn w(&self) -> &Mat<f64> {
        &self.w
    }
    /// Output layer `A` (`C × m`).
    pub fn a(&self) -> &Mat<f64> {
        &self.a
    }
    /// Standard-normal `W` and `A` from `seed`.
    pub fn random(d: usize, width: usize, outputs: usize, seed: u64) -> Result<Self> {
        if d == 0 || width == 0 || outputs == 0 {
            return Err(Error::InvalidArgument {
                what: "TwoLayerRelu::random",
                reason: format!("d, width, outputs must be > 0; got {d}, {width}, {outputs}"),
            });
        }
        crate::error::checked_elems("w: width·d", &[width, d])?;
        crate::error::checked_elems("a: outputs·width", &[outputs, width])?;
        let mut rng = seeded(seed, 0x006e_746b);
        let mut draw = |r, c| Mat::from_fn(r, c, |_, _| StandardNormal.sample(&mut rng));
        let w = draw(width, d);
        let a = draw(outputs, width);
        Ok(TwoLayerRelu { w, a })
    }

    /// Input dimension `d`.
    pub fn d(&self) -> usize {
        self.w.ncols()
    }
    /// Width `m`.
    pub fn width(&self) -> usize {
        self.w.nrows()
    }
    /// Number of outputs `C`.
    pub fn outputs(&self) -> usize {
        self.a.nrows()
    }
    /// Number of parameters `P = m·d + C·m`; gradients are laid out `[vec_rowmajor(W), vec_rowmajor(A)]`.
    pub fn n_params(&self) -> usize {
        self.width() * (self.d() + self.outputs())
    }

    /// Outputs `f(x_i)` (`n × C`) for the rows of `x` (`n × d`).
    pub fn forward(&self, x: MatRef<'_, f64>) -> Result<Mat<f64>> {
        check_matrix("x", x)?;
        check_len("x (columns)", self.d(), x.ncols())?;
        let mut h = Mat::<f64>::zeros(x.nrows(), self.width());
        gemm_into(h.as_mut(), x, self.w.transpose(), 1.0, false);
        let s = 1.0 / (self.width() as f64).sqrt();
        let h = Mat::from_fn(h.nrows(), h.ncols(), |i, r| h[(i, r)].max(0.0) * s);
        let mut out = Mat::<f64>::zeros(x.nrows(), self.outputs());
        gemm_into(out.as_mut(), h.as_ref(), self.a.transpose(), 1.0, false);
        Ok(out)
    }

    /// Per-example Jacobian of output `c`: row `i` is `∇_θ f_c(x_i)` (`n × P`, layout of
    /// [`TwoLayerRelu::n_params`]). The ReLU derivative at exactly 0 is taken as 0.
    pub fn jacobian(&self, x: MatRef<'_, f64>, c: usize) -> Result<Mat<f64>> {
        check_matrix("x", x)?;
        check_len("x (columns)", self.d(), x.ncols())?;
        crate::error::check_ids("output", &[c], self.outputs())?;
        let (m, d, n) = (self.width(), self.d(), x.nrows());
        let mut pre = Mat::<f64>::zeros(n, m);
        gemm_into(pre.as_mut(), x, self.w.transpose(), 1.0, false);
        let s = 1.0 / (m as f64).sqrt();
        let mut jac = Mat::<f64>::zeros(n, self.n_params());
        for i in 0..n {
            for r in 0..m {
                let z = pre[(i, r)];
                if z > 0.0 {
                    let g = self.a[(c, r)] * s;
                    for t in 0..d {
                        jac[(i, r * d + t)] = g * x[(i, t)];
                    }
                    jac[(i, m * d + c * m + r)] = z * s;
                }
            }
        }
        Ok(jac)
    }

    /// Empirical NTK `K_ij = Σ_{c ∈ outputs} ⟨∇_θ f_c(x_i), ∇_θ f_c(x_j)⟩` (`n × n`), as the sum of
    /// the GEMMs `J_c J_cᵀ` of the per-example Jacobians. `outputs = None` sums over every output;
    /// `Some(c)` gives the per-output kernel.
    pub fn empirical_ntk(&self, x: MatRef<'_, f64>, output: Option<usize>) -> Result<Mat<f64>> {
        let outs: Vec<usize> = match output {
            Some(c) => vec![c],
            None => (0..self.outputs()).collect(),
        };
        let n = x.nrows();
        let mut k = Mat::<f64>::zeros(n, n);
        for (idx, &c) in outs.iter().enumerate() {
            let j = self.jacobian(x, c)?;
            gemm_into(k.as_mut(), j.as_ref(), j.transpose(), 1.0, idx != 0);
        }
        // The GEMM is symmetric up to rounding; mirror the lower triangle so the Gram is exactly so.
        for j in 0..n {
            for i in j + 1..n {
                k[(j, i)] = k[(i, j)];
            }
        }
        Ok(k)
    }

    /// Sets the parameters from a flat vector (layout of [`TwoLayerRelu::n_params`]); used by
    /// finite-difference checks.
    pub fn set_params(&mut self, theta: &[f64]) -> Result<()> {
        check_len("theta", self.n_params(), theta.len())?;
        check_finite("theta", theta)?;
        let (m, d) = (self.width(), self.d());
        for r in 0..m {
            for t in 0..d {
                self.w[(r, t)] = theta[r * d + t];
            }
        }
        for c in 0..self.outputs() {
            for r in 0..m {
                self.a[(c, r)] = theta[m * d + c * m + r];
            }
        }
        Ok(())
    }

    /// The parameters as a flat vector (layout of [`TwoLayerRelu::n_params`]).
    pub fn params(&self) -> Vec<f64> {
        let (m, d) = (self.width(), self.d());
        let mut theta = Vec::with_capacity(self.n_params());
        for r in 0..m {
            for t in 0..d {
                theta.push(self.w[(r, t)]);
            }
        }
        for c in 0..self.outputs() {
            for r in 0..m {
                theta.push(self.a[(c, r)]);
            }
        }
        theta
    }
}
