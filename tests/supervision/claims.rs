//! Claims SC1-SC8 of spec section 6 and its worked example.

use super::kernels::{gaussian, sphere};
use attnmech::supervision::experiments::*;
use attnmech::supervision::*;
use faer::Mat;

fn rel(a: f64, b: f64) -> f64 {
    (a - b).abs() / a.abs().max(b.abs()).max(f64::MIN_POSITIVE)
}

/// The spec's tiny instance: n = 300 points on S⁹, analytic ReLU NTK, smooth teacher logits
/// `Z = X W`, `W ~ 3·N(0,1)` (10 × 5).
fn tiny(seed: u64) -> (Mat<f64>, Mat<f64>, Mat<f64>) {
    let x = sphere(300, 10, seed);
    let k = relu_ntk_gram(x.as_ref()).unwrap();
    let w = gaussian(10, 5, seed, 2) * faer::Scale(3.0);
    let z = &x * &w;
    (x, k, z)
}

/// Worked example 6(e): K = [[2,1],[1,2]], Y = (1,−1) ⇒ SC = 2; 3Y ⇒ 18. Exact arithmetic up to a
/// few ulps: rel 1e-14.
#[test]
fn worked_example() {
    let k = Mat::from_fn(2, 2, |i, j| if i == j { 2.0 } else { 1.0 });
    let y = Mat::from_fn(2, 1, |i, _| if i == 0 { 1.0 } else { -1.0 });
    assert!(
        rel(
            supervision_complexity(k.as_ref(), y.as_ref(), 0.0).unwrap(),
            2.0
        ) < 1e-14
    );
    let y3 = &y * faer::Scale(3.0);
    assert!(
        rel(
            supervision_complexity(k.as_ref(), y3.as_ref(), 0.0).unwrap(),
            18.0
        ) < 1e-14
    );
    assert!(
        rel(
            supervision_complexity_eigen(k.as_ref(), y.as_ref())
                .unwrap()
                .0,
            2.0
        ) < 1e-14
    );
}

/// SC1 [D,V]: Cholesky form = eigen form = squared RKHS norm of the minimum-norm interpolant,
/// rel 1e-10 (spec), with every eigen term ≥ 0. Hypothesis: the tiny instance (min eigenvalue
/// ≈ 0.09, condition ≈ 10³), targets both teacher probabilities and Gaussian noise. The experiment
/// and bound the report runs (`experiments::{sc1_forms, sc1_verdict}`).
#[test]
fn sc1_three_forms_agree() {
    let inst = tiny_instance(0).unwrap();
    let o = sc1_forms(&inst, 0).unwrap();
    assert!(sc1_verdict(&o), "{o:?}");
    // Planted bug: a form off by one part in 1e9 (e.g. a dropped pivot) fails the same bound.
    assert!(!sc1_verdict(&Sc1Outcome { max_rel: 1e-9, ..o }));
    assert!(!sc1_verdict(&Sc1Outcome {
        min_eigen_term: -1e-3,
        ..o
    }));
}

