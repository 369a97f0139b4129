//! BERT's exact GELU: `gelu(u) = u · Φ(u) = ½ u (1 + erf(u/√2))`, with
//! `gelu'(u) = Φ(u) + u φ(u)`, `φ(u) = e^{−u²/2}/√(2π)`. `erf` comes from `libm` (correctly
//! rounded to within 1 ulp in f64; `erff` for f32).

use crate::float::Float;
use rayon::prelude::*;

/// Elements per parallel task (fixed: results do not depend on the thread count).
const CHUNK: usize = 4096;

/// `erf(x)` in `T`'s precision.
#[inline]
fn erf<T: Float>(x: T) -> T {
    if T::EPS == f64::EPSILON {
        T::of(libm::erf(x.as_f64()))
    } else {
        T::of(libm::erff(x.as_f64() as f32) as f64)
    }
}

/// `gelu(u)` elementwise.
pub fn forward<T: Float>(u: &[T]) -> Vec<T> {
    let half = T::of(0.5);
    let inv_sqrt2 = T::of(std::f64::consts::FRAC_1_SQRT_2);
    let mut f = vec![T::zero(); u.len()];
    f.par_chunks_mut(CHUNK)
        .zip(u.par_chunks(CHUNK))
        .for_each(|(f, u)| {
            for (f, &u) in f.iter_mut().zip(u) {
                *f = half * u * (T::one() + erf(u * inv_sqrt2));
            }
        });
    f
}

/// `du = df ∘ gelu'(u)`.
pub fn backward<T: Float>(u: &[T], df: &[T]) -> Vec<T> {
    let half = T::of(0.5);
    let inv_sqrt2 = T::of(std::f64::consts::FRAC_1_SQRT_2);
    let inv_sqrt_2pi =
        T::of(0.5 * std::f64::consts::FRAC_2_SQRT_PI * std::f64::consts::FRAC_1_SQRT_2);
    let mut du = vec![T::zero(); u.len()];
    du.par_chunks_mut(CHUNK)
        .zip(u.par_chunks(CHUNK).zip(df.par_chunks(CHUNK)))
        .for_each(|(du, (u, df))| {
            for ((du, &u), &g) in du.iter_mut().zip(u).zip(df) {
                let cdf = half * (T::one() + erf(u * inv_sqrt2));
                let pdf = (-half * u * u).exp() * inv_sqrt_2pi;
                *du = g * (cdf + u * pdf);
            }
        });
    du
}
