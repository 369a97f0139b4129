//! One trait over every attention implementation (reference, CPU tiled, CUDA), generic over the
//! element type, so one conformance suite runs against all of them.

use super::mods::{Identity, KeepAll};
use super::{Forward, Grads, Options, Plan, Shape, View, ViewMut};
use crate::error::{checked_elems, Result};
use crate::float::Float;

/// A feature an implementation may support; the conformance suite skips cases that use a
/// feature the implementation does not declare (the implementation itself must return
/// `Err(InvalidArgument)` for them, never a wrong answer).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Feature {
    /// Bottom-right causal mask.
    Causal,
    /// `kv_valid_len` padding.
    KeyPadding,
    /// Sliding window.
    Window,
    /// Logit soft-cap.
    Softcap,
    /// ALiBi slopes.
    Alibi,
    /// Attention sinks.
    Sinks,
    /// Packed variable-length sequences.
    Varlen,
    /// Grouped-query / multi-query heads.
    Gqa,
    /// Value head dim different from the q/k head dim.
    VHeadDim,
    /// Views other than dense `[B, H, S, D]`.
    Strided,
}

/// The writable gradient views of [`AttentionKernel::backward_into`].
#[derive(Debug)]
pub struct GradsMut<'a, T> {
    /// Same geometry as `q`.
    pub dq: ViewMut<'a, T>,
    /// Same geometry as `k`.
    pub dk: ViewMut<'a, T>,
    /// Same geometry as `v`.
    pub dv: ViewMut<'a, T>,
    /// `[heads]`, written when the options have sinks (must then have `heads` entries).
    pub d_sink: &'a mut [T],
}

/// An attention implementation in element type `T` (default `f32`, every kernel's required type).
///
/// Views: `q` `(B, N, H, d)`, `k` `(B, M, H_kv, d)`, `v` `(B, M, H_kv, d_v)`, `out` and `d_out`
/// `(B, N, H, d_v)`; `lse` is dense `[B, H, N]`. See the [module docs](super) for the math.
pub trait AttentionKernel<T: Float = f32>: Sync {
    /// Short name for messages and reports (`"reference"`, `"cpu"`, `"cuda"`).
    fn name(&self) -> &'static str;
    /// Whether the implementation supports `feature`.
    fn supports(&self, feature: Feature) -> bool;
    /// The same implementation in f64, if it has one (the conformance suite runs it too).
    fn f64_kernel(&self) -> Option<&dyn AttentionKernel<f64>> {
        None
    }
    /// Forward pass into `out` and `lse`.
    fn forward_into(
        &self,
        q: View<'_, T>,
        k: View<'_, T>,
        v: View<'_, T>,
        opts: &Options,
        out: ViewMut<'_, T>,
        lse: &mut [T],
    ) -> Result<()>;
    /// Backward pass from the saved `out` and `lse` of [`Self::forward_into`] and `d_out`.
    #[allow(clippy::too_many_arguments)]
    fn backward_into(
        &self,
        q: View<'_, T>,
        k: View<'_, T>,
        v: View<'_, T>,
        out: View<'_, T>,
        lse: &[T],
        d_out: View<'_, T>,
        opts: &Options,
        grads: GradsMut<'_, T>,
    ) -> Result<()>;

    /// Allocating forward: `out` `[B, H, N, d_v]` and `lse` `[B, H, N]` (dense).
    fn forward(
        &self,
        q: View<'_, T>,
        k: View<'_, T>,
        v: View<'_, T>,
        opts: &Options,
    ) -> Result<Forward<T>> {
        let plan = Plan::for_views(&q, &k, &v, opts)?;
        let (b, h, n, dv) = (
            plan.shape.batch,
            plan.shape.heads,
            plan.shape.q_len,
            plan.v_dim,
        );
        // Views may have zero strides, so a valid call can ask for more output than its inputs
        // hold: sizes are checked before anything is allocated.
        let mut out = vec![T::zero(); checked_elems("out", &[b, h, n, dv])?];
        let mut lse = vec![T::zero(); checked_elems("lse", &[b, h, n])?];
        let view = ViewMut::bhsd("out", &mut out, b, h, n, dv)?;
        self.forward_into(q, k, v, opts, view, &mut lse)?;
        Ok(Forward { out, lse })
    }

    /// Allocating backward: gradients dense `[B, H, N, d]`, `[B, H_kv, M, d]`, `[B, H_kv, M, d_v]`;
    /// `fwd` is the dense result of [`Self::forward`].
    fn backward(
        &self,
        q: View<'_, T>,
        k: View<'_, T>,
        v: View<'_, T>,
        fwd: &Forward<T>,
        d_out: View<'_, T>,
        opts: &Options,
    ) -> Result<Grads<T>> {
        let plan = Plan::for_views(&q, &k, &v, opts)?;
        let s = plan.shape;
        let (hk, dv) = (plan.kv_heads, plan.v_dim);
        let out = View::bhsd("fwd.out", &fwd.out, s.batch, s.heads, s.q_len, dv)?;
        // Sizes checked before allocating (zero-stride views can be larger than their buffers).
        let dq_len = checked_elems("dq", &[s.batch, s.heads, s.q_len, s.head_dim])?;
        let dk_len = checked_elems("dk", &[s.batch, hk, s.kv_len, s.head_dim])?;
        let dv_len = checked_elems("dv", &[s.batch, hk, s.kv_len, dv])?;
        let mut dq = vec![T::zero(); dq_len];
        let mut dk = vec![T::zero(); dk_len];
        let mut dvb = vec![T::zero(); dv_len];
        let mut d_sink = vec![T::zero(); if plan.sinks.is_some() { s.heads } else { 0 }];
        let grads = GradsMut {
            dq: ViewMut::bhsd("dq", &mut dq, s.batch, s.heads, s.q_len, s.head_dim)?,
            dk: ViewMut::bhsd("dk", &mut dk, s.batch, hk, s.kv_len, s.head_dim)?,
            dv: ViewMut::bhsd("dv", &mut dvb, s.batch, hk, s.kv_len, dv)?,
            d_sink: &mut d_sink,
        };
        self.backward_into(q, k, v, out, &fwd.lse, d_out, opts, grads)?;
        Ok(Grads {
            dq,
            dk,
            dv: dvb,
            d_sink,
        })
    }

