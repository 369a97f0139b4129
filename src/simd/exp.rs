//! Branch-free polynomial `exp` for `f32` and `f64`, written in plain arithmetic and bit operations so
//! that the same source compiles to scalar code on any target and auto-vectorises inside the
//! `#[target_feature]` row kernels of [`super::simd`].
//!
//! # Algorithm (Cephes `expf` / `exp`)
//! Range reduction `x = n·ln2 + r`, `n = round(x·log2 e)`, `|r| ≤ ln2/2`, with `ln 2` split into a
//! high part exact in a few bits and a low correction, so `r` is computed with no cancellation
//! error; then `exp(r)` by a polynomial (f32: degree 7 in Horner form, minimax on `[−ln2/2, ln2/2]`)
//! or a Padé form (f64: `1 + 2·r·P(r²)/(Q(r²) − r·P(r²))`), and `exp(x) = 2ⁿ·exp(r)` by building
//! `2ⁿ` from its exponent bits. `round` uses the `1.5·2^p` magic constant (exact for
//! `|x·log2 e| < 2^(p−1)`), so no libm call and no float→int conversion is needed.
//!
//! # Domain and error
//! - Inputs below `ln(MIN_POSITIVE)` (f32: −87.34, f64: −708.4), including `−∞`, return exactly `0`
//!   (the subnormal range is flushed: the kernels only take `exp` of `s − max ≤ 0`, where such
//!   terms are below `2⁻¹²⁶` relative to the leading term 1 and cannot change a rounded sum).
//! - Inputs above `ln(MAX)` saturate at the largest finite power (the kernels never pass them).
//! - Error: f32 ≤ 2 ulp, f64 ≤ 2 ulp on `[−87, 88]` / `[−708, 709]`, measured against `f64::exp`
//!   (`tests::exp_f32_ulp`, `tests::exp_f64_ulp`); Cephes quotes 1.0e-7 (f32) and 2.2e-16 (f64)
//!   peak relative error. Every multiply-add is an explicit `mul_add` (one rounding): a single FMA
//!   instruction where the target has FMA, a correctly rounded libm `fma` otherwise, so the scalar
//!   and vectorised builds of this code produce the same bits.

/// `exp` of any kernel float: its [`Float::exp_poly`] (resolved statically per type).
#[inline(always)]
pub(crate) fn exp<T: Float>(x: T) -> T {
    x.exp_poly()
}

use crate::float::Float;

// The Cephes coefficients are kept digit for digit as published (some carry more digits than the
// type holds), so they can be checked against the source.
/// The f32 polynomial `exp` (see the [module docs](self)).
#[allow(clippy::excessive_precision)]
#[inline(always)]
pub(crate) fn exp_f32(x: f32) -> f32 {
    {
        const LOG2E: f32 = std::f32::consts::LOG2_E;
        // ln2 = LN2_HI + LN2_LO, LN2_HI has 9 significant bits so n·LN2_HI is exact for |n| < 2^15.
        const LN2_HI: f32 = 0.693_359_4;
        const LN2_LO: f32 = -2.121_944_4e-4;
        const MAGIC: f32 = 12_582_912.0; // 1.5·2^23
        const LO: f32 = -87.336_55; // ln(f32::MIN_POSITIVE)
        const HI: f32 = 88.376_26;
        let xc = if x < LO { LO } else { x };
        let xc = if xc > HI { HI } else { xc };
        let t = xc.mul_add(LOG2E, MAGIC);
        let n = t - MAGIC;
        let r = n.mul_add(-LN2_HI, xc);
        let r = n.mul_add(-LN2_LO, r);
        let z = r * r;
        let mut p = 1.987_569_1e-4_f32;
        p = p.mul_add(r, 1.398_199_9e-3);
        p = p.mul_add(r, 8.333_452e-3);
        p = p.mul_add(r, 4.166_579_6e-2);
        p = p.mul_add(r, 1.666_666_5e-1);
        p = p.mul_add(r, 5.000_000_1e-1);
        let y = p.mul_add(z, r) + 1.0;
        // n as an integer, read from the low mantissa bits of t; clamp keeps n in [−126, 127].
        let ni = (t.to_bits() as i32).wrapping_sub(0x4B40_0000);
        let ni = if ni > 127 { 127 } else { ni };
        let pow2 = f32::from_bits(((ni + 127) as u32) << 23);
        if x < LO {
            0.0
        } else {
            y * pow2
        }
    }
}

