//! Checking that rows hold probability distributions.

use crate::error::{check_nonempty, Error, Result};
use crate::float::Float;

/// Tolerance on `|Σ p − 1|` for a row of `classes` entries of type `T`:
/// `max(1e-12·C, 4·ε_T·√C)` (the crate's `1e-12·C` convention, widened to the rounding of `T`;
/// for `f64` it is exactly `1e-12·C`).
pub fn normalisation_tolerance<T: Float>(classes: usize) -> f64 {
    (1e-12 * classes as f64).max(4.0 * T::EPS * (classes as f64).sqrt())
}

/// Checks one row: every entry finite and `≥ 0`, the sum (accumulated in f64) within
/// [`normalisation_tolerance`] of 1. `r` is the row's index, for the message.
pub fn check_distribution_row<T: Float>(what: &'static str, r: usize, row: &[T]) -> Result<()> {
    let mut sum = 0.0f64;
    for (v, &x) in row.iter().enumerate() {
        if !x.is_finite() {
            return Err(Error::NonFinite {
                what,
                index: r * row.len() + v,
            });
        }
        if x < T::zero() {
            return Err(Error::InvalidArgument {
                what,
                reason: format!("row {r} is not a distribution: entry {v} is {x} < 0"),
            });
        }
        sum += x.as_f64();
    }
    let tol = normalisation_tolerance::<T>(row.len());
    if (sum - 1.0).abs() > tol {
        return Err(Error::InvalidArgument {
            what,
            reason: format!("row {r} is not a distribution: sums to {sum} (tolerance {tol:e})"),
        });
    }
    Ok(())
}

/// Checks that row-major `[n, classes]` `probs` holds `n ≥ 1` probability distributions (see
/// [`check_distribution_row`]); returns `n`.
///
/// # Errors
/// `InvalidArgument` for `classes = 0` or a row that is not a distribution; `Empty`; `ShapeMismatch`
/// when the length is not a multiple of `classes`; `NonFinite` (flat index).
pub fn check_distributions<T: Float>(
    what: &'static str,
    probs: &[T],
    classes: usize,
) -> Result<usize> {
    if classes == 0 {
        return Err(Error::InvalidArgument {
            what: "classes",
            reason: "need at least one class".into(),
        });
    }
    check_nonempty(what, probs)?;
    if !probs.len().is_multiple_of(classes) {
        return Err(Error::ShapeMismatch {
            what,
            expected: probs.len().div_ceil(classes) * classes,
            got: probs.len(),
        });
    }
    for (r, row) in probs.chunks_exact(classes).enumerate() {
        check_distribution_row(what, r, row)?;
    }
    Ok(probs.len() / classes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_distributions_and_rejects_the_rest() {
        assert_eq!(check_distributions("p", &[0.25, 0.75, 1.0, 0.0], 2), Ok(2));
        assert!(check_distributions("p", &[0.5, 0.6], 2).is_err());
        assert!(check_distributions("p", &[1.5, -0.5], 2).is_err());
        assert!(check_distributions("p", &[f64::NAN, 1.0], 2).is_err());
        assert!(check_distributions("p", &[1.0, 0.0, 1.0], 2).is_err());
        assert!(check_distributions::<f64>("p", &[], 2).is_err());
        assert!(check_distributions("p", &[1.0], 0).is_err());
        // f32 rows get the f32 rounding tolerance.
        let third = 1.0f32 / 3.0;
        assert!(check_distributions("p", &[third, third, third], 3).is_ok());
        assert_eq!(normalisation_tolerance::<f64>(10), 1e-11);
    }
}
