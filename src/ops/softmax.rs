//! Softmax, log-softmax and log-sum-exp of `z / τ`, max-shifted, generic over [`Float`].
//!
//! With `z' = z / τ` and `m = max_v z'_v`:
//!
//! ```text
//! logsumexp(z') = m + ln Σ_v exp(z'_v − m)
//! log_softmax(z')_v = z'_v − logsumexp(z')          (never formed as ln(softmax))
//! softmax(z')_v = exp(z'_v − m) / Σ_u exp(z'_u − m)
//! ```
//!
//! Entries equal to `−∞` are masks: they get probability `0` and log-probability `−∞`. A row whose
//! entries are **all** `−∞` (or an empty row) has `logsumexp = −∞`, `log_softmax` all `−∞` and
//! `softmax` all `0` (a zero row, not a distribution); nothing here returns NaN for such a row.
//!
//! The `_into` / `_in_place` kernels do not validate (hot loops): NaN or `+∞` in, NaN out, and
//! `τ` must pass [`check_temperature`] with every `z/τ` finite.
//! [`softmax`], [`log_softmax`] and [`softmax_rows`] validate first and return the crate's error.

use super::temperature::{check_scaled_logits, check_temperature};
use crate::error::{check_nonempty, Error, Result};
use crate::float::Float;

/// `max_v z_v / τ` (`−∞` for an empty or all-masked row).
#[inline]
fn scaled_max<T: Float>(z: &[T], tau: T) -> T {
    z.iter().fold(T::neg_infinity(), |m, &v| {
        num_traits::Float::max(m, v / tau)
    })
}

/// `ln Σ_v exp(z_v / τ)`, max-shifted; `−∞` for an empty or all-`−∞` row.
pub fn logsumexp<T: Float>(z: &[T], tau: T) -> T {
    let m = scaled_max(z, tau);
    if m == T::neg_infinity() {
        return m;
    }
    let s: T = z.iter().map(|&v| (v / tau - m).exp()).sum();
    m + s.ln()
}

/// The one log-softmax: `x ← (x/τ − m) − ln Σ exp(x/τ − m)`; returns the log-sum-exp. An
/// all-`−∞` row stays all `−∞`. Never `x/τ − (m + ln Σ)`: at `|m| ≫ 1/ε` (e.g. `m = −f64::MAX`)
/// the sum `m + ln Σ` rounds to `m`, and the log-probabilities of a uniform row come out `0`.
fn log_softmax_scaled_in_place<T: Float>(x: &mut [T], tau: T) -> T {
    let m = scaled_max(x, tau);
    if m == T::neg_infinity() {
        x.fill(m);
        return m;
    }
    let ln_s = x.iter().map(|&v| (v / tau - m).exp()).sum::<T>().ln();
    x.iter_mut().for_each(|v| *v = (*v / tau - m) - ln_s);
    m + ln_s
}

/// The one softmax: `x ← exp(x/τ − m) / Σ exp(x/τ − m)` with one `exp` per entry; returns the
/// log-sum-exp. An all-`−∞` row becomes all `0`.
fn softmax_scaled_in_place<T: Float>(x: &mut [T], tau: T) -> T {
    let m = scaled_max(x, tau);
    if m == T::neg_infinity() {
        x.fill(T::zero());
        return m;
    }
    let mut sum = T::zero();
    for v in x.iter_mut() {
        *v = (*v / tau - m).exp();
        sum += *v;
    }
    let r = sum.recip();
    x.iter_mut().for_each(|v| *v *= r);
    m + sum.ln()
}

/// Copies `z` into the front of `out` (the shorter length wins, as with `zip`).
fn copy_row<'a, T: Float>(z: &[T], out: &'a mut [T]) -> &'a mut [T] {
    let n = z.len().min(out.len());
    out[..n].copy_from_slice(&z[..n]);
    &mut out[..n]
}

/// `out = log_softmax(z / τ)` (`out.len() == z.len()`); returns the log-sum-exp. All-`−∞` row:
/// `out` all `−∞`, returns `−∞`.
pub fn log_softmax_into<T: Float>(z: &[T], tau: T, out: &mut [T]) -> T {
    let out = copy_row(z, out);
    log_softmax_scaled_in_place(out, tau)
}

/// `out = softmax(z / τ)` with one `exp` per entry (`out.len() == z.len()`); returns the
/// log-sum-exp. All-`−∞` row: `out` all `0`, returns `−∞`.
pub fn softmax_into<T: Float>(z: &[T], tau: T, out: &mut [T]) -> T {
    let out = copy_row(z, out);
    softmax_scaled_in_place(out, tau)
}

/// In-place `x ← log_softmax(x)` (`τ = 1`); returns the log-sum-exp. An all-`−∞` row is left
/// unchanged (all `−∞`) and `−∞` is returned.
pub fn log_softmax_in_place<T: Float>(x: &mut [T]) -> T {
    log_softmax_scaled_in_place(x, T::one())
}

/// In-place `x ← softmax(x)` (`τ = 1`); returns the log-sum-exp. An all-`−∞` row becomes all `0`.
pub fn softmax_in_place<T: Float>(x: &mut [T]) -> T {
    softmax_scaled_in_place(x, T::one())
}

