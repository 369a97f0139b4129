//! Hostile inputs for `ops` (see `tests/hostile/mod.rs` for the classes of bad input): the
//! validating softmax entry points, temperature and logit checks, distribution checks, and the
//! documented finite results of the unchecked row kernels on edge rows.

use attnmech::ops::{
    argmax, argmax_rows, check_distributions, check_scaled_logits, check_temperature,
    kl_divergence, log_softmax, logsumexp, softmax, softmax_in_place, softmax_rows,
};
use attnmech::Error;

const BAD_TAUS: [f64; 7] = [
    0.0,
    -0.0,
    -1.0,
    f64::NAN,
    f64::INFINITY,
    1e-320,
    f64::NEG_INFINITY,
];

#[test]
fn softmax_rejects_empty_non_finite_and_bad_temperatures() {
    for f in [softmax::<f64>, log_softmax::<f64>] {
        assert!(matches!(f(&[], 1.0), Err(Error::Empty { .. })));
        for bad in [f64::NAN, f64::INFINITY] {
            assert!(matches!(
                f(&[0.0, bad], 1.0),
                Err(Error::NonFinite { index: 1, .. })
            ));
        }
        for tau in BAD_TAUS {
            assert!(
                matches!(f(&[0.0, 1.0], tau), Err(Error::InvalidArgument { .. })),
                "{tau}"
            );
        }
        // z/τ overflows although τ itself is fine.
        assert!(matches!(
            f(&[1e300, 0.0], 1e-10),
            Err(Error::InvalidArgument { .. })
        ));
        // −∞ is a mask: a finite distribution.
        let p = f(&[f64::NEG_INFINITY, 0.0], 1.0).unwrap();
        assert!(!p[1].is_nan());
    }
    // f32: a temperature fine in f64 that underflows to 0 in f32 makes every z/τ non-finite.
    assert!(matches!(
        softmax::<f32>(&[0.0, 1.0], 1e-300),
        Err(Error::InvalidArgument { .. })
    ));
    assert!(matches!(
        softmax::<f32>(&[1e30, 0.0], 1e-10),
        Err(Error::InvalidArgument { .. })
    ));
}

#[test]
fn softmax_rows_rejects_zero_classes_ragged_lengths_and_bad_entries() {
    assert!(matches!(
        softmax_rows(&[0.0f64; 4], 0, 1.0),
        Err(Error::InvalidArgument { .. })
    ));
    assert!(matches!(
        softmax_rows(&[0.0f64; 5], 2, 1.0),
        Err(Error::ShapeMismatch { .. })
    ));
    assert!(matches!(
        softmax_rows::<f64>(&[], 2, 1.0),
        Err(Error::Empty { .. })
    ));
    assert!(matches!(
        softmax_rows(&[0.0, 0.0, f64::NAN, 0.0], 2, 1.0),
        Err(Error::NonFinite { index: 2, .. })
    ));
    for tau in BAD_TAUS {
        assert!(matches!(
            softmax_rows(&[0.0f64; 4], 2, tau),
            Err(Error::InvalidArgument { .. })
        ));
    }
    // A huge class count: the length check, not an overflow.
    assert!(matches!(
        softmax_rows(&[0.0f64; 3], usize::MAX, 1.0),
        Err(Error::ShapeMismatch { .. })
    ));
}

#[test]
fn temperature_and_logit_checks_reject_every_bad_class() {
    for tau in BAD_TAUS {
        assert!(
            matches!(
                check_temperature("t", tau),
                Err(Error::InvalidArgument { .. })
            ),
            "{tau}"
        );
    }
    assert!(check_temperature("t", f64::MIN_POSITIVE).is_ok());
    assert!(matches!(
        check_scaled_logits("z", &[0.0f64, f64::INFINITY], 1.0, 10),
        Err(Error::NonFinite { index: 11, .. })
    ));
    assert!(matches!(
        check_scaled_logits("z", &[f64::MAX], 0.5, 0),
        Err(Error::InvalidArgument { .. })
    ));
    assert!(check_scaled_logits("z", &[f64::NEG_INFINITY], 1e-300, 0).is_ok());
}

