//! Kernels: analytic and empirical NTK, KD gradient, targets, error paths.

use attnmech::error::Error;
use attnmech::rng::seeded;
use attnmech::supervision::targets::check_distributions;
use attnmech::supervision::*;
use faer::Mat;
use rand_distr::{Distribution, StandardNormal};

pub fn gaussian(rows: usize, cols: usize, seed: u64, stream: u64) -> Mat<f64> {
    let mut rng = seeded(seed, stream);
    Mat::from_fn(rows, cols, |_, _| StandardNormal.sample(&mut rng))
}

pub fn sphere(n: usize, d: usize, seed: u64) -> Mat<f64> {
    let mut x = gaussian(n, d, seed, 1);
    for i in 0..n {
        let r = x.row(i).norm_l2();
        for j in 0..d {
            x[(i, j)] /= r;
        }
    }
    x
}

/// Analytic NTK at hand-computable angles: Θ(x,x) = 2‖x‖², Θ(x,−x) = 0, orthogonal unit vectors
/// give 1/π, and Θ is homogeneous of degree 1 in each argument. Closed forms, tolerance 1e-15.
#[test]
fn analytic_ntk_hand_values() {
    let x = Mat::from_fn(4, 2, |i, j| {
        [[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0], [3.0, 0.0]][i][j]
    });
    let k = relu_ntk_gram(x.as_ref()).unwrap();
    assert!((k[(0, 0)] - 2.0).abs() < 1e-15);
    assert!((k[(0, 1)] - 1.0 / std::f64::consts::PI).abs() < 1e-15);
    assert!(k[(0, 2)].abs() < 1e-15);
    assert!((k[(3, 1)] - 3.0 / std::f64::consts::PI).abs() < 1e-15);
    assert!((k[(3, 3)] - 18.0).abs() < 1e-13);
}

/// Per-example gradients of the two-layer net against central finite differences. `f` is a
/// product of `A` and a piecewise-linear function of `W`, so away from ReLU kinks central
/// differences are exact up to rounding: abs 3e-9 (spec). Negative check: the same comparison
/// rejects a Jacobian that forgets the ReLU indicator (gradient of a linear activation).
#[test]
fn ntk_per_example_gradient_matches_finite_differences() {
    let net = TwoLayerRelu::random(4, 7, 3, 11).unwrap();
    let x = gaussian(5, 4, 12, 0);
    let theta = net.params();
    let h = 1e-5;
    for c in 0..3 {
        let jac = net.jacobian(x.as_ref(), c).unwrap();
        let mut worst: f64 = 0.0;
        let mut worst_wrong: f64 = 0.0;
        for p in 0..theta.len() {
            let mut plus = net.clone();
            let mut minus = net.clone();
            let mut t = theta.clone();
            t[p] += h;
            plus.set_params(&t).unwrap();
            t[p] -= 2.0 * h;
            minus.set_params(&t).unwrap();
            let (fp, fm) = (
                plus.forward(x.as_ref()).unwrap(),
                minus.forward(x.as_ref()).unwrap(),
            );
            for i in 0..5 {
                let fd = (fp[(i, c)] - fm[(i, c)]) / (2.0 * h);
                worst = worst.max((fd - jac[(i, p)]).abs());
                // Wrong Jacobian: the W-part without the indicator 1{w_r·x > 0}.
                let wrong = if p < 7 * 4 {
                    let (r, t) = (p / 4, p % 4);
                    net.a()[(c, r)] * x[(i, t)] / 7f64.sqrt()
                } else {
                    jac[(i, p)]
                };
                worst_wrong = worst_wrong.max((fd - wrong).abs());
            }
        }
        assert!(worst < 3e-9, "output {c}: worst FD error {worst:e}");
        assert!(
            worst_wrong > 1e-2,
            "negative check not rejected: {worst_wrong:e}"
        );
    }
}

/// Infinite-width limit: with standard-normal `W, A`, each output's empirical NTK averages `m`
/// i.i.d. terms whose mean is `Θ/2`, so its relative error is O(1/√m). Measured: max entry error
/// relative to max |Θ/2| at m = 8192 below 6/√m ≈ 0.066 (≈ 4 standard deviations), and the error at
/// m = 8192 below the error at m = 128 (expected ratio 8). The summed kernel is the sum of the
/// per-output ones (exact up to rounding).
#[test]
fn empirical_ntk_tends_to_half_analytic() {
    let x = sphere(12, 5, 3);
    let target = relu_ntk_gram(x.as_ref()).unwrap();
    let scale = (0..12).map(|i| target[(i, i)]).fold(0.0, f64::max) / 2.0;
    let err = |m: usize, seed: u64| {
        let net = TwoLayerRelu::random(5, m, 2, seed).unwrap();
        let k = net.empirical_ntk(x.as_ref(), Some(0)).unwrap();
        let mut e: f64 = 0.0;
        for i in 0..12 {
            for j in 0..12 {
                e = e.max((k[(i, j)] - target[(i, j)] / 2.0).abs());
            }
        }
        e / scale
    };
    let (small, large) = (err(128, 5), err(8192, 5));
    assert!(large < 6.0 / 8192f64.sqrt(), "m=8192 error {large}");
    assert!(
        large < small,
        "error did not shrink with width: {small} -> {large}"
    );
    let net = TwoLayerRelu::random(5, 64, 3, 9).unwrap();
    let total = net.empirical_ntk(x.as_ref(), None).unwrap();
    let mut parts = Mat::<f64>::zeros(12, 12);
    for c in 0..3 {
        parts += net.empirical_ntk(x.as_ref(), Some(c)).unwrap();
    }
    for i in 0..12 {
        for j in 0..12 {
            assert!((total[(i, j)] - parts[(i, j)]).abs() < 1e-12 * (1.0 + parts[(i, j)].abs()));
        }
    }
}

