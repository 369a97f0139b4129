//! The transformer: embeddings → LayerNorm → post-LN blocks (attention, GELU MLP, residuals),
//! encoder (bidirectional) or decoder (causal) per [`Config::causal`]; exact backward.
//!
//! Shapes: `n` packed token rows ([`Batch`]), width `D`, MLP width `I`, `H` heads of `d = D/H`.
//! Per block, with input `x` `[n, D]`:
//! ```text
//! q, k, v = x Wqᵀ + bq, x Wkᵀ + bk, x Wvᵀ + bv
//! a  = Attention(q, k, v)                (per head, key padding [+ causal])
//! h  = LN₁(x + a Woᵀ + bo)
//! u  = h W₁ᵀ + b₁,  f = GELU(u)
//! y  = LN₂(h + f W₂ᵀ + b₂)
//! ```

use super::batch::Batch;
use super::config::Config;
use super::params::{LayerParams, Params};
use super::{attention, embedding, gelu, layer_norm, linear, pooling};
use crate::error::{check_finite, Error, Result};
use crate::float::Float;

/// A transformer: its config and parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct Transformer<T> {
    /// Sizes and the causal flag.
    pub config: Config,
    /// Every parameter.
    pub params: Params<T>,
}

/// One block's saved activations.
#[derive(Clone, Debug)]
struct BlockTape<T> {
    x: Vec<T>,
    attn: attention::Tape<T>,
    a: Vec<T>,
    ln1: layer_norm::Tape<T>,
    h: Vec<T>,
    u: Vec<T>,
    f: Vec<T>,
    ln2: layer_norm::Tape<T>,
}

/// Everything the backward needs from one forward.
#[derive(Clone, Debug)]
pub struct Tape<T> {
    batch: Batch,
    emb_ln: layer_norm::Tape<T>,
    blocks: Vec<BlockTape<T>>,
}

impl<T: Float> Transformer<T> {
    /// A model from parameters whose shapes match `config` ([`super::params::tensor_specs`]).
    ///
    /// # Errors
    /// Any error of [`Config::validate`]; `ShapeMismatch` for a tensor of the wrong length;
    /// `NonFinite` for a NaN or infinite parameter.
    pub fn new(config: Config, params: Params<T>) -> Result<Self> {
        config.validate()?;
        let specs = super::params::tensor_specs(&config);
        let tensors = params.tensors();
        crate::error::check_len("params (tensor count)", specs.len(), tensors.len())?;
        for (spec, t) in specs.iter().zip(&tensors) {
            if spec.len() != t.len() {
                return Err(Error::InvalidArgument {
                    what: "params",
                    reason: format!(
                        "tensor `{}` has {} elements, shape {:?} needs {}",
                        spec.name,
                        t.len(),
                        spec.shape,
                        spec.len()
                    ),
                });
            }
            check_finite("params", t)?;
        }
        Ok(Transformer { config, params })
    }

    /// A randomly initialised model ([`Params::init`]).
    ///
    /// # Errors
    /// Any error of [`Config::validate`].
    pub fn init(config: Config, seed: u64) -> Result<Self> {
        config.validate()?;
        let params = Params::init(&config, seed);
        Ok(Transformer { config, params })
    }

    /// The last hidden states `[n, D]` (packed like `batch.ids`).
    ///
    /// # Errors
    /// Any error of [`Batch::validate`]; a kernel error of `attnmech::attention`.
    pub fn forward(&self, batch: &Batch) -> Result<Vec<T>> {
        Ok(self.forward_train(batch)?.0)
    }

    /// [`Self::forward`] keeping the activations for [`Self::backward`].
    ///
    /// # Errors
    /// As [`Self::forward`].
    pub fn forward_train(&self, batch: &Batch) -> Result<(Vec<T>, Tape<T>)> {
        let c = &self.config;
        batch.validate(c)?;
        let (n, d) = (batch.tokens(), c.hidden);
        let e = &self.params.embeddings;
        let x = embedding::forward(e, batch, d);
        let (mut x, emb_ln) = layer_norm::forward(&x, &e.ln_gamma, &e.ln_beta, c.layer_norm_eps);
        let mut blocks = Vec::with_capacity(c.layers);
        for p in &self.params.layers {
            let q = linear::forward(&x, &p.q_w, &p.q_b, n, d);
            let k = linear::forward(&x, &p.k_w, &p.k_b, n, d);
            let v = linear::forward(&x, &p.v_w, &p.v_b, n, d);
            let (a, attn) = attention::forward(&q, &k, &v, batch, c.heads, c.causal)?;
            let mut z = linear::forward(&a, &p.o_w, &p.o_b, n, d);
            add_assign(&mut z, &x);
            let (h, ln1) = layer_norm::forward(&z, &p.ln1_gamma, &p.ln1_beta, c.layer_norm_eps);
            let u = linear::forward(&h, &p.mlp_in_w, &p.mlp_in_b, n, d);
            let f = gelu::forward(&u);
            let mut z = linear::forward(&f, &p.mlp_out_w, &p.mlp_out_b, n, c.intermediate);
            add_assign(&mut z, &h);
            let (y, ln2) = layer_norm::forward(&z, &p.ln2_gamma, &p.ln2_beta, c.layer_norm_eps);
            blocks.push(BlockTape {
                x,
                attn,
                a,
                ln1,
                h,
                u,
                f,
                ln2,
            });
            x = y;
        }
        let tape = Tape {
            batch: batch.clone(),
            emb_ln,
            blocks,
        };
        Ok((x, tape))
    }

