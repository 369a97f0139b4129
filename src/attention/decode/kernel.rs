//! The flash-decoding kernel: split the keys into fixed chunks, compute a partial `(out, lse)` per
//! (sequence, kv head, chunk) in parallel, then merge the chunks of each row in order.
//!
//! One work item handles **all** query rows of one sequence against one chunk of keys, walking the
//! cache in memory order: for each position, the rows of every kv head (contiguous in the
//! `[batch, kv_len, kv_heads, d]` layout), each loaded once for the `heads / kv_heads` query heads
//! that read it: their dot products run in one pass over the key row with an accumulator set per
//! query row, and their output updates in one pass over the value row. With few queries the work per byte is tiny and the pass is bound by the cache
//! read; a walk per kv head instead (stride `kv_heads·d`, one page per row) measured 5× slower.
//!
//! Non-finite inputs are caught inside the pass: a non-finite key makes a visible score non-finite
//! (`0·s` is NaN exactly then), and a non-finite value makes the accumulated output non-finite
//! (`p·v` with `p ≥ 0`, including `0·∞ = NaN`). Only when a work item reports one does the slow
//! scan run to name the bad element.

use super::source::KvRows;
use super::{merge::merge_row, DecodePlan};
use crate::attention::Forward;
use crate::error::{checked_elems, Error, Result};
use crate::float::Float;
use crate::simd::exp::exp;
use crate::simd::lane_reduce;
use crate::simd::{dispatched, level, Level};
use rayon::prelude::*;

/// Keys per chunk. Fixed, not derived from the thread count, so the result has the same bits for
/// any number of threads. Each item streams its keys, then its values, once; 256 keeps the score
/// scratch (`heads·q_len × 256`) small and gives `kv_len / 256` items per sequence to the threads.
pub const CHUNK: usize = 256;

/// Lanes of the dot-product accumulators (one AVX-512 register of f32); the reduction order is
/// fixed by the source, so every SIMD level gives the same bits.
const LANES: usize = 16;

/// Query rows of one kv head processed together against each key and value row (`heads /
/// kv_heads = 4` in the common GQA configurations): `GROUP` accumulator sets fit the registers.
const GROUP: usize = 4;

/// Runs the decode over `src` with chunks of `chunk` keys, at the detected SIMD level.
pub(crate) fn run<T: Float>(
    q: &[T],
    src: &dyn KvRows<T>,
    plan: &DecodePlan,
    chunk: usize,
) -> Result<Forward<T>> {
    run_at(level(), q, src, plan, chunk)
}