/// KD loss gradient `τ(softmax(z/τ) − p)/n` against central differences of `τ² KL`, abs 3e-9
/// (the loss is smooth; h = 1e-5 gives truncation O(h²) ≈ 1e-10). Negative check: the gradient
/// without the τ factor is rejected.
#[test]
fn kd_gradient_matches_finite_differences() {
    let z_t = gaussian(4, 6, 21, 0);
    let tau = 2.5;
    let p = teacher_probabilities(z_t.as_ref(), tau).unwrap();
    let z = gaussian(4, 6, 22, 0);
    let (_, g) = kd_loss_and_grad(p.as_ref(), z.as_ref(), tau).unwrap();
    let h = 1e-5;
    let (mut worst, mut worst_wrong) = (0.0f64, 0.0f64);
    for i in 0..4 {
        for j in 0..6 {
            let mut zp = z.clone();
            zp[(i, j)] += h;
            let mut zm = z.clone();
            zm[(i, j)] -= h;
            let fd = (kd_loss_and_grad(p.as_ref(), zp.as_ref(), tau).unwrap().0
                - kd_loss_and_grad(p.as_ref(), zm.as_ref(), tau).unwrap().0)
                / (2.0 * h);
            worst = worst.max((fd - g[(i, j)]).abs());
            worst_wrong = worst_wrong.max((fd - g[(i, j)] / tau).abs());
        }
    }
    assert!(worst < 3e-9, "{worst:e}");
    assert!(worst_wrong > 1e-3, "{worst_wrong:e}");
    // Loss is zero when the student reproduces the teacher at the same temperature.
    let (l0, g0) = kd_loss_and_grad(p.as_ref(), z_t.as_ref(), tau).unwrap();
    assert!(l0.abs() < 1e-14 && g0.norm_max() < 1e-16 * 10.0);
}

/// τ → 0 is its own code path: on tie-free logits with gaps ≫ τ the tempered softmax equals the
/// argmax one-hot to rounding; ties break to the lowest index.
#[test]
fn temperature_zero_limit_is_argmax() {
    let z = gaussian(50, 5, 31, 0);
    let hard = argmax_one_hot(z.as_ref()).unwrap();
    let soft = teacher_probabilities(z.as_ref(), 1e-4).unwrap();
    // Gaps between Gaussian logits are far above 1e-4·40 for this seed (checked by the assert).
    assert!((&hard - &soft).norm_max() < 1e-12);
    let tie = Mat::from_fn(1, 3, |_, j| [1.0, 2.0, 2.0][j]);
    assert_eq!(argmax_one_hot(tie.as_ref()).unwrap()[(0, 1)], 1.0);
}

