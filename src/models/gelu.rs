//! BERT's exact GELU: `gelu(u) = u · Φ(u) = ½ u (1 + erf(u/√2))`, with
//! `gelu'(u) = Φ(u) + u φ(u)`, `φ(u) = e^{−u²/2}/√(2π)`.
//!
//! In f64 (the finite-difference checks) `erf` and `exp` are `libm`'s, to within 1 ulp. In f32
//! (inference and training speed) they are the branch-free [`erf_as`] (≤ 6.3e-7 absolute, the
//! formula PyTorch's vectorised CPU GELU uses) and [`Float::exp_poly`], in loops compiled for the
//! crate's SIMD level: the scalar `libm::erff` call per element was a sizeable part of an encoder
//! layer. Every level gives the same bits (no fused multiply-adds are formed).

use crate::float::Float;
use crate::ops::special::erf_as;
use crate::simd::dispatched;
use rayon::prelude::*;

/// Elements per parallel task (fixed: results do not depend on the thread count).
const CHUNK: usize = 4096;

/// Whether `T` is f64, where `erf` and `exp` are `libm`'s.
#[inline(always)]
fn exact<T: Float>() -> bool {
    T::EPS == f64::EPSILON
}

/// `erf(x)`: `libm` in f64, [`erf_as`] otherwise.
#[inline(always)]
fn erf<T: Float>(x: T) -> T {
    if exact::<T>() {
        T::of(libm::erf(x.as_f64()))
    } else {
        erf_as(x)
    }
}

/// `exp(x)`: `libm` in f64, the polynomial otherwise.
#[inline(always)]
fn exp<T: Float>(x: T) -> T {
    if exact::<T>() {
        x.exp()
    } else {
        x.exp_poly()
    }
}

/// Forced inline, so the body is compiled for the SIMD level of the `dispatched!` wrapper (not
/// inlined, it ran at the baseline level, its `mul_add`s as calls to the software `fmaf`).
#[inline(always)]
fn forward_body<T: Float>(u: &[T], f: &mut [T]) {
    let half = T::of(0.5);
    let inv_sqrt2 = T::of(std::f64::consts::FRAC_1_SQRT_2);
    for (f, &u) in f.iter_mut().zip(u) {
        *f = half * u * (T::one() + erf(u * inv_sqrt2));
    }
}

#[inline(always)]
fn backward_body<T: Float>(u: &[T], df: &[T], du: &mut [T]) {
    let half = T::of(0.5);
    let inv_sqrt2 = T::of(std::f64::consts::FRAC_1_SQRT_2);
    let inv_sqrt_2pi =
        T::of(0.5 * std::f64::consts::FRAC_2_SQRT_PI * std::f64::consts::FRAC_1_SQRT_2);
    for ((du, &u), &g) in du.iter_mut().zip(u).zip(df) {
        let cdf = half * (T::one() + erf(u * inv_sqrt2));
        let pdf = exp(-half * u * u) * inv_sqrt_2pi;
        *du = g * (cdf + u * pdf);
    }
}

dispatched!(
    /// [`forward_body`] at a SIMD level.
    fn forward_chunk(u: &[T], f: &mut [T]) => forward_body
);

dispatched!(
    /// [`backward_body`] at a SIMD level.
    fn backward_chunk(u: &[T], df: &[T], du: &mut [T]) => backward_body
);

/// `gelu(u)` elementwise.
pub fn forward<T: Float>(u: &[T]) -> Vec<T> {
    let level = crate::simd::level();
    let mut f = vec![T::zero(); u.len()];
    f.par_chunks_mut(CHUNK)
        .zip(u.par_chunks(CHUNK))
        .for_each(|(f, u)| forward_chunk::<T>(level, u, f));
    f
}

/// `du = df ∘ gelu'(u)`.
pub fn backward<T: Float>(u: &[T], df: &[T]) -> Vec<T> {
    let level = crate::simd::level();
    let mut du = vec![T::zero(); u.len()];
    du.par_chunks_mut(CHUNK)
        .zip(u.par_chunks(CHUNK).zip(df.par_chunks(CHUNK)))
        .for_each(|(du, (u, df))| backward_chunk::<T>(level, u, df, du));
    du
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simd::rows::available_levels;

    /// Claim: every SIMD level computes the same f32 bits, and f32 GELU tracks the f64 one (libm)
    /// to `erf_as`'s bound. Hypothesis: a grid over `[−10, 10]`, including 0 and the saturated
    /// tails. Measured: bitwise equality across levels; `|f32 − f64|`. Tolerance: forward
    /// `½|u|·6.3e-7` (the erf bound) plus 4 f32 ulps of the result; backward the same on `Φ` plus
    /// the polynomial `exp`'s 2 ulps on `u φ(u)`, times `|g|`.
    #[test]
    fn levels_agree_bitwise_and_f32_tracks_f64() {
        let u: Vec<f32> = (0..=5000).map(|i| (i as f32 - 2500.0) * 0.004).collect();
        let g: Vec<f32> = (0..u.len())
            .map(|i| ((i * 37) % 11) as f32 * 0.3 - 1.5)
            .collect();
        let mut runs = Vec::new();
        for level in available_levels() {
            let (mut f, mut du) = (vec![0.0f32; u.len()], vec![0.0f32; u.len()]);
            forward_chunk::<f32>(level, &u, &mut f);
            backward_chunk::<f32>(level, &u, &g, &mut du);
            runs.push((level, f, du));
        }
        for (level, f, du) in &runs[1..] {
            let bits = |x: &[f32]| x.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(f), bits(&runs[0].1), "forward at {level:?}");
            assert_eq!(bits(du), bits(&runs[0].2), "backward at {level:?}");
        }
        let u64: Vec<f64> = u.iter().map(|&x| x as f64).collect();
        let g64: Vec<f64> = g.iter().map(|&x| x as f64).collect();
        let (f, du) = (forward(&u), backward(&u, &g));
        let (f64_, du64) = (forward(&u64), backward(&u64, &g64));
        for i in 0..u.len() {
            let (x, eps) = (u64[i].abs(), f32::EPSILON as f64);
            let tol_f = 0.5 * x * 6.3e-7 + 4.0 * eps * f64_[i].abs();
            assert!(
                (f[i] as f64 - f64_[i]).abs() <= tol_f,
                "forward at u = {}",
                u[i]
            );
            let tol_b = g64[i].abs() * (0.5 * 6.3e-7 + 4.0 * eps * (1.0 + x)) + 4.0 * eps;
            assert!(
                (du[i] as f64 - du64[i]).abs() <= tol_b,
                "backward at u = {}",
                u[i]
            );
        }
    }
}
