//! The non-GEMM passes over score tiles (row max, `exp`, row sums, `dS = P∘(dP − D)`), with
//! run-time SIMD dispatch.
//!
//! Each pass is written once as plain Rust over `LANES`-wide lane arrays (so the reduction order is
//! fixed by the source, not by the vector width) and instantiated three times: inside
//! `#[target_feature(enable = "avx512f,fma")]`, inside `#[target_feature(enable = "avx2,fma")]`, and
//! without target features (the scalar fallback). LLVM vectorises the first two; since Rust never
//! reassociates float arithmetic and every fused multiply-add is an explicit, correctly rounded
//! `mul_add`, **all three produce the same bits** (checked by
//! `tests::levels_agree_bitwise`). The level is detected once
//! ([`crate::simd::level`]); `ATTNMECH_SIMD=scalar|avx2|avx512` lowers it (for testing the fallbacks).

use crate::float::Float;
use crate::simd::exp::exp;
use crate::simd::lane_reduce;
pub(crate) use crate::simd::{dispatched, level, Level};

/// `vzeroupper` after faer's tile GEMMs: see [`crate::vector_state`]. Measured with `perf` on the
/// `(64, 1, 64, 16)` forward: half the time went to the code after the GEMM before this was added.
pub(crate) use crate::vector_state::clear_upper_vector_state as clear_upper_state;

/// Lanes of the per-row accumulators: one AVX-512 register of f32.
const LANES: usize = 16;

#[inline(always)]
fn max<T: Float>(a: T, b: T) -> T {
    if b > a {
        b
    } else {
        a
    }
}

/// Maximum of `x` (`−∞` for an empty slice).
#[inline(always)]
fn row_max<T: Float>(x: &[T]) -> T {
    let mut acc = [T::neg_infinity(); LANES];
    let mut chunks = x.chunks_exact(LANES);
    for c in &mut chunks {
        for (a, &v) in acc.iter_mut().zip(c) {
            *a = max(*a, v);
        }
    }
    for (a, &v) in acc.iter_mut().zip(chunks.remainder()) {
        *a = max(*a, v);
    }
    lane_reduce(acc, max)
}

/// Sum of the lanes in a fixed pairwise order.
#[inline(always)]
fn lane_sum<T: Float>(acc: [T; LANES]) -> T {
    lane_reduce(acc, |a, b| a + b)
}

/// `x ← exp(x − shift)`; returns `Σ x` (new values).
#[inline(always)]
fn exp_shift_sum<T: Float>(x: &mut [T], shift: T) -> T {
    let mut acc = [T::zero(); LANES];
    let mut chunks = x.chunks_exact_mut(LANES);
    for c in &mut chunks {
        for (a, v) in acc.iter_mut().zip(c.iter_mut()) {
            let e = exp(*v - shift);
            *v = e;
            *a += e;
        }
    }
    let mut tail = T::zero();
    for v in chunks.into_remainder() {
        let e = exp(*v - shift);
        *v = e;
        tail += e;
    }
    lane_sum(acc) + tail
}

/// `x ← exp(x − shift)`.
#[inline(always)]
fn exp_shift<T: Float>(x: &mut [T], shift: T) {
    for v in x.iter_mut() {
        *v = exp(*v - shift);
    }
}

/// One online-softmax step of the forward pass on a `rows × cols` score tile `s` (row-major).
///
/// For row `r`, only columns `lo[r]..hi[r]` are visible; the rest are set to 0 (masked entries
/// inside that range may be `−∞`). With the running max `m[r]` and sum `l[r]`:
/// `m' = max(m, rowmax(s))`, `s ← exp(s − m')`, `α = exp(m − m')`, `l ← α·l + rowsum(s)`, `m ← m'`,
/// and the output row `o[r]` (`d` wide) is scaled by `α` unless `fresh` (the caller then
/// overwrites `o` with `P·V`). A row with nothing visible (or only `−∞`) keeps `m`, `l` and `α = 1`.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn online_softmax_body<T: Float>(
    s: &mut [T],
    cols: usize,
    lo: &[usize],
    hi: &[usize],
    m: &mut [T],
    l: &mut [T],
    o: &mut [T],
    d: usize,
    fresh: bool,
) {
    for (r, row) in s.chunks_exact_mut(cols).enumerate() {
        let (a, b) = if lo[r] < hi[r] {
            (lo[r], hi[r])
        } else {
            (0, 0)
        };
        let (head, rest) = row.split_at_mut(a);
        head.fill(T::zero());
        let (live, dead) = rest.split_at_mut(b - a);
        dead.fill(T::zero());
        if live.is_empty() {
            continue;
        }
        let m_new = max(m[r], row_max(live));
        if m_new == T::neg_infinity() {
            // every visible score masked (−∞) or NaN (a non-finite input: poison ℓ so the
            // caller's finiteness check reports it)
            if live.iter().any(|x| x.is_nan()) {
                l[r] = T::nan();
            }
            live.fill(T::zero());
            continue;
        }
        let alpha = exp(m[r] - m_new);
        l[r] = alpha * l[r] + exp_shift_sum(live, m_new);
        m[r] = m_new;
        if !fresh && alpha != T::one() {
            for x in &mut o[r * d..(r + 1) * d] {
                *x *= alpha;
            }
        }
    }
}

dispatched!(
    /// See `online_softmax_body`.
    fn online_softmax(
        s: &mut [T],
        cols: usize,
        lo: &[usize],
        hi: &[usize],
        m: &mut [T],
        l: &mut [T],
        o: &mut [T],
        d: usize,
        fresh: bool
    ) => online_softmax_body
);

