//! FlashAttention-2 forward on the CPU: Q tiles outer (the parallel axis, with batch × heads), KV
//! tiles inner, online softmax, one division by `ℓ` at the end.

use super::simd::{self, Level};
use super::tiles::{gemm, view, view_mut, Tiles};
use crate::attention::Plan;
use crate::error::{Error, Result};
use crate::float::Float;
use faer::Accum;
use rayon::prelude::*;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Per-thread scratch of the forward pass: `O(Br·Bc + Br)`, independent of the sequence lengths.
struct Scratch<T> {
    /// The score / probability tile `Br × Bc`.
    s: Vec<T>,
    /// Running row max `m`.
    m: Vec<T>,
    /// Running row sum `ℓ`.
    l: Vec<T>,
    /// Visible keys of each row inside the current KV tile.
    vis: Vec<usize>,
}

impl<T: Float> Scratch<T> {
    fn new(tiles: Tiles) -> Self {
        Scratch {
            s: vec![T::zero(); tiles.br * tiles.bc],
            m: vec![T::zero(); tiles.br],
            l: vec![T::zero(); tiles.br],
            vis: vec![0; tiles.br],
        }
    }
}

/// Inputs shared by every task of one call.
struct Ctx<'a, T> {
    q: &'a [T],
    k: &'a [T],
    v: &'a [T],
    plan: &'a Plan,
    tiles: Tiles,
    scale: T,
    level: Level,
    /// Smallest flat row index (`bh·N + i`) whose softmax sum overflowed; `usize::MAX` if none.
    overflow_row: AtomicUsize,
}

/// Runs the forward pass into `out` (`[B, H, N, d]`) and `lse` (`[B, H, N]`); inputs validated.
///
/// # Errors
/// `NonFinite { what: "scores", index }` when finite inputs still give a score `scale·q·k` that
/// overflows `T` (e.g. f32 entries ~1e20), naming the first such flat row `b·H·N + h·N + i`; the
/// outputs are then unspecified.
pub(super) fn run<T: Float>(
    q: &[T],
    k: &[T],
    v: &[T],
    plan: &Plan,
    out: &mut [T],
    lse: &mut [T],
) -> Result<()> {
    let shape = plan.shape;
    let (n, d) = (shape.q_len, shape.head_dim);
    if n == 0 {
        return Ok(());
    }
    let tiles = Tiles::forward(shape);
    let ctx = Ctx {
        q,
        k,
        v,
        plan,
        tiles,
        scale: T::of(plan.scale),
        level: simd::level(),
        overflow_row: AtomicUsize::new(usize::MAX),
    };
    // Tasks: (batch·head, Q tile). Each owns its rows of `out` and `lse`, so no reduction exists
    // and the bits cannot depend on the scheduling.
    out.par_chunks_mut(n * d)
        .zip(lse.par_chunks_mut(n))
        .enumerate()
        .flat_map(|(bh, (o, l))| {
            o.par_chunks_mut(tiles.br * d)
                .zip(l.par_chunks_mut(tiles.br))
                .enumerate()
                .map(move |(qt, (o, l))| (bh, qt * tiles.br, o, l))
        })
        .for_each_init(
            || Scratch::new(tiles),
            |scratch, (bh, i0, o, l)| q_tile(&ctx, bh, i0, o, l, scratch),
        );
    match ctx.overflow_row.into_inner() {
        usize::MAX => Ok(()),
        index => Err(Error::NonFinite {
            what: "scores",
            index,
        }),
    }
}

/// One Q tile (rows `i0..i0 + rows` of head `bh`) against all the keys it can see.
fn q_tile<T: Float>(
    ctx: &Ctx<'_, T>,
    bh: usize,
    i0: usize,
    out: &mut [T],
    lse: &mut [T],
    scratch: &mut Scratch<T>,
) {
    let shape = ctx.plan.shape;
    let (n, m, d) = (shape.q_len, shape.kv_len, shape.head_dim);
    let b = bh / shape.heads;
    let rows = lse.len();
    let q_tile = view(&ctx.q[(bh * n + i0) * d..], rows, d);
    let k_head = &ctx.k[bh * m * d..(bh + 1) * m * d];
    let v_head = &ctx.v[bh * m * d..(bh + 1) * m * d];
    let Scratch {
        s,
        m: row_max,
        l: row_sum,
        vis,
    } = scratch;
    row_max[..rows].fill(T::neg_infinity());
    row_sum[..rows].fill(T::zero());
    // Both masks keep a key prefix that grows with the row, so the last row sees the most keys and
    // KV tiles at or beyond its bound (above the causal diagonal, or padding) are never visited.
    let kv_end = ctx.plan.visible_keys(b, i0 + rows - 1);
    let mut j0 = 0;
    while j0 < kv_end {
        let cols = ctx.tiles.bc.min(kv_end - j0);
        for (r, vr) in vis[..rows].iter_mut().enumerate() {
            *vr = ctx
                .plan
                .visible_keys(b, i0 + r)
                .saturating_sub(j0)
                .min(cols);
        }
        let k_tile = view(&k_head[j0 * d..], cols, d);
        let v_tile = view(&v_head[j0 * d..], cols, d);
        gemm(
            view_mut(s, rows, cols),
            Accum::Replace,
            q_tile,
            k_tile.transpose(),
            ctx.scale,
        );
        let fresh = j0 == 0;
        simd::online_softmax(
            ctx.level,
            &mut s[..rows * cols],
            cols,
            &vis[..rows],
            &mut row_max[..rows],
            &mut row_sum[..rows],
            out,
            d,
            fresh,
        );
        // A non-finite running sum means a score overflowed to ±∞ (or ∞ − ∞ = NaN): report it
        // instead of returning NaN. ℓ is never non-finite otherwise (each term ≤ 1, ≤ M terms).
        if let Some(r) = row_sum[..rows].iter().position(|l| !l.is_finite()) {
            ctx.overflow_row
                .fetch_min(bh * n + i0 + r, Ordering::Relaxed);
        }
        let accum = if fresh { Accum::Replace } else { Accum::Add };
        gemm(
            view_mut(out, rows, d),
            accum,
            view(s, rows, cols),
            v_tile,
            T::one(),
        );
        j0 += cols;
    }
    for (r, (o, lse_r)) in out.chunks_exact_mut(d).zip(lse.iter_mut()).enumerate() {
        // ℓ ≥ 1 for any row that saw a key (its max contributes exp(0)); ℓ = 0 means none.
        if row_sum[r] == T::zero() {
            o.fill(T::zero());
            *lse_r = T::neg_infinity();
        } else {
            let inv = T::one() / row_sum[r];
            o.iter_mut().for_each(|x| *x *= inv);
            *lse_r = row_max[r] + row_sum[r].ln();
        }
    }
}