/// SC2 [D,V]: SC ≥ 0 with equality iff Y = 0; SC(aY) = a² SC(Y) (rel 1e-12); convex in Y (slack
/// 1e-10 relative, rounding only); additive over columns (rel 1e-12).
#[test]
fn sc2_positivity_homogeneity_convexity_additivity() {
    let (_, k, _) = tiny(1);
    let f = GramFactor::new(k.as_ref(), 0.0).unwrap();
    let y1 = gaussian(300, 4, 8, 0);
    let y2 = gaussian(300, 4, 9, 0);
    assert_eq!(
        f.complexity(Mat::<f64>::zeros(300, 4).as_ref()).unwrap(),
        0.0
    );
    let mut tiny_y = Mat::<f64>::zeros(300, 4);
    tiny_y[(17, 2)] = 1e-3;
    assert!(f.complexity(tiny_y.as_ref()).unwrap() > 0.0);
    let (s1, s2) = (
        f.complexity(y1.as_ref()).unwrap(),
        f.complexity(y2.as_ref()).unwrap(),
    );
    for a in [-3.0, 0.5, 7.0] {
        let sa = f.complexity((&y1 * faer::Scale(a)).as_ref()).unwrap();
        assert!(rel(sa, a * a * s1) < 1e-12);
    }
    for step in 0..=10 {
        let t = step as f64 / 10.0;
        let mix = &y1 * faer::Scale(t) + &y2 * faer::Scale(1.0 - t);
        let sm = f.complexity(mix.as_ref()).unwrap();
        assert!(sm <= t * s1 + (1.0 - t) * s2 + 1e-10 * (s1 + s2), "t = {t}");
    }
    let per = f.complexity_per_column(y1.as_ref()).unwrap();
    let separate: f64 = (0..4)
        .map(|c| supervision_complexity(k.as_ref(), y1.as_ref().subcols(c, 1), 0.0).unwrap())
        .sum();
    assert!(rel(per.iter().sum(), s1) < 1e-12 && rel(separate, s1) < 1e-12);
}

/// SC3 [D]: K' ⪰ K ⇒ SC(Y, K') ≤ SC(Y, K), for K' = K + G Gᵀ (rank 5) and K' = K + 0.1 I; rounding
/// slack rel 1e-12. Negative check: the reversed ordering is violated by far more than rounding
/// (SC(Y,K) exceeds SC(Y,K') by > 1%), so a swapped-kernel implementation would fail this test.
#[test]
fn sc3_loewner_monotone() {
    let (_, k, z) = tiny(2);
    let y = centre(teacher_probabilities(z.as_ref(), 0.5).unwrap().as_ref());
    let g = gaussian(300, 5, 10, 0);
    let bigger = [
        &k + &g * g.transpose(),
        &k + Mat::<f64>::identity(300, 300) * faer::Scale(0.1),
    ];
    let base = supervision_complexity(k.as_ref(), y.as_ref(), 0.0).unwrap();
    for kp in bigger {
        let sc = supervision_complexity(kp.as_ref(), y.as_ref(), 0.0).unwrap();
        assert!(sc <= base * (1.0 + 1e-12), "{sc} > {base}");
        assert!(
            base > 1.01 * sc,
            "reversed ordering not rejected: {base} vs {sc}"
        );
    }
}

/// SC4 [D-ish, V: 1187 vs 439]: random labels cost more than labels from a smooth function of x.
/// On 5 tiny instances: SC(random one-hot) > 1.5 · SC(argmax of the smooth teacher) in every one
/// (the spec's run gives 2.7×). The experiment and bound the report runs.
#[test]
fn sc4_random_labels_are_complex() {
    let o = sc4_label_complexity(0).unwrap();
    assert_eq!(o.smooth.len(), SC4_SEEDS as usize);
    assert!(sc4_verdict(&o), "{o:?}");
    // Planted bug: labels whose SC does not depend on their smoothness (random = smooth).
    let blind = Sc4Outcome {
        random: o.smooth.clone(),
        ..o
    };
    assert!(!sc4_verdict(&blind));
}

/// SC5 limit [D]: softmax(z/τ) − 1/C = (z − z̄)/(Cτ) + O(τ⁻²), so τ²·SC(centred p_τ) →
/// SC((Z − rowmean Z)/C); at τ = 10⁴ the relative gap is O(‖z‖/τ) ≈ 1e-3 (asserted < 5e-3).
/// Trend [E,V]: on the smooth teacher, centred SC strictly decreases over τ = 0.1 … 16 (spec run:
/// 384, 244, 130, 33, 3.7, 0.43, 0.08); uncentred SC tends to the constant SC(1/C), not to 0
/// (rel < 1e-3). The experiment and bound the report runs.
#[test]
fn sc5_temperature_limit_and_trend() {
    let inst = tiny_instance(0).unwrap();
    let o = sc5_temperature(&inst).unwrap();
    let v = sc5_verdict(&o);
    assert!(v.holds(), "{v:?} {o:?}");
    // Planted bug: one rising step of the trend.
    assert!(!sc5_verdict(&Sc5Outcome { rises: 1, ..o }).holds());
}