#[test]
fn check_distributions_rejects_every_bad_row() {
    assert!(matches!(
        check_distributions("p", &[1.0f64], 0),
        Err(Error::InvalidArgument { .. })
    ));
    assert!(matches!(
        check_distributions::<f64>("p", &[], 2),
        Err(Error::Empty { .. })
    ));
    assert!(matches!(
        check_distributions("p", &[1.0f64, 0.0, 1.0], 2),
        Err(Error::ShapeMismatch { .. })
    ));
    assert!(matches!(
        check_distributions("p", &[0.5f64, f64::NAN], 2),
        Err(Error::NonFinite { index: 1, .. })
    ));
    assert!(matches!(
        check_distributions("p", &[1.5f64, -0.5], 2),
        Err(Error::InvalidArgument { .. })
    ));
    assert!(matches!(
        check_distributions("p", &[0.5f64, 0.6], 2),
        Err(Error::InvalidArgument { .. })
    ));
    // Subnormal entries are finite and ≥ 0.
    assert_eq!(
        check_distributions("p", &[1.0f64, f64::MIN_POSITIVE / 4.0], 2),
        Ok(1)
    );
}

#[test]
fn unchecked_row_kernels_give_their_documented_results_on_edge_rows() {
    let ninf = f64::NEG_INFINITY;
    assert_eq!(logsumexp::<f64>(&[], 1.0), ninf);
    assert_eq!(logsumexp(&[ninf, ninf], 1.0), ninf);
    let mut row = [ninf, ninf];
    assert_eq!(softmax_in_place(&mut row), ninf);
    assert_eq!(row, [0.0, 0.0]);
    assert_eq!(argmax::<f64>(&[]), 0);
    assert_eq!(argmax(&[f64::NAN, f64::NAN]), 0);
    assert_eq!(argmax_rows(&[1.0, 2.0, 3.0], 0), vec![0, 0, 0]);
    assert_eq!(kl_divergence(&[0.0, 1.0], &[1.0, 0.0]), f64::INFINITY);
    assert_eq!(kl_divergence(&[0.0, 1.0], &[0.5, 0.5]), 2f64.ln());
}

/// Fuzz-found: a finite row whose `z/τ` spread past `f64::MAX` had a finite entry's
/// log-probability rounded to `−∞` (now `NonFinite` naming it); an f32 row at a τ that passes in
/// f64 but is `∞` or subnormal in f32 gave NaN (now `InvalidArgument`).
#[test]
fn log_softmax_rejects_overflowing_spread_and_f32_unusable_temperature() {
    let r = log_softmax(&[0.9 * f64::MAX, -0.9 * f64::MAX], 1.0);
    assert!(matches!(r, Err(Error::NonFinite { index: 1, .. })), "{r:?}");
    assert_eq!(
        softmax(&[0.9 * f64::MAX, -0.9 * f64::MAX], 1.0),
        Ok(vec![1.0, 0.0])
    );
    for tau in [f64::MAX, 1e39, 1e-39] {
        let z = [1.0f32, f32::NEG_INFINITY];
        let r = softmax(&z, tau);
        assert!(
            matches!(r, Err(Error::InvalidArgument { .. })),
            "{tau}: {r:?}"
        );
        let r = log_softmax(&z, tau);
        assert!(
            matches!(r, Err(Error::InvalidArgument { .. })),
            "{tau}: {r:?}"
        );
    }
    // A uniform row at −f64::MAX: −ln 2 each, not 0 (the shift `m + ln 2` rounds to `m`).
    let lp = log_softmax(&[-f64::MAX, -f64::MAX], 1.0).unwrap();
    assert!(lp.iter().all(|v| (v + 2f64.ln()).abs() < 1e-15), "{lp:?}");
}
