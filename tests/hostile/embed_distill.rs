//! Hostile inputs for `embed_distill` (see `tests/hostile/mod.rs` for the classes of bad input).

use attnmech::embed_distill::{
    cosine_scores, dual_encoder_scores, l2_match, label_ce, margin_mse, score_gap_and_bound,
    softmax_ce, AsymmetricTrainer, DualPoolingCrossEncoder,
};
use attnmech::Error;
use faer::Mat;

#[test]
fn score_losses_reject_bad_temperatures_including_subnormal() {
    let (s, t) = ([1.0, 0.5, -0.5], [0.2, 0.1, 0.0]);
    for tau in [0.0, -1.0, f64::NAN, f64::INFINITY, 1e-320] {
        let r = softmax_ce(&s, &t, tau, 1.0);
        assert!(
            matches!(r, Err(Error::InvalidArgument { .. })),
            "{tau}: {r:?}"
        );
        let r = softmax_ce(&s, &t, 1.0, tau);
        assert!(
            matches!(r, Err(Error::InvalidArgument { .. })),
            "{tau}: {r:?}"
        );
        let r = label_ce(&s, 0, tau);
        assert!(
            matches!(r, Err(Error::InvalidArgument { .. })),
            "{tau}: {r:?}"
        );
    }
    let r = softmax_ce(&[1e300, 0.0], &[0.0, 0.0], 1e-10, 1.0);
    assert!(matches!(r, Err(Error::InvalidArgument { .. })), "{r:?}");
}

#[test]
fn score_losses_reject_nan_lengths_ids_and_empty() {
    let r = softmax_ce(&[1.0, f64::NAN], &[0.0, 0.0], 1.0, 1.0);
    assert!(matches!(r, Err(Error::NonFinite { .. })), "{r:?}");
    let r = softmax_ce(&[1.0, 0.0], &[0.0], 1.0, 1.0);
    assert!(matches!(r, Err(Error::ShapeMismatch { .. })), "{r:?}");
    let r = softmax_ce(&[], &[], 1.0, 1.0);
    assert!(matches!(r, Err(Error::Empty { .. })), "{r:?}");
    let r = margin_mse(&[1.0, 0.0], &[0.0, f64::INFINITY], 0);
    assert!(matches!(r, Err(Error::NonFinite { .. })), "{r:?}");
    let r = margin_mse(&[1.0, 0.0], &[0.0, 0.0], 2);
    assert!(matches!(r, Err(Error::OutOfRange { .. })), "{r:?}");
    let r = label_ce(&[1.0, 0.0], 5, 1.0);
    assert!(matches!(r, Err(Error::OutOfRange { .. })), "{r:?}");
    let r = l2_match(&[1.0, f64::NAN], &[0.0, 0.0], None);
    assert!(matches!(r, Err(Error::NonFinite { .. })), "{r:?}");
    let r = l2_match(&[1.0, 0.0], &[0.0], None);
    assert!(matches!(r, Err(Error::ShapeMismatch { .. })), "{r:?}");
    let r = score_gap_and_bound(&[1.0], &[1.0], &[f64::NAN], &[1.0]);
    assert!(matches!(r, Err(Error::NonFinite { .. })), "{r:?}");
}

#[test]
fn scorers_reject_overflowing_products_and_tiny_tau() {
    let q = Mat::from_fn(1, 2, |_, _| 1e200);
    let r = dual_encoder_scores(q.as_ref(), q.as_ref());
    assert!(matches!(r, Err(Error::InvalidArgument { .. })), "{r:?}");
    let small = Mat::from_fn(1, 2, |_, _| 1e-200);
    // Norms that under- or overflow when squared: rows are normalised before the product, so
    // the cosine is still 1 (and |cos| ≤ 1 keeps a small τ finite).
    let s = cosine_scores(small.as_ref(), small.as_ref(), 1e-300).unwrap();
    assert!((s[(0, 0)] * 1e-300 - 1.0).abs() < 1e-12, "{}", s[(0, 0)]);
    let s = cosine_scores(q.as_ref(), small.as_ref(), 1.0).unwrap();
    assert!((s[(0, 0)] - 1.0).abs() < 1e-12, "{}", s[(0, 0)]);
    let r = cosine_scores(small.as_ref(), small.as_ref(), 1e-320);
    assert!(matches!(r, Err(Error::InvalidArgument { .. })), "{r:?}");
    let zero = Mat::from_fn(1, 2, |_, _| 0.0);
    let r = cosine_scores(zero.as_ref(), small.as_ref(), 1.0);
    assert!(matches!(r, Err(Error::InvalidArgument { .. })), "{r:?}");
    let other_k = Mat::from_fn(1, 3, |_, _| 1.0);
    let r = dual_encoder_scores(small.as_ref(), other_k.as_ref());
    assert!(matches!(r, Err(Error::ShapeMismatch { .. })), "{r:?}");
}

