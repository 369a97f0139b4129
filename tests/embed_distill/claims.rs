//! ED1-ED5 and ED7, the worked example, the scorers.

use attnmech::embed_distill::experiments::*;
use attnmech::embed_distill::*;
use attnmech::rng::{seeded, Rng};
use faer::Mat;
use rand_distr::{Distribution, StandardNormal};

pub fn normal_vec(rng: &mut Rng, k: usize, scale: f64) -> Vec<f64> {
    (0..k)
        .map(|_| scale * Distribution::<f64>::sample(&StandardNormal, rng))
        .collect()
}

pub fn normal_mat(rng: &mut Rng, r: usize, c: usize) -> Mat<f64> {
    Mat::from_fn(r, c, |_, _| {
        Distribution::<f64>::sample(&StandardNormal, rng)
    })
}

fn norm(v: &[f64]) -> f64 {
    v.iter().map(|x| x * x).sum::<f64>().sqrt()
}

/// Worked example 7(e): q_t=(1,0), d_t=(2,1), q_s=(0.8,0.1), d_s=(2,0.5): gap 0.35, bound 0.9031
/// (the spec rounds to 4 digits: tolerance 5e-5 on the bound, 1e-14 on the gap).
#[test]
fn worked_example() {
    let (gap, bound) =
        score_gap_and_bound(&[1.0, 0.0], &[2.0, 1.0], &[0.8, 0.1], &[2.0, 0.5]).unwrap();
    assert!((gap - 0.35).abs() < 1e-14, "{gap}");
    assert!((bound - 0.9031).abs() < 5e-5, "{bound}");
}

/// ED1 [D,V]: |gap| ≤ ‖q_t−q_s‖‖d_t‖ + ‖q_s‖‖d_t−d_s‖ on 5000 random cases (dimensions 1..16,
/// mismatch scales 1e-3..1): worst slack ≤ 1e-12 (rounding). The experiment and bound the report
/// runs (`experiments::{ed1_cases, ed1_verdict}`). Negative check: the same bound with the second
/// term (the document mismatch) dropped is violated.
#[test]
fn ed1_score_gap_bound() {
    let cases = ed1_cases(0).unwrap();
    assert_eq!(cases.len(), ED1_CASES);
    let v = ed1_verdict(&cases);
    assert!(v.holds, "{v:?}");
    let without_doc_term: Vec<Ed1Case> = cases
        .iter()
        .map(|c| {
            let dq: Vec<f64> = c.q_t.iter().zip(&c.q_s).map(|(a, b)| a - b).collect();
            Ed1Case {
                bound: norm(&dq) * norm(&c.d_t),
                ..c.clone()
            }
        })
        .collect();
    assert!(!ed1_verdict(&without_doc_term).holds);
}

/// ED2 [D]: with every norm ≤ R, |gap| ≤ R(‖Δq‖+‖Δd‖); and the softmax-CE distillation loss (against
/// any fixed target), whose score gradient has ℓ1 norm ≤ 2/τ_s, moves by at most
/// (2/τ_s)·max_j |gap_j| ≤ (2/τ_s)·R(‖Δq‖ + max_j ‖Δd_j‖). 2000 random cases, L = 10 documents,
/// rounding slack 1e-12. The experiment and bound the report runs.
#[test]
fn ed2_radius_and_loss_bounds() {
    let o = ed2_radius_and_loss(0).unwrap();
    assert!(ed2_verdict(&o), "{o:?}");
    // Planted bug: a radius bound short by 1% (e.g. R taken over the teacher's norms only).
    assert!(!ed2_verdict(&Ed2Outcome {
        radius_ratio: 1.01,
        ..o
    }));
}

/// ED3 [D]: asymmetric student (d_s = d_t): gap = ⟨q_t − q_s, d_t⟩ (rel 1e-12) and |gap| ≤ ‖Δq‖‖d_t‖
/// (the bound's document term is exactly 0).
#[test]
fn ed3_asymmetric_gap_identity() {
    let mut rng = seeded(3, 0);
    for _ in 0..1000 {
        let (q_t, d_t, q_s) = (
            normal_vec(&mut rng, 8, 1.0),
            normal_vec(&mut rng, 8, 1.0),
            normal_vec(&mut rng, 8, 1.0),
        );
        let (gap, bound) = score_gap_and_bound(&q_t, &d_t, &q_s, &d_t).unwrap();
        let direct: f64 = q_t
            .iter()
            .zip(&q_s)
            .zip(&d_t)
            .map(|((a, b), d)| (a - b) * d)
            .sum();
        assert!((gap - direct).abs() <= 1e-12 * (1.0 + direct.abs()));
        let dq = q_t
            .iter()
            .zip(&q_s)
            .map(|(a, b)| (a - b) * (a - b))
            .sum::<f64>()
            .sqrt();
        assert!((bound - dq * norm(&d_t)).abs() <= 1e-14 * (1.0 + bound));
        assert!(gap.abs() <= bound * (1.0 + 1e-12));
    }
}

