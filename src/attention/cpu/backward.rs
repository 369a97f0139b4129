//! FlashAttention-2 backward on the CPU with recomputation: `D = rowsum(dO ∘ O)`,
//! `P = exp(S − L)`, five tile GEMMs per (KV tile, Q tile) pair, never an `N × M` matrix.
//!
//! Parallel axis: (sequence, KV head, KV chunk). A task owns the `dK, dV` rows of its chunk and
//! sums into them the query heads of its group in head order; it writes its `dQ` contribution into
//! its own partial buffer (one per chunk index), and the partials are added to `dq` in chunk order.
//! The chunking depends only on the shape, so the result is bitwise the same for any thread count.

use super::forward::modify_tile;
use super::simd::{self, Level};
use super::tiles::{gemm, view, view_mut, view_tile, Tiles};
use crate::attention::kernel::GradsMut;
use crate::attention::mods::{MaskMod, Pos, ScoreMod};
use crate::attention::reference::check_view_finite;
use crate::attention::view::Rows;
use crate::attention::{Plan, View, ViewMut};
use crate::error::{checked_elems, Error, Result};
use crate::float::Float;
use faer::Accum;
use rayon::prelude::*;

/// Aim for this many (sequence·KV head, KV chunk) tasks: enough to load-balance two to eight
/// threads while keeping the `dQ` partials a small multiple of `dq`.
const TARGET_TASKS: usize = 8;

/// The inputs and saved results of one backward call.
pub(in crate::attention) struct Io<'a, T> {
    pub q: &'a View<'a, T>,
    pub k: &'a View<'a, T>,
    pub v: &'a View<'a, T>,
    pub out: &'a View<'a, T>,
    pub lse: &'a [T],
    pub d_out: &'a View<'a, T>,
}

/// Per-thread scratch: three `Br × Bc` tiles, the row intervals, `D` for one head, and the task's
/// `dK`, `dV` accumulators.
struct Scratch<T> {
    p: Vec<T>,
    dp: Vec<T>,
    raw: Vec<T>,
    lo: Vec<usize>,
    hi: Vec<usize>,
    tlo: Vec<usize>,
    thi: Vec<usize>,
    dsum: Vec<T>,
    dk: Vec<T>,
    dv: Vec<T>,
}

impl<T: Float> Scratch<T> {
    fn new(tiles: Tiles, n: usize) -> Self {
        Scratch {
            p: vec![T::zero(); tiles.br * tiles.bc],
            dp: vec![T::zero(); tiles.br * tiles.bc],
            raw: vec![T::zero(); tiles.br * tiles.bc],
            lo: vec![0; n],
            hi: vec![0; n],
            tlo: vec![0; tiles.br],
            thi: vec![0; tiles.br],
            dsum: vec![T::zero(); n],
            dk: Vec::new(),
            dv: Vec::new(),
        }
    }
}

/// Inputs shared by every task.
struct Ctx<'a, T, S, M> {
    io: &'a Io<'a, T>,
    plan: &'a Plan,
    score: &'a S,
    mask: &'a M,
    tiles: Tiles,
    chunk_len: usize,
    scale: T,
    level: Level,
    /// `dQ` partials: `(chunks·B, N, H, d)` dense, chunk-major.
    parts: Rows<'a, T>,
    dk: Rows<'a, T>,
    dv: Rows<'a, T>,
}

/// One task: keys `c·chunk_len ..` of KV head `kvh` of sequence `s`.
#[derive(Clone, Copy)]
struct Task {
    s: usize,
    kvh: usize,
    c: usize,
}

/// How the keys of one sequence are split into tasks: `(chunk length in keys, chunk count)`.
pub(super) fn chunking(batch_heads: usize, kv_len: usize, bc: usize) -> (usize, usize) {
    let kv_tiles = kv_len.div_ceil(bc).max(1);
    let wanted = TARGET_TASKS.div_ceil(batch_heads.max(1)).clamp(1, kv_tiles);
    let chunk_len = kv_tiles.div_ceil(wanted) * bc;
    (chunk_len, kv_len.div_ceil(chunk_len).max(1))
}