/// [`run`] at SIMD level `lvl` (tests compare the levels bitwise).
pub(crate) fn run_at<T: Float>(
    lvl: Level,
    q: &[T],
    src: &dyn KvRows<T>,
    plan: &DecodePlan,
    chunk: usize,
) -> Result<Forward<T>> {
    let sh = plan.shape;
    let d = sh.head_dim;
    let rows = sh.heads * sh.q_len; // query rows per sequence
    let rows_per_kv = (sh.heads / sh.kv_heads) * sh.q_len;
    let groups = sh.batch;
    // The plan bounded `batch·heads·max(q_len, kv_len)·d`; the per-chunk partials multiply the
    // query rows by the chunk count, so their sizes are checked before allocating.
    let mut out = vec![T::zero(); checked_elems("out", &[sh.batch, rows, d])?];
    let mut lse = vec![T::neg_infinity(); checked_elems("lse", &[sh.batch, rows])?];
    if rows == 0 {
        return Ok(Forward { out, lse });
    }
    let chunks = sh.kv_len.div_ceil(chunk).max(1);
    let items = groups * chunks;
    let mut part_out = vec![T::zero(); checked_elems("decode partials", &[items, rows, d])?];
    let mut part_lse = vec![T::neg_infinity(); checked_elems("decode partials", &[items, rows])?];
    let mut bad = vec![false; items];
    let scale = T::of(plan.scale);
    part_out
        .par_chunks_mut(rows * d)
        .zip(part_lse.par_chunks_mut(rows))
        .zip(bad.par_iter_mut())
        .enumerate()
        .for_each_init(
            || Scratch::<T>::new(rows, chunk, sh.kv_heads * d),
            |scratch, (item, ((o, l), bad))| {
                let (b, c) = (item / chunks, item % chunks);
                let j0 = c * chunk;
                let j1 = (j0 + chunk).min(sh.kv_len);
                for (r, vis) in scratch.vis.iter_mut().enumerate() {
                    *vis = plan.visible_keys(b, r % sh.q_len);
                }
                let q_rows = &q[b * rows * d..(b + 1) * rows * d];
                let Scratch { vis, s, buf, ml } = scratch;
                let rpk = rows_per_kv;
                chunk_pass(
                    lvl, src, b, rpk, j0, j1, q_rows, vis, scale, s, buf, ml, o, l, bad,
                );
            },
        );
    let merged_bad: Vec<bool> = out
        .par_chunks_mut(rows * d)
        .zip(lse.par_chunks_mut(rows))
        .enumerate()
        .map(|(group, (o, l))| {
            let mut bad = false;
            for r in 0..rows {
                let at = |c: usize| (group * chunks + c) * rows + r;
                l[r] = merge_row(
                    chunks,
                    |c| part_lse[at(c)],
                    |c| &part_out[at(c) * d..(at(c) + 1) * d],
                    &mut o[r * d..(r + 1) * d],
                );
                bad |= l[r].is_nan() || l[r] == T::infinity();
            }
            bad | o.iter().any(|x| !x.is_finite())
        })
        .collect();
    let first_bad = (0..groups)
        .find(|&grp| merged_bad[grp] || bad[grp * chunks..(grp + 1) * chunks].iter().any(|&x| x));
    match first_bad {
        None => Ok(Forward { out, lse }),
        Some(group) => Err(match src.first_non_finite(&plan.lens) {
            Some((what, index)) => Error::NonFinite { what, index },
            // Finite inputs whose products overflow: name the first row of the sequence, as a
            // flat index of `lse`, like the dense forward does.
            None => Error::NonFinite {
                what: "scores",
                index: group * rows,
            },
        }),
    }
}

/// Per-thread buffers of one work item.
struct Scratch<T> {
    /// Visible key count of each query row.
    vis: Vec<usize>,
    /// Scores, then probabilities: `[rows, chunk]`.
    s: Vec<T>,
    /// One converted cache position (`[kv_heads, d]`).
    buf: Vec<T>,
    /// Row maxima then row sums: `[2, rows]`.
    ml: Vec<T>,
}

impl<T: Float> Scratch<T> {
    fn new(rows: usize, chunk: usize, position: usize) -> Self {
        Scratch {
            vis: vec![0; rows],
            s: vec![T::zero(); rows * chunk],
            buf: vec![T::zero(); position],
            ml: vec![T::zero(); 2 * rows],
        }
    }
}

dispatched!(
    /// See `chunk_pass_body`.
    fn chunk_pass(
        src: &dyn KvRows<T>,
        b: usize,
        rows_per_kv: usize,
        j0: usize,
        j1: usize,
        q: &[T],
        vis: &[usize],
        scale: T,
        s: &mut [T],
        buf: &mut [T],
        ml: &mut [T],
        out: &mut [T],
        lse: &mut [T],
        bad: &mut bool
    ) => chunk_pass_body
);