/// `softmax(z)` (`τ = 1`) as a new vector; unchecked like [`softmax_in_place`].
pub fn softmax_to_vec<T: Float>(z: &[T]) -> Vec<T> {
    let mut p = z.to_vec();
    softmax_in_place(&mut p);
    p
}

fn check_row<T: Float>(what: &'static str, z: &[T], tau: f64) -> Result<()> {
    check_nonempty(what, z)?;
    check_temperature("temperature", tau)?;
    check_scaled_logits(what, z, tau, 0)
}

/// `softmax(z / τ)` of one row.
///
/// # Errors
/// `Empty` for an empty row; `NonFinite` for NaN or `+∞` logits (`−∞` is a mask); `InvalidArgument`
/// for a temperature rejected by [`check_temperature`] or a `z/τ` that overflows.
pub fn softmax<T: Float>(z: &[T], tau: f64) -> Result<Vec<T>> {
    check_row("logits", z, tau)?;
    let mut out = vec![T::zero(); z.len()];
    softmax_into(z, T::of(tau), &mut out);
    Ok(out)
}

/// `log_softmax(z / τ)` of one row.
///
/// # Errors
/// As [`softmax`], plus `NonFinite` (named `"log_softmax (overflow from finite logits)"`, at the
/// entry) when an unmasked log-probability `z_v/τ − logsumexp` overflows `T`: every `z/τ` is
/// finite but their spread exceeds `T::MAX` (e.g. `±0.9·f64::MAX`), so the true value
/// `≈ −2·0.9·f64::MAX` has no representation. The softmax of such a row is still defined (that
/// entry's probability is `0`). Checked on the output, O(L), once per call.
pub fn log_softmax<T: Float>(z: &[T], tau: f64) -> Result<Vec<T>> {
    check_row("logits", z, tau)?;
    let mut out = vec![T::zero(); z.len()];
    log_softmax_into(z, T::of(tau), &mut out);
    // Only an unmasked entry can overflow: a mask's `−∞` is its documented value.
    if let Some(index) = out
        .iter()
        .zip(z)
        .position(|(o, &x)| !o.is_finite() && x != T::neg_infinity())
    {
        return Err(Error::NonFinite {
            what: "log_softmax (overflow from finite logits)",
            index,
        });
    }
    Ok(out)
}

