//! Optimised CPU kernels: FlashAttention-2 tiling with online softmax (forward) and recomputation
//! (backward), tile GEMMs through faer, SIMD row passes with run-time dispatch, rayon over
//! batch × heads × tiles. Deterministic: the same inputs give the same bits for any thread count.
//!
//! Memory beyond inputs and outputs: forward `O(threads · Br · Bc)` (a score tile per worker);
//! backward `O(threads · (Br·Bc + N)) + O(N·d)` (the `dQ` partials of the KV chunks).
//! Design, tile sizes, the `exp` error bound and the determinism argument:
//! `proofs-notes/attention_kernels_cpu.md`.

mod backward;
mod forward;
mod simd;
mod tiles;

use super::{validate_backward, validate_forward, Forward, Grads, Options, Shape};
use crate::error::{check_finite, check_len, Result};
use crate::float::Float;

/// Forward pass: `out = softmax(scale·QKᵀ, masked) V` and `lse` per row.
///
/// Shapes: `q` is `[B, H, N, d]`, `k` and `v` are `[B, H, M, d]` (row-major); returns `out`
/// `[B, H, N, d]` and `lse` `[B, H, N]` (`L_i = log Σ_j exp(S_ij)`, `−∞` for a row that sees no key,
/// whose output is 0). `scale` defaults to `1/√d`; `causal` is bottom-right aligned (row `i` sees
/// keys `j ≤ i + M − N`); `kv_valid_len[b]` masks keys `j ≥ kv_valid_len[b]`. FLOPs: `4·B·H·N·M·d`
/// (halved when causal). See the [module docs](super).
///
/// # Errors
/// Any validation error of [`validate_forward`]: lengths that do not match `shape`, zero sizes,
/// bad `kv_valid_len`, non-finite inputs; and `NonFinite { what: "scores", index }` when finite
/// inputs give a score `scale·q·k` that overflows `T` (index: the first such flat row of `lse`).
pub fn forward<T: Float>(
    q: &[T],
    k: &[T],
    v: &[T],
    shape: Shape,
    opts: &Options,
) -> Result<Forward<T>> {
    let plan = validate_forward(q, k, v, shape, opts)?;
    let mut out = vec![T::zero(); shape.q_elems()];
    let mut lse = vec![T::zero(); shape.lse_elems()];
    forward::run(q, k, v, &plan, &mut out, &mut lse)?;
    Ok(Forward { out, lse })
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
    let plan = validate_forward(q, k, v, shape, opts)?;
    check_len("out", shape.q_elems(), out.len())?;
    check_len("lse", shape.lse_elems(), lse.len())?;
    forward::run(q, k, v, &plan, out, lse)
}

/// Backward pass: gradients of a loss with respect to `q`, `k`, `v`, given `d_out = ∂loss/∂out`
/// and the saved forward result.
///
/// Recomputes `P = exp(scale·QKᵀ − L)` tile by tile from `fwd.lse`, with `D_i = Σ_t dO_it·O_it`:
/// `dV = Pᵀ dO`, `dS = P ∘ (dO Vᵀ − D)`, `dQ = scale·dS K`, `dK = scale·dSᵀ Q`. Rows with
/// `lse = −∞` contribute nothing. FLOPs: `2.5×` [`forward`]'s. Shapes and masks as [`forward`].
///
/// # Errors
/// Any validation error of [`validate_backward`]; `NonFinite { what: "dq" | "dk" | "dv", index }`
/// when finite inputs overflow `T` in the products.
pub fn backward<T: Float>(
    q: &[T],
    k: &[T],
    v: &[T],
    fwd: &Forward<T>,
    d_out: &[T],
    shape: Shape,
    opts: &Options,
) -> Result<Grads<T>> {
    let mut dq = vec![T::zero(); shape.q_elems()];
    let mut dk = vec![T::zero(); shape.kv_elems()];
    let mut dv = vec![T::zero(); shape.kv_elems()];
    backward_into(q, k, v, fwd, d_out, shape, opts, &mut dq, &mut dk, &mut dv)?;
    Ok(Grads { dq, dk, dv })
}

/// [`backward`] into caller buffers (`dq`: `[B, H, N, d]`, `dk`, `dv`: `[B, H, M, d]`).
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
    let plan = validate_backward(q, k, v, fwd, d_out, shape, opts)?;
    check_len("dq", shape.q_elems(), dq.len())?;
    check_len("dk", shape.kv_elems(), dk.len())?;
    check_len("dv", shape.kv_elems(), dv.len())?;
    backward::run(q, k, v, &fwd.out, &fwd.lse, d_out, &plan, dq, dk, dv);
    // Finite inputs can still overflow in the products (entries ~1e20 in f32): never hand back
    // NaN or ∞ silently. O(size of the gradients), negligible beside the O(N·M·d) pass.
    check_finite("dq", dq)?;
    check_finite("dk", dk)?;
    check_finite("dv", dv)
}

#[cfg(test)]
mod tests;
