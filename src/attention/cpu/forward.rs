//! FlashAttention-2 forward on the CPU: Q tiles outer (the parallel axis, with sequences × heads),
//! KV tiles inner, online softmax, one division by `ℓ` at the end. Only the key interval
//! `[lo_first_row, hi_last_row)` of a Q tile is visited, and tiles a [`MaskMod`] rules out are
//! skipped.

use super::simd::{self, Level};
use super::tiles::{gemm, view, view_mut, view_tile, Tiles};
use crate::attention::mods::{MaskMod, Pos, ScoreMod};
use crate::attention::view::Rows;
use crate::attention::{Plan, View, ViewMut};
use crate::error::{Error, Result};
use crate::float::Float;
use faer::Accum;
use rayon::prelude::*;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Per-thread scratch of the forward pass: `O(Br·(Bc + d_v))`, independent of the lengths.
struct Scratch<T> {
    /// The score / probability tile `Br × Bc`.
    s: Vec<T>,
    /// The output accumulator `Br × d_v`.
    o: Vec<T>,
    /// Running row max `m`.
    m: Vec<T>,
    /// Running row sum `ℓ`.
    l: Vec<T>,
    /// Key interval of each row (sequence-local), then tile-local.
    lo: Vec<usize>,
    hi: Vec<usize>,
    tlo: Vec<usize>,
    thi: Vec<usize>,
}

impl<T: Float> Scratch<T> {
    fn new(tiles: Tiles, dv: usize) -> Self {
        Scratch {
            s: vec![T::zero(); tiles.br * tiles.bc],
            o: vec![T::zero(); tiles.br * dv],
            m: vec![T::zero(); tiles.br],
            l: vec![T::zero(); tiles.br],
            lo: vec![0; tiles.br],
            hi: vec![0; tiles.br],
            tlo: vec![0; tiles.br],
            thi: vec![0; tiles.br],
        }
    }
}

/// Inputs shared by every task of one call.
struct Ctx<'a, T, S, M> {
    q: &'a View<'a, T>,
    k: &'a View<'a, T>,
    v: &'a View<'a, T>,
    plan: &'a Plan,
    score: &'a S,
    mask: &'a M,
    out: Rows<'a, T>,
    lse: Rows<'a, T>,
    tiles: Tiles,
    scale: T,
    level: Level,
    /// Smallest flat `lse` row whose softmax sum is not finite; `usize::MAX` if none.
    bad_scores: AtomicUsize,
    /// Smallest flat `lse` row whose output is not finite.
    bad_out: AtomicUsize,
}

/// One task: rows `i0..i0 + rows` of head `h` of sequence `s`.
#[derive(Clone, Copy)]
struct Task {
    s: usize,
    h: usize,
    i0: usize,
    rows: usize,
}

/// Runs the forward pass into `out` and `lse` (`[B, H, N]`); plan and buffers validated.
///
/// # Errors
/// `NonFinite { what: "scores" | "out", index }` (index: the first bad flat `lse` row) when a
/// softmax sum or an output row is not finite: an input was not finite (the caller then names it)
/// or finite inputs overflowed `T`. The outputs are then unspecified.
#[allow(clippy::too_many_arguments)]
pub(super) fn run<T: Float, S: ScoreMod, M: MaskMod>(
    plan: &Plan,
    q: &View<'_, T>,
    k: &View<'_, T>,
    v: &View<'_, T>,
    score: &S,
    mask: &M,
    out: &mut ViewMut<'_, T>,
    lse: &mut [T],
) -> Result<()> {
    let sh = plan.shape;
    let tiles = Tiles::forward(sh);
    let mut tasks = Vec::new();
    for (s, seq) in plan.seqs.iter().enumerate() {
        for h in 0..sh.heads {
            for i0 in (0..seq.q_len).step_by(tiles.br) {
                let rows = tiles.br.min(seq.q_len - i0);
                tasks.push(Task { s, h, i0, rows });
            }
        }
    }
    // lse is dense [B, H, N]: as a view of rows of length 1 it is (B, N, H, 1).
    let mut lse_view = ViewMut::strided(
        "lse",
        lse,
        crate::attention::Dims {
            batch: sh.batch,
            seq: sh.q_len,
            heads: sh.heads,
            dim: 1,
        },
        crate::attention::Strides {
            batch: sh.heads * sh.q_len,
            seq: 1,
            heads: sh.q_len,
        },
    )?;
    // SAFETY of the shared rows: every (sequence row, head) belongs to exactly one task.
    let ctx = Ctx {
        q,
        k,
        v,
        plan,
        score,
        mask,
        out: out.rows(),
        lse: lse_view.rows(),
        tiles,
        scale: T::of(plan.scale),
        level: simd::level(),
        bad_scores: AtomicUsize::new(usize::MAX),
        bad_out: AtomicUsize::new(usize::MAX),
    };
    tasks.into_par_iter().for_each_init(
        || Scratch::new(tiles, plan.v_dim),
        |scratch, t| q_tile(&ctx, t, scratch),
    );
    let (bad_scores, bad_out) = (ctx.bad_scores.into_inner(), ctx.bad_out.into_inner());
    if bad_scores != usize::MAX {
        return Err(Error::NonFinite {
            what: "scores",
            index: bad_scores,
        });
    }
    if bad_out != usize::MAX {
        return Err(Error::NonFinite {
            what: "out",
            index: bad_out,
        });
    }
    Ok(())
}