/// ED4 [D]: zero embedding mismatch ⇒ the score losses' gradients are exactly 0, the softmax-CE
/// excess (KL) and margin-MSE are 0, L2 matching is 0 with gradient 0 (also through an explicit
/// identity projection), and the asymmetric student at B = A for a linear teacher has gradient 0.
/// (The softmax-CE value itself is the teacher entropy H(p^t) at the match, not 0: checked too.)
#[test]
fn ed4_zero_mismatch_zero_loss() {
    let mut rng = seeded(4, 0);
    let q = normal_mat(&mut rng, 3, 5);
    let d = normal_mat(&mut rng, 7, 5);
    let s = dual_encoder_scores(q.as_ref(), d.as_ref()).unwrap();
    for i in 0..3 {
        let row: Vec<f64> = (0..7).map(|j| s[(i, j)]).collect();
        let ce = softmax_ce(&row, &row, 0.8, 0.8).unwrap();
        assert!(ce.grad.iter().all(|g| *g == 0.0) && ce.excess.abs() < 1e-15);
        let p: Vec<f64> = {
            let m = row.iter().fold(f64::NEG_INFINITY, |a, b| a.max(b / 0.8));
            let z: f64 = row.iter().map(|v| (v / 0.8 - m).exp()).sum();
            row.iter().map(|v| (v / 0.8 - m).exp() / z).collect()
        };
        let entropy: f64 = -p.iter().map(|v| v * v.ln()).sum::<f64>();
        assert!((ce.loss - entropy).abs() < 1e-13);
        let mm = margin_mse(&row, &row, i).unwrap();
        assert!(mm.loss == 0.0 && mm.grad.iter().all(|g| *g == 0.0));
        let e: Vec<f64> = (0..5).map(|j| q[(i, j)]).collect();
        let m = l2_match(&e, &e, None).unwrap();
        assert!(m.loss == 0.0 && m.grad_student.iter().all(|g| *g == 0.0));
        let eye = Mat::<f64>::identity(5, 5);
        let m = l2_match(&e, &e, Some(eye.as_ref())).unwrap();
        assert!(m.loss == 0.0 && m.grad_projection.unwrap().norm_max() == 0.0);
    }
    let a = normal_mat(&mut rng, 4, 6);
    let x = normal_mat(&mut rng, 9, 6);
    let q_t = &x * a.transpose();
    for lambda in [0.0, 1.0] {
        let (_, g) = asymmetric_student_loss(
            a.as_ref(),
            x.as_ref(),
            q_t.as_ref(),
            d.as_ref().subcols(0, 4),
            1.0,
            1.0,
            lambda,
        )
        .unwrap();
        assert!(g.norm_max() < 1e-14, "lambda {lambda}: {}", g.norm_max());
    }
}

/// ED5 [D]: softmax-CE distillation is minimised exactly at s^s = s^t·τ_s/τ_t + c: there the gradient
/// vanishes and the excess KL is 0 (abs 1e-13: s^s = s^t·τ_s/τ_t + c is formed in floating point,
/// so the two tempered logit vectors agree only to a few ulps of |s|/τ ≈ 10), and any perturbation that is not a
/// constant shift strictly increases the loss. Margin-MSE is invariant to per-query shifts of
/// either score vector (abs 1e-12) and vanishes iff the scores differ by a constant.
#[test]
fn ed5_minimisers_and_shift_invariance() {
    let mut rng = seeded(5, 0);
    let (tau_s, tau_t) = (0.5, 2.0);
    for _ in 0..50 {
        let s_t = normal_vec(&mut rng, 12, 3.0);
        let c = normal_vec(&mut rng, 1, 5.0)[0];
        let s_opt: Vec<f64> = s_t.iter().map(|v| v * tau_s / tau_t + c).collect();
        let at = softmax_ce(&s_opt, &s_t, tau_s, tau_t).unwrap();
        assert!(at.grad.iter().all(|g| g.abs() < 1e-13) && at.excess.abs() < 1e-13);
        let shifted: Vec<f64> = s_opt.iter().map(|v| v - 3.0).collect();
        assert!((softmax_ce(&shifted, &s_t, tau_s, tau_t).unwrap().loss - at.loss).abs() < 1e-13);
        let bump = normal_vec(&mut rng, 12, 0.05);
        let off: Vec<f64> = s_opt.iter().zip(&bump).map(|(a, b)| a + b).collect();
        assert!(softmax_ce(&off, &s_t, tau_s, tau_t).unwrap().loss > at.loss);
        // Margin-MSE.
        let s_s = normal_vec(&mut rng, 12, 1.0);
        let base = margin_mse(&s_s, &s_t, 3).unwrap().loss;
        let s_s2: Vec<f64> = s_s.iter().map(|v| v + 7.0).collect();
        let s_t2: Vec<f64> = s_t.iter().map(|v| v - 2.0).collect();
        assert!((margin_mse(&s_s2, &s_t2, 3).unwrap().loss - base).abs() < 1e-12);
        let same: Vec<f64> = s_t.iter().map(|v| v + c).collect();
        assert!(margin_mse(&same, &s_t, 3).unwrap().loss < 1e-24);
    }
}

