//! f32 fast path of the divergence kernels: branch-free `exp`, and row passes written over fixed
//! 8-lane accumulators so the compiler vectorises them (floating-point reductions are not
//! reassociated automatically, so the lanes are explicit). JSD also uses a series `ln_1p`.
//!
//! Results agree with the generic path to f32 rounding (tested in
//! `tests/specdec/divergence.rs`). Non-finite input is detected by NaN propagation through a
//! check accumulator; the caller then re-runs the validating generic path, which reports the error.

use super::divergence::{Divergence, LOG_PROB_FLOOR};

const LANES: usize = 8;
/// Elements per block of the online log-sum-exp (the running max is rescaled once per block).
const BLOCK: usize = 1024;
/// Below this, `e^x` is `0` in this kernel (`e^{−87.34} ≈ 2^{−126}`, the smallest normal f32).
const EXP_LO: f32 = -87.336_55;
/// Inputs above this saturate (`2^127` range); the kernels only exponentiate values `≤ ~0`.
const EXP_HI: f32 = 88.0;

/// `e^x` in f32: `x = n ln2 + r`, `|r| ≤ ln2/2`, Cephes degree-6 polynomial for `e^r`
/// (≈ 1–2 ulp), `2^n` assembled in the exponent bits (rounding by the `1.5·2^23` trick).
/// Returns `0` below [`EXP_LO`]; NaN input gives an arbitrary finite value (callers check
/// finiteness separately).
#[inline(always)]
pub(crate) fn exp_f32(x: f32) -> f32 {
    const MAGIC: f32 = 12_582_912.0; // 1.5 · 2^23
    const C1: f32 = 0.693_359_4;
    const C2: f32 = -2.121_944_4e-4;
    let xc = x.clamp(EXP_LO, EXP_HI);
    let t = xc * std::f32::consts::LOG2_E + MAGIC;
    let n = t - MAGIC;
    let r = xc - n * C1 - n * C2;
    let p = (((((1.987_569_1e-4 * r + 1.398_199_9e-3) * r + 8.333_452e-3) * r + 4.166_579_6e-2)
        * r
        + 1.666_666_5e-1)
        * r
        + 0.5)
        * (r * r)
        + r
        + 1.0;
    let scale = f32::from_bits(t.to_bits().wrapping_sub(0x4B40_0000).wrapping_add(127) << 23);
    if x < EXP_LO {
        0.0
    } else {
        p * scale
    }
}

