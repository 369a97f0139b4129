//! Reductions that keep a NaN visible.
//!
//! `f64::max` returns the other operand when one is NaN, so a running `worst = worst.max(err)`
//! silently drops a NaN error and reports a smaller worst case than the one measured: a check
//! built on it passes on exactly the inputs where the computation broke. A worst-case error feeds
//! a verdict, so it must come out NaN (and fail every `≤` bound) when any term is NaN.

/// `max(a, b)`, but NaN when either is NaN (IEEE 754-2019 `maximum`; `f64::maximum` is not
/// stable on Rust 1.95).
///
/// ```
/// use attnmech::ops::max_propagating_nan;
/// assert_eq!(max_propagating_nan(1.0, 2.0), 2.0);
/// assert!(max_propagating_nan(1.0, f64::NAN).is_nan());
/// assert!(max_propagating_nan(f64::NAN, 1.0).is_nan());
/// // a running worst case stays NaN once a NaN term appears
/// let worst = [0.1, f64::NAN, 0.3].into_iter().fold(0.0, max_propagating_nan);
/// assert!(worst.is_nan());
/// assert_eq!(0.3_f64.max(f64::NAN), 0.3); // what `f64::max` would have reported
/// ```
#[inline]
pub fn max_propagating_nan(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else {
        a.max(b)
    }
}

/// `min(a, b)`, but NaN when either is NaN (IEEE 754-2019 `minimum`); the partner of
/// [`max_propagating_nan`] for a smallest ratio that feeds a `>` bound.
///
/// ```
/// use attnmech::ops::min_propagating_nan;
/// assert_eq!(min_propagating_nan(1.0, 2.0), 1.0);
/// assert!(min_propagating_nan(1.0, f64::NAN).is_nan());
/// ```
#[inline]
pub fn min_propagating_nan(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else {
        a.min(b)
    }
}
