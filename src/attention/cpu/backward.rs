//! FlashAttention-2 backward on the CPU with recomputation: `D = rowsum(dO ∘ O)`,
//! `P = exp(S − L)`, five tile GEMMs per (KV tile, Q tile) pair, never an `N × M` matrix.
//!
//! Parallel axis: (batch·head, KV chunk). A task owns the `dK, dV` rows of its chunk and writes its
//! `dQ` contribution into its own `N × d` buffer (chunk 0 writes straight into `dq`); the partial
//! buffers are then added to `dq` in chunk order. The chunking depends only on the shape, so the
//! result is bitwise the same for any thread count.

use super::simd::{self, Level};
use super::tiles::{gemm, view, view_mut, Tiles};
use crate::attention::Plan;
use crate::float::Float;
use faer::Accum;
use rayon::prelude::*;

/// Aim for this many (batch·head, KV chunk) tasks: enough to load-balance two to eight threads
/// while keeping the `dQ` partials (`(chunks − 1)·N·d` per head) a small multiple of `dq`.
const TARGET_TASKS: usize = 8;

/// Per-thread scratch: two `Br × Bc` tiles, the visible counts, and `D` for the task's head.
struct Scratch<T> {
    p: Vec<T>,
    dp: Vec<T>,
    vis: Vec<usize>,
    dsum: Vec<T>,
}

impl<T: Float> Scratch<T> {
    fn new(tiles: Tiles, n: usize) -> Self {
        Scratch {
            p: vec![T::zero(); tiles.br * tiles.bc],
            dp: vec![T::zero(); tiles.br * tiles.bc],
            vis: vec![0; tiles.br],
            dsum: vec![T::zero(); n],
        }
    }
}

/// Inputs shared by every task.
struct Ctx<'a, T> {
    q: &'a [T],
    k: &'a [T],
    v: &'a [T],
    out: &'a [T],
    lse: &'a [T],
    d_out: &'a [T],
    plan: &'a Plan,
    tiles: Tiles,
    scale: T,
    level: Level,
}

/// One task: KV rows `c0..c0 + dk.len()/d` of head `bh`.
struct Task<'a, T> {
    bh: usize,
    c0: usize,
    dq: &'a mut [T],
    dk: &'a mut [T],
    dv: &'a mut [T],
}

/// How the keys of one head are split into tasks: `(chunk length in keys, chunk count)`.
pub(super) fn chunking(batch_heads: usize, kv_len: usize, bc: usize) -> (usize, usize) {
    let kv_tiles = kv_len.div_ceil(bc).max(1);
    let wanted = TARGET_TASKS.div_ceil(batch_heads).clamp(1, kv_tiles);
    let chunk_len = kv_tiles.div_ceil(wanted) * bc;
    (chunk_len, kv_len.div_ceil(chunk_len).max(1))
}

/// Runs the backward pass into `dq`, `dk`, `dv`; inputs validated.
#[allow(clippy::too_many_arguments)]
pub(super) fn run<T: Float>(
    q: &[T],
    k: &[T],
    v: &[T],
    out: &[T],
    lse: &[T],
    d_out: &[T],
    plan: &Plan,
    dq: &mut [T],
    dk: &mut [T],
    dv: &mut [T],
) {
    let shape = plan.shape;
    let (n, m, d) = (shape.q_len, shape.kv_len, shape.head_dim);
    if n == 0 || m == 0 {
        dq.fill(T::zero());
        dk.fill(T::zero());
        dv.fill(T::zero());
        return;
    }
    let tiles = Tiles::backward(shape);
    let (chunk_len, chunks) = chunking(shape.batch_heads(), m, tiles.bc);
    let ctx = Ctx {
        q,
        k,
        v,
        out,
        lse,
        d_out,
        plan,
        tiles,
        scale: T::of(plan.scale),
        level: simd::level(),
    };
    let mut partial = vec![T::zero(); shape.batch_heads() * (chunks - 1) * n * d];
    let mut partial_heads = partial.chunks_mut(n * d);
    let mut tasks = Vec::with_capacity(shape.batch_heads() * chunks);
    for (bh, ((dq_h, dk_h), dv_h)) in dq
        .chunks_mut(n * d)
        .zip(dk.chunks_mut(m * d))
        .zip(dv.chunks_mut(m * d))
        .enumerate()
    {
        let mut dq_h = Some(dq_h);
        for (c, (dk_c, dv_c)) in dk_h
            .chunks_mut(chunk_len * d)
            .zip(dv_h.chunks_mut(chunk_len * d))
            .enumerate()
        {
            let dq_c = match dq_h.take() {
                Some(x) => x,
                None => partial_heads.next().unwrap_or_default(),
            };
            tasks.push(Task {
                bh,
                c0: c * chunk_len,
                dq: dq_c,
                dk: dk_c,
                dv: dv_c,
            });
        }
    }
    tasks
        .into_par_iter()
        .for_each_init(|| Scratch::new(tiles, n), |s, t| kv_chunk(&ctx, t, s));
    if chunks > 1 {
        // Fixed-order reduction of the dQ partials: chunk 1, then 2, ...
        dq.par_chunks_mut(n * d)
            .zip(partial.par_chunks((chunks - 1) * n * d))
            .for_each(|(dq_h, parts)| {
                for part in parts.chunks_exact(n * d) {
                    dq_h.iter_mut().zip(part).for_each(|(a, &b)| *a += b);
                }
            });
    }
}