/// Row-wise `softmax(z / τ)` of row-major `[n, classes]` logits.
///
/// # Errors
/// As [`softmax`] (entry indices are flat), plus `InvalidArgument` for `classes = 0` and
/// `ShapeMismatch` when the length is not a multiple of `classes`.
pub fn softmax_rows<T: Float>(logits: &[T], classes: usize, tau: f64) -> Result<Vec<T>> {
    if classes == 0 {
        return Err(Error::InvalidArgument {
            what: "classes",
            reason: "need at least one class".into(),
        });
    }
    check_nonempty("logits", logits)?;
    if !logits.len().is_multiple_of(classes) {
        return Err(Error::ShapeMismatch {
            what: "logits",
            expected: logits.len().div_ceil(classes) * classes,
            got: logits.len(),
        });
    }
    check_temperature("temperature", tau)?;
    check_scaled_logits("logits", logits, tau, 0)?;
    let mut out = vec![T::zero(); logits.len()];
    let t = T::of(tau);
    for (z, o) in logits
        .chunks_exact(classes)
        .zip(out.chunks_exact_mut(classes))
    {
        softmax_into(z, t, o);
    }
    Ok(out)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Plain f64 oracle, straight from the definition (no shift: inputs kept small).
    pub(crate) fn naive_softmax(z: &[f64], tau: f64) -> Vec<f64> {
        let e: Vec<f64> = z.iter().map(|v| (v / tau).exp()).collect();
        let s: f64 = e.iter().sum();
        e.iter().map(|x| x / s).collect()
    }

    const ROWS: [&[f64]; 4] = [
        &[0.3],
        &[1.0, -2.0, 0.5],
        &[3.0, 3.0, 3.0, 3.0],
        &[-7.0, 0.0, 7.0],
    ];

    #[test]
    fn matches_plain_formulas() {
        for z in ROWS {
            for tau in [0.25, 1.0, 3.0] {
                let want = naive_softmax(z, tau);
                let lse_want = z.iter().map(|v| (v / tau).exp()).sum::<f64>().ln();
                let p = softmax(z, tau).unwrap();
                let lp = log_softmax(z, tau).unwrap();
                assert!((logsumexp(z, tau) - lse_want).abs() < 1e-14);
                for v in 0..z.len() {
                    assert!((p[v] - want[v]).abs() < 1e-15, "{z:?} {tau}");
                    assert!((lp[v] - want[v].ln()).abs() < 1e-13, "{z:?} {tau}");
                }
                let mut x = z.to_vec();
                if tau == 1.0 {
                    let lse = softmax_in_place(&mut x);
                    assert!((lse - lse_want).abs() < 1e-14);
                    assert!(x.iter().zip(&want).all(|(a, b)| (a - b).abs() < 1e-15));
                    let mut y = z.to_vec();
                    log_softmax_in_place(&mut y);
                    assert!(y.iter().zip(&lp).all(|(a, b)| (a - b).abs() < 1e-15));
                }
            }
        }
    }

    #[test]
    fn f32_agrees_with_f64() {
        let z = [1.5f64, -0.25, 4.0, 0.0];
        let p64 = softmax(&z, 0.7).unwrap();
        let z32: Vec<f32> = z.iter().map(|&v| v as f32).collect();
        let p32 = softmax(&z32, 0.7).unwrap();
        for (a, b) in p32.iter().zip(&p64) {
            assert!((f64::from(*a) - b).abs() < 1e-6);
        }
    }

    #[test]
    fn masked_entries_and_all_masked_rows_are_defined() {
        let ninf = f64::NEG_INFINITY;
        let p = softmax(&[0.0, ninf, 0.0], 2.0).unwrap();
        assert_eq!(p, vec![0.5, 0.0, 0.5]);
        let lp = log_softmax(&[0.0, ninf], 1.0).unwrap();
        assert_eq!(lp, vec![0.0, ninf]);
        // All −∞: a zero row, −∞ log-probabilities, −∞ log-sum-exp; never NaN.
        assert_eq!(softmax(&[ninf, ninf], 1.0).unwrap(), vec![0.0, 0.0]);
        assert_eq!(log_softmax(&[ninf, ninf], 0.5).unwrap(), vec![ninf, ninf]);
        assert_eq!(logsumexp(&[ninf, ninf], 1.0), ninf);
        let mut x = [ninf; 3];
        assert_eq!(log_softmax_in_place(&mut x), ninf);
        assert_eq!(x, [ninf; 3]);
        assert_eq!(softmax_in_place(&mut x), ninf);
        assert_eq!(x, [0.0; 3]);
        let r = softmax_rows(&[ninf, ninf, 1.0, 1.0], 2, 1.0).unwrap();
        assert_eq!(r, vec![0.0, 0.0, 0.5, 0.5]);
    }

    #[test]
    fn extreme_temperatures() {
        // τ large: uniform to rounding; τ small: one-hot at the max, still no NaN.
        let z = [1.0f64, 2.0, 3.0];
        let p = softmax(&z, 1e300).unwrap();
        assert!(p.iter().all(|&v| (v - 1.0 / 3.0).abs() < 1e-15));
        let p = softmax(&z, 1e-300).unwrap();
        assert_eq!(p, vec![0.0, 0.0, 1.0]);
        let lp = log_softmax(&z, 1e-300).unwrap();
        assert_eq!(lp[2], 0.0);
        assert!(lp[0] < -1e299 && lp[0].is_finite());
        // Subnormal τ: z/τ overflows, so it is an error and not NaN.
        assert!(softmax(&z, 1e-320).is_err());
        assert!(log_softmax(&[1e300, 0.0], 1e-10).is_err());
        assert!(softmax(&z, 0.0).is_err());
        assert!(softmax(&z, f64::INFINITY).is_err());
        // Every z/τ finite but the spread overflows: the log-probability of the low entry is
        // ≈ −1.8·f64::MAX, an error naming the entry; its softmax (0) is defined.
        let wide = [0.9 * f64::MAX, -0.9 * f64::MAX, f64::NEG_INFINITY];
        assert_eq!(
            log_softmax(&wide, 1.0),
            Err(Error::NonFinite {
                what: "log_softmax (overflow from finite logits)",
                index: 1
            })
        );
        assert_eq!(softmax(&wide, 1.0).unwrap(), vec![1.0, 0.0, 0.0]);
        // At m = −f64::MAX the shift alone keeps a uniform row's log-probabilities at −ln 2.
        let lp = log_softmax(&[-f64::MAX, -f64::MAX], 1.0).unwrap();
        assert!(lp.iter().all(|v| (v + 2f64.ln()).abs() < 1e-15), "{lp:?}");
        // Planted bug: the unchecked kernel returns −∞ for that finite entry.
        let mut out = [0.0; 3];
        log_softmax_into(&wide, 1.0, &mut out);
        assert_eq!(out[1], f64::NEG_INFINITY);
    }

    #[test]
    fn validation() {
        assert!(softmax::<f64>(&[], 1.0).is_err());
        assert!(softmax(&[f64::NAN], 1.0).is_err());
        assert!(softmax(&[f64::INFINITY, 0.0], 1.0).is_err());
        assert!(softmax_rows(&[1.0, 2.0, 3.0], 2, 1.0).is_err());
        assert!(softmax_rows(&[1.0, 2.0], 0, 1.0).is_err());
        let r = softmax_rows(&[0.0, 0.0, 1.0, 3.0], 2, 1.0).unwrap();
        let want = naive_softmax(&[1.0, 3.0], 1.0);
        assert_eq!(&r[..2], &[0.5, 0.5]);
        assert!((r[2] - want[0]).abs() < 1e-15 && (r[3] - want[1]).abs() < 1e-15);
    }
}
