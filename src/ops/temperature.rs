//! Temperature validation for `softmax(z / τ)`.
//!
//! A temperature must be finite and positive, and `1/τ` must be finite too: below
//! `τ ≈ 5.6e-309` (subnormal) the first division `z / τ` overflows to `±∞` for every `|z| ≥ 1`,
//! and the max-shift `z/τ − max z/τ` then turns into `∞ − ∞ = NaN`. The `τ → 0` limit (argmax
//! one-hot) is its own code path in the callers, never a tiny `τ`.

use crate::error::{Error, Result};
use crate::float::Float;

/// `factor · τ²`, the scale of a distillation loss's soft term (Hinton's τ² correction), or
/// [`Error::InvalidArgument`] when it overflows (a τ near `f64::MAX` passes
/// [`check_temperature`] but `τ²` does not fit, and `∞ · 0` would then be NaN).
pub fn tau_squared_scale(what: &'static str, tau: f64, factor: f64) -> Result<f64> {
    let scale = factor * tau * tau;
    if scale.is_finite() {
        Ok(scale)
    } else {
        Err(Error::InvalidArgument {
            what,
            reason: format!("the soft term's scale τ² overflows at τ = {tau}"),
        })
    }
}

/// Rejects a temperature that is not finite and positive, or whose reciprocal overflows.
pub fn check_temperature(what: &'static str, tau: f64) -> Result<()> {
    if tau.is_finite() && tau > 0.0 && (1.0 / tau).is_finite() {
        Ok(())
    } else {
        Err(Error::InvalidArgument {
            what,
            reason: format!("temperature must be finite and > 0 with 1/τ finite, got {tau}"),
        })
    }
}

/// Checks one row of logits for `softmax(z / τ)`: `τ` usable in `T` (in f32, a τ that passes
/// [`check_temperature`] may round to `∞` or have `1/τ = ∞`), no NaN or `+∞` (entries equal to `−∞` are
/// masks and allowed), and every scaled logit `z_v / τ` finite in `T` (a large `|z|` over a small
/// `τ` overflows even when `τ` itself passes [`check_temperature`]). `index_base` is added to
/// the position in errors (the row's flat offset).
pub fn check_scaled_logits<T: Float>(
    what: &'static str,
    z: &[T],
    tau: f64,
    index_base: usize,
) -> Result<()> {
    let t = T::of(tau);
    // τ is checked in f64; in f32 it may round to `∞` (τ > f32::MAX: `−∞/∞ = NaN` at a mask) or
    // to a subnormal whose reciprocal overflows.
    if !(t.is_finite() && t > T::zero() && t.recip().is_finite()) {
        return Err(Error::InvalidArgument {
            what: "temperature",
            reason: format!("τ = {tau} is not a usable temperature in {}", T::NAME),
        });
    }
    for (v, &x) in z.iter().enumerate() {
        if x == T::neg_infinity() {
            continue;
        }
        if !x.is_finite() {
            return Err(Error::NonFinite {
                what,
                index: index_base + v,
            });
        }
        if !(x / t).is_finite() {
            return Err(Error::InvalidArgument {
                what,
                reason: format!(
                    "entry {} / temperature {tau} overflows {}",
                    index_base + v,
                    T::NAME
                ),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tau_squared_scale_rejects_overflow_and_scales_otherwise() {
        assert_eq!(tau_squared_scale("tau", 2.0, 0.5), Ok(2.0));
        assert!(tau_squared_scale("tau", 1e200, 1.0).is_err());
        assert!(tau_squared_scale("tau", f64::MAX / 4.0, 0.5).is_err());
        // Planted bug: the unchecked product is ∞, and ∞ · 0 (a zero soft gradient) is NaN.
        let unchecked = 0.5 * (f64::MAX / 4.0) * (f64::MAX / 4.0);
        assert!((unchecked * 0.0).is_nan());
    }

    #[test]
    fn temperature_rejects_zero_negative_nan_inf_and_subnormal() {
        for tau in [0.0, -1.0, f64::NAN, f64::INFINITY, 1e-320, -0.0] {
            assert!(check_temperature("tau", tau).is_err(), "{tau}");
        }
        for tau in [1e-300, 1e-3, 1.0, 1e300] {
            assert!(check_temperature("tau", tau).is_ok(), "{tau}");
        }
    }

    #[test]
    fn scaled_logits_reject_overflow_but_allow_masks() {
        assert!(check_scaled_logits("z", &[1.0f64, f64::NEG_INFINITY], 1.0, 0).is_ok());
        assert!(check_scaled_logits("z", &[1e300f64], 1e-10, 0).is_err());
        assert!(check_scaled_logits("z", &[1e30f32], 1e-10, 0).is_err());
        assert_eq!(
            check_scaled_logits("z", &[0.0f64, f64::NAN], 1.0, 4),
            Err(Error::NonFinite {
                what: "z",
                index: 5
            })
        );
        assert!(check_scaled_logits("z", &[f64::INFINITY], 1.0, 0).is_err());
        // τ passes in f64 but not in f32: it rounds to ∞ (−∞/∞ = NaN at a mask) or its 1/τ
        // overflows.
        for tau in [f64::MAX, 1e39, 1e-39] {
            assert!(check_temperature("tau", tau).is_ok());
            assert!(check_scaled_logits("z", &[1.0f32, f32::NEG_INFINITY], tau, 0).is_err());
            assert!(check_scaled_logits("z", &[1.0f64, f64::NEG_INFINITY], tau, 0).is_ok());
        }
    }
}
