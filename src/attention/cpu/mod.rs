//! Optimised CPU kernels: FlashAttention-2 tiling with online softmax (forward) and recomputation
//! (backward), tile GEMMs through faer on strided views, SIMD row passes with run-time dispatch,
//! rayon over sequences × heads × tiles. Deterministic: the same inputs give the same bits for any
//! thread count.
//!
//! Memory beyond inputs and outputs: forward `O(threads · Br · (Bc + d_v))` (a score tile and an
//! output accumulator per worker); backward `O(threads · (Br·Bc + N)) + O(chunks · N·H·d)` (the
//! `dQ` partials of the KV chunks) `+ O(B·H_kv·M·(d + d_v))` is never needed: each task writes its
//! own `dK`, `dV` rows.
//! Design, tile sizes, the `exp` error bound and the determinism argument:
//! `proofs-notes/attention_kernels_cpu.md`.

mod backward;
mod forward;
mod simd;
mod tiles;

use super::kernel::{dense_views, GradsMut};
use super::mods::{Identity, KeepAll, MaskMod, ScoreMod};
use super::reference::check_view_finite;
use super::{Forward, Grads, Options, Plan, Shape, View, ViewMut};
use crate::error::{check_len, checked_elems, Error, Result};
use crate::float::Float;

/// Checks the output view and `lse` against the plan: `out` is `(B, N, H, d_v)`, `lse` has
/// `B·H·N` entries.
pub(crate) fn check_outputs<T>(plan: &Plan, out: &ViewMut<'_, T>, lse: &[T]) -> Result<()> {
    let s = plan.shape;
    let o = out.dims();
    check_len("out.batch", s.batch, o.batch)?;
    check_len("out.seq", s.q_len, o.seq)?;
    check_len("out.heads", s.heads, o.heads)?;
    check_len("out.dim", plan.v_dim, o.dim)?;
    check_len(
        "lse",
        checked_elems("lse", &[s.batch, s.heads, s.q_len])?,
        lse.len(),
    )
}

/// Checks the saved forward result, `d_out` and the gradient views of a backward call: shapes,
/// `out` and `d_out` finite, `lse` without NaN or `+∞` (`−∞` marks rows that see no key). All
/// `O(output)`: the inputs `q, k, v` are checked through the results instead.
pub(crate) fn check_saved<T: Float>(
    plan: &Plan,
    out: &View<'_, T>,
    lse: &[T],
    d_out: &View<'_, T>,
    grads: &GradsMut<'_, T>,
) -> Result<()> {
    let s = plan.shape;
    for (what, x) in [("fwd.out", out.dims()), ("d_out", d_out.dims())] {
        let want = [s.batch, s.q_len, s.heads, plan.v_dim];
        for (w, g) in want.into_iter().zip([x.batch, x.seq, x.heads, x.dim]) {
            check_len(what, w, g)?;
        }
    }
    check_len(
        "fwd.lse",
        checked_elems("fwd.lse", &[s.batch, s.heads, s.q_len])?,
        lse.len(),
    )?;
    for (what, g, want) in [
        (
            "dq",
            grads.dq.dims(),
            [s.batch, s.q_len, s.heads, s.head_dim],
        ),
        (
            "dk",
            grads.dk.dims(),
            [s.batch, s.kv_len, plan.kv_heads, s.head_dim],
        ),
        (
            "dv",
            grads.dv.dims(),
            [s.batch, s.kv_len, plan.kv_heads, plan.v_dim],
        ),
    ] {
        for (w, x) in want.into_iter().zip([g.batch, g.seq, g.heads, g.dim]) {
            check_len(what, w, x)?;
        }
    }
    if plan.sinks.is_some() {
        check_len("d_sink", s.heads, grads.d_sink.len())?;
    }
    check_view_finite("fwd.out", out)?;
    check_view_finite("d_out", d_out)?;
    if let Some(index) = lse.iter().position(|x| x.is_nan() || *x == T::infinity()) {
        return Err(Error::NonFinite {
            what: "fwd.lse",
            index,
        });
    }
    Ok(())
}

/// On the rare failure path only: the first non-finite input, or `fallback` (finite inputs that
/// overflowed) when all are finite.
fn diagnose<T: Float>(inputs: [(&'static str, &View<'_, T>); 3], fallback: Error) -> Error {
    for (what, x) in inputs {
        if let Err(e) = check_view_finite(what, x) {
            return e;
        }
    }
    fallback
}

