//! Hostile inputs for `analyze` (see `tests/hostile/mod.rs` for the classes of bad input).
//!
//! Classes: sizes over each cap of [`Limits`] (vocab, embedding dimension, samples, sequence
//! length, total tokens, prompts, input bytes); shapes (embedding rows ≠ vocab, ragged rows, `W`
//! of the wrong shape); ids out of range; empty inputs; values JSON cannot hold (NaN, 1e400);
//! garbage and truncated documents; invalid arguments (zero vocab, absent label); graphs of
//! another dataset and non-identity embeddings handed to the one-hot solvers.

use attnmech::nexttoken::analyze::{analyze_with, limit_prediction, AnalyzeInput};
use attnmech::nexttoken::graph::build_graphs;
use attnmech::nexttoken::one_hot::{graph_svm_one_hot, w_fin_one_hot};
use attnmech::nexttoken::{analyze_json, analyze_json_with, Dataset, Embeddings, Limits, Sample};
use attnmech::qp::Mat;
use attnmech::Error;

fn small(limits: Limits, doc: &str) -> attnmech::Result<String> {
    analyze_json_with(doc, &limits, &mut |_| {})
}

const ONE: &str =
    r#"{"vocab": 3, "samples": [{"tokens": [0, 1, 2], "label": 0}], "prompts": [[0, 1]]}"#;