/// The f64 Padé `exp` (see the [module docs](self)).
#[allow(clippy::excessive_precision)]
#[inline(always)]
pub(crate) fn exp_f64(x: f64) -> f64 {
    {
        const LOG2E: f64 = std::f64::consts::LOG2_E;
        const C1: f64 = 6.931_457_519_531_25e-1;
        const C2: f64 = 1.428_606_820_309_417_232_12e-6;
        const MAGIC: f64 = 6_755_399_441_055_744.0; // 1.5·2^52
        const LO: f64 = -708.396_418_532_264; // ln(f64::MIN_POSITIVE)
        const HI: f64 = 709.782_712_893_384;
        const P0: f64 = 1.261_771_930_748_105_908_78e-4;
        const P1: f64 = 3.029_944_077_074_419_613_00e-2;
        const P2: f64 = 9.999_999_999_999_999_999_10e-1;
        const Q0: f64 = 3.001_985_051_386_644_550_42e-6;
        const Q1: f64 = 2.524_483_403_496_841_041_92e-3;
        const Q2: f64 = 2.272_655_482_081_550_287_66e-1;
        const Q3: f64 = 2.000_000_000_000_000_000_09;
        let xc = if x < LO { LO } else { x };
        let xc = if xc > HI { HI } else { xc };
        let t = xc.mul_add(LOG2E, MAGIC);
        let n = t - MAGIC;
        let r = n.mul_add(-C1, xc);
        let r = n.mul_add(-C2, r);
        let rr = r * r;
        let px = r * P0.mul_add(rr, P1).mul_add(rr, P2);
        let qx = Q0.mul_add(rr, Q1).mul_add(rr, Q2).mul_add(rr, Q3);
        let y = 1.0 + 2.0 * (px / (qx - px));
        let ni = (t.to_bits() as i64).wrapping_sub(0x4338_0000_0000_0000);
        let ni = if ni > 1023 { 1023 } else { ni };
        let pow2 = f64::from_bits(((ni + 1023) as u64) << 52);
        if x < LO {
            0.0
        } else {
            y * pow2
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::float::Float;

    fn ulp_f32(x: f32) -> f64 {
        let next = f32::from_bits(x.to_bits() + 1);
        (next - x) as f64
    }

    /// Claim: the f32 polynomial is within 2 ulp of the exactly rounded `exp` on the kernel's
    /// domain (and 0 below it). Measured: max |exp_poly(x) − exp(x as f64)| / ulp over a dense grid
    /// of 2·10⁶ points in [−87, 88] plus the special values. Tolerance 2 ulp (Cephes: ~1 ulp).
    #[test]
    fn exp_f32_ulp() {
        let mut worst = 0.0f64;
        let steps = 2_000_000;
        for k in 0..=steps {
            let x = -87.0f32 + 175.0 * (k as f32 / steps as f32);
            let got = x.exp_poly();
            let want = (x as f64).exp();
            let err = (got as f64 - want).abs() / ulp_f32(want as f32);
            worst = worst.max(err);
        }
        assert!(worst <= 2.0, "max error {worst} ulp");
        assert_eq!(f32::NEG_INFINITY.exp_poly(), 0.0);
        assert_eq!((-100.0f32).exp_poly(), 0.0);
        assert_eq!(0.0f32.exp_poly(), 1.0);
        assert!((1e-30f32).exp_poly() == 1.0);
    }

    /// Claim: the f64 Padé form is within 2 ulp of `f64::exp` (itself correctly rounded to < 1 ulp)
    /// on [−708, 709]. Tolerance 2 ulp: 1 for the approximation, 1 for the oracle.
    #[test]
    fn exp_f64_ulp() {
        let mut worst = 0.0f64;
        let steps = 1_000_000;
        for k in 0..=steps {
            let x = -708.0 + 1417.0 * (k as f64 / steps as f64);
            let got = x.exp_poly();
            let want = x.exp();
            let ulp = f64::from_bits(want.to_bits() + 1) - want;
            worst = worst.max((got - want).abs() / ulp);
        }
        assert!(worst <= 2.0, "max error {worst} ulp");
        assert_eq!(f64::NEG_INFINITY.exp_poly(), 0.0);
        assert_eq!((-1000.0f64).exp_poly(), 0.0);
        assert_eq!(0.0f64.exp_poly(), 1.0);
    }
}
