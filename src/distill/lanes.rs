//! f32 fast path of the divergence kernels: one row, written once over fixed 16-lane accumulators
//! and compiled at every level of the crate's one SIMD dispatch ([`crate::simd`]), so the scalar,
//! AVX2 and AVX-512 builds give **the same bits** (`tests::levels_agree_bitwise`).
//!
//! # Passes over a row (`V` entries; `z' = z/T`, `m = max z'`, `S = Σ e^{z'−m}`, `L = m + ln S`)
//! 0. `m` and the finiteness of `z` and of `m` (read `z`; no `exp`).
//! 1. `e = e^{z'−m}` into the gradient buffer, `S = Σ e` (one `exp` per element).
//! 2. `q = e/S` from the buffer (no second `exp` of the logits), `p = e^{lp}`, the loss sums, `Σ p`,
//!    the teacher check; FKL writes its gradient `(q − p)/T` here and is done.
//! 3. RKL, JSD and TVD need their loss before their gradient: `q (f − Σ q f)/T` with
//!    `f = lq − lp` (RKL, no `exp`), `(1−β) q (g' − Σ q g')/T` (JSD, `q = e^{lq}` again since the
//!    buffer holds `g'`), `½ (q s − q Σ q s)/T` (TVD, likewise).
//!
//! `exp` per element: FKL 2, RKL 2, TVD 3, JSD 4 (`q`, `p`, the mixture's `e^{lo−hi}`, and `q`
//! again) plus one `ln_1p`; each `p` and `q` is needed once per pass, and the log-space mixture
//! `lm = hi + ln(1 + e^{lo−hi})` never forms `β p + (1−β) q` (it would underflow to `ln 0`).
//! Sums run in f32 lanes over blocks of 1024 entries and are folded into f64 once per block, in a
//! fixed order. Non-finite input is detected by NaN propagation through check lanes; the caller
//! then re-runs the validating generic path, which reports the error.

use crate::float::Float;
use crate::ops::divergence::{Divergence, LOG_PROB_FLOOR};
use crate::simd::{dispatched, Level};
use std::marker::PhantomData;

/// Lanes of the accumulators: one AVX-512 register of f32.
const LANES: usize = 16;
/// Entries summed in f32 lanes before the block total is added in f64.
const BLOCK: usize = 1024;

/// What one row returns besides its gradient.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct RowSums {
    /// The divergence of the row.
    pub loss: f64,
    /// `Σ p` (the caller checks it against one).
    pub mass: f64,
    /// `false` when an input was non-finite (NaN/`±∞` logit, NaN/`+∞` teacher log-prob) or the
    /// largest scaled logit `max z·inv_t` overflows.
    pub finite: bool,
}

#[inline(always)]
fn clamp_lp(lp: f32) -> f32 {
    if lp < LOG_PROB_FLOOR as f32 {
        LOG_PROB_FLOOR as f32
    } else {
        lp
    }
}

#[inline(always)]
fn max(a: f32, b: f32) -> f32 {
    if b > a {
        b
    } else {
        a
    }
}

/// `0` for a finite number or `−∞`, NaN for NaN or `+∞` (summed to detect bad teacher entries).
#[inline(always)]
fn lp_check(lp: f32) -> f32 {
    if lp == f32::NEG_INFINITY {
        0.0
    } else {
        lp * 0.0
    }
}

/// Sum of the lanes in f64, in lane order.
#[inline(always)]
fn fold(a: &[f32; LANES]) -> f64 {
    let mut s = 0.0f64;
    for &x in a {
        s += x as f64;
    }
    s
}

