//! Checks added by the mutation campaign (issue 13, `proofs-notes/MUTANTS.md`): each test names
//! the surviving mutant it kills and the property it asserts, which holds for the correct code
//! independently of the mutant.

use super::common::*;
use attnmech::nexttoken::finite::w_fin;
use attnmech::nexttoken::graph::build_graphs;
use attnmech::nexttoken::metrics::within_scc_error;
use attnmech::nexttoken::model::{loss_and_grad, reference_loss_and_grad, GradientForm};
use attnmech::nexttoken::svm::graph_svm;

/// The naive gradient form (`(p_y − 1) e_y + Σ_j p_j e_j`) is the same function as the stable
/// form (`Σ_{j≠y} p_j (e_j − e_y)`); they differ only in rounding, which matters when `p_y`
/// rounds to 1 (P1, `model::p1_naive_gradient_loses_direction`). At the torch initialisation
/// (scores O(1)) they agree to 1e-12 relative: the naive form's rounding error is a few ulps of
/// each O(1/n) term. Kills `model.rs: replace - with / in loss_and_grad_of` (the naive label
/// term `p_y / 1` instead of `p_y − 1`, off by `1/n` per sample), which P1 cannot see because it
/// only asserts that the naive form is bad at large scale.
#[test]
fn naive_gradient_equals_stable_at_moderate_scale() {
    for seed in 0..3 {
        let ds = authors_cyclic(seed);
        let w = init(seed, 8);
        let stable = loss_and_grad(&ds, &w, GradientForm::Stable).unwrap();
        let naive = loss_and_grad(&ds, &w, GradientForm::Naive).unwrap();
        let scale = 1.0 + stable.grad.norm();
        let gap = max_abs_diff(&stable.grad, &naive.grad);
        assert!(
            gap <= 1e-12 * scale,
            "seed {seed}: |naive − stable| = {gap:e}"
        );
    }
}

/// HT1 with its priority graphs, `W^fin`, and the ray `R ↦ W^fin + R·W^svm`.
fn ht1_along_the_svm_direction() -> (
    attnmech::nexttoken::dataset::Dataset,
    Vec<attnmech::nexttoken::graph::PriorityGraph>,
    attnmech::qp::Mat,
    impl Fn(f64) -> attnmech::qp::Mat,
) {
    let ds = ht1();
    let graphs = build_graphs(&ds);
    let svm = graph_svm(&ds, &graphs).unwrap().w;
    let fin = w_fin(&ds, &graphs).unwrap().w;
    let base = fin.clone();
    let along = move |r: f64| {
        let mut w = base.clone();
        w.axpy(r, &svm);
        w
    };
    (ds, graphs, fin, along)
}

/// C5's metric, the L1 distance between the attention renormalised within `SCC(y)` and
/// `softmax(W^fin scores)` there, is blind to the `W^svm` component: the graph-SVM's equality
/// rows make its scores constant within each SCC, and a softmax is shift-invariant. So on HT1,
/// `within_scc_error(W^fin + R·W^svm, W^fin) = 0` up to rounding for any R, including R = 10⁴
/// where the SCC's scores are about R/3 ≈ 3333 and `exp` of them overflows: the metric must
/// subtract the maximum before exponentiating. Tolerance 1e-9: the equality rows hold to ~1e-15
/// on HT1 (exact rational answer), times R = 10⁴, plus the softmax's rounding. Kills
/// `metrics.rs: replace - with + in within_scc_error` (`exp(s + max)`, which is the same function
/// in exact arithmetic but overflows to ∞/∞ = NaN once `2·R/3 > 709.8`; at R = 1000 it does not
/// yet, which is why the mutant survived the first version of this check, and the error is
/// NaN-propagating so that the broken row cannot drop out of the worst case).
#[test]
fn within_scc_error_ignores_the_svm_direction_at_large_norm() {
    let (ds, graphs, fin, along_svm) = ht1_along_the_svm_direction();
    for r in [1.0, 100.0, 1000.0, 1e4] {
        let w = along_svm(r);
        let err = within_scc_error(&ds, &graphs, &w, &fin).unwrap();
        assert!(err.is_finite() && err <= 1e-9, "R = {r}: error {err:e}");
    }
}

