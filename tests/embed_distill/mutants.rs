//! Checks added by the mutation campaign (issue 13, `proofs-notes/MUTANTS.md`).

use attnmech::embed_distill::scoring::DualPoolingCrossEncoder;

/// Draws of `N(0, target²)`: sample SD within 5% of `target` and mean within 4 SE of 0 (the
/// tolerances and their reasons are stated at each caller).
fn assert_normal_with_sd(xs: &[f64], target: f64) {
    let n = xs.len() as f64;
    let (mean, sd) = crate::stats::mean_and_sd(xs);
    assert!((sd / target - 1.0).abs() <= 0.05, "sd {sd} vs {target}");
    assert!(mean.abs() <= 4.0 * target / n.sqrt(), "mean {mean}");
}

/// `DualPoolingCrossEncoder::random` documents weights `N(0, 1/k)`. At k = 64 the 3·4096
/// projection entries have sample standard deviation 1/8 within 5% (the standard error of a
/// sample SD over 12288 normal draws is 0.64%, so 5% is about 8 SE) and mean within 4 SE of 0.
/// Kills `scoring.rs: replace * with / in DualPoolingCrossEncoder::random` (`s / z`, a
/// heavy-tailed law), which no ED claim sees because they hold for any weights.
#[test]
fn random_cross_encoder_weights_have_the_documented_scale() {
    let k = 64;
    let enc = DualPoolingCrossEncoder::random(k, 3).unwrap();
    let (q, kk, v) = enc.projections();
    let mut xs = Vec::new();
    for m in [q, kk, v] {
        for i in 0..k {
            for j in 0..k {
                xs.push(m[(i, j)]);
            }
        }
    }
    assert_normal_with_sd(&xs, 1.0 / (k as f64).sqrt());
}

/// The classifier head `w_cls` of [`DualPoolingCrossEncoder::random`] has the same documented law
/// `N(0, 1/k)`. It holds only k entries per model, so the check pools 128 seeds at k = 64 (8192
/// draws): sample SD within 5% of 1/8 (its standard error is 0.78%, so 5% is about 6 SE) and mean
/// within 4 SE of 0. Kills `scoring.rs: replace * with / in DualPoolingCrossEncoder::random` at
/// the `w_cls` draw, which the projection check above does not read.
#[test]
fn random_cross_encoder_head_has_the_documented_scale() {
    let k = 64;
    let mut xs = Vec::new();
    for seed in 0..128 {
        let enc = DualPoolingCrossEncoder::random(k, seed).unwrap();
        xs.extend_from_slice(enc.w_cls());
    }
    assert_normal_with_sd(&xs, 1.0 / (k as f64).sqrt());
}

/// Embedding matching (λ = 1) pulls the student's queries onto the teacher's: the held-out mean
/// `‖q^t − q^s‖` after training is below half of the untrained one (0 steps: `B = 0`, so it is
/// the mean teacher-query norm). Why half is safe: the teacher is `tanh(Ax)` with unit-variance
/// pre-activations, whose best linear fit `βz` (β = E[sech² z] ≈ 0.606) leaves a relative residual
/// norm of √((E tanh² − β²)/E tanh²) ≈ 0.26, plus the estimation error of 96 weights from 100
/// queries. Kills `student.rs: replace - with + in run_asymmetric` (`‖q^s + q^t‖`, which grows to
/// about twice the untrained value as the student learns); the ED checks read only the top-1
/// agreement, so `mean_query_mismatch` was a figure quantity no test read.
#[test]
fn matching_shrinks_the_held_out_query_mismatch() {
    use attnmech::embed_distill::student::{run_asymmetric, AsymmetricConfig};
    let cfg = AsymmetricConfig {
        n_train: 100,
        n_test: 500,
        ..AsymmetricConfig::default()
    };
    let untrained = run_asymmetric(
        &AsymmetricConfig {
            steps: 0,
            ..cfg.clone()
        },
        1.0,
    )
    .unwrap();
    let matched = run_asymmetric(&cfg, 1.0).unwrap();
    let (m0, m1) = (untrained.mean_query_mismatch, matched.mean_query_mismatch);
    eprintln!("query mismatch: untrained {m0:.4}, matched {m1:.4}");
    assert!(m0 > 0.0 && m1 < 0.5 * m0, "untrained {m0}, matched {m1}");
}

/// At λ = 0 the asymmetric student is the score-only student: the embedding-matching term is
/// not evaluated, so it cannot turn the loss into `0 · ∞ = NaN` where `‖q^t − q^s‖²` overflows
/// (teacher query embeddings of norm ~1e160, whose scores against unit-scale documents are
/// still finite, only sharp). Kills `student.rs: replace > with >= in asymmetric_student_loss`
/// (`λ ≥ 0` evaluates the matching term at λ = 0 and adds `0 · ∞`).
#[test]
fn score_only_student_ignores_an_overflowing_matching_term() {
    use super::claims::normal_mat;
    use attnmech::embed_distill::student::asymmetric_student_loss;
    let mut rng = attnmech::rng::seeded(67, 0);
    let (b, x, q_t, docs) = (
        normal_mat(&mut rng, 4, 6),
        normal_mat(&mut rng, 7, 6),
        normal_mat(&mut rng, 7, 4) * faer::Scale(1e160),
        normal_mat(&mut rng, 10, 4),
    );
    let (loss, g) = asymmetric_student_loss(
        b.as_ref(),
        x.as_ref(),
        q_t.as_ref(),
        docs.as_ref(),
        0.8,
        1.2,
        0.0,
    )
    .unwrap();
    assert!(loss.is_finite() && loss > 0.0, "loss {loss}");
    for i in 0..4 {
        for j in 0..6 {
            assert!(g[(i, j)].is_finite(), "grad ({i}, {j}) = {}", g[(i, j)]);
        }
    }
}