/// `ln(1 + y)` for `y ∈ [0, 1]` in f32: `2 atanh(s)`, `s = y/(2 + y) ∈ [0, 1/3]` (no rounding of
/// `1 + y`), odd series to `s^11` (relative truncation `s^12/13 ≤ 1.4e-7`).
#[inline(always)]
fn ln_1p_unit(y: f32) -> f32 {
    let s = y / (2.0 + y);
    let s2 = s * s;
    let series = ((((s2 * (1.0 / 11.0) + 1.0 / 9.0) * s2 + 1.0 / 7.0) * s2 + 1.0 / 5.0) * s2
        + 1.0 / 3.0)
        * s2
        + 1.0;
    2.0 * s * series
}

/// Pass 0: `(max z, Σ 0·z)`; the second is NaN iff some `z` is NaN or infinite.
#[inline(always)]
fn max_and_check(z: &[f32]) -> (f32, f32) {
    let (mut mx, mut chk) = ([f32::NEG_INFINITY; LANES], [0.0f32; LANES]);
    let mut zc = z.chunks_exact(LANES);
    for zz in &mut zc {
        for k in 0..LANES {
            mx[k] = max(mx[k], zz[k]);
            chk[k] += zz[k] * 0.0;
        }
    }
    for (k, &zv) in zc.remainder().iter().enumerate() {
        mx[k] = max(mx[k], zv);
        chk[k] += zv * 0.0;
    }
    let (mut m, mut c) = (f32::NEG_INFINITY, 0.0f32);
    for k in 0..LANES {
        m = max(m, mx[k]);
        c += chk[k];
    }
    (m, c)
}

/// Pass 1: `e_v = exp(z_v·inv_t − m)` into `e`; returns `Σ e`.
#[inline(always)]
fn exp_shift_store(z: &[f32], inv_t: f32, m: f32, e: &mut [f32]) -> f64 {
    let mut total = 0.0f64;
    for (zb, eb) in z.chunks(BLOCK).zip(e.chunks_mut(BLOCK)) {
        let mut acc = [0.0f32; LANES];
        let mut zc = zb.chunks_exact(LANES);
        let mut ec = eb.chunks_exact_mut(LANES);
        for (zz, ee) in (&mut zc).zip(&mut ec) {
            for k in 0..LANES {
                let v = (zz[k] * inv_t - m).exp_poly();
                ee[k] = v;
                acc[k] += v;
            }
        }
        for (k, (&zv, ev)) in zc.remainder().iter().zip(ec.into_remainder()).enumerate() {
            let v = (zv * inv_t - m).exp_poly();
            *ev = v;
            acc[k] += v;
        }
        total += fold(&acc);
    }
    total
}

/// Constants of one row shared by the element steps.
#[derive(Clone, Copy)]
struct Row {
    inv_t: f32,
    /// `L` rounded to f32 (`lq = z·inv_t − L`).
    log_norm: f32,
    /// `1/S` (`q = e/S`).
    inv_s: f32,
}

impl Row {
    #[inline(always)]
    fn lq(&self, z: f32) -> f32 {
        z * self.inv_t - self.log_norm
    }
}

/// One element step of pass 2 or 3 on lane `k`; `flush` folds the lanes at each block end.
trait Step {
    fn step(&mut self, k: usize, lp: f32, z: f32, g: &mut f32);
    fn flush(&mut self);
}

/// Runs `s` over the row in blocks of [`BLOCK`] and lanes of [`LANES`] (remainder on lanes `0..`).
#[inline(always)]
fn run<S: Step>(s: &mut S, lp: &[f32], z: &[f32], g: &mut [f32]) {
    for ((lb, zb), gb) in lp
        .chunks(BLOCK)
        .zip(z.chunks(BLOCK))
        .zip(g.chunks_mut(BLOCK))
    {
        let mut lc = lb.chunks_exact(LANES);
        let mut zc = zb.chunks_exact(LANES);
        let mut gc = gb.chunks_exact_mut(LANES);
        for ((ll, zz), gg) in (&mut lc).zip(&mut zc).zip(&mut gc) {
            for k in 0..LANES {
                s.step(k, ll[k], zz[k], &mut gg[k]);
            }
        }
        let rest = lc.remainder().iter().zip(zc.remainder());
        for (k, ((&l, &zv), gv)) in rest.zip(gc.into_remainder()).enumerate() {
            s.step(k, l, zv, gv);
        }
        s.flush();
    }
}