/// Runs the backward pass into `grads`; plan and buffers validated.
///
/// # Errors
/// `NonFinite { what: "dq" | "dk" | "dv" | "d_sink", index }` when a result is not finite (a
/// non-finite input, which the caller then names, or an overflow of `T`).
pub(in crate::attention) fn run<T: Float, S: ScoreMod, M: MaskMod>(
    plan: &Plan,
    io: &Io<'_, T>,
    score: &S,
    mask: &M,
    grads: &mut GradsMut<'_, T>,
) -> Result<()> {
    let sh = plan.shape;
    let tiles = Tiles::backward(sh);
    let (chunk_len, chunks) = chunking(plan.seqs.len() * plan.kv_heads, sh.kv_len, tiles.bc);
    let mut tasks = Vec::new();
    for (s, seq) in plan.seqs.iter().enumerate() {
        for kvh in 0..plan.kv_heads {
            for c in 0..seq.kv_len.div_ceil(chunk_len) {
                tasks.push(Task { s, kvh, c });
            }
        }
    }
    // Checked: with zero-stride views `q` may address more rows than its buffer holds.
    let parts_len = checked_elems(
        "dq partials",
        &[chunks, sh.batch, sh.heads, sh.q_len, sh.head_dim],
    )?;
    let mut parts = vec![T::zero(); parts_len];
    let mut parts_view = ViewMut::bhsd(
        "dq partials",
        &mut parts,
        // Saturating: a product above usize::MAX only arises when `parts_len` is 0 (`q_len` = 0),
        // and then the view is empty whatever its batch extent.
        chunks.saturating_mul(sh.batch),
        sh.heads,
        sh.q_len,
        sh.head_dim,
    )?;
    {
        let ctx = Ctx {
            io,
            plan,
            score,
            mask,
            tiles,
            chunk_len,
            scale: T::of(plan.scale),
            level: simd::level(),
            parts: parts_view.rows(),
            dk: grads.dk.rows(),
            dv: grads.dv.rows(),
        };
        tasks.into_par_iter().for_each_init(
            || Scratch::new(tiles, sh.q_len),
            |scratch, t| kv_chunk(&ctx, t, scratch),
        );
    }
    // Fixed-order reduction of the dQ partials: chunk 0, then 1, ...
    let parts = parts_view.as_view();
    let dq_rows = grads.dq.rows();
    (0..sh.batch * sh.heads).into_par_iter().for_each(|bh| {
        let (b, h) = (bh / sh.heads, bh % sh.heads);
        for i in 0..sh.q_len {
            // SAFETY: row (b, i, h) of dq is written by this iteration only.
            let row = unsafe { dq_rows.row_mut(b, i, h) };
            row.copy_from_slice(parts.row(b, i, h));
            for c in 1..chunks {
                for (a, &x) in row.iter_mut().zip(parts.row(c * sh.batch + b, i, h)) {
                    *a += x;
                }
            }
        }
    });
    if let Some(sinks) = &plan.sinks {
        sink_grads(plan, io, sinks, grads.d_sink)?;
    }
    // Finite inputs can still overflow in the products (entries ~1e20 in f32), and a non-finite
    // input shows up here: never hand back NaN or ∞ silently. O(size of the gradients).
    check_view_finite("dq", &grads.dq.as_view())?;
    check_view_finite("dk", &grads.dk.as_view())?;
    check_view_finite("dv", &grads.dv.as_view())
}

