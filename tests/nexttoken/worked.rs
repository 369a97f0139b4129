//! Worked cases HT1, HT3, HT6 (spec §9) with their exact answers.

use super::common::*;
use attnmech::nexttoken::finite::{w_fin, w_fin_luce, SFin};
use attnmech::nexttoken::graph::{build_graphs, graph_for};
use attnmech::nexttoken::model::{loss, prompt_distribution};
use attnmech::nexttoken::svm::graph_svm;
use attnmech::qp::Mat;
use attnmech::Error;

/// HT1: G^(2) has SCCs {0,1} ≻ {2}; W^svm = (1/3)(e0+e1)e2ᵀ − (2/3)e2e2ᵀ (‖·‖² = 2/3);
/// W^fin = (ln2/2)(e0−e1)e2ᵀ; limit loss (2 ln 1.5 + ln 3)/3. Exact answers, tolerance 1e-10
/// (Hildreth stops at step 1e-13; Newton at gradient 1e-14).
#[test]
fn ht1_exact_answers() {
    let ds = ht1();
    let graphs = build_graphs(&ds);
    assert_eq!(graphs.len(), 1);
    let g = graph_for(&graphs, 2).unwrap();
    assert_eq!(g.sccs_in_priority_order(), vec![vec![0, 1], vec![2]]);
    assert!(g.strictly_higher(0, 2) && g.same_scc(0, 1) && !g.strictly_higher(2, 0));

    let svm = graph_svm(&ds, &graphs).unwrap();
    let mut expect = Mat::zeros(3, 3);
    expect.set(0, 2, 1.0 / 3.0).unwrap();
    expect.set(1, 2, 1.0 / 3.0).unwrap();
    expect.set(2, 2, -2.0 / 3.0).unwrap();
    assert!(max_abs_diff(&svm.w, &expect) < 1e-10, "{:?}", svm.w);
    assert!((svm.w.dot(&svm.w) - 2.0 / 3.0).abs() < 1e-10);

    let fin = w_fin(&ds, &graphs).unwrap();
    let mut expect_fin = Mat::zeros(3, 3);
    let c = std::f64::consts::LN_2 / 2.0;
    expect_fin.set(0, 2, c).unwrap();
    expect_fin.set(1, 2, -c).unwrap();
    assert!(max_abs_diff(&fin.w, &expect_fin) < 1e-10, "{:?}", fin.w);
    let limit = (2.0 * 1.5f64.ln() + 3.0f64.ln()) / 3.0;
    assert!((fin.limit_loss - limit).abs() < 1e-12);
    assert!((limit - 0.636514).abs() < 1e-6);
    let luce = w_fin_luce(&ds, &graphs).unwrap();
    assert!(max_abs_diff(&luce, &expect_fin) < 1e-10);
    assert_eq!(SFin::new(&ds, &graphs).unwrap().dimension(), 1);

    // Limit attention on [0,1,2] under W^fin + R W^svm: (2/3, 1/3, 0).
    let mut w = fin.w.clone();
    w.axpy(60.0, &svm.w);
    let pi = prompt_distribution(ds.embeddings(), &w, &[0, 1, 2]).unwrap();
    assert!((pi[0] - 2.0 / 3.0).abs() < 1e-12 && (pi[1] - 1.0 / 3.0).abs() < 1e-12);
    assert!((loss(&ds, &w).unwrap() - limit).abs() < 1e-10);
}

/// HT3: acyclic chain; W^svm = (1.5, 0.5, −0.5, −1.5)ᵀ e3ᵀ, ‖·‖² = 5, W^fin = 0, loss → 0; the unseen
/// prompt [0,2,3] retrieves token 0 with score gap 2 over token 2.
#[test]
fn ht3_exact_answers() {
    let ds = ht3();
    let graphs = build_graphs(&ds);
    let g = graph_for(&graphs, 3).unwrap();
    assert_eq!(
        g.sccs_in_priority_order(),
        vec![vec![0], vec![1], vec![2], vec![3]]
    );
    let svm = graph_svm(&ds, &graphs).unwrap();
    let mut expect = Mat::zeros(4, 4);
    for (i, v) in [1.5, 0.5, -0.5, -1.5].iter().enumerate() {
        expect.set(i, 3, *v).unwrap();
    }
    assert!(max_abs_diff(&svm.w, &expect) < 1e-10, "{:?}", svm.w);
    assert!((svm.w.dot(&svm.w) - 5.0).abs() < 1e-10);
    let fin = w_fin(&ds, &graphs).unwrap();
    assert_eq!(fin.w.norm(), 0.0);
    assert_eq!(fin.limit_loss, 0.0);
    assert!(svm.w.get(0, 3).unwrap() - svm.w.get(2, 3).unwrap() >= 2.0 - 1e-10);
    let w = svm.w.scaled(40.0);
    let pi = prompt_distribution(ds.embeddings(), &w, &[0, 2, 3]).unwrap();
    // Score gap 2·40 = 80 between tokens 0 and 2, 3·40 to the query: mass ratio e^{-80}.
    assert!(pi[2] / pi[0] < 2.0 * (-80.0f64).exp() && pi[3] < pi[2]);
    assert!(loss(&ds, &w).unwrap() < 1e-15);
}

/// HT6: K > d, constraints −3w ≥ 1, −6w ≥ 1, w ≥ 1: the solver must report infeasibility
/// (negative check of the feasibility certificate: never a silently violated W).
#[test]
fn ht6_reported_infeasible() {
    let ds = ht6();
    let graphs = build_graphs(&ds);
    match graph_svm(&ds, &graphs) {
        Err(Error::Infeasible { what, .. }) => assert_eq!(what, "graph-SVM"),
        other => panic!("expected Infeasible, got {other:?}"),
    }
}