    /// [`Self::forward`] on dense buffers: `q` `[B, H, N, d]`, `k`, `v` `[B, H, M, d]` (`shape`);
    /// the convenience API of every implementation.
    fn forward_dense(
        &self,
        q: &[T],
        k: &[T],
        v: &[T],
        shape: Shape,
        opts: &Options,
    ) -> Result<Forward<T>> {
        let [q, k, v] = dense_views(q, k, v, shape)?;
        self.forward(q, k, v, opts)
    }

    /// [`Self::backward`] on dense buffers (`d_out` `[B, H, N, d]`, shapes as
    /// [`Self::forward_dense`]).
    #[allow(clippy::too_many_arguments)]
    fn backward_dense(
        &self,
        q: &[T],
        k: &[T],
        v: &[T],
        fwd: &Forward<T>,
        d_out: &[T],
        shape: Shape,
        opts: &Options,
    ) -> Result<Grads<T>> {
        let [q, k, v] = dense_views(q, k, v, shape)?;
        let s = shape;
        let d_out = View::bhsd("d_out", d_out, s.batch, s.heads, s.q_len, s.head_dim)?;
        self.backward(q, k, v, fwd, d_out, opts)
    }
}

/// Dense `[B, H, S, D]` views of the convenience API's buffers.
pub(crate) fn dense_views<'a, T>(
    q: &'a [T],
    k: &'a [T],
    v: &'a [T],
    shape: Shape,
) -> Result<[View<'a, T>; 3]> {
    super::validate_shape(shape)?;
    let Shape {
        batch: b,
        heads: h,
        q_len: n,
        kv_len: m,
        head_dim: d,
    } = shape;
    Ok([
        View::bhsd("q", q, b, h, n, d)?,
        View::bhsd("k", k, b, h, m, d)?,
        View::bhsd("v", v, b, h, m, d)?,
    ])
}

/// The f64 oracle ([`super::reference`]): every feature, f32 and f64.
#[derive(Clone, Copy, Debug, Default)]
pub struct Reference;

/// The optimised CPU kernels ([`super::forward`], [`super::backward`]): every feature, f32 and
/// f64, strided views.
#[derive(Clone, Copy, Debug, Default)]
pub struct CpuTiled;

impl<T: Float> AttentionKernel<T> for Reference {
    fn name(&self) -> &'static str {
        "reference"
    }
    fn supports(&self, _: Feature) -> bool {
        true
    }
    fn f64_kernel(&self) -> Option<&dyn AttentionKernel<f64>> {
        Some(self)
    }
    fn forward_into(
        &self,
        q: View<'_, T>,
        k: View<'_, T>,
        v: View<'_, T>,
        opts: &Options,
        out: ViewMut<'_, T>,
        lse: &mut [T],
    ) -> Result<()> {
        super::reference::forward_with_mods(q, k, v, opts, &Identity, &KeepAll, out, lse)
    }
    fn backward_into(
        &self,
        q: View<'_, T>,
        k: View<'_, T>,
        v: View<'_, T>,
        out: View<'_, T>,
        lse: &[T],
        d_out: View<'_, T>,
        opts: &Options,
        grads: GradsMut<'_, T>,
    ) -> Result<()> {
        let (score, mask) = (&Identity, &KeepAll);
        super::reference::backward_with_mods(q, k, v, out, lse, d_out, opts, score, mask, grads)
    }
}

impl<T: Float> AttentionKernel<T> for CpuTiled {
    fn name(&self) -> &'static str {
        "cpu"
    }
    fn supports(&self, _: Feature) -> bool {
        true
    }
    fn f64_kernel(&self) -> Option<&dyn AttentionKernel<f64>> {
        Some(self)
    }
    fn forward_into(
        &self,
        q: View<'_, T>,
        k: View<'_, T>,
        v: View<'_, T>,
        opts: &Options,
        out: ViewMut<'_, T>,
        lse: &mut [T],
    ) -> Result<()> {
        super::cpu::forward_with_mods(q, k, v, opts, &Identity, &KeepAll, out, lse)
    }
    fn backward_into(
        &self,
        q: View<'_, T>,
        k: View<'_, T>,
        v: View<'_, T>,
        out: View<'_, T>,
        lse: &[T],
        d_out: View<'_, T>,
        opts: &Options,
        grads: GradsMut<'_, T>,
    ) -> Result<()> {
        let (score, mask) = (&Identity, &KeepAll);
        super::cpu::backward_with_mods(q, k, v, out, lse, d_out, opts, score, mask, grads)
    }
}