/// Lane accumulators `N` wide and their f64 totals.
struct Acc<const N: usize> {
    lanes: [[f32; LANES]; N],
    total: [f64; N],
}

impl<const N: usize> Acc<N> {
    #[inline(always)]
    fn new() -> Self {
        Acc {
            lanes: [[0.0; LANES]; N],
            total: [0.0; N],
        }
    }
    #[inline(always)]
    fn flush(&mut self) {
        for (t, l) in self.total.iter_mut().zip(&mut self.lanes) {
            *t += fold(l);
            *l = [0.0; LANES];
        }
    }
}

// Accumulator slots shared by the pass-2 steps.
const MASS: usize = 0;
const CHECK: usize = 1;
const SUM_A: usize = 2;
const SUM_B: usize = 3;

/// FKL pass 2: `Σ p (lp − lq)`, and the gradient `(q − p)/T` over `e` in place.
struct FklStep(Row, Acc<3>);
impl Step for FklStep {
    #[inline(always)]
    fn step(&mut self, k: usize, l: f32, z: f32, g: &mut f32) {
        let (r, a) = (&self.0, &mut self.1.lanes);
        let lpv = clamp_lp(l);
        let p = lpv.exp_poly();
        let q = *g * r.inv_s;
        a[MASS][k] += p;
        a[CHECK][k] += lp_check(l);
        a[SUM_A][k] += p * (lpv - r.lq(z));
        *g = (q - p) * r.inv_t;
    }
    #[inline(always)]
    fn flush(&mut self) {
        self.1.flush()
    }
}

/// RKL pass 2: `Σ q (lq − lp)`; `e` becomes `q`.
struct RklStep(Row, Acc<3>);
impl Step for RklStep {
    #[inline(always)]
    fn step(&mut self, k: usize, l: f32, z: f32, g: &mut f32) {
        let (r, a) = (&self.0, &mut self.1.lanes);
        let lpv = clamp_lp(l);
        let q = *g * r.inv_s;
        a[MASS][k] += lpv.exp_poly();
        a[CHECK][k] += lp_check(l);
        a[SUM_A][k] += q * (r.lq(z) - lpv);
        *g = q;
    }
    #[inline(always)]
    fn flush(&mut self) {
        self.1.flush()
    }
}

/// RKL pass 3: `q (lq − lp − RKL)/T` over `q` in place.
struct RklGrad(Row, f32);
impl Step for RklGrad {
    #[inline(always)]
    fn step(&mut self, _: usize, l: f32, z: f32, g: &mut f32) {
        let r = &self.0;
        *g = *g * (r.lq(z) - clamp_lp(l) - self.1) * r.inv_t;
    }
    #[inline(always)]
    fn flush(&mut self) {}
}

/// JSD\[β\] pass 2: `Σ p (lp − lm)`, `Σ q (lq − lm)`; `e` becomes `g' = lq − lm`.
struct JsdStep {
    row: Row,
    /// `ln β`, `ln(1 − β)`.
    lb: f32,
    l1b: f32,
    acc: Acc<4>,
}
impl Step for JsdStep {
    #[inline(always)]
    fn step(&mut self, k: usize, l: f32, z: f32, g: &mut f32) {
        let (r, a) = (&self.row, &mut self.acc.lanes);
        let (lpv, lq) = (clamp_lp(l), r.lq(z));
        let (x, y) = (self.lb + lpv, self.l1b + lq);
        let (hi, lo) = if x > y { (x, y) } else { (y, x) };
        let lm = hi + ln_1p_unit((lo - hi).exp_poly());
        let p = lpv.exp_poly();
        let q = *g * r.inv_s;
        let gq = lq - lm;
        a[MASS][k] += p;
        a[CHECK][k] += lp_check(l);
        a[SUM_A][k] += p * (lpv - lm);
        a[SUM_B][k] += q * gq;
        *g = gq;
    }
    #[inline(always)]
    fn flush(&mut self) {
        self.acc.flush()
    }
}

