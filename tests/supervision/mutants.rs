//! Checks added by the mutation campaign (issue 13, `proofs-notes/MUTANTS.md`).

use attnmech::supervision::bound::{linear_teacher_bound, LinearTeacherConfig};

/// SC8's measured test error is the classification error of the kernel interpolant of the
/// noiseless teacher `v·x` on fresh labels flipped with probability 0.1. That interpolant
/// (2000 points on S², analytic ReLU NTK) nearly equals the teacher, so its error is the flip
/// rate: 0.1 within ±0.03 (the binomial SE at 2000 test points is 0.0067, so 4.5 SE, plus
/// the interpolant's own few mistakes near the decision boundary). SC8's claim only bounds the
/// error from above (by 0.668), so a wrong error measure passes it. Kills `bound.rs: replace *
/// with + in linear_teacher_bound` (`y + f ≤ 0` instead of `y·f ≤ 0`).
#[test]
fn sc8_test_error_is_the_label_noise_rate() {
    let cfg = LinearTeacherConfig::default();
    assert_eq!(cfg.label_noise, 0.1);
    let o = linear_teacher_bound(&cfg).unwrap();
    assert!(
        (o.test_error - 0.1).abs() <= 0.03,
        "test error {}",
        o.test_error
    );
}

/// `GramFactor::trace` is `tr(K + λI)`: on a 3 × 3 tridiagonal K with diagonal (2, 3, 4) and
/// λ = 0.5 it is exactly 10.5 (small integers and halves: no rounding). Kills `complexity.rs:
/// replace + with - in GramFactor<T>::with_par` (the trace summing `l[i·n − i]`, off-diagonal
/// entries), which SC8 cannot see because the trace enters only its (loose) upper bound.
#[test]
fn gram_factor_trace_is_the_ridged_diagonal_sum() {
    use attnmech::supervision::complexity::GramFactor;
    let k = faer::mat![[2.0, 1.0, 0.0], [1.0, 3.0, 1.0], [0.0, 1.0, 4.0f64]];
    let f = GramFactor::<f64>::new(k.as_ref(), 0.5).unwrap();
    assert_eq!(f.trace(), 10.5);
}

/// SC7's hypothesis is judged on the smallest SC(one-hot) / SC(last checkpoint) over the seeds;
/// a seed whose SC came out NaN must make that minimum NaN and fail the hypothesis, not drop out of
/// it. Five synthetic outcomes with ratio 20 (> 10) pass; the same with one NaN checkpoint SC
/// fails. Kills `experiments.rs: replace || with && in sc7_verdict` (the NaN guard of the min).
#[test]
fn sc7_nan_sc_fails_the_hypothesis() {
    use attnmech::supervision::experiments::sc7_verdict;
    use attnmech::supervision::DistillOutcome;
    let outcome = |last_sc: f64| DistillOutcome {
        teacher_accuracy: vec![0.9],
        checkpoint_sc: vec![1.0, last_sc],
        one_hot_sc: 20.0,
        student_one_hot: 0.8,
        student_offline: 0.85,
        student_online: 0.86,
    };
    let good: Vec<DistillOutcome> = (0..5).map(|_| outcome(1.0)).collect();
    assert!(sc7_verdict(&good).hypothesis);
    let mut broken = good.clone();
    broken[2] = outcome(f64::NAN);
    let v = sc7_verdict(&broken);
    assert!(v.min_sc_ratio.is_nan() && !v.hypothesis, "{v:?}");
}

/// SC8's training margin error, measured: with `x` uniform on S² and `‖v‖ = 1`, `v·x` is uniform
/// on [−1, 1] (Archimedes), so a clean label has margin `|v·x| ≤ γ` with probability γ and a
/// flipped one has margin `−|v·x| ≤ γ` always: `E[margin error] = (1 − η)γ + η = 0.37` at
/// γ = 0.3, η = 0.1. Over 2000 training points the binomial SE is 0.011; tolerance 0.05 (4.6 SE).
/// Kills `bound.rs: replace * with + in linear_teacher_bound` at the training margins (`y + v·x`,
/// whose margin error is about 0.5), which SC8's loose upper bound does not see.
#[test]
fn sc8_training_margin_error_matches_its_law() {
    let cfg = LinearTeacherConfig::default();
    assert_eq!((cfg.gamma, cfg.label_noise, cfg.n_train), (0.3, 0.1, 2000));
    let o = linear_teacher_bound(&cfg).unwrap();
    let want = (1.0 - cfg.label_noise) * cfg.gamma + cfg.label_noise;
    let got = o.teacher_bound.margin_error;
    assert!((got - want).abs() <= 0.05, "margin error {got} vs {want}");
    // the noisy-label interpolant has every margin 1 > γ
    assert_eq!(o.label_bound.margin_error, 0.0);
}

