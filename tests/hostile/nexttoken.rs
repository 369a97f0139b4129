//! Hostile inputs for `nexttoken` (see `tests/hostile/mod.rs` for the classes of bad input).
//!
//! Classes: empty inputs; ids out of range; NaN/∞ and non-positive multiplicities; `W` of the
//! wrong shape or non-finite; graphs of another dataset (other vocabulary, other queries) or
//! hand-built inconsistent graphs; Hessian sizes whose product overflows.

use attnmech::nexttoken::dataset::Row;
use attnmech::nexttoken::finite::{luce_mle, reduced_dataset, w_fin, w_fin_luce, SFin};
use attnmech::nexttoken::generators::{samples, MAX_SAMPLER_VOCAB};
use attnmech::nexttoken::graph::{build_graphs, PriorityGraph};
use attnmech::nexttoken::local::{gen_loss_and_grad, gen_ngd, local_graphs, GenLoss};
use attnmech::nexttoken::metrics::{
    corr, label_scc_mass, lsq_r, projected_corr, sfin_error, top_scc_mass, within_scc_error,
};
use attnmech::nexttoken::model::{
    eval_row, hessian, loss, loss_and_grad, prompt_distribution, reference_loss_and_grad,
    sample_losses, scores, GradientForm,
};
use attnmech::nexttoken::svm::{graph_svm, graph_svm_problem, min_norm_equalities};
use attnmech::nexttoken::{Dataset, Embeddings, Sample};
use attnmech::qp::Mat;
use attnmech::Error;

fn sample(tokens: &[usize], label: usize) -> Sample {
    Sample {
        tokens: tokens.to_vec(),
        label,
    }
}

fn ds(vocab: usize, samples: &[Sample]) -> Dataset {
    Dataset::new(Embeddings::identity(vocab), samples).unwrap()
}

#[test]
fn dataset_new_rejects_empty_out_of_range_and_absent_label() {
    let e = Embeddings::identity(3);
    let r = Dataset::new(e.clone(), &[]);
    assert!(matches!(r, Err(Error::Empty { .. })), "{r:?}");
    let r = Dataset::new(e.clone(), &[sample(&[], 0)]);
    assert!(matches!(r, Err(Error::Empty { .. })), "{r:?}");
    let r = Dataset::new(e.clone(), &[sample(&[0, 3], 0)]);
    assert!(matches!(r, Err(Error::OutOfRange { .. })), "{r:?}");
    let r = Dataset::new(e.clone(), &[sample(&[0, 1], usize::MAX)]);
    assert!(matches!(r, Err(Error::OutOfRange { .. })), "{r:?}");
    let r = Dataset::new(e, &[sample(&[0, 1], 2)]);
    assert!(matches!(r, Err(Error::InvalidArgument { .. })), "{r:?}");
}

#[test]
fn embeddings_new_rejects_empty_and_non_finite() {
    let r = Embeddings::new(Mat::zeros(0, 0));
    assert!(matches!(r, Err(Error::Empty { .. })), "{r:?}");
    for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        let mut m = Mat::zeros(1, 2);
        m.data_mut().copy_from_slice(&[1.0, bad]);
        let r = Embeddings::new(m);
        assert!(matches!(r, Err(Error::NonFinite { index: 1, .. })), "{r:?}");
    }
}