/// The partial result of query rows `q` (`[rows, d]`, row `r` seeing keys `0..vis[r]` and reading
/// kv head `r / rows_per_kv`) against keys `j0..j1` of sequence `b`: `out` (`[rows, d]`, normalised) and `lse` (`[rows]`,
/// `−∞` and `out = 0` for a row that sees none of these keys). Sets `bad` when a score or an output
/// is not finite.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn chunk_pass_body<T: Float>(
    src: &dyn KvRows<T>,
    b: usize,
    rows_per_kv: usize,
    j0: usize,
    j1: usize,
    q: &[T],
    vis: &[usize],
    scale: T,
    s: &mut [T],
    buf: &mut [T],
    ml: &mut [T],
    out: &mut [T],
    lse: &mut [T],
    bad: &mut bool,
) {
    let rows = vis.len();
    let d = q.len() / rows.max(1);
    let cols = j1 - j0;
    let end = vis.iter().copied().max().unwrap_or(0).min(j1);
    out.fill(T::zero());
    lse.fill(T::neg_infinity());
    if end <= j0 {
        return;
    }
    let kv_heads = rows / rows_per_kv;
    // Scores: each cache position is fetched once, and each key row is loaded once per block of
    // up to `GROUP` query rows of its kv head (one accumulator set per row, in registers).
    for j in j0..end {
        let keys = src.keys(b, j, buf);
        for g in 0..kv_heads {
            let k = &keys[g * d..(g + 1) * d];
            let rows_g = g * rows_per_kv..(g + 1) * rows_per_kv;
            // Blocks of GROUP rows share each load of `k`; the rest go one by one (same bits).
            let mut r = rows_g.start;
            while r + GROUP <= rows_g.end {
                let dots = dot4(&q[r * d..(r + GROUP) * d], k);
                for (t, &x) in dots.iter().enumerate() {
                    // Rows that do not see key `j` never read this entry.
                    if j < vis[r + t] {
                        s[(r + t) * cols + j - j0] = scale * x;
                    }
                }
                r += GROUP;
            }
            for r in (r..rows_g.end).filter(|&r| j < vis[r]) {
                s[r * cols + j - j0] = scale * dot(&q[r * d..(r + 1) * d], k);
            }
        }
    }
    // Probabilities relative to the chunk's row maximum.
    let (m, l) = ml.split_at_mut(rows);
    for r in 0..rows {
        let n = vis[r].min(end).saturating_sub(j0);
        l[r] = T::zero();
        if n == 0 {
            continue;
        }
        let row = &mut s[r * cols..r * cols + n];
        let (mx, check) = max_and_check(row);
        if check != T::zero() {
            // A non-finite score: a non-finite key, or finite inputs whose product overflowed.
            *bad = true;
            continue;
        }
        m[r] = mx;
        l[r] = exp_shift_sum(row, mx);
    }
    // Values: each value row is loaded once per block of query rows that all take it; a row that
    // does not (key not visible, or no live score) is left out, so every row gets the same
    // operations in the same order however the rows are blocked.
    let live = |r: usize, j: usize| j < vis[r] && l[r] != T::zero();
    for j in j0..end {
        let values = src.values(b, j, buf);
        for g in 0..kv_heads {
            let v = &values[g * d..(g + 1) * d];
            let rows_g = g * rows_per_kv..(g + 1) * rows_per_kv;
            let mut r = rows_g.start;
            while r + GROUP <= rows_g.end && (r..r + GROUP).all(|x| live(x, j)) {
                let p: [T; GROUP] = std::array::from_fn(|t| s[(r + t) * cols + j - j0]);
                axpy4(p, v, &mut out[r * d..(r + GROUP) * d]);
                r += GROUP;
            }
            for r in (r..rows_g.end).filter(|&r| live(r, j)) {
                let p = s[r * cols + j - j0];
                for (o, &x) in out[r * d..(r + 1) * d].iter_mut().zip(v) {
                    *o = p.mul_add(x, *o);
                }
            }
        }
    }
    for r in (0..rows).filter(|&r| l[r] != T::zero()) {
        let inv = T::one() / l[r];
        let o = &mut out[r * d..(r + 1) * d];
        let mut finite = true;
        for x in o.iter_mut() {
            *x *= inv;
            finite &= x.is_finite();
        }
        *bad |= !finite;
        lse[r] = m[r] + l[r].ln();
    }
}

/// `a · b` over `LANES` accumulators, folded pairwise.
#[inline(always)]
fn dot<T: Float>(a: &[T], b: &[T]) -> T {
    let mut acc = [T::zero(); LANES];
    let (ac, bc) = (a.chunks_exact(LANES), b.chunks_exact(LANES));
    let (ar, br) = (ac.remainder(), bc.remainder());
    for (x, y) in ac.zip(bc) {
        for t in 0..LANES {
            acc[t] = x[t].mul_add(y[t], acc[t]);
        }
    }
    for t in 0..ar.len() {
        acc[t] = ar[t].mul_add(br[t], acc[t]);
    }
    lane_reduce(acc, |x, y| x + y)
}