    /// Gradients of a scalar loss with respect to every parameter, given `d_hidden = ∂loss/∂(last
    /// hidden states)` `[n, D]` and the tape of the forward that produced them.
    ///
    /// # Errors
    /// `ShapeMismatch` when `d_hidden` does not match the tape; a kernel error of
    /// `attnmech::attention`.
    pub fn backward(&self, tape: &Tape<T>, d_hidden: &[T]) -> Result<Params<T>> {
        let c = &self.config;
        let batch = &tape.batch;
        let (n, d) = (batch.tokens(), c.hidden);
        crate::error::check_len("d_hidden", n * d, d_hidden.len())?;
        crate::error::check_len("tape (blocks)", c.layers, tape.blocks.len())?;
        let mut grads = self.params.zeros_like();
        let mut dy = d_hidden.to_vec();
        for ((p, g), t) in self
            .params
            .layers
            .iter()
            .zip(grads.layers.iter_mut())
            .zip(&tape.blocks)
            .rev()
        {
            dy = block_backward(c, batch, p, g, t, &dy)?;
        }
        let e = &self.params.embeddings;
        let ge = &mut grads.embeddings;
        let dx = layer_norm::backward(
            &tape.emb_ln,
            &e.ln_gamma,
            &dy,
            &mut ge.ln_gamma,
            &mut ge.ln_beta,
        );
        embedding::backward(ge, batch, &dx, d);
        Ok(grads)
    }

    /// Sentence embeddings `[B, D]`: mean pooling over each sequence, then L2 normalisation.
    ///
    /// # Errors
    /// As [`Self::forward`].
    pub fn embed(&self, batch: &Batch) -> Result<Vec<T>> {
        let h = self.forward(batch)?;
        let d = self.config.hidden;
        Ok(pooling::l2_normalize_forward(
            &pooling::mean_forward(&h, batch, d),
            d,
        ))
    }
}

/// `a += b`.
fn add_assign<T: Float>(a: &mut [T], b: &[T]) {
    for (x, &y) in a.iter_mut().zip(b) {
        *x += y;
    }
}

/// One block's backward: accumulates into `g`, returns the gradient of the block's input.
fn block_backward<T: Float>(
    c: &Config,
    batch: &Batch,
    p: &LayerParams<T>,
    g: &mut LayerParams<T>,
    t: &BlockTape<T>,
    dy: &[T],
) -> Result<Vec<T>> {
    let (n, d, i) = (batch.tokens(), c.hidden, c.intermediate);
    // y = LN₂(h + f W₂ᵀ + b₂)
    let dz = layer_norm::backward(&t.ln2, &p.ln2_gamma, dy, &mut g.ln2_gamma, &mut g.ln2_beta);
    let df = linear::backward(
        &t.f,
        &p.mlp_out_w,
        &dz,
        n,
        i,
        &mut g.mlp_out_w,
        &mut g.mlp_out_b,
    );
    let du = gelu::backward(&t.u, &df);
    let mut dh = linear::backward(
        &t.h,
        &p.mlp_in_w,
        &du,
        n,
        d,
        &mut g.mlp_in_w,
        &mut g.mlp_in_b,
    );
    add_assign(&mut dh, &dz);
    // h = LN₁(x + a Woᵀ + bo)
    let dz = layer_norm::backward(&t.ln1, &p.ln1_gamma, &dh, &mut g.ln1_gamma, &mut g.ln1_beta);
    let da = linear::backward(&t.a, &p.o_w, &dz, n, d, &mut g.o_w, &mut g.o_b);
    let (dq, dk, dv) = attention::backward(&t.attn, &da, batch, c.heads, c.causal)?;
    let mut dx = dz;
    for (dproj, w, gw, gb) in [
        (&dq, &p.q_w, &mut g.q_w, &mut g.q_b),
        (&dk, &p.k_w, &mut g.k_w, &mut g.k_b),
        (&dv, &p.v_w, &mut g.v_w, &mut g.v_b),
    ] {
        let part = linear::backward(&t.x, w, dproj, n, d, gw, gb);
        add_assign(&mut dx, &part);
    }
    Ok(dx)
}