#[test]
fn row_new_and_dataset_from_rows_reject_bad_ids_and_multiplicities() {
    let e = Embeddings::identity(3);
    let row = |others: Vec<(usize, f64)>, label_count: f64| Row::new(0, 0, label_count, others);
    let r = Dataset::from_rows(e.clone(), vec![]);
    assert!(matches!(r, Err(Error::Empty { .. })), "{r:?}");
    let r = Dataset::from_rows(e.clone(), vec![row(vec![(5, 1.0)], 1.0).unwrap()]);
    assert!(matches!(r, Err(Error::OutOfRange { .. })), "{r:?}");
    let r = Dataset::from_rows(e.clone(), vec![Row::new(3, 0, 1.0, vec![]).unwrap()]);
    assert!(matches!(r, Err(Error::OutOfRange { .. })), "{r:?}");
    for c in [f64::NAN, f64::INFINITY] {
        let r = row(vec![(1, c)], 1.0);
        assert!(matches!(r, Err(Error::NonFinite { .. })), "{c}: {r:?}");
        let r = row(vec![(1, 1.0)], c);
        assert!(matches!(r, Err(Error::NonFinite { .. })), "{c}: {r:?}");
    }
    for c in [0.0, -1.0] {
        let r = row(vec![(1, c)], 1.0);
        assert!(
            matches!(r, Err(Error::InvalidArgument { .. })),
            "{c}: {r:?}"
        );
    }
    let r = row(vec![], 0.5);
    assert!(matches!(r, Err(Error::InvalidArgument { .. })), "{r:?}");
    // Repeated tokens, or the label among the others.
    let r = row(vec![(1, 1.0), (1, 2.0)], 1.0);
    assert!(matches!(r, Err(Error::InvalidArgument { .. })), "{r:?}");
    let r = row(vec![(0, 1.0)], 1.0);
    assert!(matches!(r, Err(Error::InvalidArgument { .. })), "{r:?}");
    // Sorted on construction.
    let r = row(vec![(2, 1.0), (1, 3.0)], 1.0).unwrap();
    assert_eq!(r.others(), &[(1, 3.0), (2, 1.0)]);
    assert!(Dataset::from_rows(e, vec![r]).is_ok());
}

#[test]
fn with_embeddings_rejects_other_vocabulary() {
    let d = ds(3, &[sample(&[0, 1], 0)]);
    let r = d.with_embeddings(Embeddings::identity(4));
    assert!(matches!(r, Err(Error::ShapeMismatch { .. })), "{r:?}");
}

#[test]
fn scores_rejects_wrong_shaped_and_non_finite_w() {
    let e = Embeddings::identity(3);
    for w in [
        Mat::zeros(2, 3),
        Mat::zeros(3, 2),
        // (A 3 × 3 header over 4 values cannot be built: `Mat`'s fields are private.)
    ] {
        let r = scores(&e, &w);
        assert!(matches!(r, Err(Error::ShapeMismatch { .. })), "{r:?}");
    }
    let mut w = Mat::zeros(3, 3);
    w.data_mut()[4] = f64::NAN;
    assert!(matches!(
        scores(&e, &w),
        Err(Error::NonFinite { index: 4, .. })
    ));
    assert!(scores(&e, &Mat::zeros(3, 3)).is_ok());
}

#[test]
fn prompt_distribution_rejects_empty_out_of_range_and_wrong_w() {
    let e = Embeddings::identity(3);
    let w = Mat::zeros(3, 3);
    assert!(matches!(
        prompt_distribution(&e, &w, &[]),
        Err(Error::Empty { .. })
    ));
    assert!(matches!(
        prompt_distribution(&e, &w, &[3]),
        Err(Error::OutOfRange { .. })
    ));
    let r = prompt_distribution(&e, &Mat::zeros(2, 2), &[0]);
    assert!(matches!(r, Err(Error::ShapeMismatch { .. })), "{r:?}");
}

/// Graphs built from another dataset: another vocabulary (would index out of bounds) and the same
/// vocabulary with other queries.
#[test]
fn graph_functions_reject_graphs_of_another_dataset() {
    let a = ds(3, &[sample(&[0, 1, 2], 0), sample(&[1, 0, 2], 1)]);
    let other_vocab = build_graphs(&ds(5, &[sample(&[0, 1, 4], 0)]));
    let other_query = build_graphs(&ds(3, &[sample(&[0, 2, 1], 0)]));
    for g in [&other_vocab, &other_query] {
        fn bad(e: &Error) -> bool {
            matches!(
                e,
                Error::ShapeMismatch { .. }
                    | Error::InvalidArgument { .. }
                    | Error::OutOfRange { .. }
            )
        }
        assert!(graph_svm(&a, g).as_ref().is_err_and(bad));
        assert!(w_fin(&a, g).as_ref().is_err_and(bad));
        assert!(w_fin_luce(&a, g).as_ref().is_err_and(bad));
        assert!(SFin::new(&a, g).as_ref().is_err_and(bad));
        assert!(reduced_dataset(&a, g).as_ref().is_err_and(bad));
    }
    let r = graph_svm_problem(a.embeddings(), &other_vocab);
    assert!(
        matches!(
            r,
            Err(Error::OutOfRange {
                what: "graph query",
                ..
            })
        ),
        "{r:?}"
    );
}