#[test]
fn analyze_json_rejects_huge_vocab_before_allocating() {
    // The 63-byte document of issue 12 used to abort allocating a 10⁶ × 10⁶ identity.
    let r = analyze_json(r#"{"vocab": 1000000, "samples": [{"tokens": [0], "label": 0}]}"#);
    assert!(
        matches!(
            r,
            Err(Error::TooLarge {
                what: "vocab",
                value: 1_000_000,
                ..
            })
        ),
        "{r:?}"
    );
    let r = analyze_json(&format!(r#"{{"vocab": {}, "samples": []}}"#, usize::MAX));
    assert!(matches!(r, Err(Error::TooLarge { .. })), "{r:?}");
}

#[test]
fn analyze_json_rejects_each_size_over_its_cap() {
    let cases: [(Limits, &str); 6] = [
        (
            Limits {
                max_samples: 0,
                ..Limits::default()
            },
            "samples",
        ),
        (
            Limits {
                max_seq_len: 2,
                ..Limits::default()
            },
            "sequence length",
        ),
        (
            Limits {
                max_total_tokens: 4,
                ..Limits::default()
            },
            "total tokens",
        ),
        (
            Limits {
                max_prompts: 0,
                ..Limits::default()
            },
            "prompts",
        ),
        (
            Limits {
                max_input_bytes: 10,
                ..Limits::default()
            },
            "input bytes",
        ),
        (
            Limits {
                max_vocab: 2,
                ..Limits::default()
            },
            "vocab",
        ),
    ];
    for (limits, name) in cases {
        let r = small(limits, ONE);
        assert!(
            matches!(r, Err(Error::TooLarge { what, .. }) if what == name),
            "{name}: {r:?}"
        );
    }
    assert!(small(Limits::default(), ONE).is_ok());
}

#[test]
fn analyze_json_rejects_embedding_dimension_over_cap() {
    let row: Vec<String> = (0..65).map(|i| format!("{}", (i % 3) as f64)).collect();
    let doc = format!(
        r#"{{"vocab": 2, "embeddings": [[{r}], [{r}]], "samples": [{{"tokens": [0], "label": 0}}]}}"#,
        r = row.join(",")
    );
    let r = analyze_json(&doc);
    assert!(
        matches!(
            r,
            Err(Error::TooLarge {
                what: "embedding dimension",
                ..
            })
        ),
        "{r:?}"
    );
}

#[test]
fn analyze_json_rejects_bad_shapes_ids_and_empties() {
    type Case = (&'static str, fn(&Error) -> bool);
    let cases: [Case; 8] = [
        (
            r#"{"vocab": 2, "embeddings": [[1.0]], "samples": [{"tokens": [0], "label": 0}]}"#,
            |e| matches!(e, Error::ShapeMismatch { .. }),
        ),
        (
            r#"{"vocab": 2, "embeddings": [[1.0, 0.0], [1.0]], "samples": [{"tokens": [0], "label": 0}]}"#,
            |e| matches!(e, Error::ShapeMismatch { .. }),
        ),
        (
            r#"{"vocab": 3, "samples": [{"tokens": [0, 5], "label": 0}]}"#,
            |e| matches!(e, Error::OutOfRange { .. }),
        ),
        (
            r#"{"vocab": 3, "samples": [{"tokens": [0, 1], "label": 9}]}"#,
            |e| matches!(e, Error::OutOfRange { .. }),
        ),
        (r#"{"vocab": 3, "samples": []}"#, |e| {
            matches!(e, Error::Empty { .. })
        }),
        (
            r#"{"vocab": 3, "samples": [{"tokens": [], "label": 0}]}"#,
            |e| matches!(e, Error::Empty { .. }),
        ),
        (
            r#"{"vocab": 2, "samples": [{"tokens": [0], "label": 0}], "prompts": [[]]}"#,
            |e| matches!(e, Error::Empty { .. }),
        ),
        (
            r#"{"vocab": 2, "samples": [{"tokens": [0], "label": 0}], "prompts": [[7]]}"#,
            |e| matches!(e, Error::OutOfRange { .. }),
        ),
    ];
    for (doc, ok) in cases {
        let r = analyze_json(doc);
        assert!(r.as_ref().is_err_and(ok), "{doc}: {r:?}");
    }
}

#[test]
fn analyze_json_rejects_invalid_arguments_and_garbage() {
    let invalid = [
        r#"{"vocab": 0, "samples": [{"tokens": [0], "label": 0}]}"#,
        r#"{"vocab": 3, "samples": [{"tokens": [0, 1], "label": 2}]}"#,
    ];
    for doc in invalid {
        let r = analyze_json(doc);
        assert!(
            matches!(r, Err(Error::InvalidArgument { .. })),
            "{doc}: {r:?}"
        );
    }
    let garbage = [
        "",
        "\u{0}\u{1}garbage",
        r#"{"vocab": 3, "samples": [{"tokens": [0, 1"#,
        r#"{"vocab": -1, "samples": []}"#,
        r#"{"vocab": 2, "embeddings": [[1e400, 0], [0, 1]], "samples": []}"#,
        r#"{"vocab": 2, "embeddings": [[NaN, 0], [0, 1]], "samples": []}"#,
        r#"{"vocab": 2, "samples": [], "extra": 1}"#,
    ];
    for doc in garbage {
        let r = analyze_json(doc);
        assert!(matches!(r, Err(Error::Parse(_))), "{doc}: {r:?}");
    }
}

#[test]
fn analyze_with_checks_caps_before_building() {
    let input = AnalyzeInput {
        vocab: usize::MAX,
        embeddings: None,
        samples: vec![Sample {
            tokens: vec![0],
            label: 0,
        }],
        prompts: vec![],
    };
    let r = analyze_with(&input, &Limits::default(), &mut |_| {});
    assert!(
        matches!(r, Err(Error::TooLarge { what: "vocab", .. })),
        "{r:?}"
    );
}

#[test]
fn limit_prediction_rejects_wrong_shaped_w() {
    let emb = Embeddings::identity(3);
    let good = Mat::zeros(3, 3);
    let bad = Mat::zeros(2, 3);
    let r = limit_prediction(&emb, &bad, &good, &[0, 1]);
    assert!(matches!(r, Err(Error::ShapeMismatch { .. })), "{r:?}");
    let r = limit_prediction(&emb, &good, &bad, &[0, 1]);
    assert!(matches!(r, Err(Error::ShapeMismatch { .. })), "{r:?}");
}

fn ds(vocab: usize, samples: &[(&[usize], usize)]) -> Dataset {
    let s: Vec<Sample> = samples
        .iter()
        .map(|&(t, label)| Sample {
            tokens: t.to_vec(),
            label,
        })
        .collect();
    Dataset::new(Embeddings::identity(vocab), &s).unwrap()
}

#[test]
fn one_hot_solvers_reject_graphs_of_another_dataset() {
    let a = ds(3, &[(&[0, 1, 2], 0)]);
    let other_vocab = ds(4, &[(&[0, 1, 2], 0)]);
    let other_query = ds(3, &[(&[0, 2, 1], 0)]);
    for g in [build_graphs(&other_vocab), build_graphs(&other_query)] {
        let r = graph_svm_one_hot(&a, &g, &mut |_, _| {});
        assert!(
            matches!(
                r,
                Err(Error::ShapeMismatch { .. } | Error::InvalidArgument { .. })
            ),
            "{r:?}"
        );
        let r = w_fin_one_hot(&a, &g, &mut |_, _| {});
        assert!(
            matches!(
                r,
                Err(Error::ShapeMismatch { .. } | Error::InvalidArgument { .. })
            ),
            "{r:?}"
        );
    }
}

#[test]
fn one_hot_solvers_reject_non_identity_embeddings() {
    let e = Embeddings::new(Mat::from_rows(&[vec![1.0, 0.0], vec![1.0, 1.0]]).unwrap()).unwrap();
    let d = Dataset::new(
        e,
        &[Sample {
            tokens: vec![0, 1],
            label: 0,
        }],
    )
    .unwrap();
    let g = build_graphs(&d);
    let r = graph_svm_one_hot(&d, &g, &mut |_, _| {});
    assert!(
        matches!(
            r,
            Err(Error::InvalidArgument {
                what: "embeddings",
                ..
            })
        ),
        "{r:?}"
    );
}