/// The per-position oracle subtracts the largest score before exponentiating, so it stays finite
/// and equal to the batched stable kernel where the scores are far beyond `exp`'s range. On HT1
/// at `W^fin + R·W^svm` the label's SCC scores about R/3 above the rest and every label keeps a
/// mass of at least 1/|SCC(y)|, so the loss and gradient are finite and small; at R = 3000 the
/// scores are about 10³, and `exp(s + max)` overflows to ∞/∞ = NaN. Tolerance 1e-9 relative: the
/// two kernels form the scores in different orders, an O(1e-13) relative error per score of size
/// 10³, i.e. O(1e-10) in each exponent. Kills `model.rs: replace - with + in reference_of` (the
/// oracle's `exp(s + max)`, the same function in exact arithmetic, which the O(1)-score
/// comparisons of `batched_matches_reference` cannot tell apart).
#[test]
fn reference_oracle_matches_stable_kernel_at_large_scores() {
    let (ds, _, _, along_svm) = ht1_along_the_svm_direction();
    for r in [1.0, 100.0, 3000.0] {
        let w = along_svm(r);
        let stable = loss_and_grad(&ds, &w, GradientForm::Stable).unwrap();
        let oracle = reference_loss_and_grad(&ds, &w).unwrap();
        assert!(
            oracle.loss.is_finite()
                && (oracle.loss - stable.loss).abs() <= 1e-9 * (1.0 + stable.loss.abs()),
            "R = {r}: oracle loss {} vs stable {}",
            oracle.loss,
            stable.loss
        );
        let gap = max_abs_diff(&oracle.grad, &stable.grad);
        assert!(
            gap <= 1e-9 * (1.0 + stable.grad.norm()),
            "R = {r}: |oracle − stable| grad = {gap:e}"
        );
    }
}

/// C6's verdict is the conjunction of its two parts: each part failing alone fails it. Kills
/// `experiments.rs: replace C6Verdict::passed -> bool with true` (the C6 test only asserts that
/// the right run passes).
#[test]
fn c6_verdict_fails_when_either_part_fails() {
    use attnmech::nexttoken::experiments::{
        c6_verdict, LossLimit, C6_MAX_ACYCLIC_LOSS, C6_MAX_GAP,
    };
    let good = LossLimit {
        ht1_loss: 0.636515,
        ht1_limit: 0.636514,
        ht3_loss: 5e-4,
    };
    assert!(c6_verdict(&good).passed());
    let far = LossLimit {
        ht1_loss: good.ht1_limit + 10.0 * C6_MAX_GAP,
        ..good
    };
    let below = LossLimit {
        ht1_loss: good.ht1_limit - 1e-6,
        ..good
    };
    let acyclic = LossLimit {
        ht3_loss: 2.0 * C6_MAX_ACYCLIC_LOSS,
        ..good
    };
    for bad in [far, below, acyclic] {
        assert!(!c6_verdict(&bad).passed(), "{bad:?}");
    }
}