/// Graph fields are private (a graph's parts agree by construction); a well-formed graph over
/// another vocabulary, or graphs out of order, are still an `Err`.
#[test]
fn graph_functions_reject_graphs_over_another_vocabulary_or_out_of_order() {
    let a = ds(3, &[sample(&[0, 1, 2], 0), sample(&[2, 1], 1)]);
    let other = vec![PriorityGraph::from_samples(2, 8, &[(0, vec![1, 7])]).unwrap()];
    assert!(matches!(
        graph_svm(&a, &other),
        Err(Error::ShapeMismatch { .. })
    ));
    assert!(matches!(
        w_fin(&a, &other),
        Err(Error::ShapeMismatch { .. })
    ));
    assert!(matches!(
        SFin::new(&a, &other),
        Err(Error::ShapeMismatch { .. })
    ));
    let mut g = build_graphs(&a);
    g.reverse();
    assert!(matches!(
        graph_svm(&a, &g),
        Err(Error::InvalidArgument { .. })
    ));
}

#[test]
fn luce_mle_rejects_empty_members_and_bad_multiplicities() {
    let r = luce_mle(&[], &[]);
    assert!(matches!(r, Err(Error::Empty { .. })), "{r:?}");
    for c in [f64::NAN, f64::INFINITY] {
        let r = luce_mle(&[0, 1], &[(0, vec![(0, 1.0), (1, c)])]);
        assert!(matches!(r, Err(Error::NonFinite { .. })), "{r:?}");
    }
    let r = luce_mle(&[0, 1], &[(0, vec![(0, 1.0), (1, -1.0)])]);
    assert!(matches!(r, Err(Error::InvalidArgument { .. })), "{r:?}");
}

#[test]
fn min_norm_equalities_rejects_out_of_range_tokens() {
    let e = Embeddings::identity(3);
    let r = min_norm_equalities(&e, &[(0, 3, 1, 1.0)]);
    assert!(matches!(r, Err(Error::OutOfRange { .. })), "{r:?}");
}

#[test]
fn descend_rejects_wrong_w0_and_bad_step_sizes() {
    use attnmech::nexttoken::model::GradientForm;
    use attnmech::nexttoken::optim::{descend, Step};
    let a = ds(3, &[sample(&[0, 1, 2], 0)]);
    let r = descend(
        &a,
        &Mat::zeros(2, 2),
        Step::Plain(0.1),
        GradientForm::Stable,
        3,
        |_, _| {},
    );
    assert!(matches!(r, Err(Error::ShapeMismatch { .. })), "{r:?}");
    let w0 = Mat::zeros(3, 3);
    for (step, nan) in [
        (Step::Plain(f64::NAN), true),
        (Step::Normalized(f64::INFINITY), true),
        (Step::Plain(0.0), false),
        (Step::Normalized(-1.0), false),
    ] {
        let r = descend(&a, &w0, step, GradientForm::Stable, 3, |_, _| {});
        if nan {
            assert!(matches!(r, Err(Error::NonFinite { .. })), "{step:?}: {r:?}");
        } else {
            assert!(
                matches!(r, Err(Error::InvalidArgument { .. })),
                "{step:?}: {r:?}"
            );
        }
    }
}

#[test]
fn ridge_minimizer_rejects_bad_lambda_and_w0() {
    use attnmech::nexttoken::optim::ridge_minimizer;
    let a = ds(3, &[sample(&[0, 1, 2], 0)]);
    for l in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        let r = ridge_minimizer(&a, l, &Mat::zeros(3, 3));
        assert!(
            matches!(r, Err(Error::InvalidArgument { .. })),
            "{l}: {r:?}"
        );
    }
    let r = ridge_minimizer(&a, 1.0, &Mat::zeros(3, 2));
    assert!(matches!(r, Err(Error::ShapeMismatch { .. })), "{r:?}");
}