/// ED7 [P,E] on the spec's tiny instance 7(c): adding L2 query-embedding matching (λ = 1) to
/// softmax-CE score distillation does not hurt held-out top-1 agreement with the teacher by more
/// than 0.01 (the spec's assertion; its run: 0.538 → 0.566 at n = 20, 0.714 → 0.718 at n = 100),
/// and more training queries help both students (agreement at n = 100 > at n = 20).
/// The spec gives no step size. Issue 13: instead of the one learning rate under which the trend
/// holds, the experiment sweeps the fixed grid lr ∈ {0.02, 0.1, 0.5} (GD, 3000 steps); the test
/// and the report run the same sweep and bound (`experiments::{ed7_sweep, ed7_verdict}`). The
/// claim holds and is asserted at 0.02 and 0.1; at 0.5 it is NOT reproduced (the non-smooth L2
/// term makes GD jitter around the match and the matched student loses; proofs-notes/
/// embed_distill.md; the report shows it as a known non-reproduction) — there the numbers are
/// printed and what holds is asserted: more training queries still help the score-only student.
#[test]
fn ed7_embedding_matching_helps() {
    let cells = ed7_sweep(0).unwrap();
    for c in &cells {
        eprintln!("ED7 {c:?}");
    }
    for v in ed7_verdict(&cells) {
        eprintln!("ED7 verdict {v:?}");
        if v.lr <= 0.1 {
            assert!(v.holds(), "{v:?}");
        } else {
            assert!(v.more_queries_plain, "{v:?}");
        }
    }
}

/// Dual-pooling cross-encoder [D]: the pooled query embedding depends on the document, and the
/// CE score matrix over 16 × 16 pairs has numerical rank above k = 4 (σ_5/σ_1 > 1e-3), which no
/// 4-dimensional dual encoder can reproduce: a DE score matrix has σ_5/σ_1 < 1e-12 (negative
/// control). Tokens are random, 3 per query and 5 per document.
#[test]
fn dual_pooling_is_not_a_dual_encoder() {
    let k = 4;
    let ce = DualPoolingCrossEncoder::random(k, 7).unwrap();
    let mut rng = seeded(6, 0);
    let queries: Vec<Mat<f64>> = (0..16).map(|_| normal_mat(&mut rng, 3, k)).collect();
    let docs: Vec<Mat<f64>> = (0..16).map(|_| normal_mat(&mut rng, 5, k)).collect();
    let e0 = ce.encode(queries[0].as_ref(), docs[0].as_ref()).unwrap();
    let e1 = ce.encode(queries[0].as_ref(), docs[1].as_ref()).unwrap();
    let diff: f64 = e0.e_q.iter().zip(&e1.e_q).map(|(a, b)| (a - b).abs()).sum();
    assert!(diff > 1e-3, "{diff}");
    let s = Mat::from_fn(16, 16, |i, j| {
        ce.encode(queries[i].as_ref(), docs[j].as_ref())
            .unwrap()
            .score
    });
    let sv = s.singular_values().unwrap();
    assert!(sv[k] / sv[0] > 1e-3, "{sv:?}");
    let de = dual_encoder_scores(
        normal_mat(&mut rng, 16, k).as_ref(),
        normal_mat(&mut rng, 16, k).as_ref(),
    )
    .unwrap();
    let sv = de.singular_values().unwrap();
    assert!(sv[k] / sv[0] < 1e-12, "{sv:?}");
    // Cosine scores are the inner products of the normalised rows over τ.
    let (q, d) = (normal_mat(&mut rng, 3, k), normal_mat(&mut rng, 2, k));
    let c = cosine_scores(q.as_ref(), d.as_ref(), 0.1).unwrap();
    let raw = dual_encoder_scores(q.as_ref(), d.as_ref()).unwrap();
    for i in 0..3 {
        for j in 0..2 {
            let want = raw[(i, j)] / (q.row(i).norm_l2() * d.row(j).norm_l2() * 0.1);
            assert!((c[(i, j)] - want).abs() < 1e-13 * want.abs().max(1.0));
        }
    }
}
