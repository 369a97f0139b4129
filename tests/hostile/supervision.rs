//! Hostile inputs for `supervision` (see `tests/hostile/mod.rs` for the classes of bad input).

use attnmech::supervision::complexity::{rademacher_term, supervision_complexity, GramFactor};
use attnmech::supervision::{
    argmax_one_hot, kd_loss_and_grad, margin_bound, one_hot, relu_ntk_gram, teacher_probabilities,
    TwoLayerRelu,
};
use attnmech::Error;
use faer::Mat;

#[test]
fn teacher_probabilities_rejects_bad_temperatures_including_subnormal() {
    let z = Mat::from_fn(2, 3, |i, j| (i + j) as f64);
    for t in [0.0, -1.0, f64::NAN, f64::INFINITY, 1e-320] {
        let r = teacher_probabilities(z.as_ref(), t);
        assert!(
            matches!(r, Err(Error::InvalidArgument { .. })),
            "{t}: {r:?}"
        );
    }
    let big = Mat::from_fn(1, 2, |_, j| if j == 0 { 1e300 } else { 0.0 });
    let r = teacher_probabilities(big.as_ref(), 1e-10);
    assert!(matches!(r, Err(Error::InvalidArgument { .. })), "{r:?}");
    let nan = Mat::from_fn(1, 2, |_, j| if j == 0 { f64::NAN } else { 0.0 });
    let r = teacher_probabilities(nan.as_ref(), 1.0);
    assert!(matches!(r, Err(Error::NonFinite { .. })), "{r:?}");
    let r = argmax_one_hot(nan.as_ref());
    assert!(matches!(r, Err(Error::NonFinite { .. })), "{r:?}");
}

#[test]
fn kd_loss_and_grad_rejects_bad_temperature_shapes_and_teacher() {
    let p = Mat::from_fn(2, 2, |_, _| 0.5);
    let z = Mat::from_fn(2, 2, |i, j| (i * 2 + j) as f64);
    for t in [0.0, f64::NAN, 1e-320] {
        let r = kd_loss_and_grad(p.as_ref(), z.as_ref(), t);
        assert!(
            matches!(r, Err(Error::InvalidArgument { .. })),
            "{t}: {r:?}"
        );
    }
    let z3 = Mat::from_fn(3, 2, |_, _| 0.0);
    let r = kd_loss_and_grad(p.as_ref(), z3.as_ref(), 1.0);
    assert!(matches!(r, Err(Error::ShapeMismatch { .. })), "{r:?}");
    let bad = Mat::from_fn(2, 2, |_, _| 0.7);
    let r = kd_loss_and_grad(bad.as_ref(), z.as_ref(), 1.0);
    assert!(matches!(r, Err(Error::InvalidArgument { .. })), "{r:?}");
    let r = one_hot(&[0, 2], 2);
    assert!(matches!(r, Err(Error::OutOfRange { .. })), "{r:?}");
    let r = one_hot(&[], 2);
    assert!(matches!(r, Err(Error::Empty { .. })), "{r:?}");
}

#[test]
fn complexity_rejects_nan_ridge_non_square_and_overflow() {
    let k = Mat::from_fn(2, 2, |i, j| if i == j { 1.0 } else { 0.0 });
    for ridge in [f64::NAN, -1.0, f64::INFINITY] {
        let r = GramFactor::new(k.as_ref(), ridge);
        assert!(
            matches!(r, Err(Error::InvalidArgument { .. })),
            "{ridge}: {r:?}"
        );
    }
    let rect = Mat::from_fn(2, 3, |_, _| 1.0);
    let r = GramFactor::new(rect.as_ref(), 0.0);
    assert!(matches!(r, Err(Error::ShapeMismatch { .. })), "{r:?}");
    let nan = Mat::from_fn(2, 2, |i, j| if i == j { f64::NAN } else { 0.0 });
    let r = GramFactor::new(nan.as_ref(), 0.0);
    assert!(matches!(r, Err(Error::NonFinite { .. })), "{r:?}");
    let y = Mat::from_fn(3, 1, |_, _| 1.0);
    let r = supervision_complexity(k.as_ref(), y.as_ref(), 0.0);
    assert!(matches!(r, Err(Error::ShapeMismatch { .. })), "{r:?}");
    let r = rademacher_term(1e300, 1e300, 2);
    assert!(matches!(r, Err(Error::InvalidArgument { .. })), "{r:?}");
    let r = rademacher_term(f64::NAN, 1.0, 2);
    assert!(matches!(r, Err(Error::NonFinite { .. })), "{r:?}");
}

#[test]
fn margin_bound_rejects_nan_and_overflow() {
    let r = margin_bound(&[0.5, f64::NAN], 0.1, 1.0, 1.0, 0.05);
    assert!(matches!(r, Err(Error::NonFinite { .. })), "{r:?}");
    let r = margin_bound(&[0.5], f64::NAN, 1.0, 1.0, 0.05);
    assert!(matches!(r, Err(Error::NonFinite { .. })), "{r:?}");
    let r = margin_bound(&[0.5], 0.1, 1e300, 1e300, 0.05);
    assert!(matches!(r, Err(Error::InvalidArgument { .. })), "{r:?}");
    let r = margin_bound(&[0.5], 1e-320, 1.0, 1.0, 0.05);
    assert!(matches!(r, Err(Error::InvalidArgument { .. })), "{r:?}");
    let r = margin_bound(&[], 0.1, 1.0, 1.0, 0.05);
    assert!(matches!(r, Err(Error::Empty { .. })), "{r:?}");
}

#[test]
fn ntk_rejects_overflowing_width_and_nan_inputs() {
    let r = TwoLayerRelu::random(usize::MAX, 2, 1, 0);
    assert!(
        matches!(
            r,
            Err(Error::Overflow { .. } | Error::InvalidArgument { .. })
        ),
        "{r:?}"
    );
    let x = Mat::from_fn(2, 2, |i, _| if i == 0 { f64::NAN } else { 1.0 });
    let r = relu_ntk_gram(x.as_ref());
    assert!(matches!(r, Err(Error::NonFinite { .. })), "{r:?}");
}

/// `TwoLayerRelu::new` validates what `random` guarantees: layers that disagree in the width,
/// an empty layer or a non-finite weight are typed errors at construction.
#[test]
fn two_layer_relu_new_rejects_inconsistent_layers() {
    let net = TwoLayerRelu::random(3, 4, 2, 7).unwrap();
    let rebuilt = TwoLayerRelu::new(net.w().clone(), net.a().clone()).unwrap();
    assert_eq!(rebuilt.params(), net.params());
    let r = TwoLayerRelu::new(net.w().clone(), Mat::zeros(2, 5));
    assert!(matches!(r, Err(Error::ShapeMismatch { .. })), "{r:?}");
    let r = TwoLayerRelu::new(Mat::zeros(0, 3), Mat::zeros(2, 0));
    assert!(matches!(r, Err(Error::Empty { .. })), "{r:?}");
    let r = TwoLayerRelu::new(net.w().clone(), Mat::zeros(0, 4));
    assert!(matches!(r, Err(Error::Empty { .. })), "{r:?}");
    let mut w = net.w().clone();
    w[(1, 2)] = f64::NAN;
    let r = TwoLayerRelu::new(w, net.a().clone());
    assert!(matches!(r, Err(Error::NonFinite { .. })), "{r:?}");
}