#[test]
fn generators_reject_zero_and_overflowing_sizes() {
    use attnmech::nexttoken::generators::{embeddings, instance, EmbeddingKind, Sizes, Structure};
    let mut rng = attnmech::rng::seeded(0, 0);
    for (k, d) in [(0, 3), (3, 0)] {
        let r = embeddings(&mut rng, EmbeddingKind::RandomUnit, k, d);
        assert!(matches!(r, Err(Error::InvalidArgument { .. })), "{r:?}");
    }
    let r = embeddings(&mut rng, EmbeddingKind::RandomUnit, usize::MAX, 2);
    assert!(matches!(r, Err(Error::Overflow { .. })), "{r:?}");
    let sizes = Sizes {
        n: 0,
        t: 3,
        k: 4,
        d: 4,
    };
    let r = instance(&mut rng, sizes, EmbeddingKind::Identity, Structure::Any);
    assert!(matches!(r, Err(Error::InvalidArgument { .. })), "{r:?}");
}

#[test]
fn model_local_and_metrics_reject_wrong_shaped_or_non_finite_w() {
    let d = ds(3, &[sample(&[0, 1, 2], 1), sample(&[2, 0], 0)]);
    let g = build_graphs(&d);
    let good = Mat::zeros(3, 3);
    let mut nan = Mat::zeros(3, 3);
    nan.set(1, 1, f64::NAN).unwrap();
    for w in [Mat::zeros(2, 3), Mat::zeros(3, 4), Mat::zeros(0, 0), nan] {
        let shape_or_nan = |r: Result<(), Error>| {
            matches!(
                r,
                Err(Error::ShapeMismatch { .. } | Error::NonFinite { .. })
            )
        };
        assert!(shape_or_nan(loss(&d, &w).map(drop)), "loss {w:?}");
        assert!(shape_or_nan(sample_losses(&d, &w).map(drop)));
        assert!(shape_or_nan(
            loss_and_grad(&d, &w, GradientForm::Stable).map(drop)
        ));
        assert!(shape_or_nan(reference_loss_and_grad(&d, &w).map(drop)));
        assert!(shape_or_nan(hessian(&d, &w).map(drop)));
        assert!(shape_or_nan(
            gen_loss_and_grad(&d, &w, GenLoss::CrossEntropy).map(drop)
        ));
        assert!(shape_or_nan(
            gen_ngd(&d, &w, GenLoss::Squared, 0.1, 3).map(drop)
        ));
        assert!(shape_or_nan(local_graphs(&d, &w, 1e-2, 9e-3).map(drop)));
        assert!(shape_or_nan(label_scc_mass(&d, &g, &w).map(drop)));
        assert!(shape_or_nan(top_scc_mass(&d, &g, &w).map(drop)));
        assert!(shape_or_nan(within_scc_error(&d, &g, &w, &good).map(drop)));
        assert!(shape_or_nan(within_scc_error(&d, &g, &good, &w).map(drop)));
        assert!(shape_or_nan(corr(&w, &good).map(drop)));
        assert!(shape_or_nan(lsq_r(&good, &w, &good).map(drop)));
    }
    // Graphs of another dataset.
    let other = build_graphs(&ds(4, &[sample(&[3, 1], 1)]));
    assert!(top_scc_mass(&d, &other, &good).is_err());
    assert!(label_scc_mass(&d, &other, &good).is_err());
    // Bad step size and thresholds.
    for eta in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        assert!(
            gen_ngd(&d, &good, GenLoss::Squared, eta, 3).is_err(),
            "{eta}"
        );
    }
    let r = local_graphs(&d, &good, f64::NAN, 9e-3);
    assert!(matches!(r, Err(Error::NonFinite { .. })));
    // S_fin of another d.
    let sfin = SFin::new(&d, &g).unwrap();
    let w4 = Mat::zeros(4, 4);
    assert!(matches!(
        projected_corr(&w4, &w4, &sfin),
        Err(Error::ShapeMismatch { .. })
    ));
    assert!(matches!(
        sfin_error(&w4, &w4, &sfin),
        Err(Error::ShapeMismatch { .. })
    ));
}

