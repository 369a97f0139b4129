//! The attention layer the CCMC describes (spec A1), evaluated by the crate's attention kernels.
//!
//! `x_i = e_{k_i} (+ p_i)`, scores `s_i = x_iᵀ W x_L` (the last token attends to every token, itself
//! included, no `1/√d`), output `o = C Σ_i softmax(s)_i x_i ∈ R^K`. This is one attention call with
//! `Q = (W x_L)ᵀ` (`1 × d`), `K = V = X` (`L × d`) and `scale = 1`; the CCMC closed forms in
//! [`super::kernel`] are checked against it.

use super::kernel::{check_positions, TiedEmbedding};
use crate::attention::{self, Options, Shape};
use crate::error::{check_ids, check_len, check_nonempty, Result};

/// Which attention implementation evaluates the layer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AttentionImpl {
    /// [`crate::attention::reference::forward`], the f64 oracle.
    Reference,
    /// [`crate::attention::forward`], the tiled CPU kernel (f64).
    Tiled,
}

/// The layer's output `o ∈ R^K` for one prompt; `pos` (row-major `L_max × d`, optional) adds
/// positional encodings and must satisfy `C p_i = 0`.
pub fn attention_output(
    emb: &TiedEmbedding,
    w: &[f64],
    prompt: &[usize],
    pos: Option<&[f64]>,
    imp: AttentionImpl,
) -> Result<Vec<f64>> {
    let (kk, d) = (emb.vocab(), emb.dim());
    check_nonempty("prompt", prompt)?;
    check_ids("prompt", prompt, kk)?;
    check_len("w", d * d, w.len())?;
    let l = prompt.len();
    let mut x: Vec<f64> = prompt
        .iter()
        .flat_map(|&k| emb.e()[k * d..(k + 1) * d].iter().copied())
        .collect();
    if let Some(p) = pos {
        check_positions(emb, p, l)?;
        x.iter_mut().zip(p).for_each(|(a, b)| *a += b);
    }
    let xl = &x[(l - 1) * d..];
    let q: Vec<f64> = (0..d)
        .map(|r| (0..d).map(|t| w[r * d + t] * xl[t]).sum())
        .collect();
    let shape = Shape {
        batch: 1,
        heads: 1,
        q_len: 1,
        kv_len: l,
        head_dim: d,
    };
    let opts = Options::new().scale(1.0);
    let fwd = match imp {
        AttentionImpl::Reference => attention::reference::forward(&q, &x, &x, shape, &opts)?,
        AttentionImpl::Tiled => attention::forward(&q, &x, &x, shape, &opts)?,
    };
    Ok((0..kk)
        .map(|k| (0..d).map(|t| emb.c()[k * d + t] * fwd.out[t]).sum())
        .collect())
}
