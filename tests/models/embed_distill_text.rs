//! EmbedDistill on real text (issue 11 §4): MiniLM teaches a 2-layer, 128-wide student on fortune
//! sentences; protocol and slack in `attnmech::embed_distill::real_text`. Needs the weights and the
//! corpus; skips without them.

use attnmech::embed_distill::real_text::{
    bound_holds, head_loss_and_grad, matching_does_not_hurt, run, Method, RealTextConfig,
    BOUND_ROUNDING, RECALL_SLACK,
};
use attnmech::rng::seeded;
use rand::Rng;

/// The batch head's gradients (student scores through the projection, softmax-CE, L2 matching)
/// against central differences in f64; the planted sign flip changes only the matching part.
#[test]
fn head_gradients_match_finite_differences() {
    let (b, w, k, l) = (3, 5, 4, 3);
    let mut rng = seeded(7, 1);
    let mut draw = |n: usize| -> Vec<f64> { (0..n).map(|_| rng.random::<f64>() - 0.5).collect() };
    let (pooled, p, tq, cand) = (draw(b * w), draw(k * w), draw(b * k), draw(l * k));
    let loss = |x: &[f64], p: &[f64]| head_loss_and_grad(x, p, w, &tq, &cand, 0.5, 0.7).unwrap().0;
    let (_, dx, dp) = head_loss_and_grad(&pooled, &p, w, &tq, &cand, 0.5, 0.7).unwrap();
    let h = 1e-6;
    let mut worst: f64 = 0.0;
    for i in 0..pooled.len() {
        let (mut a, mut c) = (pooled.clone(), pooled.clone());
        a[i] += h;
        c[i] -= h;
        worst = worst.max(((loss(&a, &p) - loss(&c, &p)) / (2.0 * h) - dx[i]).abs());
    }
    for i in 0..p.len() {
        let (mut a, mut c) = (p.clone(), p.clone());
        a[i] += h;
        c[i] -= h;
        worst = worst.max(((loss(&pooled, &a) - loss(&pooled, &c)) / (2.0 * h) - dp[i]).abs());
    }
    assert!(worst < 1e-8, "worst gradient error {worst:e}");
    // Negative control: the flipped gradient is not the loss's gradient.
    let (_, dx_flip, _) = head_loss_and_grad(&pooled, &p, w, &tq, &cand, 0.5, -0.7).unwrap();
    let diff = dx
        .iter()
        .zip(&dx_flip)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max);
    assert!(diff > 1e-3, "the planted bug changed nothing ({diff:e})");
}

#[test]
fn embedding_matching_on_real_text() {
    let cfg = RealTextConfig::standard();
    if !cfg.model_dir.join("model.safetensors").is_file() {
        println!(
            "SKIP: all-MiniLM-L6-v2 weights not found at {}; run scripts/fetch_minilm.sh",
            cfg.model_dir.display()
        );
        return;
    }
    if !cfg.corpus_dir.is_dir() {
        println!(
            "SKIP: fortunes corpus not found at {}; run scripts/fetch_fortunes.sh",
            cfg.corpus_dir.display()
        );
        return;
    }
    let start = std::time::Instant::now();
    let r = run(&cfg).expect("the real-text experiment");
    println!(
        "sizes {:?}, student vocab {}, {:.1} s",
        r.sizes,
        r.student_vocab,
        start.elapsed().as_secs_f64()
    );
    for run in r.runs.iter().chain([&r.control]) {
        println!(
            "{:<48} seed {}: recall@{} {:.4}  mismatch {:.4}  |gap| {:.4}  worst |gap|-bound {:.2e}  curve {:?}",
            run.method.label(),
            run.seed,
            cfg.k,
            run.recall,
            run.mean_query_mismatch,
            run.mean_abs_gap,
            run.worst_bound_excess,
            run.curve
        );
    }
    // [D] The score-gap bound holds on every real pair, every run: the bound the report uses.
    let worst = r.worst_bound_excess();
    assert!(bound_holds(&r), "bound violated by {worst:e}");
    // Negative control: one run whose bound is exceeded by more than rounding fails it.
    let mut broken = r.clone();
    broken.control.worst_bound_excess = 1e3 * BOUND_ROUNDING;
    assert!(!bound_holds(&broken));
    // [E] Embedding matching does not hurt (fixed seeds, slack RECALL_SLACK).
    let a = r.mean_recall(Method::ScoreOnly);
    let b = r.mean_recall(Method::ScorePlusMatching);
    let c = r.mean_recall(Method::MatchingWithGeneratedQueries);
    println!(
        "mean recall@{}: (a) {a:.4}  (b) {b:.4}  (c) {c:.4}  slack {RECALL_SLACK}",
        cfg.k
    );
    assert!(
        matching_does_not_hurt(a, b),
        "(b) {b} < (a) {a} - {RECALL_SLACK}"
    );
    assert!(
        matching_does_not_hurt(a, c),
        "(c) {c} < (a) {a} - {RECALL_SLACK}"
    );
    // Negative control: the planted sign flip fails the same check.
    let a0 = r
        .runs
        .iter()
        .find(|x| x.method == Method::ScoreOnly)
        .unwrap()
        .recall;
    assert!(
        !matching_does_not_hurt(a0, r.control.recall),
        "the flipped-gradient control passed the check: {} vs {a0}",
        r.control.recall
    );
}

