//! Hostile inputs for `cascade` (see `tests/hostile/mod.rs` for the classes of bad input).

use attnmech::cascade::{
    budget_rule, deferral_curve, deferral_scores, diff01_targets, diffprob_targets, oracle_curve,
    plugin_regret, random_curve, run_cascade, two_model_predict, CascadeRun, FiniteCascade,
    PostHocDeferral, Score,
};
use attnmech::Error;

fn cascade() -> FiniteCascade {
    FiniteCascade::new(vec![0.5, 0.5], vec![0.9, 0.4], vec![0.8, 0.9]).unwrap()
}

#[test]
fn finite_cascade_risk_rejects_nan_cost_and_bad_rule() {
    let c = cascade();
    let r = c.risk(&[0.0, 1.0], f64::NAN);
    assert!(matches!(r, Err(Error::NonFinite { .. })), "{r:?}");
    let r = c.risk(&[0.0, f64::NAN], 0.1);
    assert!(matches!(r, Err(Error::NonFinite { .. })), "{r:?}");
    let r = c.accuracy_and_rate(&[0.0, 1.5]);
    assert!(matches!(r, Err(Error::InvalidArgument { .. })), "{r:?}");
    let r = c.accuracy_and_rate(&[0.0]);
    assert!(matches!(r, Err(Error::ShapeMismatch { .. })), "{r:?}");
    let r = plugin_regret(&c, &[0.1, 0.2], f64::INFINITY);
    assert!(matches!(r, Err(Error::NonFinite { .. })), "{r:?}");
    let r = plugin_regret(&c, &[0.1, f64::NAN], 0.1);
    assert!(matches!(r, Err(Error::NonFinite { .. })), "{r:?}");
}

#[test]
fn finite_cascade_new_rejects_nan_lengths_and_non_distribution() {
    let r = FiniteCascade::new(vec![0.5, 0.5], vec![0.9, f64::NAN], vec![0.8, 0.9]);
    assert!(matches!(r, Err(Error::NonFinite { .. })), "{r:?}");
    let r = FiniteCascade::new(vec![0.5, 0.5], vec![0.9], vec![0.8, 0.9]);
    assert!(matches!(r, Err(Error::ShapeMismatch { .. })), "{r:?}");
    let r = FiniteCascade::new(vec![0.7, 0.7], vec![0.9, 0.1], vec![0.8, 0.9]);
    assert!(matches!(r, Err(Error::InvalidArgument { .. })), "{r:?}");
    let r = FiniteCascade::from_posteriors(vec![1.0], &[0.5, 0.5], 2, &[2], &[0]);
    assert!(matches!(r, Err(Error::OutOfRange { .. })), "{r:?}");
}

#[test]
fn budget_rule_rejects_nan_budget_and_bad_masses() {
    for b in [f64::NAN, -0.1, 1.1] {
        let r = budget_rule(&[0.1, 0.2], &[0.5, 0.5], b);
        assert!(
            matches!(r, Err(Error::InvalidArgument { .. })),
            "{b}: {r:?}"
        );
    }
    let r = budget_rule(&[0.1, 0.2], &[0.5, f64::NAN], 0.5);
    assert!(matches!(r, Err(Error::NonFinite { .. })), "{r:?}");
    let r = budget_rule(&[0.1, 0.2], &[0.5, -0.5], 0.5);
    assert!(matches!(r, Err(Error::InvalidArgument { .. })), "{r:?}");
    let r = budget_rule(&[], &[], 0.5);
    assert!(matches!(r, Err(Error::Empty { .. })), "{r:?}");
}

#[test]
fn curves_reject_nan_empty_and_lengths() {
    let r = deferral_curve(&[1.0, 0.0], &[0.0, 1.0], &[0.1, f64::NAN]);
    assert!(matches!(r, Err(Error::NonFinite { .. })), "{r:?}");
    let r = random_curve(&[1.0, f64::NAN], &[0.0, 1.0]);
    assert!(matches!(r, Err(Error::NonFinite { .. })), "{r:?}");
    let r = oracle_curve(&[], &[]);
    assert!(matches!(r, Err(Error::Empty { .. })), "{r:?}");
    let r = oracle_curve(&[1.0], &[0.0, 1.0]);
    assert!(matches!(r, Err(Error::ShapeMismatch { .. })), "{r:?}");
    let c = random_curve(&[1.0, 0.0], &[0.0, 1.0]).unwrap();
    assert!(c.at(f64::NAN).is_nan());
    assert!(c.at(5.0).is_finite());
    assert!(c.area().is_finite());
}

#[test]
fn scores_stages_and_posthoc_reject_bad_rows_ids_and_costs() {
    let r = deferral_scores(&[0.5, 0.6], 2, Score::Entropy);
    assert!(matches!(r, Err(Error::InvalidArgument { .. })), "{r:?}");
    let r = deferral_scores(&[0.5, 0.5], 0, Score::Margin);
    assert!(r.is_err(), "{r:?}");
    let p: &[f64] = &[0.5, 0.5];
    let r = run_cascade(&[p, p], 2, &[f64::NAN]);
    assert!(matches!(r, Err(Error::NonFinite { .. })), "{r:?}");
    let r = run_cascade(&[], 2, &[]);
    assert!(matches!(r, Err(Error::Empty { .. })), "{r:?}");
    let run = run_cascade(&[p, p], 2, &[0.9]).unwrap();
    assert!(matches!(
        run.expected_cost(&[]),
        Err(Error::ShapeMismatch { .. })
    ));
    assert!(matches!(
        run.expected_cost(&[1.0, f64::NAN]),
        Err(Error::NonFinite { .. })
    ));
    let r = two_model_predict(p, p, 2, &[true, false]);
    assert!(matches!(r, Err(Error::ShapeMismatch { .. })), "{r:?}");
    let r = diff01_targets(&[1.0], &[f64::NAN]);
    assert!(matches!(r, Err(Error::NonFinite { .. })), "{r:?}");
    let r = diffprob_targets(p, p, &[2], 2);
    assert!(matches!(r, Err(Error::OutOfRange { .. })), "{r:?}");
    let r = PostHocDeferral::fit(p, 2, &[0.1], f64::NAN);
    assert!(matches!(r, Err(Error::InvalidArgument { .. })), "{r:?}");
    let r = PostHocDeferral::fit(p, 2, &[f64::NAN], 1.0);
    assert!(matches!(r, Err(Error::NonFinite { .. })), "{r:?}");
}

/// `CascadeRun::new`: one answering stage per prediction, else a typed error.
#[test]
fn cascade_run_new_rejects_mismatched_lengths() {
    let r = CascadeRun::new(vec![0, 1], vec![0]);
    assert!(matches!(r, Err(Error::ShapeMismatch { .. })), "{r:?}");
    let run = CascadeRun::new(vec![0, 1], vec![0, 1]).unwrap();
    assert_eq!(run.reach_rate(1), 0.5);
    assert_eq!(run.expected_cost(&[1.0, 2.0]), Ok(2.0));
}