#[test]
fn cross_encoder_rejects_wrong_k_nan_and_empty() {
    assert!(matches!(
        DualPoolingCrossEncoder::random(0, 1),
        Err(Error::InvalidArgument { .. })
    ));
    let ce = DualPoolingCrossEncoder::random(3, 1).unwrap();
    let ok = Mat::from_fn(2, 3, |i, j| (i + j) as f64 * 0.1);
    let wrong = Mat::from_fn(2, 4, |_, _| 0.1);
    let r = ce.encode(ok.as_ref(), wrong.as_ref());
    assert!(matches!(r, Err(Error::ShapeMismatch { .. })), "{r:?}");
    let nan = Mat::from_fn(2, 3, |_, _| f64::NAN);
    let r = ce.encode(nan.as_ref(), ok.as_ref());
    assert!(matches!(r, Err(Error::NonFinite { .. })), "{r:?}");
    let empty = Mat::<f64>::zeros(0, 3);
    let r = ce.encode(ok.as_ref(), empty.as_ref());
    assert!(matches!(r, Err(Error::Empty { .. })), "{r:?}");
}

#[test]
fn asymmetric_trainer_gradient_rejects_wrong_shape_and_nan() {
    let x = Mat::from_fn(3, 2, |i, j| (i + j) as f64 * 0.1);
    let qt = Mat::from_fn(3, 2, |i, j| (i * j) as f64 * 0.1);
    let docs = Mat::from_fn(4, 2, |i, j| (i + 2 * j) as f64 * 0.1);
    for tau in [0.0, f64::NAN, 1e-320] {
        let r = AsymmetricTrainer::new(x.as_ref(), qt.as_ref(), docs.as_ref(), tau, 1.0, 0.1);
        assert!(
            matches!(r, Err(Error::InvalidArgument { .. })),
            "{tau}: {r:?}"
        );
    }
    let tr = AsymmetricTrainer::new(x.as_ref(), qt.as_ref(), docs.as_ref(), 1.0, 1.0, 0.1).unwrap();
    let b_wrong = Mat::<f64>::zeros(3, 2);
    let r = tr.gradient(b_wrong.as_ref());
    assert!(matches!(r, Err(Error::ShapeMismatch { .. })), "{r:?}");
    let b_nan = Mat::from_fn(2, 2, |_, _| f64::NAN);
    let r = tr.gradient(b_nan.as_ref());
    assert!(matches!(r, Err(Error::NonFinite { .. })), "{r:?}");
    assert!(tr.gradient(Mat::<f64>::zeros(2, 2).as_ref()).is_ok());
}

/// Fuzz-found: student scores at `−f64::MAX` gave a negative KL excess (−ln 2 for a uniform
/// teacher): the student log-softmax rounded `m + ln Σ` to `m`. The excess is now ≥ 0 (here 0).
#[test]
fn softmax_ce_excess_is_non_negative_at_extreme_scores() {
    let r = softmax_ce(&[-f64::MAX, -f64::MAX], &[0.0, 0.0], 1.0, 1.0).unwrap();
    assert!(r.excess.abs() < 1e-15, "{r:?}");
    assert!((r.loss - 2f64.ln()).abs() < 1e-15, "{r:?}");
}

/// Fuzz-found: a row of subnormals normalised by `big · ‖m/big‖` (which rounds: `5e-324·√2 =
/// 5e-324`) had norm √2, and a cosine score exceeded `1/τ`.
#[test]
fn cosine_scores_stay_bounded_for_subnormal_rows() {
    let q = Mat::from_fn(1, 4, |_, j| [5e-324, 0.0, 1.0, 0.03125][j]);
    let d = Mat::from_fn(1, 4, |_, j| [0.0, -0.0, 5e-324, 5e-324][j]);
    let s = cosine_scores(q.as_ref(), d.as_ref(), 0.0078125).unwrap();
    assert!(s[(0, 0)].abs() <= 128.0 * (1.0 + 1e-12), "{}", s[(0, 0)]);
}
