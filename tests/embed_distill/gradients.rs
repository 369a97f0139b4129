//! ED6: gradient formulas against central finite differences, and the error paths.

use super::claims::{normal_mat, normal_vec};
use attnmech::embed_distill::*;
use attnmech::error::Error;
use attnmech::rng::seeded;
use faer::Mat;

const H: f64 = 1e-5;

/// Central difference of `f` at `x` along coordinate `i`.
fn fd(f: &dyn Fn(&[f64]) -> f64, x: &[f64], i: usize) -> f64 {
    let (mut p, mut m) = (x.to_vec(), x.to_vec());
    p[i] += H;
    m[i] -= H;
    (f(&p) - f(&m)) / (2.0 * H)
}

fn worst(f: &dyn Fn(&[f64]) -> f64, x: &[f64], grad: &[f64]) -> f64 {
    (0..x.len())
        .map(|i| (fd(f, x, i) - grad[i]).abs())
        .fold(0.0, f64::max)
}

/// ED6 [D,V]: the score-loss gradients match central differences to abs 3e-9 (smooth losses,
/// h = 1e-5: truncation O(h²·f''') ≈ 1e-10, rounding ≈ 1e-11). Softmax-CE at τ_s = 0.7, τ_t = 1.3;
/// margin-MSE; label CE. Negative check: the softmax-CE gradient without its 1/τ_s factor is rejected.
#[test]
fn ed6_score_loss_gradients() {
    let mut rng = seeded(60, 0);
    for _ in 0..20 {
        let (s_s, s_t) = (normal_vec(&mut rng, 9, 2.0), normal_vec(&mut rng, 9, 2.0));
        let ce = softmax_ce(&s_s, &s_t, 0.7, 1.3).unwrap();
        let f = |s: &[f64]| softmax_ce(s, &s_t, 0.7, 1.3).unwrap().loss;
        assert!(worst(&f, &s_s, &ce.grad) < 3e-9);
        let wrong: Vec<f64> = ce.grad.iter().map(|g| g * 0.7).collect();
        assert!(worst(&f, &s_s, &wrong) > 1e-3);
        let mm = margin_mse(&s_s, &s_t, 4).unwrap();
        let f = |s: &[f64]| margin_mse(s, &s_t, 4).unwrap().loss;
        assert!(worst(&f, &s_s, &mm.grad) < 3e-9);
        let lc = label_ce(&s_s, 2, 0.9).unwrap();
        let f = |s: &[f64]| label_ce(s, 2, 0.9).unwrap().loss;
        assert!(worst(&f, &s_s, &lc.grad) < 3e-9);
    }
}

/// ED6 [D]: L2 matching gradients in the student embedding and in the projection P (k_t = 5,
/// k_s = 3) against central differences, abs 3e-9, away from u = 0. Negative check: using P instead
/// of Pᵀ in the student gradient (a shape-compatible bug when k_t = k_s) is rejected.
#[test]
fn ed6_matching_gradients() {
    let mut rng = seeded(61, 0);
    for _ in 0..20 {
        let (e_t, e_s) = (normal_vec(&mut rng, 5, 1.0), normal_vec(&mut rng, 3, 1.0));
        let p = normal_mat(&mut rng, 5, 3);
        let m = l2_match(&e_t, &e_s, Some(p.as_ref())).unwrap();
        let f = |s: &[f64]| l2_match(&e_t, s, Some(p.as_ref())).unwrap().loss;
        assert!(worst(&f, &e_s, &m.grad_student) < 3e-9);
        let flat: Vec<f64> = (0..15).map(|i| p[(i / 3, i % 3)]).collect();
        let gp = m.grad_projection.unwrap();
        let gflat: Vec<f64> = (0..15).map(|i| gp[(i / 3, i % 3)]).collect();
        let f = |v: &[f64]| {
            let pm = Mat::from_fn(5, 3, |i, j| v[i * 3 + j]);
            l2_match(&e_t, &e_s, Some(pm.as_ref())).unwrap().loss
        };
        assert!(worst(&f, &flat, &gflat) < 3e-9);
        // Square case for the negative check.
        let (a, b) = (normal_vec(&mut rng, 4, 1.0), normal_vec(&mut rng, 4, 1.0));
        let q = normal_mat(&mut rng, 4, 4);
        let m = l2_match(&a, &b, Some(q.as_ref())).unwrap();
        let u: Vec<f64> = (0..4)
            .map(|i| a[i] - (0..4).map(|j| q[(i, j)] * b[j]).sum::<f64>())
            .collect();
        let wrong: Vec<f64> = (0..4)
            .map(|j| -(0..4).map(|i| q[(j, i)] * u[i]).sum::<f64>() / m.loss)
            .collect();
        let f = |s: &[f64]| l2_match(&a, s, Some(q.as_ref())).unwrap().loss;
        assert!(worst(&f, &b, &m.grad_student) < 3e-9);
        assert!(worst(&f, &b, &wrong) > 1e-3);
    }
}