/// [`dot`] of the four rows of `q` (`[4, d]`, `d = k.len()`) with `k`, in one pass over `k`:
/// each row gets exactly the operations of [`dot`], so the bits do not depend on the blocking.
#[inline(always)]
fn dot4<T: Float>(q: &[T], k: &[T]) -> [T; GROUP] {
    let d = k.len();
    let (q0, rest) = q.split_at(d);
    let (q1, rest) = rest.split_at(d);
    let (q2, q3) = rest.split_at(d);
    let (mut a0, mut a1, mut a2, mut a3) = (
        [T::zero(); LANES],
        [T::zero(); LANES],
        [T::zero(); LANES],
        [T::zero(); LANES],
    );
    let rows = q0
        .chunks_exact(LANES)
        .zip(q1.chunks_exact(LANES))
        .zip(q2.chunks_exact(LANES))
        .zip(q3.chunks_exact(LANES));
    for (y, (((x0, x1), x2), x3)) in k.chunks_exact(LANES).zip(rows) {
        for t in 0..LANES {
            a0[t] = x0[t].mul_add(y[t], a0[t]);
            a1[t] = x1[t].mul_add(y[t], a1[t]);
            a2[t] = x2[t].mul_add(y[t], a2[t]);
            a3[t] = x3[t].mul_add(y[t], a3[t]);
        }
    }
    let tail = d - d % LANES;
    for t in 0..d - tail {
        let y = k[tail + t];
        a0[t] = q0[tail + t].mul_add(y, a0[t]);
        a1[t] = q1[tail + t].mul_add(y, a1[t]);
        a2[t] = q2[tail + t].mul_add(y, a2[t]);
        a3[t] = q3[tail + t].mul_add(y, a3[t]);
    }
    [a0, a1, a2, a3].map(|a| lane_reduce(a, |x, y| x + y))
}

/// `o_i ← p_i·v + o_i` for the four rows of `o` (`[4, d]`, `d = v.len()`), in one pass over `v`.
#[inline(always)]
fn axpy4<T: Float>(p: [T; GROUP], v: &[T], o: &mut [T]) {
    let d = v.len();
    let (o0, rest) = o.split_at_mut(d);
    let (o1, rest) = rest.split_at_mut(d);
    let (o2, o3) = rest.split_at_mut(d);
    let rows = o0
        .iter_mut()
        .zip(o1.iter_mut())
        .zip(o2.iter_mut())
        .zip(o3.iter_mut());
    for (&y, (((x0, x1), x2), x3)) in v.iter().zip(rows) {
        *x0 = p[0].mul_add(y, *x0);
        *x1 = p[1].mul_add(y, *x1);
        *x2 = p[2].mul_add(y, *x2);
        *x3 = p[3].mul_add(y, *x3);
    }
}

/// Row maximum, and `Σ 0·s`: `0` when every score is finite, NaN otherwise (`0·±∞ = NaN`).
#[inline(always)]
fn max_and_check<T: Float>(row: &[T]) -> (T, T) {
    let mut mx = [T::neg_infinity(); LANES];
    let mut check = [T::zero(); LANES];
    let chunks = row.chunks_exact(LANES);
    let rest = chunks.remainder();
    for c in chunks {
        for t in 0..LANES {
            mx[t] = if c[t] > mx[t] { c[t] } else { mx[t] };
            check[t] += c[t] * T::zero();
        }
    }
    for (t, &x) in rest.iter().enumerate() {
        mx[t] = if x > mx[t] { x } else { mx[t] };
        check[t] += x * T::zero();
    }
    let mx = lane_reduce(mx, |x, y| if y > x { y } else { x });
    (mx, lane_reduce(check, |x, y| x + y))
}

/// `row ← exp(row − shift)`; returns the sum of the new values.
#[inline(always)]
fn exp_shift_sum<T: Float>(row: &mut [T], shift: T) -> T {
    let mut acc = [T::zero(); LANES];
    let mut chunks = row.chunks_exact_mut(LANES);
    for c in &mut chunks {
        for t in 0..LANES {
            c[t] = exp(c[t] - shift);
            acc[t] += c[t];
        }
    }
    for (t, x) in chunks.into_remainder().iter_mut().enumerate() {
        *x = exp(*x - shift);
        acc[t] += *x;
    }
    lane_reduce(acc, |x, y| x + y)
}