/// Bad shapes and sizes are typed errors, before any file is read.
#[test]
fn head_and_run_reject_bad_input() {
    use attnmech::Error;
    let ok = |n: usize| vec![0.5; n];
    // pooled [2, 3], P [4, 3], teacher [2, 4], candidates [2, 4].
    let r = head_loss_and_grad(&ok(6), &ok(12), 3, &ok(8), &ok(8), 0.5, 1.0);
    assert!(r.is_ok());
    let r = head_loss_and_grad(&ok(7), &ok(12), 3, &ok(8), &ok(8), 0.5, 1.0);
    assert!(
        matches!(r, Err(Error::InvalidArgument { what: "pooled", .. })),
        "{r:?}"
    );
    let r = head_loss_and_grad(&ok(6), &ok(12), 0, &ok(8), &ok(8), 0.5, 1.0);
    assert!(matches!(r, Err(Error::InvalidArgument { .. })), "{r:?}");
    let r = head_loss_and_grad(&ok(6), &ok(12), 3, &ok(7), &ok(8), 0.5, 1.0);
    assert!(matches!(r, Err(Error::ShapeMismatch { .. })), "{r:?}");
    let r = head_loss_and_grad(&ok(6), &ok(12), 3, &ok(8), &ok(9), 0.5, 1.0);
    assert!(
        matches!(
            r,
            Err(Error::InvalidArgument {
                what: "candidates",
                ..
            })
        ),
        "{r:?}"
    );
    let r = head_loss_and_grad(&ok(6), &ok(12), 3, &ok(8), &[], 0.5, 1.0);
    assert!(matches!(r, Err(Error::Empty { .. })), "{r:?}");
    let r = head_loss_and_grad(&ok(6), &ok(12), 3, &ok(8), &ok(8), 0.0, 1.0);
    assert!(r.is_err(), "tau = 0 accepted");

    let base = RealTextConfig::standard;
    let zero_steps = RealTextConfig { steps: 0, ..base() };
    assert!(matches!(
        run(&zero_steps),
        Err(Error::InvalidArgument { what: "steps", .. })
    ));
    let huge = RealTextConfig {
        docs: usize::MAX,
        ..base()
    };
    assert!(matches!(run(&huge), Err(Error::TooLarge { .. })));
    let k_too_big = RealTextConfig { docs: 5, ..base() };
    assert!(matches!(
        run(&k_too_big),
        Err(Error::InvalidArgument { what: "k", .. })
    ));
    let no_corpus = RealTextConfig {
        corpus_dir: std::path::PathBuf::from("/nonexistent/attnmech/fortunes"),
        ..base()
    };
    assert!(matches!(run(&no_corpus), Err(Error::File { .. })));
}
