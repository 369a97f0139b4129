//! `attnmech analyze` on the worked cases in `examples/analyze/` (exact answers) and on bad input.

use attnmech::nexttoken::analyze_json;
use attnmech::Error;
use serde_json::Value;

fn run(doc: &str) -> Value {
    serde_json::from_str(&analyze_json(doc).unwrap()).unwrap()
}

fn close(v: &Value, x: f64, tol: f64) -> bool {
    (v.as_f64().unwrap() - x).abs() <= tol
}

/// HT1 through the command: SCCs [[0,1],[2]], ‖W^svm‖² = 2/3, W^svm[.,2] = (1/3, 1/3, −2/3),
/// W^fin[.,2] = (ln2/2, −ln2/2, 0), limit loss (2 ln 1.5 + ln 3)/3, limit distribution on [0,1,2]
/// = (2/3, 1/3, 0) (tolerance 1e-10: solver stopping rules).
#[test]
fn ht1_example() {
    let out = run(include_str!("../../examples/analyze/ht1.json"));
    assert_eq!(out["graphs"][0]["query"], 2);
    assert_eq!(out["graphs"][0]["sccs"], serde_json::json!([[0, 1], [2]]));
    assert!(close(&out["w_svm_norm_sq"], 2.0 / 3.0, 1e-10));
    for (i, x) in [1.0 / 3.0, 1.0 / 3.0, -2.0 / 3.0].iter().enumerate() {
        assert!(close(&out["w_svm"][i][2], *x, 1e-10));
        assert!(close(&out["w_svm"][i][0], 0.0, 1e-12));
    }
    let c = std::f64::consts::LN_2 / 2.0;
    assert!(close(&out["w_fin"][0][2], c, 1e-10) && close(&out["w_fin"][1][2], -c, 1e-10));
    assert!(close(
        &out["limit_loss"],
        (2.0 * 1.5f64.ln() + 3.0f64.ln()) / 3.0,
        1e-12
    ));
    let p = &out["predictions"][0];
    assert_eq!(p["retrieved"], serde_json::json!([0, 1]));
    for (i, x) in [2.0 / 3.0, 1.0 / 3.0, 0.0].iter().enumerate() {
        assert!(close(&p["distribution"][i], *x, 1e-10));
    }
    // An unseen prompt with query 1 (no graph): scores are all 0, so mass is uniform over it.
    assert_eq!(out["predictions"][2]["retrieved"], serde_json::json!([1]));
}

/// HT3 through the command: four singleton SCCs in chain order, ‖W^svm‖² = 5, W^fin = 0, limit loss
/// 0; the unseen prompt [0,2,3] retrieves token 0 with all the mass; [2,1,3] retrieves 1.
#[test]
fn ht3_example() {
    let out = run(include_str!("../../examples/analyze/ht3.json"));
    assert_eq!(
        out["graphs"][0]["sccs"],
        serde_json::json!([[0], [1], [2], [3]])
    );
    assert!(close(&out["w_svm_norm_sq"], 5.0, 1e-10));
    assert_eq!(out["limit_loss"].as_f64(), Some(0.0));
    assert_eq!(out["predictions"][0]["retrieved"], serde_json::json!([0]));
    assert_eq!(
        out["predictions"][0]["distribution"],
        serde_json::json!([1.0, 0.0, 0.0, 0.0])
    );
    assert_eq!(out["predictions"][1]["retrieved"], serde_json::json!([1]));
}

/// HT6 through the command: infeasible graph-SVM is an `Err(Infeasible)` (main exits non-zero).
#[test]
fn ht6_example_is_infeasible() {
    let r = analyze_json(include_str!("../../examples/analyze/ht6_infeasible.json"));
    assert!(matches!(r, Err(Error::Infeasible { .. })), "{r:?}");
}

/// Bad documents are typed errors, never panics.
#[test]
fn invalid_input() {
    let cases = [
        (
            r#"{"vocab": 3, "samples": [{"tokens": [0, 5], "label": 0}]}"#,
            "out of range",
        ),
        (
            r#"{"vocab": 3, "samples": [{"tokens": [0, 1], "label": 2}]}"#,
            "label absent",
        ),
        (r#"{"vocab": 3, "samples": []}"#, "empty"),
        (
            r#"{"vocab": 2, "embeddings": [[1.0]], "samples": [{"tokens": [0], "label": 0}]}"#,
            "rows",
        ),
        (
            r#"{"vocab": 2, "embeddings": [[1.0, 0.0], [1.0]], "samples": [{"tokens": [0], "label": 0}]}"#,
            "ragged",
        ),
        (
            r#"{"vocab": 2, "samples": [{"tokens": [0], "label": 0}], "prompts": [[]]}"#,
            "empty prompt",
        ),
        (
            r#"{"vocab": 2, "samples": [{"tokens": [0], "label": 0}], "prompts": [[7]]}"#,
            "prompt id",
        ),
        (r#"{"vocab": 2, "samples": "x"}"#, "parse"),
        (
            r#"{"vocab": 0, "samples": [{"tokens": [0], "label": 0}]}"#,
            "zero vocab",
        ),
    ];
    for (doc, why) in cases {
        assert!(analyze_json(doc).is_err(), "{why}");
    }
}