/// `d_sink_h = −Σ_i exp(σ_h − L_i)·D_i`, summed in a fixed order (sequence, row).
fn sink_grads<T: Float>(
    plan: &Plan,
    io: &Io<'_, T>,
    sinks: &[f64],
    d_sink: &mut [T],
) -> Result<()> {
    let sh = plan.shape;
    for (h, (g, &sigma)) in d_sink.iter_mut().zip(sinks).enumerate() {
        let mut acc = 0.0f64;
        for seq in &plan.seqs {
            for i in seq.q0..seq.q0 + seq.q_len {
                let l = io.lse[(seq.batch * sh.heads + h) * sh.q_len + i].as_f64();
                let d: f64 = io
                    .out
                    .row(seq.batch, i, h)
                    .iter()
                    .zip(io.d_out.row(seq.batch, i, h))
                    .map(|(a, b)| a.as_f64() * b.as_f64())
                    .sum();
                acc -= (sigma - l).exp() * d;
            }
        }
        *g = T::of(acc);
        if !g.is_finite() {
            return Err(Error::NonFinite {
                what: "d_sink",
                index: h,
            });
        }
    }
    Ok(())
}

/// First row `i` in `0..n` with `f(i)` true, for `f` monotone (false then true).
fn first(n: usize, f: impl Fn(usize) -> bool) -> usize {
    let (mut lo, mut hi) = (0, n);
    while lo < hi {
        let mid = (lo + hi) / 2;
        if f(mid) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    lo
}

/// The KV chunk of one task against every Q tile of every query head of its group that sees it.
fn kv_chunk<T: Float, S: ScoreMod, M: MaskMod>(
    ctx: &Ctx<'_, T, S, M>,
    task: Task,
    scratch: &mut Scratch<T>,
) {
    let plan = ctx.plan;
    let io = ctx.io;
    let seq = plan.seqs[task.s];
    let (n, d, dv) = (seq.q_len, plan.shape.head_dim, plan.v_dim);
    let c0 = task.c * ctx.chunk_len;
    let c1 = (c0 + ctx.chunk_len).min(seq.kv_len);
    let Scratch {
        p,
        dp,
        raw,
        lo,
        hi,
        tlo,
        thi,
        dsum,
        dk,
        dv: dv_acc,
    } = scratch;
    dk.clear();
    dk.resize((c1 - c0) * d, T::zero());
    dv_acc.clear();
    dv_acc.resize((c1 - c0) * dv, T::zero());
    for r in 0..n {
        (lo[r], hi[r]) = plan.key_range(task.s, r);
    }
    let group = plan.group();
    for h in task.kvh * group..(task.kvh + 1) * group {
        if n == 0 {
            break;
        }
        // Keys outside [lo_first, hi_last) are invisible to every row.
        let kv_start = c0.max(lo[0]);
        let kv_stop = c1.min(hi[n - 1]);
        if kv_stop <= kv_start {
            continue;
        }
        let row_a = first(n, |i| hi[i] > kv_start);
        let row_b = first(n, |i| lo[i] >= kv_stop);
        let lse_h = &io.lse[(seq.batch * plan.shape.heads + h) * plan.shape.q_len + seq.q0..];
        for i in row_a..row_b {
            let (o, g) = (
                io.out.row(seq.batch, seq.q0 + i, h),
                io.d_out.row(seq.batch, seq.q0 + i, h),
            );
            simd::row_dots(ctx.level, g, o, dv, &mut dsum[i..i + 1]);
        }
        let mut j0 = kv_start;
        while j0 < kv_stop {
            let cols = ctx.tiles.bc.min(kv_stop - j0);
            let k_tile = view_tile(io.k, seq.batch, seq.k0 + j0, cols, task.kvh);
            let v_tile = view_tile(io.v, seq.batch, seq.k0 + j0, cols, task.kvh);
            let local = j0 - c0;
            let mut i0 = first(n, |i| hi[i] > j0);
            let i_end = first(n, |i| lo[i] >= j0 + cols);
            while i0 < i_end {
                let rows = ctx.tiles.br.min(i_end - i0);
                if !M::ALL
                    && !ctx
                        .mask
                        .tile_may_keep(task.s, h, i0..i0 + rows, j0..j0 + cols)
                {
                    i0 += rows;
                    continue;
                }
                for r in 0..rows {
                    tlo[r] = lo[i0 + r].saturating_sub(j0).min(cols);
                    thi[r] = hi[i0 + r].saturating_sub(j0).min(cols);
                }
                let q_tile = view_tile(io.q, seq.batch, seq.q0 + i0, rows, h);
                let do_tile = view_tile(io.d_out, seq.batch, seq.q0 + i0, rows, h);
                gemm(
                    view_mut(p, rows, cols),
                    Accum::Replace,
                    q_tile,
                    k_tile.transpose(),
                    ctx.scale,
                );
                let base = Pos {
                    batch: task.s,
                    head: h,
                    q: i0,
                    k: j0,
                    q_len: seq.q_len,
                    kv_len: seq.kv_len,
                };
                if !(S::IDENTITY && M::ALL) {
                    if !S::IDENTITY {
                        raw[..rows * cols].copy_from_slice(&p[..rows * cols]);
                    }
                    modify_tile(
                        ctx.score,
                        ctx.mask,
                        &mut p[..rows * cols],
                        cols,
                        tlo,
                        thi,
                        base,
                    );
                }
                simd::probabilities(
                    ctx.level,
                    &mut p[..rows * cols],
                    cols,
                    &tlo[..rows],
                    &thi[..rows],
                    &lse_h[i0..i0 + rows],
                );
                let p_tile = view(p, rows, cols);
                // dV_j += Pᵀ dO_i
                gemm(
                    view_mut(&mut dv_acc[local * dv..], cols, dv),
                    Accum::Add,
                    p_tile.transpose(),
                    do_tile,
                    T::one(),
                );
                // dP = dO_i V_jᵀ, then dS = P ∘ (dP − D) in place
                gemm(
                    view_mut(dp, rows, cols),
                    Accum::Replace,
                    do_tile,
                    v_tile.transpose(),
                    T::one(),
                );
                simd::score_grad(
                    ctx.level,
                    &p[..rows * cols],
                    &mut dp[..rows * cols],
                    cols,
                    &dsum[i0..i0 + rows],
                );
                if !S::IDENTITY {
                    // chain rule through the score modifier: dS_raw = f'(raw) · dS_mod
                    for r in 0..rows {
                        for c in tlo[r]..thi[r].max(tlo[r]) {
                            let pos = Pos {
                                q: i0 + r,
                                k: j0 + c,
                                ..base
                            };
                            let g = ctx.score.grad(raw[r * cols + c], pos);
                            dp[r * cols + c] *= g;
                        }
                    }
                }
                let ds_tile = view(dp, rows, cols);
                // dQ_i += scale · dS K_j  (into this chunk's partial)
                // SAFETY: rows (c·B + b, q0 + i0.., h) of the partials belong to this task: no
                // other task has the same (chunk, sequence, head group).
                let dq_tile = unsafe {
                    ctx.parts
                        .tile_mut(task.c * plan.shape.batch + seq.batch, seq.q0 + i0, rows, h)
                };
                gemm(dq_tile, Accum::Add, ds_tile, k_tile, ctx.scale);
                // dK_j += scale · dSᵀ Q_i
                gemm(
                    view_mut(&mut dk[local * d..], cols, d),
                    Accum::Add,
                    ds_tile.transpose(),
                    q_tile,
                    ctx.scale,
                );
                i0 += rows;
            }
            j0 += cols;
        }
    }
    for j in c0..c1 {
        let local = j - c0;
        // SAFETY: key rows c0..c1 of (sequence, kv head) belong to this task only.
        unsafe {
            ctx.dk
                .row_mut(seq.batch, seq.k0 + j, task.kvh)
                .copy_from_slice(&dk[local * d..(local + 1) * d]);
            ctx.dv
                .row_mut(seq.batch, seq.k0 + j, task.kvh)
                .copy_from_slice(&dv_acc[local * dv..(local + 1) * dv]);
        }
    }
}
