//! Hostile inputs for `prompt_attention` (see `tests/hostile/mod.rs` for the classes of bad
//! input).

use attnmech::prompt_attention::data::{Dataset, MixtureConfig};
use attnmech::prompt_attention::models::{forward_backward, prompt_pool, Model, Params};
use attnmech::prompt_attention::theory::conditional_error;
use attnmech::prompt_attention::train::{mean_head, train, two_steps_closed_form, Loss, Optimizer};
use attnmech::rng::seeded;
use attnmech::Error;

fn data() -> Dataset {
    MixtureConfig::linpa_blind(0.5)
        .sample(4, &mut seeded(5, 0))
        .unwrap()
}

#[test]
fn conditional_error_rejects_short_v_hat_nan_and_degenerate_scale() {
    for v in [&[][..], &[1.0][..]] {
        let r = conditional_error(v, 0.8, 0.6);
        assert!(matches!(r, Err(Error::ShapeMismatch { .. })), "{r:?}");
    }
    let r = conditional_error(&[0.1, f64::NAN, 0.3], 0.8, 0.6);
    assert!(matches!(r, Err(Error::NonFinite { .. })), "{r:?}");
    let r = conditional_error(&[0.1, 0.2, 0.3], f64::NAN, 0.6);
    assert!(matches!(r, Err(Error::NonFinite { .. })), "{r:?}");
    for s in [0.0, -1.0, f64::NAN] {
        let r = conditional_error(&[0.1, 0.2, 0.3], 0.8, s);
        assert!(r.is_err(), "{s}: {r:?}");
    }
    // P_⊥ v̂ = 0: the error is undefined.
    let r = conditional_error(&[1.0, 0.0, 0.0], 0.8, 0.6);
    assert!(matches!(r, Err(Error::InvalidArgument { .. })), "{r:?}");
    let r = conditional_error(&[0.1, 1e-200, 0.0], 0.8, 1e-200);
    assert!(matches!(r, Err(Error::InvalidArgument { .. })), "{r:?}");
}

#[test]
fn two_steps_closed_form_rejects_nan_eta_and_inconsistent_data() {
    let d = data();
    for eta in [f64::NAN, 0.0, -1.0, f64::INFINITY] {
        let r = two_steps_closed_form(&d, eta);
        assert!(r.is_err(), "{eta}: {r:?}");
    }
    let mut bad = d.clone();
    bad.x[3] = f64::NAN;
    let r = two_steps_closed_form(&bad, 0.1);
    assert!(matches!(r, Err(Error::NonFinite { .. })), "{r:?}");
    let mut short = d.clone();
    short.x.pop();
    let r = two_steps_closed_form(&short, 0.1);
    assert!(matches!(r, Err(Error::ShapeMismatch { .. })), "{r:?}");
    let mut label = d.clone();
    label.y[0] = 0.5;
    let r = two_steps_closed_form(&label, 0.1);
    assert!(matches!(r, Err(Error::InvalidArgument { .. })), "{r:?}");
    let mut huge = d.clone();
    huge.tokens = usize::MAX;
    let r = two_steps_closed_form(&huge, 0.1);
    assert!(matches!(r, Err(Error::Overflow { .. })), "{r:?}");
}

#[test]
fn models_reject_inconsistent_data_params_and_nan_prompt() {
    let d = data();
    let p = Params::zeros(d.dim);
    let mut short = d.clone();
    short.x.truncate(5);
    let r = forward_backward(Model::PromptSoftmax, &p, &short, None);
    assert!(matches!(r, Err(Error::ShapeMismatch { .. })), "{r:?}");
    let r = prompt_pool(&vec![0.0; d.dim], &short);
    assert!(matches!(r, Err(Error::ShapeMismatch { .. })), "{r:?}");
    let mut q = vec![0.0; d.dim];
    q[0] = f64::NAN;
    let r = mean_head(&q, &d);
    assert!(matches!(r, Err(Error::NonFinite { .. })), "{r:?}");
    let r = forward_backward(Model::MeanPool, &Params::zeros(d.dim + 1), &d, None);
    assert!(matches!(r, Err(Error::ShapeMismatch { .. })), "{r:?}");
    let r = forward_backward(Model::MeanPool, &p, &d, Some(&[1.0]));
    assert!(matches!(r, Err(Error::ShapeMismatch { .. })), "{r:?}");
}

#[test]
fn train_rejects_nan_step_size() {
    let d = data();
    for lr in [f64::NAN, 0.0, -1.0, f64::INFINITY] {
        let r = train(
            Model::MeanPool,
            Params::zeros(d.dim),
            &d,
            Loss::Logistic,
            Optimizer::Gd { lr },
            2,
        );
        assert!(
            matches!(r, Err(Error::InvalidArgument { .. })),
            "{lr}: {r:?}"
        );
    }
}

#[test]
fn mixture_sample_rejects_overflowing_sizes() {
    let mut cfg = MixtureConfig::linpa_blind(0.5);
    let r = cfg.sample(usize::MAX, &mut seeded(1, 0));
    assert!(matches!(r, Err(Error::Overflow { .. })), "{r:?}");
    cfg.sigma = f64::NAN;
    let r = cfg.sample(2, &mut seeded(1, 0));
    assert!(matches!(r, Err(Error::InvalidArgument { .. })), "{r:?}");
}