/// Forward pass on views with user modifiers: `out = softmax(mask(f(scale·QKᵀ))) V` and `lse`.
///
/// `score` runs after the built-in changes of `opts` (soft-cap, ALiBi); `mask` after its interval
/// masks (causal, window, padding, varlen). Both are monomorphised into the kernel.
///
/// # Errors
/// Plan and view validation errors; `NonFinite { what: "q" | "k" | "v", index }` when an input
/// the call reads is not finite; `NonFinite { what: "scores" | "out", index: row }` when finite
/// inputs overflow `T` in the scores or in `P·V`.
#[allow(clippy::too_many_arguments)]
pub fn forward_with_mods<T: Float, S: ScoreMod, M: MaskMod>(
    q: View<'_, T>,
    k: View<'_, T>,
    v: View<'_, T>,
    opts: &Options,
    score: &S,
    mask: &M,
    mut out: ViewMut<'_, T>,
    lse: &mut [T],
) -> Result<()> {
    let plan = Plan::for_views(&q, &k, &v, opts)?;
    check_outputs(&plan, &out, lse)?;
    let r = if plan.has_score_change() {
        let chained = super::mods::Chain(plan.builtin_mod(), score);
        forward::run(&plan, &q, &k, &v, &chained, mask, &mut out, lse)
    } else {
        forward::run(&plan, &q, &k, &v, score, mask, &mut out, lse)
    };
    r.map_err(|e| diagnose([("q", &q), ("k", &k), ("v", &v)], e))
}

/// Backward pass on views with user modifiers (the same `score` and `mask` as the forward).
///
/// Recomputes `P = exp(S − L)` tile by tile from the saved `lse`, with `D_i = Σ_t dO_it·O_it`:
/// `dV = Pᵀ dO`, `dS = f'(raw) ∘ P ∘ (dO Vᵀ − D)`, `dQ = scale·dS K`, `dK = scale·dSᵀ Q`; `dK`, `dV`
/// of a KV head sum its query heads in head order; `d_sink_h = −Σ_i exp(σ_h − L_i)·D_i`.
///
/// # Errors
/// Validation errors of the views and saved results; `NonFinite { what: "q" | "k" | "v", .. }`
/// for a non-finite input the call reads, `NonFinite { what: "dq" | "dk" | "dv" | "d_sink", .. }`
/// when finite inputs overflow `T`.
#[allow(clippy::too_many_arguments)]
pub fn backward_with_mods<T: Float, S: ScoreMod, M: MaskMod>(
    q: View<'_, T>,
    k: View<'_, T>,
    v: View<'_, T>,
    out: View<'_, T>,
    lse: &[T],
    d_out: View<'_, T>,
    opts: &Options,
    score: &S,
    mask: &M,
    mut grads: GradsMut<'_, T>,
) -> Result<()> {
    let plan = Plan::for_views(&q, &k, &v, opts)?;
    check_saved(&plan, &out, lse, &d_out, &grads)?;
    let io = backward::Io {
        q: &q,
        k: &k,
        v: &v,
        out: &out,
        lse,
        d_out: &d_out,
    };
    let r = if plan.has_score_change() {
        let chained = super::mods::Chain(plan.builtin_mod(), score);
        backward::run(&plan, &io, &chained, mask, &mut grads)
    } else {
        backward::run(&plan, &io, score, mask, &mut grads)
    };
    r.map_err(|e| diagnose([("q", &q), ("k", &k), ("v", &v)], e))
}