#[test]
fn hessian_caps_its_d4_allocation() {
    // d = 65: d⁴ = 17.8M entries, above the 2^24 cap; rejected before anything is allocated.
    let e = Embeddings::new(Mat::from_row_major(1, 65, vec![0.0; 65]).unwrap()).unwrap();
    let d = Dataset::new(e, &[sample(&[0], 0)]).unwrap();
    let r = hessian(&d, &Mat::zeros(65, 65));
    assert!(matches!(r, Err(Error::TooLarge { .. })), "{r:?}");
}

#[test]
fn eval_row_rejects_scores_too_small_for_the_row() {
    let d = ds(3, &[sample(&[0, 1, 2], 1)]);
    let row = &d.rows()[0];
    let r = eval_row(&Mat::zeros(2, 2), row);
    assert!(matches!(r, Err(Error::OutOfRange { .. })), "{r:?}");
    let r = eval_row(&Mat::zeros(3, 2), row);
    assert!(matches!(r, Err(Error::ShapeMismatch { .. })), "{r:?}");
    let mut s = Mat::zeros(3, 3);
    s.set(0, 2, f64::INFINITY).unwrap();
    let r = eval_row(&s, row);
    assert!(matches!(r, Err(Error::NonFinite { .. })), "{r:?}");
    assert!(eval_row(&Mat::zeros(3, 3), row).is_ok());
}

#[test]
fn loss_and_grad_reports_overflow_from_huge_embeddings() {
    let big = f64::MAX / 2.0;
    // Both scores of query 1 overflow to +∞, so their difference is NaN.
    let e = Embeddings::new(Mat::from_row_major(2, 1, vec![big, big / 2.0]).unwrap()).unwrap();
    let d = Dataset::new(e, &[sample(&[0, 1], 1)]).unwrap();
    let w = Mat::from_row_major(1, 1, vec![1.0]).unwrap();
    let r = loss_and_grad(&d, &w, GradientForm::Stable);
    assert!(matches!(r, Err(Error::NonFinite { .. })), "{r:?}");
    let r = loss(&d, &w);
    assert!(matches!(r, Err(Error::NonFinite { .. })), "{r:?}");
}

#[test]
fn samples_rejects_degenerate_and_huge_sizes() {
    let mut rng = attnmech::rng::seeded(1, 0);
    for (t, k) in [(0, 3), (3, 0), (0, 0)] {
        let r = samples(&mut rng, 2, t, k);
        assert!(
            matches!(r, Err(Error::InvalidArgument { .. })),
            "{t} {k}: {r:?}"
        );
    }
    assert!(samples(&mut rng, 0, 0, 0).unwrap().is_empty());
    let r = samples(&mut rng, 1, 2, MAX_SAMPLER_VOCAB + 1);
    assert!(matches!(r, Err(Error::TooLarge { .. })), "{r:?}");
    let r = samples(&mut rng, usize::MAX, 2, 3);
    assert!(matches!(r, Err(Error::Overflow { .. })), "{r:?}");
    let s = samples(&mut rng, 4, 5, 3).unwrap();
    assert!(s
        .iter()
        .all(|x| x.tokens.len() == 5 && x.tokens.contains(&x.label)));
}

#[test]
fn priority_graph_from_samples_rejects_out_of_range_ids() {
    for (q, y, toks) in [(3, 0, vec![1]), (0, 3, vec![1]), (0, 1, vec![0, 7])] {
        let r = PriorityGraph::from_samples(q, 3, &[(y, toks)]);
        assert!(matches!(r, Err(Error::OutOfRange { .. })), "{r:?}");
    }
    let g = PriorityGraph::from_samples(0, 3, &[(1, vec![0, 2])]).unwrap();
    assert!(g.strictly_higher(1, 2));
}