/// Applies the score modifier and the mask predicate to the visible part of a score tile.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
pub(super) fn modify_tile<T: Float, S: ScoreMod, M: MaskMod>(
    score: &S,
    mask: &M,
    s: &mut [T],
    cols: usize,
    tlo: &[usize],
    thi: &[usize],
    base: Pos,
) {
    for (r, row) in s.chunks_exact_mut(cols).enumerate() {
        let a = tlo[r];
        let b = thi[r].max(a);
        for (c, x) in row[a..b].iter_mut().enumerate() {
            let pos = Pos {
                q: base.q + r,
                k: base.k + a + c,
                ..base
            };
            *x = if M::ALL || mask.keep(pos) {
                if S::IDENTITY {
                    *x
                } else {
                    score.value(*x, pos)
                }
            } else {
                T::neg_infinity()
            };
        }
    }
}

/// One Q tile against all the keys it can see.
fn q_tile<T: Float, S: ScoreMod, M: MaskMod>(
    ctx: &Ctx<'_, T, S, M>,
    t: Task,
    scratch: &mut Scratch<T>,
) {
    let plan = ctx.plan;
    let seq = plan.seqs[t.s];
    let (h, i0, rows) = (t.h, t.i0, t.rows);
    let kvh = plan.kv_head(h);
    let dv = plan.v_dim;
    let Scratch {
        s,
        o,
        m: row_max,
        l: row_sum,
        lo,
        hi,
        tlo,
        thi,
    } = scratch;
    for r in 0..rows {
        (lo[r], hi[r]) = plan.key_range(t.s, i0 + r);
    }
    // Both ends of the key interval grow with the row, so the tile sees [lo_first, hi_last).
    let (k_lo, k_hi) = (lo[0], hi[rows - 1]);
    let (m0, l0) = match plan.sink(h) {
        Some(sigma) => (T::of(sigma), T::one()),
        None => (T::neg_infinity(), T::zero()),
    };
    row_max[..rows].fill(m0);
    row_sum[..rows].fill(l0);
    let q_tile = view_tile(ctx.q, seq.batch, seq.q0 + i0, rows, h);
    let flat_row =
        |r: usize| (seq.batch * plan.shape.heads + h) * plan.shape.q_len + seq.q0 + i0 + r;
    let mut started = false;
    let mut j0 = k_lo;
    while j0 < k_hi {
        let cols = ctx.tiles.bc.min(k_hi - j0);
        if !M::ALL && !ctx.mask.tile_may_keep(t.s, h, i0..i0 + rows, j0..j0 + cols) {
            j0 += cols;
            continue;
        }
        for r in 0..rows {
            tlo[r] = lo[r].saturating_sub(j0).min(cols);
            thi[r] = hi[r].saturating_sub(j0).min(cols);
        }
        let k_tile = view_tile(ctx.k, seq.batch, seq.k0 + j0, cols, kvh);
        let v_tile = view_tile(ctx.v, seq.batch, seq.k0 + j0, cols, kvh);
        gemm(
            view_mut(s, rows, cols),
            Accum::Replace,
            q_tile,
            k_tile.transpose(),
            ctx.scale,
        );
        if !(S::IDENTITY && M::ALL) {
            let base = Pos {
                batch: t.s,
                head: h,
                q: i0,
                k: j0,
                q_len: seq.q_len,
                kv_len: seq.kv_len,
            };
            modify_tile(
                ctx.score,
                ctx.mask,
                &mut s[..rows * cols],
                cols,
                tlo,
                thi,
                base,
            );
        }
        simd::online_softmax(
            ctx.level,
            &mut s[..rows * cols],
            cols,
            &tlo[..rows],
            &thi[..rows],
            &mut row_max[..rows],
            &mut row_sum[..rows],
            o,
            dv,
            !started,
        );
        // A non-finite running sum means a score overflowed to ±∞ or was NaN (a non-finite
        // input): report it instead of returning NaN. ℓ is never non-finite otherwise.
        if let Some(r) = row_sum[..rows].iter().position(|l| !l.is_finite()) {
            ctx.bad_scores.fetch_min(flat_row(r), Ordering::Relaxed);
        }
        let accum = if started { Accum::Add } else { Accum::Replace };
        gemm(
            view_mut(o, rows, dv),
            accum,
            view(s, rows, cols),
            v_tile,
            T::one(),
        );
        started = true;
        j0 += cols;
    }
    if !started {
        o[..rows * dv].fill(T::zero());
    }
    for (r, orow) in o.chunks_exact_mut(dv).take(rows).enumerate() {
        // ℓ ≥ 1 for any row that saw a key or has a sink (its max contributes exp(0)); ℓ = 0
        // means none.
        let l_val = if row_sum[r] == T::zero() {
            orow.fill(T::zero());
            T::neg_infinity()
        } else {
            let inv = T::one() / row_sum[r];
            orow.iter_mut().for_each(|x| *x *= inv);
            row_max[r] + row_sum[r].ln()
        };
        if orow.iter().any(|x| !x.is_finite()) {
            ctx.bad_out.fetch_min(flat_row(r), Ordering::Relaxed);
        }
        // SAFETY: row (seq.batch, seq.q0 + i0 + r, h) of out and lse belongs to this task only.
        unsafe {
            ctx.out
                .row_mut(seq.batch, seq.q0 + i0 + r, h)
                .copy_from_slice(orow);
            ctx.lse.row_mut(seq.batch, seq.q0 + i0 + r, h)[0] = l_val;
        }
    }
}
