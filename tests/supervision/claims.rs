//! Claims SC1-SC8 of spec section 6 and its worked example.

use super::kernels::{gaussian, sphere};
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
/// rel 1e-10 (spec). Hypothesis: the tiny instance (min eigenvalue ≈ 0.09, condition ≈ 10³), targets
/// both teacher probabilities and Gaussian noise.
#[test]
fn sc1_three_forms_agree() {
    let (_, k, z) = tiny(0);
    let probs = teacher_probabilities(z.as_ref(), 1.0).unwrap();
    let noise = gaussian(300, 3, 7, 0);
    for y in [probs, noise] {
        let chol = supervision_complexity(k.as_ref(), y.as_ref(), 0.0).unwrap();
        let (eig, terms) = supervision_complexity_eigen(k.as_ref(), y.as_ref()).unwrap();
        let rkhs = interpolant_rkhs_norm_sq(k.as_ref(), y.as_ref()).unwrap();
        assert!(rel(chol, eig) < 1e-10, "{chol} vs eigen {eig}");
        assert!(rel(chol, rkhs) < 1e-10, "{chol} vs rkhs {rkhs}");
        assert!(terms.iter().all(|t| *t >= 0.0));
    }
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
/// Measured on the tiny instance for 5 seeds: SC(random one-hot) > 1.5 · SC(argmax of the smooth
/// teacher) in every seed (the spec's run gives 2.7×).
#[test]
fn sc4_random_labels_are_complex() {
    use rand::Rng;
    for seed in 0..5 {
        let (_, k, z) = tiny(seed);
        let f = GramFactor::new(k.as_ref(), 0.0).unwrap();
        let smooth = f
            .complexity(argmax_one_hot(z.as_ref()).unwrap().as_ref())
            .unwrap();
        let mut rng = attnmech::rng::seeded(seed, 99);
        let labels: Vec<usize> = (0..300).map(|_| rng.random_range(0..5)).collect();
        let random = f.complexity(one_hot(&labels, 5).unwrap().as_ref()).unwrap();
        assert!(
            random > 1.5 * smooth,
            "seed {seed}: random {random} vs smooth {smooth}"
        );
    }
}

/// SC5 limit [D]: softmax(z/τ) − 1/C = (z − z̄)/(Cτ) + O(τ⁻²), so τ²·SC(centred p_τ) →
/// SC((Z − rowmean Z)/C); at τ = 10⁴ the relative gap is O(‖z‖/τ) ≈ 1e-3 (asserted < 5e-3).
/// Trend [E,V]: on the smooth teacher, centred SC strictly decreases over τ = 0.1 … 16 (spec run:
/// 384, 244, 130, 33, 3.7, 0.43, 0.08); uncentred SC tends to the constant SC(1/C), not to 0.
#[test]
fn sc5_temperature_limit_and_trend() {
    let (_, k, z) = tiny(0);
    let f = GramFactor::new(k.as_ref(), 0.0).unwrap();
    let centred_sc = |tau: f64| {
        let p = teacher_probabilities(z.as_ref(), tau).unwrap();
        f.complexity(centre(p.as_ref()).as_ref()).unwrap()
    };
    let taus = [0.1, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0];
    let curve: Vec<f64> = taus.iter().map(|&t| centred_sc(t)).collect();
    assert!(curve.windows(2).all(|w| w[1] < w[0]), "{curve:?}");
    let zc = Mat::from_fn(300, 5, |i, j| {
        let mean = (0..5).map(|c| z[(i, c)]).sum::<f64>() / 5.0;
        (z[(i, j)] - mean) / 5.0
    });
    let limit = f.complexity(zc.as_ref()).unwrap();
    let tau = 1e4;
    assert!(rel(tau * tau * centred_sc(tau), limit) < 5e-3);
    let uniform = Mat::from_fn(300, 5, |_, _| 0.2);
    let p = teacher_probabilities(z.as_ref(), 1e4).unwrap();
    let unc = f.complexity(p.as_ref()).unwrap();
    assert!(rel(unc, f.complexity(uniform.as_ref()).unwrap()) < 1e-3);
}

/// SC6 [P,E] and SC7 [P,E] on the online/offline driver (random-features teacher and student,
/// 20% label noise), 5 fixed seeds.
/// - SC6: SC of the checkpoints' centred predictions rises with the epoch: the last checkpoint's SC
///   exceeds 5× the first's in every seed and ≥ 90% of consecutive steps increase.
/// - SC7: teacher targets are far simpler than the noisy labels (SC ratio > 10 in every seed); both
///   distilled students beat the one-hot student on clean test accuracy on average over seeds and
///   in at least 4 of 5 seeds.
///   Online vs offline is direction-only in the spec; its mean difference is recorded in the
///   report, not asserted.
#[test]
fn sc6_sc7_checkpoints_and_distillation() {
    let (mut rises, mut steps) = (0, 0);
    let (mut off_wins, mut on_wins, mut off_gain, mut on_gain) = (0, 0, 0.0, 0.0);
    for seed in 0..5 {
        let o = run_distillation(&DistillConfig {
            seed,
            ..Default::default()
        })
        .unwrap();
        let sc = &o.checkpoint_sc;
        assert!(sc[sc.len() - 1] > 5.0 * sc[0], "seed {seed}: {sc:?}");
        rises += sc.windows(2).filter(|w| w[1] > w[0]).count();
        steps += sc.len() - 1;
        assert!(o.one_hot_sc > 10.0 * sc[sc.len() - 1], "seed {seed}");
        off_wins += usize::from(o.student_offline > o.student_one_hot);
        on_wins += usize::from(o.student_online > o.student_one_hot);
        off_gain += (o.student_offline - o.student_one_hot) / 5.0;
        on_gain += (o.student_online - o.student_one_hot) / 5.0;
    }
    assert!(rises as f64 >= 0.9 * steps as f64, "{rises}/{steps}");
    assert!(off_wins >= 4 && on_wins >= 4, "{off_wins}, {on_wins}");
    assert!(off_gain > 0.0 && on_gain > 0.0, "{off_gain}, {on_gain}");
}

/// SC8 [D, statistical]: the margin bound holds where it is non-vacuous. Hypothesis: n = 2000
/// points on S², teacher f*(x) = v·x, labels sign(v·x) flipped with probability 0.1; the student is
/// the minimum-norm NTK interpolant of the teacher's outputs (SC ≤ 1 because Θ ⪰ the linear kernel).
/// Measured: test error on 2000 fresh noisy points ≤ the bound at γ = 0.3, δ = 0.05, and the bound is
/// non-vacuous (< 1). The one-hot interpolant of the noisy labels has a vacuous bound (> 1): the
/// trade-off of the paper.
#[test]
fn sc8_margin_bound_holds() {
    let o = linear_teacher_bound(&LinearTeacherConfig {
        seed: 8,
        ..Default::default()
    })
    .unwrap();
    assert!(o.teacher_sc <= 1.0 + 1e-9, "{o:?}");
    assert!(o.teacher_bound.total < 1.0, "vacuous: {o:?}");
    assert!(o.test_error <= o.teacher_bound.total, "{o:?}");
    assert!(o.label_bound.total > 1.0, "{o:?}");
}
