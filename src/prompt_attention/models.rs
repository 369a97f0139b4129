//! The four classifiers of spec B1 with parameter gradients, batched over samples.
//!
//! Softmax prompt-attention is one attention call with `batch = n`, `q_len = 1`, `K = V = X_i`,
//! `scale = 1` and the same query `q` for every sample; self-attention is one call with
//! `q_len = kv_len = T` and `Q_i = X_i Wᵀ` (row `t` is `(W x_t)ᵀ`). Both run forward and backward
//! through [`crate::attention`]; `∂f/∂W = dQᵀ X` since `Q = X Wᵀ`.

use super::data::Dataset;
use crate::attention::{self, Options, Shape};
use crate::error::{check_finite, check_len, check_nonempty, Error, Result};

/// Which classifier.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Model {
    /// `f = vᵀ Xᵀ softmax(X q)`.
    PromptSoftmax,
    /// `f = vᵀ Xᵀ X q / T`.
    PromptLinear,
    /// `f = vᵀ (1/T) Σ_t Xᵀ softmax(X W x_t)`.
    SelfSoftmax,
    /// `f = vᵀ x̄`.
    MeanPool,
}

impl Model {
    /// All four, in report order.
    pub const ALL: [Model; 4] = [
        Model::PromptSoftmax,
        Model::PromptLinear,
        Model::SelfSoftmax,
        Model::MeanPool,
    ];
    /// Short name.
    pub fn name(self) -> &'static str {
        match self {
            Model::PromptSoftmax => "prompt-attention",
            Model::PromptLinear => "linear prompt-attention",
            Model::SelfSoftmax => "self-attention",
            Model::MeanPool => "mean-pool",
        }
    }
}

/// Parameters: prompt `q` (`d`), head `v` (`d`), self-attention `W` (`d × d`, row-major). Models
/// ignore what they do not use (and their gradients there are 0).
#[derive(Clone, Debug, PartialEq)]
pub struct Params {
    /// Prompt / query `q ∈ R^d`.
    pub q: Vec<f64>,
    /// Head `v ∈ R^d`.
    pub v: Vec<f64>,
    /// Self-attention `W ∈ R^{d×d}`.
    pub w: Vec<f64>,
}

impl Params {
    /// All zeros.
    pub fn zeros(dim: usize) -> Self {
        Params {
            q: vec![0.0; dim],
            v: vec![0.0; dim],
            w: vec![0.0; dim * dim],
        }
    }
    /// `d`.
    pub fn dim(&self) -> usize {
        self.q.len()
    }
    /// Every parameter as one flat slice view sequence `(q, v, w)`.
    pub fn flat(&self) -> Vec<f64> {
        [&self.q[..], &self.v, &self.w].concat()
    }
    /// Inverse of [`Params::flat`].
    pub fn from_flat(dim: usize, x: &[f64]) -> Self {
        Params {
            q: x[..dim].to_vec(),
            v: x[dim..2 * dim].to_vec(),
            w: x[2 * dim..].to_vec(),
        }
    }
    fn validate(&self, dim: usize) -> Result<()> {
        check_len("params.q", dim, self.q.len())?;
        check_len("params.v", dim, self.v.len())?;
        let dd = crate::error::checked_elems("params.w: d·d", &[dim, dim])?;
        check_len("params.w", dd, self.w.len())?;
        check_finite("params.q", &self.q)?;
        check_finite("params.v", &self.v)?;
        check_finite("params.w", &self.w)
    }
}