/// First row `i` with `visible_keys(b, i) > key` (rows before it see neither `key` nor later keys).
fn first_row_seeing(plan: &Plan, b: usize, key: usize) -> usize {
    let (mut lo, mut hi) = (0, plan.shape.q_len);
    while lo < hi {
        let mid = (lo + hi) / 2;
        if plan.visible_keys(b, mid) > key {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    lo
}

/// The KV chunk of one task against every Q tile that sees it.
fn kv_chunk<T: Float>(ctx: &Ctx<'_, T>, task: Task<'_, T>, scratch: &mut Scratch<T>) {
    let shape = ctx.plan.shape;
    let (n, m, d) = (shape.q_len, shape.kv_len, shape.head_dim);
    let Task { bh, c0, dq, dk, dv } = task;
    dq.fill(T::zero());
    dk.fill(T::zero());
    dv.fill(T::zero());
    let b = bh / shape.heads;
    let head_q = bh * n * d..(bh + 1) * n * d;
    let (q_h, o_h, do_h) = (
        &ctx.q[head_q.clone()],
        &ctx.out[head_q.clone()],
        &ctx.d_out[head_q],
    );
    let lse_h = &ctx.lse[bh * n..(bh + 1) * n];
    let k_h = &ctx.k[bh * m * d..(bh + 1) * m * d];
    let v_h = &ctx.v[bh * m * d..(bh + 1) * m * d];
    let Scratch { p, dp, vis, dsum } = scratch;
    // Keys at or beyond what the last row sees are invisible to all rows: their gradients stay 0.
    let kv_stop = (c0 + dk.len() / d).min(ctx.plan.visible_keys(b, n - 1));
    if kv_stop <= c0 {
        return;
    }
    let first_row = first_row_seeing(ctx.plan, b, c0);
    simd::row_dots(
        ctx.level,
        &do_h[first_row * d..],
        &o_h[first_row * d..],
        d,
        &mut dsum[first_row..],
    );
    let mut j0 = c0;
    while j0 < kv_stop {
        let cols = ctx.tiles.bc.min(kv_stop - j0);
        let k_tile = view(&k_h[j0 * d..], cols, d);
        let v_tile = view(&v_h[j0 * d..], cols, d);
        let local = (j0 - c0) * d;
        let mut i0 = first_row_seeing(ctx.plan, b, j0);
        while i0 < n {
            let rows = ctx.tiles.br.min(n - i0);
            for (r, vr) in vis[..rows].iter_mut().enumerate() {
                *vr = ctx
                    .plan
                    .visible_keys(b, i0 + r)
                    .saturating_sub(j0)
                    .min(cols);
            }
            let q_tile = view(&q_h[i0 * d..], rows, d);
            let do_tile = view(&do_h[i0 * d..], rows, d);
            gemm(
                view_mut(p, rows, cols),
                Accum::Replace,
                q_tile,
                k_tile.transpose(),
                ctx.scale,
            );
            simd::probabilities(
                ctx.level,
                &mut p[..rows * cols],
                cols,
                &vis[..rows],
                &lse_h[i0..i0 + rows],
            );
            let p_tile = view(p, rows, cols);
            // dV_j += Pᵀ dO_i
            gemm(
                view_mut(&mut dv[local..], cols, d),
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
            let ds_tile = view(dp, rows, cols);
            // dQ_i += scale · dS K_j ;  dK_j += scale · dSᵀ Q_i
            gemm(
                view_mut(&mut dq[i0 * d..], rows, d),
                Accum::Add,
                ds_tile,
                k_tile,
                ctx.scale,
            );
            gemm(
                view_mut(&mut dk[local..], cols, d),
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