/// Bad input is an `Err` naming the problem: failing Cholesky pivot, shapes, NaN, asymmetry,
/// negative ridge, temperature ≤ 0, non-distributions, labels out of range.
#[test]
fn bad_input_is_rejected() {
    let diag = Mat::from_fn(4, 4, |i, j| {
        if i == j {
            [1.0, 2.0, -1.0, 3.0][i]
        } else {
            0.0
        }
    });
    let y = Mat::from_fn(4, 1, |i, _| i as f64);
    assert_eq!(
        supervision_complexity(diag.as_ref(), y.as_ref(), 0.0).unwrap_err(),
        Error::NotPositiveDefinite {
            what: "gram",
            pivot: 2
        }
    );
    let indefinite = Mat::from_fn(2, 2, |i, j| if i == j { 1.0 } else { 2.0 });
    assert!(matches!(
        supervision_complexity(indefinite.as_ref(), y.as_ref().subrows(0, 2), 0.0),
        Err(Error::NotPositiveDefinite { pivot: 1, .. })
    ));
    assert!(matches!(
        supervision_complexity_eigen(indefinite.as_ref(), y.as_ref().subrows(0, 2)),
        Err(Error::NotPositiveDefinite { pivot: 0, .. })
    ));
    let eye = Mat::<f64>::identity(3, 3);
    assert!(matches!(
        supervision_complexity(eye.as_ref(), y.as_ref(), 0.0),
        Err(Error::ShapeMismatch {
            expected: 3,
            got: 4,
            ..
        })
    ));
    let mut nan = eye.clone();
    nan[(1, 1)] = f64::NAN;
    assert!(matches!(
        supervision_complexity(nan.as_ref(), y.as_ref().subrows(0, 3), 0.0),
        Err(Error::NonFinite { index: 4, .. })
    ));
    let mut asym = eye.clone();
    asym[(0, 2)] = 0.5;
    assert!(matches!(
        supervision_complexity(asym.as_ref(), y.as_ref().subrows(0, 3), 0.0),
        Err(Error::InvalidArgument { .. })
    ));
    // Asymmetry across a 64-tile boundary is caught too.
    let mut big = Mat::<f64>::identity(130, 130);
    big[(100, 65)] = 0.5;
    assert!(matches!(
        GramFactor::new(big.as_ref(), 0.0),
        Err(Error::InvalidArgument { .. })
    ));
    assert!(supervision_complexity(eye.as_ref(), y.as_ref().subrows(0, 3), -1.0).is_err());
    assert!(matches!(
        supervision_complexity(
            Mat::<f64>::zeros(0, 0).as_ref(),
            y.as_ref().subrows(0, 0),
            0.0
        ),
        Err(Error::Empty { .. })
    ));
    let z = gaussian(2, 3, 1, 0);
    for tau in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        assert!(matches!(
            teacher_probabilities(z.as_ref(), tau),
            Err(Error::InvalidArgument { .. })
        ));
    }
    let not_dist = Mat::from_fn(2, 3, |_, _| 0.5);
    assert!(check_distributions("p", not_dist.as_ref()).is_err());
    let negative = Mat::from_fn(1, 2, |_, j| [1.5, -0.5][j]);
    assert!(check_distributions("p", negative.as_ref()).is_err());
    assert!(kd_loss_and_grad(not_dist.as_ref(), z.as_ref(), 1.0).is_err());
    let p = teacher_probabilities(z.as_ref(), 1.0).unwrap();
    assert!(kd_loss_and_grad(p.as_ref(), z.as_ref().subrows(0, 1), 1.0).is_err());
    assert!(matches!(
        one_hot(&[0, 3], 3),
        Err(Error::OutOfRange {
            index: 1,
            value: 3,
            bound: 3,
            ..
        })
    ));
    assert!(margin_bound(&[0.1], 0.0, 1.0, 1.0, 0.05).is_err());
    assert!(margin_bound(&[0.1], 0.1, 1.0, 1.0, 1.0).is_err());
}

/// The validating pass that copies the Gram's lower triangle (`scan_gram`, parallel over column
/// blocks) hands faer exactly the matrix a plain copy would: `L` is bit-identical to faer's factor of
/// `K + λI` built by hand, for pools of 1, 2 and 3 threads, at an order that is not a multiple of
/// the 64-column tile. A non-finite entry is named by its first row-major index even when the
/// column scan meets another one first.
#[test]
fn gram_factor_equals_a_plain_copy_any_thread_count() {
    let n = 200;
    let x = gaussian(n, 24, 5, 0);
    let k = attnmech::linalg::gemm(x.as_ref(), x.as_ref().transpose()).unwrap();
    let ridge = 0.25;
    let mut plain = k.clone();
    for i in 0..n {
        plain[(i, i)] += ridge;
    }
    attnmech::linalg::factor_lower_in_place("gram", plain.as_mut(), faer::Par::Seq).unwrap();
    for threads in [1, 2, 3] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let l = pool
            .install(|| GramFactor::new(k.as_ref(), ridge))
            .unwrap()
            .l();
        for j in 0..n {
            for i in 0..n {
                let want = if i >= j { plain[(i, j)] } else { 0.0 };
                assert_eq!(
                    l[(i, j)].to_bits(),
                    want.to_bits(),
                    "({i}, {j}), {threads} threads"
                );
            }
        }
    }
    // Column order meets (150, 3) first; row-major order meets (3, 150) first: index 3·n + 150.
    let mut bad = k.clone();
    bad[(150, 3)] = f64::NAN;
    bad[(3, 150)] = f64::INFINITY;
    assert!(matches!(
        GramFactor::new(bad.as_ref(), ridge),
        Err(Error::NonFinite { index, .. }) if index == 3 * n + 150
    ));
    let mut lower = Mat::<f64>::identity(n, n);
    lower[(199, 0)] = f64::NAN;
    lower[(70, 70)] = f64::NAN;
    assert!(matches!(
        attnmech::linalg::check_lower_finite("l", lower.as_ref()),
        Err(Error::NonFinite { index, .. }) if index == 70 * n + 70
    ));
    // The strict upper triangle is not read.
    let mut upper = Mat::<f64>::identity(n, n);
    upper[(0, 199)] = f64::NAN;
    assert!(attnmech::linalg::check_lower_finite("l", upper.as_ref()).is_ok());
}