#[inline(always)]
fn clamp_lp(lp: f32) -> f32 {
    lp.max(LOG_PROB_FLOOR as f32)
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

#[inline(always)]
fn sum_lanes(a: &[f32; LANES]) -> f64 {
    a.iter().map(|&x| x as f64).sum()
}

/// Applies `f(lane, lp, z)` to the row in 8-lane chunks, then the remainder in lane 0.
#[inline(always)]
fn for_lanes(lp: &[f32], z: &[f32], mut f: impl FnMut(usize, f32, f32)) {
    let mut lc = lp.chunks_exact(LANES);
    let mut zc = z.chunks_exact(LANES);
    for (l, zz) in (&mut lc).zip(&mut zc) {
        for k in 0..LANES {
            f(k, l[k], zz[k]);
        }
    }
    for (&l, &zz) in lc.remainder().iter().zip(zc.remainder()) {
        f(0, l, zz);
    }
}

/// Like [`for_lanes`], storing each result `f(lane, lp, z)` into `g` when it is given.
#[inline(always)]
fn for_lanes_store(
    lp: &[f32],
    z: &[f32],
    g: Option<&mut [f32]>,
    mut f: impl FnMut(usize, f32, f32) -> f32,
) {
    let Some(g) = g else {
        return for_lanes(lp, z, |k, l, zv| {
            f(k, l, zv);
        });
    };
    let mut gc = g.chunks_exact_mut(LANES);
    let mut lc = lp.chunks_exact(LANES);
    let mut zc = z.chunks_exact(LANES);
    for ((gg, l), zz) in (&mut gc).zip(&mut lc).zip(&mut zc) {
        for k in 0..LANES {
            gg[k] = f(k, l[k], zz[k]);
        }
    }
    let rem = gc.into_remainder();
    for ((gv, &l), &zv) in rem.iter_mut().zip(lc.remainder()).zip(zc.remainder()) {
        *gv = f(0, l, zv);
    }
}

/// First pass: `(L, cross, Σp)` as in the generic kernel, or `None` if any input is non-finite
/// (other than `−∞` teacher log-probs).
#[inline(always)]
pub(crate) fn first_pass(
    div: Divergence,
    lp: &[f32],
    z: &[f32],
    inv_t: f32,
) -> Option<(f64, f64, f64)> {
    let (fkl, rkl) = (div == Divergence::ForwardKl, div == Divergence::ReverseKl);
    let mut run_max = f32::NEG_INFINITY;
    let (mut s, mut cross, mut mass) = (0.0f64, 0.0f64, 0.0f64);
    let mut chk = [0.0f32; LANES];
    for (lb, zb) in lp.chunks(BLOCK).zip(z.chunks(BLOCK)) {
        let mut mx = [f32::NEG_INFINITY; LANES];
        for_lanes(lb, zb, |k, _, zv| {
            let v = zv * inv_t;
            mx[k] = if v > mx[k] { v } else { mx[k] };
            chk[k] += zv * 0.0;
        });
        let bmax = mx.iter().cloned().fold(f32::NEG_INFINITY, f32::max);
        if bmax > run_max {
            let r = ((run_max - bmax) as f64).exp();
            s *= r;
            if rkl {
                cross *= r;
            }
            run_max = bmax;
        }
        let (mut es, mut ps, mut cs) = ([0.0f32; LANES], [0.0f32; LANES], [0.0f32; LANES]);
        for_lanes(lb, zb, |k, lraw, zv| {
            let (lpv, zs) = (clamp_lp(lraw), zv * inv_t);
            let e = exp_f32(zs - run_max);
            let p = exp_f32(lpv);
            es[k] += e;
            ps[k] += p;
            if fkl {
                cs[k] += p * (lpv - zs);
            } else if rkl {
                cs[k] += e * (zs - lpv);
            }
            chk[k] += lp_check(lraw);
        });
        s += sum_lanes(&es);
        mass += sum_lanes(&ps);
        cross += sum_lanes(&cs);
    }
    if !sum_lanes(&chk).is_finite() || !run_max.is_finite() {
        return None;
    }
    if rkl {
        cross /= s;
    }
    Some((run_max as f64 + s.ln(), cross, mass))
}

/// FKL gradient `(q − p)/T`.
#[inline(always)]
pub(crate) fn grad_fkl(lp: &[f32], z: &[f32], inv_t: f32, log_norm: f32, g: &mut [f32]) {
    for ((gv, &l), &zv) in g.iter_mut().zip(lp).zip(z) {
        *gv = (exp_f32(zv * inv_t - log_norm) - exp_f32(clamp_lp(l))) * inv_t;
    }
}

/// RKL gradient `q (lq − lp − RKL)/T`.
#[inline(always)]
pub(crate) fn grad_rkl(lp: &[f32], z: &[f32], inv_t: f32, log_norm: f32, loss: f32, g: &mut [f32]) {
    for ((gv, &l), &zv) in g.iter_mut().zip(lp).zip(z) {
        let lq = zv * inv_t - log_norm;
        *gv = exp_f32(lq) * (lq - clamp_lp(l) - loss) * inv_t;
    }
}

/// TVD: returns `(½ Σ|p − q|, Σ q·sign(q − p))`; when `g` is given stores `q·sign(q − p)` in it.
#[inline(always)]
pub(crate) fn tvd_sums(
    lp: &[f32],
    z: &[f32],
    inv_t: f32,
    log_norm: f32,
    g: Option<&mut [f32]>,
) -> (f64, f64) {
    let (mut l1, mut qs) = ([0.0f32; LANES], [0.0f32; LANES]);
    let term = |k: usize, l: f32, zv: f32| -> f32 {
        let (p, q) = (exp_f32(clamp_lp(l)), exp_f32(zv * inv_t - log_norm));
        let d = q - p;
        let qsgn = if d > 0.0 {
            q
        } else if d < 0.0 {
            -q
        } else {
            0.0
        };
        l1[k] += d.abs();
        qs[k] += qsgn;
        qsgn
    };
    for_lanes_store(lp, z, g, term);
    (0.5 * sum_lanes(&l1), sum_lanes(&qs))
}

/// TVD gradient from the stored `q·sign`: `½ (q·s − q Σ q s)/T`.
#[inline(always)]
pub(crate) fn grad_tvd(z: &[f32], inv_t: f32, log_norm: f32, qs: f32, g: &mut [f32]) {
    let half = 0.5 * inv_t;
    for (gv, &zv) in g.iter_mut().zip(z) {
        *gv = half * (*gv - exp_f32(zv * inv_t - log_norm) * qs);
    }
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

/// JSD[β] second pass: returns `(Σ p (lp − lm), Σ q (lq − lm))` and stores `g' = lq − lm` in `g`
/// when given; `lm = logaddexp(ln β + lp, ln(1 − β) + lq)`.
#[inline(always)]
pub(crate) fn jsd_sums(
    lp: &[f32],
    z: &[f32],
    inv_t: f32,
    log_norm: f32,
    beta: f64,
    g: Option<&mut [f32]>,
) -> (f64, f64) {
    let (lb, l1b) = (beta.ln() as f32, (1.0 - beta).ln() as f32);
    let (mut sp, mut sq) = ([0.0f32; LANES], [0.0f32; LANES]);
    let term = |k: usize, l: f32, zv: f32| -> f32 {
        let (lpv, lq) = (clamp_lp(l), zv * inv_t - log_norm);
        let (a, b) = (lb + lpv, l1b + lq);
        let (hi, lo) = if a > b { (a, b) } else { (b, a) };
        let lm = hi + ln_1p_unit(exp_f32(lo - hi));
        let gq = lq - lm;
        sp[k] += exp_f32(lpv) * (lpv - lm);
        sq[k] += exp_f32(lq) * gq;
        gq
    };
    for_lanes_store(lp, z, g, term);
    (sum_lanes(&sp), sum_lanes(&sq))
}

/// JSD gradient from the stored `g'`: `(1 − β) q (g' − KL(q‖m))/T`.
#[inline(always)]
pub(crate) fn grad_jsd(z: &[f32], inv_t: f32, log_norm: f32, beta: f64, kl_qm: f32, g: &mut [f32]) {
    let c = (1.0 - beta) as f32 * inv_t;
    for (gv, &zv) in g.iter_mut().zip(z) {
        *gv = c * exp_f32(zv * inv_t - log_norm) * (*gv - kl_qm);
    }
}