/// A query whose tokens all sit in one SCC (here `0 ⇒ 2` and `2 ⇒ 0`) has no condensation edge:
/// its graph-SVM column is 0, and the one-hot solver must return it at once rather than wait for
/// a step below a relative threshold of 0 (`1 + max|y|` is the scale, never `max|y| = 0`). Within
/// that SCC neither token is strictly higher. Kills `one_hot.rs: replace + with * in
/// condensation_svm` (scale `1 · max|y|`: the edgeless query never converges) and `graph.rs:
/// replace && with || in PriorityGraph::strictly_higher` (which calls two tokens of one SCC
/// strictly higher than each other).
#[test]
fn one_hot_svm_of_a_query_without_condensation_edges_is_zero() {
    use attnmech::nexttoken::dataset::{Dataset, Embeddings, Sample};
    use attnmech::nexttoken::graph::graph_for;
    use attnmech::nexttoken::one_hot::graph_svm_one_hot;
    let samples = [
        (vec![0, 2], 0),
        (vec![0, 2], 2),
        (vec![0, 1], 0),
        (vec![2, 1], 1),
    ]
    .map(|(tokens, label)| Sample { tokens, label });
    let ds = Dataset::new(Embeddings::identity(3), &samples).unwrap();
    let graphs = build_graphs(&ds);
    let g2 = graph_for(&graphs, 2).unwrap();
    assert!(g2.same_scc(0, 2) && !g2.strictly_higher(0, 2) && !g2.strictly_higher(2, 0));
    let g1 = graph_for(&graphs, 1).unwrap();
    assert!(g1.strictly_higher(0, 1) && !g1.strictly_higher(1, 0));
    let fast = graph_svm_one_hot(&ds, &graphs, &mut |_, _| {}).unwrap();
    let dense = graph_svm(&ds, &graphs).unwrap().w;
    assert!(max_abs_diff(&fast, &dense) < 1e-8);
    for t in 0..3 {
        assert_eq!(fast.get(t, 2), Some(0.0), "column of query 2, token {t}");
    }
}

/// A row in vocabulary form keeps the sequence's counts: the sequence `[2, 0, 2, 1, 2]` with
/// label 2 has query 2 (its last token), label multiplicity 3 and the others `{0: 1, 1: 1}`, and
/// `tokens()` lists all three with their counts. Kills `dataset.rs: replace Row::label_count ->
/// f64 with 0.0` (the accessor; the kernels read the field directly, so no kernel check sees it).
#[test]
fn row_keeps_the_sequences_multiplicities() {
    use attnmech::nexttoken::dataset::{Dataset, Embeddings, Sample};
    let sample = Sample {
        tokens: vec![2, 0, 2, 1, 2],
        label: 2,
    };
    let ds = Dataset::new(Embeddings::identity(3), &[sample]).unwrap();
    let row = &ds.rows()[0];
    assert_eq!((row.query(), row.label(), row.label_count()), (2, 2, 3.0));
    assert_eq!(row.others(), &[(0, 1.0), (1, 1.0)]);
    assert_eq!(row.tokens(), vec![(0, 1.0), (1, 1.0), (2, 3.0)]);
}

/// C4's acyclic settings draw what C4's acyclic part is about: instances of the documented sizes
/// (`C4_ACYCLIC_SIZES`: n samples of length T over K tokens in d dimensions) whose every query's
/// priority graph is acyclic (every SCC a single token). Kills `experiments.rs: delete field
/// structure from struct Settings expression in acyclic_settings` (the authors' cyclic draws:
/// C4's acyclic bound then ran on cyclic data) and its `sizes` sibling (found outside the
/// sample by the re-run's pattern).
#[test]
fn c4_acyclic_settings_draw_acyclic_instances_of_the_documented_sizes() {
    use attnmech::nexttoken::experiment::draw_instance;
    use attnmech::nexttoken::experiments::{acyclic_settings, C4_ACYCLIC_SIZES};
    let settings = acyclic_settings();
    for index in 0..3 {
        let (ds, _) = draw_instance(&settings, 1, index).unwrap();
        assert_eq!(ds.len(), C4_ACYCLIC_SIZES.n);
        assert_eq!(ds.vocab(), C4_ACYCLIC_SIZES.k);
        assert_eq!(ds.embeddings().dim(), C4_ACYCLIC_SIZES.d);
        for g in build_graphs(&ds) {
            assert!(
                g.sccs().iter().all(|c| c.len() == 1),
                "draw {index}, query {}: {:?}",
                g.query(),
                g.sccs()
            );
        }
    }
}
