//! `bf16` and `f16` storage with `f32` accumulation: forward, backward, and decode.
//!
//! # Design (the simplest correct one)
//! - **forward / backward**: convert the inputs to `f32` once (exact: every `bf16`/`f16` is an
//!   `f32`), run the `f32` tiled kernel, round the outputs to nearest. `lse` stays `f32` (it is the
//!   softmax denominator's log; rounding it to 8 bits would cost the backward its accuracy).
//!   The backward **recomputes the forward in `f32`** rather than using the rounded `out`: the
//!   backward's `D_i = Σ_t dO_it·O_it` from an `out` rounded to `bf16` would carry an absolute error
//!   `u·Σ|dO||O|` into every `dS_ij = P_ij(dP_ij − D_i)`, which is not small relative to `dS` where
//!   `dP − D` cancels.
//! - **decode**: the cache is read through the same flash-decoding kernel as `f32`, each key/value
//!   row converted to `f32` in a `d`-long buffer just before use, so the cache is read once, at
//!   half the bytes of `f32`.
//!
//! # Cost
//! forward: one conversion pass over `q, k, v` (`(N + 2M)·d` elements per head) and `f32` copies of
//! them, against `4·N·M·d` FLOPs: negligible for `N, M ≥ 128`. backward: the same plus one `f32`
//! forward (`4NMd` beside the backward's `10NMd`, about +40%). A native `bf16` tile kernel (convert
//! inside the tile loads) would remove the copies and the recomputation; see proofs-notes.
//!
//! # Accuracy
//! Against the `f64` oracle on the stored (already rounded) inputs, the relative error of `out`
//! and of each gradient is at most `u_H` (the rounding of the result, `u = 2⁻⁸` for `bf16`, `2⁻¹¹`
//! for `f16`) plus the `f32` kernel's own error; see proofs-notes/attention.md.

use super::decode::{self, DecodeShape, PagedKv};
use super::{Forward, Grads, Options, Shape};
use crate::error::Result;
use ::half::slice::HalfFloatSliceExt;
use ::half::{bf16, f16};

mod sealed {
    pub trait Sealed {}
    impl Sealed for ::half::bf16 {}
    impl Sealed for ::half::f16 {}
}

/// A 16-bit storage float: `bf16` or `f16`. Sealed.
pub trait Half: sealed::Sealed + decode::Stored<f32> + PartialEq + std::fmt::Debug {
    /// Name for messages and bench ids.
    const NAME: &'static str;
    /// Unit roundoff `u = 2^−p` (`p` = significand bits): round-to-nearest has relative error `≤ u`.
    const UNIT_ROUNDOFF: f64;
    /// Exact widening of a slice.
    fn to_f32s(x: &[Self]) -> Vec<f32>;
    /// Round-to-nearest narrowing of a slice.
    fn from_f32s(x: &[f32]) -> Vec<Self>;
}

macro_rules! half_impl {
    ($t:ty, $name:literal, $bits:literal) => {
        impl Half for $t {
            const NAME: &'static str = $name;
            const UNIT_ROUNDOFF: f64 = 1.0 / (1u64 << $bits) as f64;
            fn to_f32s(x: &[Self]) -> Vec<f32> {
                x.to_f32_vec()
            }
            fn from_f32s(x: &[f32]) -> Vec<Self> {
                let mut out = vec![<$t>::ZERO; x.len()];
                out.convert_from_f32_slice(x);
                out
            }
        }
    };
}
half_impl!(bf16, "bf16", 8);
half_impl!(f16, "f16", 11);

/// Forward result in 16-bit storage: `out` rounded to `H`, `lse` kept in `f32`.
#[derive(Clone, Debug, PartialEq)]
pub struct HalfForward<H> {
    /// `[batch, heads, q_len, head_dim]` (layout of the call).
    pub out: Vec<H>,
    /// `[batch, heads, q_len]`, `f32`; `−∞` for a row that sees no key.
    pub lse: Vec<f32>,
}

fn narrow<H: Half>(f: Forward<f32>) -> HalfForward<H> {
    HalfForward {
        out: H::from_f32s(&f.out),
        lse: f.lse,
    }
}

/// [`super::forward`] on `bf16`/`f16` inputs: same shapes, options and errors.
pub fn forward<H: Half>(
    q: &[H],
    k: &[H],
    v: &[H],
    shape: Shape,
    opts: &Options,
) -> Result<HalfForward<H>> {
    let f = super::forward(&H::to_f32s(q), &H::to_f32s(k), &H::to_f32s(v), shape, opts)?;
    Ok(narrow(f))
}

/// [`super::backward`] on `bf16`/`f16` inputs. Takes no saved forward: it recomputes the forward in
/// `f32` (see the [module docs](self)).
pub fn backward<H: Half>(
    q: &[H],
    k: &[H],
    v: &[H],
    d_out: &[H],
    shape: Shape,
    opts: &Options,
) -> Result<Grads<H>> {
    let (q, k, v) = (H::to_f32s(q), H::to_f32s(k), H::to_f32s(v));
    let fwd = super::forward(&q, &k, &v, shape, opts)?;
    let g = super::backward(&q, &k, &v, &fwd, &H::to_f32s(d_out), shape, opts)?;
    Ok(Grads {
        dq: H::from_f32s(&g.dq),
        dk: H::from_f32s(&g.dk),
        dv: H::from_f32s(&g.dv),
        d_sink: H::from_f32s(&g.d_sink),
    })
}

/// [`decode::decode`] with a `bf16`/`f16` cache and query, accumulating in `f32`.
pub fn decode<H: Half>(
    q: &[H],
    k_cache: &[H],
    v_cache: &[H],
    shape: DecodeShape,
    opts: &Options,
) -> Result<HalfForward<H>> {
    let f = decode::decode_stored(&H::to_f32s(q), k_cache, v_cache, shape, opts)?;
    Ok(narrow(f))
}

/// [`decode::decode_paged`] with a `bf16`/`f16` block pool and query, accumulating in `f32`.
pub fn decode_paged<H: Half>(
    q: &[H],
    kv: &PagedKv<'_, H>,
    shape: DecodeShape,
    opts: &Options,
) -> Result<HalfForward<H>> {
    let f = decode::decode_paged_stored(&H::to_f32s(q), kv, shape, opts)?;
    Ok(narrow(f))
}

#[cfg(test)]
mod tests;