/// Backward recomputation `P = exp(S − L)` on a `rows × cols` tile, zero outside
/// `lo[r]..hi[r]` and on rows whose `lse[r] = −∞` (rows that see no key).
#[inline(always)]
fn probabilities_body<T: Float>(s: &mut [T], cols: usize, lo: &[usize], hi: &[usize], lse: &[T]) {
    for (r, row) in s.chunks_exact_mut(cols).enumerate() {
        let (a, b) = if lse[r] == T::neg_infinity() || lo[r] >= hi[r] {
            (0, 0)
        } else {
            (lo[r], hi[r])
        };
        let (head, rest) = row.split_at_mut(a);
        head.fill(T::zero());
        let (live, dead) = rest.split_at_mut(b - a);
        dead.fill(T::zero());
        exp_shift(live, lse[r]);
    }
}

dispatched!(
    /// See `probabilities_body`.
    fn probabilities(s: &mut [T], cols: usize, lo: &[usize], hi: &[usize], lse: &[T]) => probabilities_body
);

/// `dp ← p ∘ (dp − D[r])` row by row (`dS` without the scale, which the GEMMs apply).
#[inline(always)]
fn score_grad_body<T: Float>(p: &[T], dp: &mut [T], cols: usize, dsum: &[T]) {
    for ((prow, dprow), &dr) in p
        .chunks_exact(cols)
        .zip(dp.chunks_exact_mut(cols))
        .zip(dsum)
    {
        for (g, &pv) in dprow.iter_mut().zip(prow) {
            *g = pv * (*g - dr);
        }
    }
}

dispatched!(
    /// See `score_grad_body`.
    fn score_grad(p: &[T], dp: &mut [T], cols: usize, dsum: &[T]) => score_grad_body
);

/// `D[r] = Σ_t a[r, t]·b[r, t]` for `rows × d` row-major `a`, `b`.
#[inline(always)]
fn row_dots_body<T: Float>(a: &[T], b: &[T], d: usize, out: &mut [T]) {
    for ((ar, br), o) in a.chunks_exact(d).zip(b.chunks_exact(d)).zip(out.iter_mut()) {
        let mut acc = [T::zero(); LANES];
        let mut ca = ar.chunks_exact(LANES);
        let mut cb = br.chunks_exact(LANES);
        for (x, y) in (&mut ca).zip(&mut cb) {
            for ((s, &u), &w) in acc.iter_mut().zip(x).zip(y) {
                *s += u * w;
            }
        }
        let tail = ca
            .remainder()
            .iter()
            .zip(cb.remainder())
            .fold(T::zero(), |s, (&u, &w)| s + u * w);
        *o = lane_sum(acc) + tail;
    }
}

dispatched!(
    /// See `row_dots_body`.
    fn row_dots(a: &[T], b: &[T], d: usize, out: &mut [T]) => row_dots_body
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::seeded;
    use rand::Rng;

    use crate::attention::cpu::test_levels as levels;

    /// Claim: every instruction-set level computes the same bits (the lane structure fixes the
    /// order of operations). Hypothesis: random tiles with ragged `vis`, widths around `LANES`.
    /// Measured: bitwise equality of every output. Also checks the softmax step against f64.
    #[test]
    fn levels_agree_bitwise() {
        let mut rng = seeded(7, 0);
        for &cols in &[1usize, 15, 16, 17, 33, 64, 255] {
            let rows = 5;
            let d = 3;
            let s0: Vec<f32> = (0..rows * cols)
                .map(|_| rng.random_range(-30.0..30.0))
                .collect();
            let vis: Vec<usize> = (0..rows).map(|r| (r * cols) / (rows - 1)).collect();
            let mut results = Vec::new();
            for level in levels() {
                let mut s = s0.clone();
                let mut m = vec![1.0f32, f32::NEG_INFINITY, 0.5, -3.0, 2.0];
                let mut l = vec![2.0f32, 0.0, 1.0, 1.5, 1.0];
                let mut o = vec![1.0f32; rows * d];
                let lo = vec![0usize; rows];
                online_softmax(
                    level, &mut s, cols, &lo, &vis, &mut m, &mut l, &mut o, d, false,
                );
                let mut dots = vec![0.0f32; rows];
                row_dots(level, &s, &s0, cols, &mut dots);
                let mut dp = s0.clone();
                score_grad(level, &s, &mut dp, cols, &dots);
                let mut p = s0.clone();
                probabilities(
                    level,
                    &mut p,
                    cols,
                    &lo,
                    &vis,
                    &[0.0, 1.0, f32::NEG_INFINITY, 2.0, 3.0],
                );
                let bits = |x: &[f32]| x.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
                results.push((
                    bits(&s),
                    bits(&m),
                    bits(&l),
                    bits(&o),
                    bits(&dots),
                    bits(&dp),
                    bits(&p),
                ));
                // f64 check of the softmax step on row r
                for r in 0..rows {
                    let live = &s0[r * cols..r * cols + vis[r]];
                    let m0 = [1.0f64, f64::NEG_INFINITY, 0.5, -3.0, 2.0][r];
                    let l0 = [2.0f64, 0.0, 1.0, 1.5, 1.0][r];
                    if live.is_empty() {
                        assert_eq!(l[r] as f64, l0);
                        continue;
                    }
                    let mx = live.iter().fold(m0, |a, &b| a.max(b as f64));
                    let want = l0 * (m0 - mx).exp()
                        + live.iter().map(|&x| (x as f64 - mx).exp()).sum::<f64>();
                    assert!(
                        ((l[r] as f64) - want).abs() <= 1e-6 * want,
                        "{} vs {}",
                        l[r],
                        want
                    );
                    assert_eq!(m[r] as f64, mx);
                }
            }
            for r in &results[1..] {
                assert_eq!(r, &results[0], "cols {cols}");
            }
        }
    }
}