/// JSD pass 3: `c q (g' − KL(q‖m))` over `g'` in place, `c = (1 − β)/T`.
struct JsdGrad(Row, f32, f32);
impl Step for JsdGrad {
    #[inline(always)]
    fn step(&mut self, _: usize, _: f32, z: f32, g: &mut f32) {
        *g = self.1 * self.0.lq(z).exp_poly() * (*g - self.2);
    }
    #[inline(always)]
    fn flush(&mut self) {}
}

/// TVD pass 2: `Σ |q − p|`, `Σ q s` (`s = sign(q − p)`, `sign 0 = 0`); `e` becomes `q s`.
struct TvdStep(Row, Acc<4>);
impl Step for TvdStep {
    #[inline(always)]
    fn step(&mut self, k: usize, l: f32, _: f32, g: &mut f32) {
        let (r, a) = (&self.0, &mut self.1.lanes);
        let p = clamp_lp(l).exp_poly();
        let q = *g * r.inv_s;
        let d = q - p;
        let qs = if d > 0.0 {
            q
        } else if d < 0.0 {
            -q
        } else {
            0.0
        };
        a[MASS][k] += p;
        a[CHECK][k] += lp_check(l);
        a[SUM_A][k] += d.abs();
        a[SUM_B][k] += qs;
        *g = qs;
    }
    #[inline(always)]
    fn flush(&mut self) {
        self.1.flush()
    }
}

/// TVD pass 3: `½ (q s − q Σ q s)/T` over `q s` in place.
struct TvdGrad(Row, f32);
impl Step for TvdGrad {
    #[inline(always)]
    fn step(&mut self, _: usize, _: f32, z: f32, g: &mut f32) {
        let r = &self.0;
        *g = 0.5 * r.inv_t * (*g - r.lq(z).exp_poly() * self.1);
    }
    #[inline(always)]
    fn flush(&mut self) {}
}

/// One row: the loss, `Σ p` and the finiteness flag into `out`, the gradient into `g` (which is
/// also the scratch buffer, so it is overwritten even when only the loss is wanted). `div` is
/// resolved (JSD has `0 < β < 1`). The caller checks `Σ p`; when it fails, `g` holds garbage.
#[inline(always)]
fn row_body<T>(
    div: Divergence,
    lp: &[f32],
    z: &[f32],
    inv_t: f32,
    g: &mut [f32],
    out: &mut RowSums,
    _f32_only: PhantomData<T>,
) {
    let (zmax, zcheck) = max_and_check(z);
    // Rounding is monotone, so `max(z)·inv_t` is exactly `max(z·inv_t)` for `inv_t > 0`; an
    // overflow to `+∞` there is flagged here, one to `−∞` elsewhere makes the loss non-finite
    // (the caller checks it) or, for TVD, is the exact `q = 0`.
    let m = zmax * inv_t;
    if !zcheck.is_finite() || !m.is_finite() {
        *out = RowSums::default();
        return;
    }
    let s = exp_shift_store(z, inv_t, m, g);
    let log_norm = m as f64 + s.ln();
    let row = Row {
        inv_t,
        log_norm: log_norm as f32,
        inv_s: (1.0 / s) as f32,
    };
    let (loss, acc) = match div {
        Divergence::ForwardKl => {
            let mut st = FklStep(row, Acc::new());
            run(&mut st, lp, z, g);
            (st.1.total[SUM_A], st.1.total)
        }
        Divergence::ReverseKl => {
            let mut st = RklStep(row, Acc::new());
            run(&mut st, lp, z, g);
            let loss = st.1.total[SUM_A];
            run(&mut RklGrad(row, loss as f32), lp, z, g);
            (loss, [st.1.total[MASS], st.1.total[CHECK], 0.0])
        }
        Divergence::Jsd { beta } => {
            let mut st = JsdStep {
                row,
                lb: beta.ln() as f32,
                l1b: (1.0 - beta).ln() as f32,
                acc: Acc::new(),
            };
            run(&mut st, lp, z, g);
            let t = st.acc.total;
            let c = ((1.0 - beta) as f32) * inv_t;
            run(&mut JsdGrad(row, c, t[SUM_B] as f32), lp, z, g);
            (
                beta * t[SUM_A] + (1.0 - beta) * t[SUM_B],
                [t[MASS], t[CHECK], 0.0],
            )
        }
        Divergence::Tvd => {
            let mut st = TvdStep(row, Acc::new());
            run(&mut st, lp, z, g);
            let t = st.1.total;
            run(&mut TvdGrad(row, t[SUM_B] as f32), lp, z, g);
            (0.5 * t[SUM_A], [t[MASS], t[CHECK], 0.0])
        }
    };
    *out = RowSums {
        loss,
        mass: acc[MASS],
        finite: acc[CHECK].is_finite(),
    };
}