/// Outputs `f(X_i)` and, when `weights` is given, the gradient of `Σ_i weights_i f(X_i)`.
pub fn forward_backward(
    model: Model,
    params: &Params,
    data: &Dataset,
    weights: Option<&[f64]>,
) -> Result<(Vec<f64>, Option<Params>)> {
    let (n, t, d) = (data.len(), data.tokens(), data.dim());
    data.validate()?;
    params.validate(d)?;
    if let Some(w) = weights {
        check_len("weights", n, w.len())?;
    }
    let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>();
    let mut grad = weights.map(|_| Params::zeros(d));
    let f = match model {
        Model::MeanPool | Model::PromptLinear => {
            let mut f = Vec::with_capacity(n);
            for i in 0..n {
                let x = data.input(i);
                // h = x̄ (mean pool) or XᵀXq/T (linear prompt-attention)
                let mut h = vec![0.0; d];
                let mut xv_sum = vec![0.0; d]; // XᵀX v / T for the q-gradient
                for row in x.chunks(d) {
                    let c = match model {
                        Model::MeanPool => 1.0,
                        _ => dot(row, &params.q),
                    } / t as f64;
                    let cv = dot(row, &params.v) / t as f64;
                    for a in 0..d {
                        h[a] += c * row[a];
                        xv_sum[a] += cv * row[a];
                    }
                }
                let fi = dot(&params.v, &h);
                if let (Some(g), Some(w)) = (grad.as_mut(), weights) {
                    for a in 0..d {
                        g.v[a] += w[i] * h[a];
                        if model == Model::PromptLinear {
                            g.q[a] += w[i] * xv_sum[a];
                        }
                    }
                }
                f.push(fi);
            }
            f
        }
        Model::PromptSoftmax => {
            let shape = attention_shape(n, 1, t, d);
            let q: Vec<f64> = params.q.repeat(n);
            let opts = unit_scale();
            let fwd = attention::forward(&q, data.x(), data.x(), shape, &opts)?;
            let f: Vec<f64> = fwd.out.chunks(d).map(|h| dot(h, &params.v)).collect();
            if let (Some(g), Some(w)) = (grad.as_mut(), weights) {
                let d_out: Vec<f64> = (0..n)
                    .flat_map(|i| params.v.iter().map(move |&va| w[i] * va))
                    .collect();
                let gr = attention::backward(&q, data.x(), data.x(), &fwd, &d_out, shape, &opts)?;
                for ((dq, h), &wi) in gr.dq.chunks(d).zip(fwd.out.chunks(d)).zip(w) {
                    for (a, (gq, gv)) in g.q.iter_mut().zip(g.v.iter_mut()).enumerate() {
                        *gq += dq[a];
                        *gv += wi * h[a];
                    }
                }
            }
            f
        }
        Model::SelfSoftmax => {
            let shape = attention_shape(n, t, t, d);
            // Q_i = X_i Wᵀ: row t is W x_t.
            let q: Vec<f64> = data
                .x()
                .chunks(d)
                .flat_map(|row| (0..d).map(move |a| dot(&params.w[a * d..(a + 1) * d], row)))
                .collect();
            let opts = unit_scale();
            let fwd = attention::forward(&q, data.x(), data.x(), shape, &opts)?;
            let f: Vec<f64> = fwd
                .out
                .chunks(t * d)
                .map(|o| o.chunks(d).map(|h| dot(h, &params.v)).sum::<f64>() / t as f64)
                .collect();
            if let (Some(g), Some(w)) = (grad.as_mut(), weights) {
                let d_out: Vec<f64> = (0..n * t)
                    .flat_map(|r| params.v.iter().map(move |&va| w[r / t] * va / t as f64))
                    .collect();
                let gr = attention::backward(&q, data.x(), data.x(), &fwd, &d_out, shape, &opts)?;
                // ∇_W = dQᵀ X over all n·T rows (one GEMM).
                let dq = faer::MatRef::from_row_major_slice(&gr.dq, n * t, d);
                let xm = faer::MatRef::from_row_major_slice(data.x(), n * t, d);
                let dw = dq.transpose() * xm;
                for (idx, gw) in g.w.iter_mut().enumerate() {
                    *gw += dw[(idx / d, idx % d)];
                }
                for (r, h) in fwd.out.chunks(d).enumerate() {
                    let c = w[r / t] / t as f64;
                    g.v.iter_mut().zip(h).for_each(|(gv, hv)| *gv += c * hv);
                }
            }
            f
        }
    };
    Ok((f, grad))
}

/// One head per sample, `q_len` queries against the sample's `T` tokens.
fn attention_shape(batch: usize, q_len: usize, kv_len: usize, head_dim: usize) -> Shape {
    Shape {
        batch,
        heads: 1,
        q_len,
        kv_len,
        head_dim,
    }
}

fn unit_scale() -> Options {
    Options::new().scale(1.0)
}

/// The prompt-attention pooled tokens `h_i = X_iᵀ softmax(X_i q)`, row-major `n × d` (one batched
/// attention call).
pub fn prompt_pool(q: &[f64], data: &Dataset) -> Result<Vec<f64>> {
    let (n, t, d) = (data.len(), data.tokens(), data.dim());
    data.validate()?;
    check_len("q", d, q.len())?;
    check_finite("q", q)?;
    let shape = attention_shape(n, 1, t, d);
    Ok(attention::forward(&q.repeat(n), data.x(), data.x(), shape, &unit_scale())?.out)
}

/// Outputs `f(X_i)` for every sample.
pub fn predict(model: Model, params: &Params, data: &Dataset) -> Result<Vec<f64>> {
    let f = forward_backward(model, params, data, None)?.0;
    // Finite inputs near f64::MAX overflow the scores.
    crate::error::check_finite("predictions (overflow from finite data)", &f)?;
    Ok(f)
}

/// The prompt-attention `q`-gradient by its closed form `Xᵀ(diag s − s sᵀ)X v` (spec B1), one
/// input `x` (`T × d`); at `q = 0` it is `Cov_T(X) v`. Used to cross-check the attention backward.
pub fn prompt_q_gradient_closed_form(
    x: &[f64],
    dim: usize,
    q: &[f64],
    v: &[f64],
) -> Result<Vec<f64>> {
    check_nonempty("x", x)?;
    check_len("q", dim, q.len())?;
    check_len("v", dim, v.len())?;
    if !x.len().is_multiple_of(dim) {
        return Err(Error::ShapeMismatch {
            what: "x (T × d)",
            expected: dim * (x.len() / dim + 1),
            got: x.len(),
        });
    }
    let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>();
    let mut s: Vec<f64> = x.chunks(dim).map(|r| dot(r, q)).collect();
    crate::ops::softmax_in_place(&mut s);
    let xv: Vec<f64> = x.chunks(dim).map(|r| dot(r, v)).collect();
    let mean_xv = dot(&s, &xv);
    let mut g = vec![0.0; dim];
    for (t, r) in x.chunks(dim).enumerate() {
        let c = s[t] * (xv[t] - mean_xv);
        for a in 0..dim {
            g[a] += c * r[a];
        }
    }
    Ok(g)
}
