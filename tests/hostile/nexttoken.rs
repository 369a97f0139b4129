//! Hostile inputs for `nexttoken` (see `tests/hostile/mod.rs` for the classes of bad input).
//!
//! Classes: empty inputs; ids out of range; NaN/∞ and non-positive multiplicities; `W` of the
//! wrong shape or non-finite; graphs of another dataset (other vocabulary, other queries) or
//! hand-built inconsistent graphs; Hessian sizes whose product overflows.

use attnmech::nexttoken::dataset::Row;
use attnmech::nexttoken::finite::{luce_mle, reduced_dataset, w_fin, w_fin_luce, SFin};
use attnmech::nexttoken::graph::build_graphs;
use attnmech::nexttoken::model::{prompt_distribution, scores};
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
fn dataset_from_rows_rejects_bad_ids_and_multiplicities() {
    let e = Embeddings::identity(3);
    let row = |others: Vec<(usize, f64)>, label_count: f64| Row {
        query: 0,
        label: 0,
        label_count,
        others,
    };
    let r = Dataset::from_rows(e.clone(), vec![]);
    assert!(matches!(r, Err(Error::Empty { .. })), "{r:?}");
    let r = Dataset::from_rows(e.clone(), vec![row(vec![(5, 1.0)], 1.0)]);
    assert!(matches!(r, Err(Error::OutOfRange { .. })), "{r:?}");
    for c in [f64::NAN, f64::INFINITY] {
        let r = Dataset::from_rows(e.clone(), vec![row(vec![(1, c)], 1.0)]);
        assert!(matches!(r, Err(Error::NonFinite { .. })), "{c}: {r:?}");
        let r = Dataset::from_rows(e.clone(), vec![row(vec![(1, 1.0)], c)]);
        assert!(matches!(r, Err(Error::NonFinite { .. })), "{c}: {r:?}");
    }
    for c in [0.0, -1.0] {
        let r = Dataset::from_rows(e.clone(), vec![row(vec![(1, c)], 1.0)]);
        assert!(
            matches!(r, Err(Error::InvalidArgument { .. })),
            "{c}: {r:?}"
        );
    }
    let r = Dataset::from_rows(e, vec![row(vec![], 0.5)]);
    assert!(matches!(r, Err(Error::InvalidArgument { .. })), "{r:?}");
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

/// Graph fields are public: a hand-edited graph with a dangling successor or SCC id is an `Err`.
#[test]
fn graph_functions_reject_inconsistent_hand_built_graphs() {
    let a = ds(3, &[sample(&[0, 1, 2], 0)]);
    let mut g = build_graphs(&a);
    g[0].succ[0].push(7);
    assert!(matches!(graph_svm(&a, &g), Err(Error::OutOfRange { .. })));
    let mut g = build_graphs(&a);
    g[0].scc_of[1] = 99;
    assert!(matches!(w_fin(&a, &g), Err(Error::OutOfRange { .. })));
    let mut g = build_graphs(&a);
    g[0].height.clear();
    assert!(matches!(
        SFin::new(&a, &g),
        Err(Error::ShapeMismatch { .. })
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