/// Forward pass on dense buffers: `out = softmax(scale·QKᵀ, masked) V` and `lse` per row.
///
/// Shapes: `q` is `[B, H, N, d]`, `k` and `v` are `[B, H, M, d]` (row-major); returns `out`
/// `[B, H, N, d]` and `lse` `[B, H, N]` (`L_i = log Σ_j exp(S_ij)`, `−∞` for a row that sees no key,
/// whose output is 0). `scale` defaults to `1/√d`; `causal` is bottom-right aligned (row `i` sees
/// keys `j ≤ i + M − N`); `kv_valid_len[b]` masks keys `j ≥ kv_valid_len[b]`; every other option
/// of [`Options`] applies too. FLOPs: `4·B·H·N·M·d` (halved when causal). For GQA, other layouts
/// and varlen use the views of [`super::AttentionKernel`]. See the [module docs](super).
///
/// # Errors
/// Lengths that do not match `shape`, zero sizes, bad options, non-finite inputs (named), and
/// `NonFinite { what: "scores" | "out", index }` when finite inputs overflow `T`.
pub fn forward<T: Float>(
    q: &[T],
    k: &[T],
    v: &[T],
    shape: Shape,
    opts: &Options,
) -> Result<Forward<T>> {
    super::AttentionKernel::forward_dense(&super::CpuTiled, q, k, v, shape, opts)
}

/// [`forward`] into caller buffers (`out`: `[B, H, N, d]`, `lse`: `[B, H, N]`), allocating only
/// per-thread scratch.
///
/// # Errors
/// As [`forward`], plus a length mismatch of `out` or `lse`.
pub fn forward_into<T: Float>(
    q: &[T],
    k: &[T],
    v: &[T],
    shape: Shape,
    opts: &Options,
    out: &mut [T],
    lse: &mut [T],
) -> Result<()> {
    let [q, k, v] = dense_views(q, k, v, shape)?;
    let out = ViewMut::bhsd(
        "out",
        out,
        shape.batch,
        shape.heads,
        shape.q_len,
        shape.head_dim,
    )?;
    forward_with_mods(q, k, v, opts, &Identity, &KeepAll, out, lse)
}

/// Backward pass on dense buffers: gradients of a loss with respect to `q`, `k`, `v` (and the
/// sink logits), given `d_out = ∂loss/∂out` and the saved forward result. FLOPs: `2.5×`
/// [`forward`]'s. Shapes and masks as [`forward`].
///
/// # Errors
/// As [`backward_with_mods`].
pub fn backward<T: Float>(
    q: &[T],
    k: &[T],
    v: &[T],
    fwd: &Forward<T>,
    d_out: &[T],
    shape: Shape,
    opts: &Options,
) -> Result<Grads<T>> {
    super::AttentionKernel::backward_dense(&super::CpuTiled, q, k, v, fwd, d_out, shape, opts)
}

/// [`backward`] into caller buffers (`dq`: `[B, H, N, d]`, `dk`, `dv`: `[B, H, M, d]`); without
/// sinks (use the views of [`super::AttentionKernel::backward_into`] for `d_sink`).
///
/// # Errors
/// As [`backward`], plus a length mismatch of `dq`, `dk` or `dv`.
#[allow(clippy::too_many_arguments)]
pub fn backward_into<T: Float>(
    q: &[T],
    k: &[T],
    v: &[T],
    fwd: &Forward<T>,
    d_out: &[T],
    shape: Shape,
    opts: &Options,
    dq: &mut [T],
    dk: &mut [T],
    dv: &mut [T],
) -> Result<()> {
    let [q, k, v] = dense_views(q, k, v, shape)?;
    let Shape {
        batch: b,
        heads: h,
        q_len: n,
        kv_len: m,
        head_dim: d,
    } = shape;
    let out = View::bhsd("fwd.out", &fwd.out, b, h, n, d)?;
    let d_out = View::bhsd("d_out", d_out, b, h, n, d)?;
    let mut no_sink = [];
    let grads = GradsMut {
        dq: ViewMut::bhsd("dq", dq, b, h, n, d)?,
        dk: ViewMut::bhsd("dk", dk, b, h, m, d)?,
        dv: ViewMut::bhsd("dv", dv, b, h, m, d)?,
        d_sink: &mut no_sink,
    };
    let (score, mask) = (&Identity, &KeepAll);
    backward_with_mods(q, k, v, out, &fwd.lse, d_out, opts, score, mask, grads)
}

/// The SIMD levels this CPU runs, lowest first (the levels tests compare them bitwise).
#[cfg(test)]
pub(crate) fn test_levels() -> Vec<crate::simd::Level> {
    use crate::simd::{detect, Level};
    let mut v = vec![Level::Scalar];
    let best = detect();
    if best != Level::Scalar {
        v.push(Level::Avx2);
    }
    if best == Level::Avx512 {
        v.push(Level::Avx512);
    }
    v
}

#[cfg(test)]
mod tests;