/// SC6 [P,E] and SC7 [P,E] on the online/offline driver (random-features teacher and student,
/// 20% label noise), 5 fixed seeds: the experiment and bounds the report runs
/// (`experiments::{checkpoint_distillation, sc6_verdict, sc7_verdict}`).
/// - SC6: SC of the checkpoints' centred predictions rises with the epoch: the last checkpoint's SC
///   exceeds 5× the first's in every seed and ≥ 90% of consecutive steps increase.
/// - SC7: teacher targets are far simpler than the noisy labels (SC ratio > 10 in every seed); both
///   distilled students beat the one-hot student on clean test accuracy on average over seeds and
///   in at least 4 of 5 seeds.
///   Online vs offline is direction-only in the spec; its mean difference is recorded in the
///   report, not asserted.
#[test]
fn sc6_sc7_checkpoints_and_distillation() {
    let outcomes = checkpoint_distillation(0).unwrap();
    assert_eq!(outcomes.len(), SC67_SEEDS as usize);
    // the seeds are five independent runs, not one run five times (mutation campaign: deleting
    // `seed` from the run's config survived): their one-hot SCs are pairwise different
    for (i, a) in outcomes.iter().enumerate() {
        for b in &outcomes[i + 1..] {
            assert_ne!(a.one_hot_sc, b.one_hot_sc, "two seeds gave the same run");
        }
    }
    let (v6, v7) = (sc6_verdict(&outcomes), sc7_verdict(&outcomes));
    assert!(v6.holds(), "{v6:?}");
    assert!(v7.holds(), "{v7:?}");
    // Planted bug: checkpoints in reverse order (SC falling with the epoch) fail SC6.
    let reversed: Vec<DistillOutcome> = outcomes
        .iter()
        .map(|o| {
            let mut r = o.clone();
            r.checkpoint_sc.reverse();
            r
        })
        .collect();
    assert!(!sc6_verdict(&reversed).holds());
    // Planted bug: students swapped (one-hot better than distilled) fail SC7.
    let swapped: Vec<DistillOutcome> = outcomes
        .iter()
        .map(|o| DistillOutcome {
            student_one_hot: o.student_offline.max(o.student_online),
            student_offline: o.student_one_hot,
            student_online: o.student_one_hot,
            ..o.clone()
        })
        .collect();
    assert!(!sc7_verdict(&swapped).holds());
}

/// SC8 [D, statistical]: the margin bound holds where it is non-vacuous. Hypothesis: n = 2000
/// points on S², teacher f*(x) = v·x, labels sign(v·x) flipped with probability 0.1; the student is
/// the minimum-norm NTK interpolant of the teacher's outputs (SC ≤ 1 because Θ ⪰ the linear kernel).
/// Measured: test error on 2000 fresh noisy points ≤ the bound at γ = 0.3, δ = 0.05, and the bound is
/// non-vacuous (< 1). The one-hot interpolant of the noisy labels has a vacuous bound (> 1): the
/// trade-off of the paper. The report's `--quick` experiment and bound, at its default seed.
#[test]
fn sc8_margin_bound_holds() {
    let o = sc8_margin_bound(SC8_N_TEST_QUICK, 0).unwrap();
    let v = sc8_verdict(&o);
    assert!(v.all(), "{v:?} {o:?}");
    // Planted bug: a bound below the measured test error.
    let mut low = o;
    low.teacher_bound.total = o.test_error * 0.5;
    assert!(!sc8_verdict(&low).all());
}