/// ED6 [D]: the asymmetric student's end-to-end gradient in B (softmax-CE through the GEMMs plus
/// λ = 1 embedding matching) against central differences, abs 3e-9.
#[test]
fn ed6_asymmetric_student_gradient() {
    let mut rng = seeded(62, 0);
    let (b, x, q_t, docs) = (
        normal_mat(&mut rng, 4, 6),
        normal_mat(&mut rng, 7, 6),
        normal_mat(&mut rng, 7, 4),
        normal_mat(&mut rng, 10, 4),
    );
    let (_, g) = asymmetric_student_loss(
        b.as_ref(),
        x.as_ref(),
        q_t.as_ref(),
        docs.as_ref(),
        0.8,
        1.2,
        1.0,
    )
    .unwrap();
    let flat: Vec<f64> = (0..24).map(|i| b[(i / 6, i % 6)]).collect();
    let gflat: Vec<f64> = (0..24).map(|i| g[(i / 6, i % 6)]).collect();
    let f = |v: &[f64]| {
        let bm = Mat::from_fn(4, 6, |i, j| v[i * 6 + j]);
        asymmetric_student_loss(
            bm.as_ref(),
            x.as_ref(),
            q_t.as_ref(),
            docs.as_ref(),
            0.8,
            1.2,
            1.0,
        )
        .unwrap()
        .0
    };
    assert!(worst(&f, &flat, &gflat) < 3e-9);
}

/// Bad input is an `Err`: mismatched lengths, temperature ≤ 0, positive out of range, margin-MSE
/// with one candidate, wrong projection shape, dimension mismatch without projection, NaN scores,
/// zero-norm cosine rows, negative λ.
#[test]
fn bad_input_is_rejected() {
    let s = [1.0, 2.0, 3.0];
    assert!(matches!(
        softmax_ce(&s, &s[..2], 1.0, 1.0),
        Err(Error::ShapeMismatch {
            expected: 3,
            got: 2,
            ..
        })
    ));
    for tau in [0.0, -1.0, f64::NAN] {
        assert!(matches!(
            softmax_ce(&s, &s, tau, 1.0),
            Err(Error::InvalidArgument { .. })
        ));
        assert!(softmax_ce(&s, &s, 1.0, tau).is_err());
        assert!(label_ce(&s, 0, tau).is_err());
    }
    assert!(matches!(
        margin_mse(&s, &s, 3),
        Err(Error::OutOfRange { .. })
    ));
    assert!(margin_mse(&s[..1], &s[..1], 0).is_err());
    assert!(matches!(
        softmax_ce(&[1.0, f64::NAN], &[0.0, 0.0], 1.0, 1.0),
        Err(Error::NonFinite { index: 1, .. })
    ));
    assert!(softmax_ce(&[], &[], 1.0, 1.0).is_err());
    let p = Mat::<f64>::zeros(4, 3);
    assert!(l2_match(&[1.0; 5], &[1.0; 3], Some(p.as_ref())).is_err());
    assert!(l2_match(&[1.0; 5], &[1.0; 3], None).is_err());
    assert!(score_gap_and_bound(&[1.0], &[1.0, 2.0], &[1.0], &[1.0]).is_err());
    let z = Mat::<f64>::zeros(2, 3);
    assert!(cosine_scores(z.as_ref(), z.as_ref(), 1.0).is_err());
    let one = Mat::<f64>::identity(3, 3);
    assert!(cosine_scores(one.as_ref(), one.as_ref(), 0.0).is_err());
    assert!(dual_encoder_scores(one.as_ref(), z.as_ref().subcols(0, 2)).is_err());
    assert!(asymmetric_student_loss(
        one.as_ref(),
        one.as_ref(),
        one.as_ref(),
        one.as_ref(),
        1.0,
        1.0,
        -1.0
    )
    .is_err());
    assert!(DualPoolingCrossEncoder::random(0, 1).is_err());
}

/// The training-loop gradient ([`AsymmetricTrainer`]) equals the reference
/// [`asymmetric_student_loss`] gradient to rel 1e-12 (same sums in another order), for λ = 0 and 1.
#[test]
fn trainer_matches_reference_gradient() {
    let mut rng = seeded(63, 0);
    let (b, x, q_t, docs) = (
        normal_mat(&mut rng, 4, 6),
        normal_mat(&mut rng, 9, 6),
        normal_mat(&mut rng, 9, 4),
        normal_mat(&mut rng, 17, 4),
    );
    for lambda in [0.0, 1.0] {
        let (_, g_ref) = asymmetric_student_loss(
            b.as_ref(),
            x.as_ref(),
            q_t.as_ref(),
            docs.as_ref(),
            0.8,
            1.2,
            lambda,
        )
        .unwrap();
        let g = AsymmetricTrainer::new(x.as_ref(), q_t.as_ref(), docs.as_ref(), 0.8, 1.2, lambda)
            .unwrap()
            .gradient(b.as_ref())
            .unwrap();
        assert!((&g - &g_ref).norm_max() <= 1e-12 * g_ref.norm_max());
    }
}
