//! Hostile inputs for `memorisation` (see `tests/hostile/mod.rs` for the classes of bad input).

use attnmech::memorisation::{
    classify_trajectory, distillation_loss, exact_1nn_memorisation, learning_speed,
    memorisation_estimate, sample_membership, spearman,
};
use attnmech::Error;

#[test]
fn distillation_loss_rejects_bad_temperatures_including_subnormal() {
    let (z, zt) = ([1.0, -1.0], [0.5, 0.2]);
    for t in [0.0, -1.0, f64::NAN, f64::INFINITY, 1e-320] {
        let r = distillation_loss(&z, &zt, &[0], 2, 0.5, t);
        assert!(
            matches!(r, Err(Error::InvalidArgument { .. })),
            "{t}: {r:?}"
        );
    }
    // τ passes but z/τ overflows.
    let r = distillation_loss(&[1e300, 0.0], &zt, &[0], 2, 0.5, 1e-10);
    assert!(matches!(r, Err(Error::InvalidArgument { .. })), "{r:?}");
}

#[test]
fn distillation_loss_rejects_overflowing_shape_nan_lambda_and_ids() {
    let r = distillation_loss(&[0.0; 2], &[0.0; 2], &[0, 0], usize::MAX, 0.5, 1.0);
    assert!(matches!(r, Err(Error::Overflow { .. })), "{r:?}");
    let r = distillation_loss(&[0.0; 2], &[0.0; 2], &[0], 3, 0.5, 1.0);
    assert!(matches!(r, Err(Error::ShapeMismatch { .. })), "{r:?}");
    let r = distillation_loss(&[0.0; 2], &[0.0; 2], &[2], 2, 0.5, 1.0);
    assert!(matches!(r, Err(Error::OutOfRange { .. })), "{r:?}");
    let r = distillation_loss(&[0.0, f64::NAN], &[0.0; 2], &[0], 2, 0.5, 1.0);
    assert!(matches!(r, Err(Error::NonFinite { .. })), "{r:?}");
    let r = distillation_loss(&[0.0; 2], &[0.0, f64::INFINITY], &[0], 2, 0.5, 1.0);
    assert!(matches!(r, Err(Error::NonFinite { .. })), "{r:?}");
    for l in [f64::NAN, -0.1, 1.1] {
        let r = distillation_loss(&[0.0; 2], &[0.0; 2], &[0], 2, l, 1.0);
        assert!(
            matches!(r, Err(Error::InvalidArgument { .. })),
            "{l}: {r:?}"
        );
    }
    let r = distillation_loss(&[], &[], &[], 2, 0.5, 1.0);
    assert!(matches!(r, Err(Error::Empty { .. })), "{r:?}");
}

#[test]
fn estimators_reject_wrong_lengths_and_overflowing_sizes() {
    let r = memorisation_estimate(&[1, 0], &[1, 0, 1], 2);
    assert!(r.is_err(), "{r:?}");
    let r = memorisation_estimate(&[1, 0], &[1, 0], usize::MAX);
    assert!(r.is_err(), "{r:?}");
    let r = sample_membership(usize::MAX, 1, usize::MAX, 0);
    assert!(matches!(r, Err(Error::Overflow { .. })), "{r:?}");
    let r = sample_membership(4, 5, 2, 0);
    assert!(r.is_err(), "{r:?}");
}

#[test]
fn exact_1nn_rejects_overflow_ids_and_nan() {
    let r = exact_1nn_memorisation(&[0.0, 1.0], &[0, 1], 1, 1);
    assert!(r.is_ok(), "{r:?}");
    let r = exact_1nn_memorisation(&[0.0, f64::NAN], &[0, 1], 1, 1);
    assert!(matches!(r, Err(Error::NonFinite { .. })), "{r:?}");
    let r = exact_1nn_memorisation(&[0.0, 1.0], &[0], 1, 1);
    assert!(matches!(r, Err(Error::ShapeMismatch { .. })), "{r:?}");
    let r = exact_1nn_memorisation(&[0.0, 1.0], &[0, 1], 0, 1);
    assert!(r.is_err(), "{r:?}");
    let r = exact_1nn_memorisation(&[0.0, 1.0], &[0, 1], 1, 3);
    assert!(r.is_err(), "{r:?}");
}

#[test]
fn proxies_and_trajectories_reject_nan_and_empty() {
    let r = spearman(&[1.0, f64::NAN], &[1.0, 2.0]);
    assert!(matches!(r, Err(Error::NonFinite { .. })), "{r:?}");
    let r = spearman(&[1.0, 2.0], &[1.0]);
    assert!(matches!(r, Err(Error::ShapeMismatch { .. })), "{r:?}");
    let r = learning_speed(&[0.5, f64::NAN], 2);
    assert!(matches!(r, Err(Error::NonFinite { .. })), "{r:?}");
    let r = learning_speed(&[0.5, 0.5], 0);
    assert!(r.is_err(), "{r:?}");
    let r = classify_trajectory(&[0.1, f64::NAN], 0.1);
    assert!(matches!(r, Err(Error::NonFinite { .. })), "{r:?}");
    let r = classify_trajectory(&[0.1, 0.2], f64::NAN);
    assert!(r.is_err(), "{r:?}");
    let r = classify_trajectory(&[], 0.1);
    assert!(matches!(r, Err(Error::InvalidArgument { .. })), "{r:?}");
    let r = spearman(&[1.0, 1.0, 1.0], &[1.0, 2.0, 3.0]);
    assert!(matches!(r, Err(Error::InvalidArgument { .. })), "{r:?}");
}

/// `MemEstimate::new` validates what the estimators guarantee: ragged parts, values off their
/// ranges and NaN are typed errors at construction (its consumers index the six vectors).
#[test]
fn mem_estimate_new_rejects_inconsistent_parts() {
    use attnmech::memorisation::MemEstimate;
    let ok = || {
        (
            vec![0.5, -0.25],
            vec![0.1, f64::INFINITY],
            vec![0.75, 0.5],
            vec![0.25, 0.75],
            vec![4u32, 0],
            vec![4u32, 8],
        )
    };
    let (m, s, pi, po, ki, ko) = ok();
    assert!(MemEstimate::new(m, s, pi, po, ki, ko).is_ok());
    let (m, s, pi, po, mut ki, ko) = ok();
    ki.pop();
    let r = MemEstimate::new(m, s, pi, po, ki, ko);
    assert!(matches!(r, Err(Error::ShapeMismatch { .. })), "{r:?}");
    let (mut m, s, pi, po, ki, ko) = ok();
    m[1] = f64::NAN;
    let r = MemEstimate::new(m, s, pi, po, ki, ko);
    assert!(matches!(r, Err(Error::NonFinite { .. })), "{r:?}");
    let (m, s, mut pi, po, ki, ko) = ok();
    pi[0] = 1.5;
    let r = MemEstimate::new(m, s, pi, po, ki, ko);
    assert!(matches!(r, Err(Error::InvalidArgument { .. })), "{r:?}");
    let (m, mut s, pi, po, ki, ko) = ok();
    s[0] = f64::NAN;
    let r = MemEstimate::new(m, s, pi, po, ki, ko);
    assert!(matches!(r, Err(Error::InvalidArgument { .. })), "{r:?}");
}
