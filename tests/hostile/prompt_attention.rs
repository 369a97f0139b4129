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
}

/// `Dataset::new` validates what the consumers relied on: an inconsistent set of fields is a
/// typed error at construction, never a data set that panics later.
#[test]
fn dataset_new_rejects_inconsistent_fields() {
    let d = data();
    let (t, dim, x, y) = (d.tokens(), d.dim(), d.x().to_vec(), d.y().to_vec());
    assert_eq!(Dataset::new(t, dim, x.clone(), y.clone()).unwrap(), d);
    let mut nan = x.clone();
    nan[3] = f64::NAN;
    let r = Dataset::new(t, dim, nan, y.clone());
    assert!(matches!(r, Err(Error::NonFinite { .. })), "{r:?}");
    let mut short = x.clone();
    short.pop();
    let r = Dataset::new(t, dim, short, y.clone());
    assert!(matches!(r, Err(Error::ShapeMismatch { .. })), "{r:?}");
    let mut label = y.clone();
    label[0] = 0.5;
    let r = Dataset::new(t, dim, x.clone(), label);
    assert!(matches!(r, Err(Error::InvalidArgument { .. })), "{r:?}");
    let r = Dataset::new(usize::MAX, dim, x.clone(), y.clone());
    assert!(matches!(r, Err(Error::Overflow { .. })), "{r:?}");
    let r = Dataset::new(0, dim, x.clone(), y.clone());
    assert!(matches!(r, Err(Error::Empty { .. })), "{r:?}");
    let r = Dataset::new(t, dim, vec![], vec![]);
    assert!(matches!(r, Err(Error::Empty { .. })), "{r:?}");
    let r = Dataset::new(t + 1, dim, x, y);
    assert!(matches!(r, Err(Error::ShapeMismatch { .. })), "{r:?}");
    let r = MixtureConfig::linpa_blind(0.5).sample(0, &mut seeded(5, 0));
    assert!(matches!(r, Err(Error::Empty { .. })), "{r:?}");
}

#[test]
fn models_reject_inconsistent_data_params_and_nan_prompt() {
    let d = data();
    let p = Params::zeros(d.dim());
    // A data set with a short `x` cannot be built (`dataset_new_rejects_inconsistent_fields`);
    // a prompt of the wrong width is the remaining shape error.
    let r = prompt_pool(&vec![0.0; d.dim() + 1], &d);
    assert!(matches!(r, Err(Error::ShapeMismatch { .. })), "{r:?}");
    let mut q = vec![0.0; d.dim()];
    q[0] = f64::NAN;
    let r = mean_head(&q, &d);
    assert!(matches!(r, Err(Error::NonFinite { .. })), "{r:?}");
    let r = forward_backward(Model::MeanPool, &Params::zeros(d.dim() + 1), &d, None);
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
            Params::zeros(d.dim()),
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

#[test]
fn b6_5_known_prompt_rejects_dimension_below_two_and_overflowing_sizes() {
    use attnmech::prompt_attention::experiments::{b6_5_known_prompt, B65Protocol};
    for d in [0usize, 1] {
        let r = b6_5_known_prompt(
            &B65Protocol {
                cases: vec![(10, d, 1.0)],
            },
            0,
        );
        assert!(
            matches!(r, Err(Error::InvalidArgument { .. })),
            "{d}: {r:?}"
        );
    }
    let r = b6_5_known_prompt(
        &B65Protocol {
            cases: vec![(usize::MAX, 100, 1.0)],
        },
        0,
    );
    assert!(matches!(r, Err(Error::Overflow { .. })), "{r:?}");
}