dispatched!(
    /// See `row_body`; `T` only satisfies the macro (the row is f32).
    fn row_dispatched(
        div: Divergence,
        lp: &[f32],
        z: &[f32],
        inv_t: f32,
        g: &mut [f32],
        out: &mut RowSums,
        marker: PhantomData<T>
    ) => row_body
);

/// One f32 row at the given SIMD level; see the [module docs](self) for the passes.
pub(crate) fn row(
    level: Level,
    div: Divergence,
    lp: &[f32],
    z: &[f32],
    inv_t: f32,
    g: &mut [f32],
) -> RowSums {
    let mut out = RowSums::default();
    row_dispatched::<f32>(level, div, lp, z, inv_t, g, &mut out, PhantomData);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::logsumexp;
    use crate::rng::seeded;
    use crate::simd::rows::available_levels as levels;
    use rand::Rng;

    /// Student logits `z` uniform on [−8, 8] and a teacher's log-probabilities `lp` (normalised
    /// uniforms on [−8, 8], every 7th entry an exact zero `−∞`), both of width `v`.
    fn random_row(rng: &mut impl Rng, v: usize) -> (Vec<f32>, Vec<f32>) {
        let z: Vec<f32> = (0..v).map(|_| rng.random_range(-8.0..8.0)).collect();
        let raw: Vec<f32> = (0..v).map(|_| rng.random_range(-8.0..8.0)).collect();
        let l = logsumexp(&raw, 1.0);
        let lp = raw
            .iter()
            .enumerate()
            .map(|(i, x)| if i % 7 == 3 { f32::NEG_INFINITY } else { x - l })
            .collect();
        (z, lp)
    }

    /// Claim: every instruction-set level computes the same bits (the lane structure fixes the
    /// order of operations). Hypothesis: random rows with widths around `LANES` and `BLOCK`, a
    /// teacher with exact zeros (`−∞`), two temperatures, every divergence. Measured: bitwise
    /// equality of loss, mass and gradient.
    #[test]
    fn levels_agree_bitwise() {
        let mut rng = seeded(16, 0);
        let divs = [
            Divergence::ForwardKl,
            Divergence::ReverseKl,
            Divergence::Jsd { beta: 0.3 },
            Divergence::Tvd,
        ];
        for &v in &[1usize, 15, 16, 17, 1023, 1024, 1025, 2100] {
            let (z, lp) = random_row(&mut rng, v);
            for div in divs {
                for inv_t in [1.0f32, 0.4] {
                    let mut results = Vec::new();
                    for level in levels() {
                        let mut g = vec![0.0f32; v];
                        let s = row(level, div, &lp, &z, inv_t, &mut g);
                        assert!(s.finite);
                        let bits: Vec<u32> = g.iter().map(|x| x.to_bits()).collect();
                        results.push((s.loss.to_bits(), s.mass.to_bits(), bits));
                    }
                    for r in &results[1..] {
                        assert_eq!(r, &results[0], "{div:?} v={v} inv_t={inv_t}");
                    }
                }
            }
        }
    }

    /// Claim: the lane row computes the divergence it names. Hypothesis: the rows of
    /// `levels_agree_bitwise` (widths around `LANES` and `BLOCK`, exact teacher zeros, two
    /// temperatures), every level. Measured: FKL and TVD loss and the FKL gradient `(q − p)/T`
    /// against a plain f64 oracle (`lq = z/T − logsumexp(z/T)`). Tolerance 1e-4 relative to
    /// `1 + |loss|` (f32 terms summed in f32 lanes over up to 2100 entries: ~1e-7 per term times
    /// √V, plus the polynomial `exp`'s 1e-7) and 1e-5 absolute per gradient entry. Also catches a
    /// wrong normaliser `S`, which the bitwise level comparison cannot (every level would share it)
    /// and which the public path would hide by falling back to the generic kernel.
    #[test]
    fn lane_row_matches_f64_oracle() {
        let mut rng = seeded(17, 0);
        for &v in &[15usize, 17, 1025, 2100] {
            let (z, lp) = random_row(&mut rng, v);
            for inv_t in [1.0f32, 0.4] {
                let zs: Vec<f64> = z.iter().map(|&x| x as f64 * inv_t as f64).collect();
                let lse = logsumexp(&zs, 1.0);
                let lq: Vec<f64> = zs.iter().map(|x| x - lse).collect();
                let p: Vec<f64> = lp.iter().map(|&x| (x as f64).exp()).collect();
                let fkl: f64 = (0..v)
                    .filter(|&i| p[i] > 0.0)
                    .map(|i| p[i] * (lp[i] as f64 - lq[i]))
                    .sum();
                let tvd: f64 = 0.5 * (0..v).map(|i| (lq[i].exp() - p[i]).abs()).sum::<f64>();
                for level in levels() {
                    let mut g = vec![0.0f32; v];
                    let s = row(level, Divergence::ForwardKl, &lp, &z, inv_t, &mut g);
                    assert!(
                        (s.loss - fkl).abs() <= 1e-4 * (1.0 + fkl.abs()),
                        "FKL v={v}: {} vs {fkl}",
                        s.loss
                    );
                    for i in 0..v {
                        let want = (lq[i].exp() - p[i]) * inv_t as f64;
                        assert!((g[i] as f64 - want).abs() <= 1e-5, "FKL grad v={v} i={i}");
                    }
                    let s = row(level, Divergence::Tvd, &lp, &z, inv_t, &mut g);
                    assert!(
                        (s.loss - tvd).abs() <= 1e-4 * (1.0 + tvd),
                        "TVD v={v}: {} vs {tvd}",
                        s.loss
                    );
                }
            }
        }
    }

    /// Non-finite logits or teacher entries clear `finite` at every level.
    #[test]
    fn non_finite_input_is_flagged() {
        for level in levels() {
            let mut g = vec![0.0f32; 20];
            let lp = vec![-(20.0f32).ln(); 20];
            let mut z = vec![0.0f32; 20];
            z[17] = f32::NAN;
            assert!(!row(level, Divergence::Tvd, &lp, &z, 1.0, &mut g).finite);
            z[17] = f32::INFINITY;
            assert!(!row(level, Divergence::ForwardKl, &lp, &z, 1.0, &mut g).finite);
            let mut lp2 = lp.clone();
            lp2[19] = f32::NAN;
            let z = vec![0.0f32; 20];
            assert!(!row(level, Divergence::ReverseKl, &lp2, &z, 1.0, &mut g).finite);
        }
    }
}
