//! The shared numerics of `attnmech::ops` that no paper check exercises at their edges.

use attnmech::ops::{max_propagating_nan, min_propagating_nan};

/// A worst case (max) or smallest ratio (min) that feeds a verdict must come out NaN when any
/// term is NaN, in either argument position and inside a fold, so that every `≤`/`>` bound on it
/// fails; finite arguments give the plain max/min. Kills `reduce.rs: replace || with &&` in both
/// functions (a NaN in one argument only then slips through `f64::max`/`f64::min`).
#[test]
fn nan_propagating_extrema() {
    for f in [max_propagating_nan, min_propagating_nan] {
        assert!(f(1.0, f64::NAN).is_nan());
        assert!(f(f64::NAN, 1.0).is_nan());
        assert!(f(f64::NAN, f64::NAN).is_nan());
        assert!([0.5, f64::NAN, 2.0].into_iter().fold(1.0, f).is_nan());
    }
    assert_eq!(max_propagating_nan(1.0, 2.0), 2.0);
    assert_eq!(min_propagating_nan(1.0, 2.0), 1.0);
    assert_eq!(max_propagating_nan(f64::NEG_INFINITY, -3.0), -3.0);
    assert_eq!(min_propagating_nan(f64::INFINITY, -3.0), -3.0);
}