/// `margin_bound` refuses each bad scalar on its own (γ ≤ 0, SC < 0, tr K < 0, δ ∉ (0, 1)),
/// not only when all are bad, including a negative SC or trace whose product with a zero partner
/// is `−0` (finite, so no later check catches it). Kills `bound.rs: replace || with && in
/// margin_bound` (`sc < 0 && tr K < 0`; the first version of this test missed it because
/// `√(−1·10)` is NaN and fails the overflow check anyway).
#[test]
fn margin_bound_rejects_each_bad_scalar() {
    use attnmech::supervision::bound::margin_bound;
    let m = [0.5, 1.0, -0.2];
    assert!(margin_bound(&m, 0.3, 1.0, 10.0, 0.05).is_ok());
    for (gamma, sc, trace, delta) in [
        (0.0, 1.0, 10.0, 0.05),
        (0.3, -1.0, 10.0, 0.05),
        (0.3, 1.0, -10.0, 0.05),
        // with the other factor 0, `√(sc·tr K) = √(−0) = −0` is finite: only the sign check
        // refuses these (the cases above also fail the later overflow check)
        (0.3, -1.0, 0.0, 0.05),
        (0.3, 0.0, -10.0, 0.05),
        (0.3, 1.0, 10.0, 0.0),
        (0.3, 1.0, 10.0, 1.0),
    ] {
        assert!(
            margin_bound(&m, gamma, sc, trace, delta).is_err(),
            "({gamma}, {sc}, {trace}, {delta}) accepted"
        );
    }
}

/// SC7's gains are mean accuracy *differences*: four seeds where the KD student wins by 0.01 and
/// one where it loses by 0.2 give a mean gain of −0.032, so the KD part fails although it wins
/// 4 of 5. Kills `experiments.rs: replace - with / in sc7_verdict` (a mean accuracy *ratio*,
/// about 0.96 > 0, which passes).
#[test]
fn sc7_gain_is_a_mean_difference() {
    use attnmech::supervision::experiments::sc7_verdict;
    use attnmech::supervision::DistillOutcome;
    let outcome = |kd: f64| DistillOutcome {
        teacher_accuracy: vec![0.9],
        checkpoint_sc: vec![1.0, 1.0],
        one_hot_sc: 20.0,
        student_one_hot: 0.8,
        student_offline: kd,
        student_online: kd,
    };
    let mut outcomes: Vec<DistillOutcome> = (0..4).map(|_| outcome(0.81)).collect();
    outcomes.push(outcome(0.6));
    let v = sc7_verdict(&outcomes);
    assert!((v.offline_gain + 0.032).abs() < 1e-12, "{v:?}");
    assert!((v.online_gain + 0.032).abs() < 1e-12, "{v:?}");
    assert_eq!((v.offline_wins, v.online_wins), (4, 4));
    assert!(!v.offline && !v.online, "{v:?}");
}

/// `sc8_margin_bound(n_test, seed)` is `linear_teacher_bound` at the default config with that
/// `n_test` and `seed`: the same numbers, bit for bit, at (500, 3). Kills `experiments.rs: delete
/// field n_test` and `delete field seed` in `sc8_margin_bound` (the defaults, 2000 and 0, are the
/// quick protocol's, so the SC8 test could not tell).
#[test]
fn sc8_margin_bound_uses_its_arguments() {
    use attnmech::supervision::experiments::sc8_margin_bound;
    let got = sc8_margin_bound(500, 3).unwrap();
    let want = linear_teacher_bound(&LinearTeacherConfig {
        n_test: 500,
        seed: 3,
        ..LinearTeacherConfig::default()
    })
    .unwrap();
    assert_eq!(got.test_error.to_bits(), want.test_error.to_bits());
    assert_eq!(got.teacher_sc.to_bits(), want.teacher_sc.to_bits());
    let default = sc8_margin_bound(2000, 0).unwrap();
    assert_ne!(got.teacher_sc.to_bits(), default.teacher_sc.to_bits());
}

/// A logit that overflows once divided by τ is reported at its row-major flat index
/// `i·C + j` of the `n × C` matrix, so a user can find it. Kills `targets.rs: replace * with +
/// in teacher_probabilities` (`i + C` as the row's base index: row 2 of a 3 × 3 matrix would
/// report entry 6 instead of 7 for column 1).
#[test]
fn teacher_probabilities_reports_the_overflowing_logit_at_its_flat_index() {
    use attnmech::supervision::teacher_probabilities;
    let z = faer::Mat::from_fn(3, 3, |i, j| if (i, j) == (2, 1) { 1e300 } else { 0.5 });
    let err = teacher_probabilities(z.as_ref(), 1e-10).unwrap_err();
    let msg = err.to_string();
    assert!(
        matches!(err, attnmech::Error::InvalidArgument { .. }) && msg.contains("entry 7 "),
        "{msg}"
    );
}
