//! Issue 13: C3 and the worked examples against the planted bug "graph-SVM without its within-SCC
//! equality rows". HT1 (symmetric in its SCC) and HT3 (acyclic) cannot see that bug; HT1a below
//! is an asymmetric cyclic instance that does. C3's correlation bound (`experiments::C3_MIN_CORR`) was meant
//! to separate the two SVMs and cannot at 4000 NGD steps; C3's verdict rejects the bug through its
//! graph-SVM feasibility certificate ([`C3_MAX_SVM_VIOLATION`]).

use super::common::*;
use attnmech::nexttoken::dataset::{Dataset, Embeddings};
use attnmech::nexttoken::experiments::{
    authors_setting, authors_setting_with, c2_verdict, c3_verdict, regularization_path_with,
    AuthorsOutcome, Protocol, C2_MAX_GAP, C3_MAX_SVM_VIOLATION,
};
use attnmech::nexttoken::graph::{build_graphs, PriorityGraph};
use attnmech::nexttoken::svm::{graph_svm, graph_svm_problem};
use attnmech::qp::{Mat, MinNormProblem, Options, RowKind};

/// The shipped graph-SVM program (`graph_svm_problem`), solved as is, or with the planted bug
/// `drop_equalities`: its `i ≍_k j` rows `(e_i − e_j)ᵀ W e_k = 0` removed, only the `≥ 1` rows
/// between SCCs kept.
fn graph_svm_variant(ds: &Dataset, graphs: &[PriorityGraph], drop_equalities: bool) -> Mat {
    let shipped = graph_svm_problem(ds.embeddings(), graphs).unwrap();
    let d = ds.embeddings().dim();
    let mut p = MinNormProblem::new("graph-SVM", d, d);
    for row in shipped.rows() {
        match row.kind() {
            RowKind::Equality if !drop_equalities => p.push_equality(row.u(), row.v(), row.rhs()),
            RowKind::Equality => Ok(()),
            RowKind::AtLeast => p.push_at_least(row.u(), row.v(), row.rhs()),
        }
        .unwrap();
    }
    p.solve(&Options::default()).unwrap().w
}

/// HT1a (asymmetric 2-SCC cycle, E = I₄, query 3): `([0,1,2,3], 0)`, `([0,1,3], 1)`, `([2,3], 2)`.
/// SCCs `{0,1} ≻ {2} ≻ {3}`; rows `w₀ = w₁`, `w₀ − w₂ ≥ 1`, `w₀ − w₃ ≥ 1`, `w₁ − w₃ ≥ 1`,
/// `w₂ − w₃ ≥ 1` on the query column `w = W e₃`.
/// Exact answers (hand-derived, KKT): `W^svm e₃ = (¾, ¾, −¼, −5/4)`, `‖W^svm‖² = 11/4`; without
/// the equality row the min-norm point is `(1, 0, 0, −1)`, `‖·‖² = 2` — token 0 sits above the
/// chain 2 ≻ 3 and token 1 only above 3, so dropping `w₀ = w₁` changes the answer.
fn ht1a() -> Dataset {
    Dataset::new(
        Embeddings::identity(4),
        &[s(&[0, 1, 2, 3], 0), s(&[0, 1, 3], 1), s(&[2, 3], 2)],
    )
    .unwrap()
}

fn column3(w: &Mat) -> Vec<f64> {
    (0..4).map(|i| w.get(i, 3).unwrap()).collect()
}

fn max_diff(a: &[f64], b: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
}

/// Worked case HT1a [exact]: the shipped `graph_svm` gives `(¾, ¾, −¼, −5/4)` in the query column,
/// zeros elsewhere, `‖W^svm‖² = 11/4`, to 1e-10 (Hildreth stops at step 1e-13, as for HT1).
#[test]
fn ht1a_asymmetric_cycle_exact_svm() {
    let ds = ht1a();
    let graphs = build_graphs(&ds);
    let svm = graph_svm(&ds, &graphs).unwrap();
    assert!(
        max_diff(&column3(&svm.w), &[0.75, 0.75, -0.25, -1.25]) <= 1e-10,
        "{:?}",
        svm.w
    );
    assert!((svm.w.dot(&svm.w) - 11.0 / 4.0).abs() <= 1e-10);
    // positive control of the row filter: with its equality rows kept it is the shipped SVM
    assert!(max_diff(graph_svm_variant(&ds, &graphs, false).data(), svm.w.data()) <= 1e-10);
}

/// Negative control on HT1a: the SVM without equality rows is `(1, 0, 0, −1)` and fails the exact
/// check by 0.75; on HT1 (symmetric SCC) it coincides with the right answer, which is why HT1
/// could not see it.
#[test]
fn ht1a_rejects_svm_without_equalities() {
    let ds = ht1a();
    let graphs = build_graphs(&ds);
    let bad = column3(&graph_svm_variant(&ds, &graphs, true));
    assert!(max_diff(&bad, &[1.0, 0.0, 0.0, -1.0]) <= 1e-10, "{bad:?}");
    assert!(max_diff(&bad, &[0.75, 0.75, -0.25, -1.25]) > 0.5);
    let ht = ht1();
    let g1 = build_graphs(&ht);
    let (right, wrong) = (
        graph_svm(&ht, &g1).unwrap().w,
        graph_svm_variant(&ht, &g1, true),
    );
    assert!(max_diff(right.data(), wrong.data()) <= 1e-10);
}

/// The C3 bound (`experiments::C3_MIN_CORR`, with its reason) is the one `claims::c3_gd_implicit_bias` and
/// the report judge with ([`c3_verdict`]).
///
/// Measured before unification (test seeds 31–34, issue 13): right SVM 0.9887 / 0.9848 / 0.9825 /
/// 0.9810; equality-free SVM 0.9634 / 0.9848 / 0.9825 / 0.9811 (on seeds 32–34 its equality rows
/// are inactive and it coincides with the right one). A first attempt with the projected
/// correlation `corr(Π_{S_fin^⊥} W, W^svm) ≥ 0.99` failed for the right SVM (projected = raw corr
/// to 4 digits here) and was dropped; see proofs-notes/nexttoken_implicit_bias.md.
///
/// Negative control of C3 (the planted bug: graph-SVM without its within-SCC equality rows): the
/// shared experiment run against the mutant solver ([`authors_setting_with`], quick protocol, the
/// same draws as the test and `reproduce --quick`) fails [`c3_verdict`].
///
/// Not by the correlation: on these draws the equality-free SVM ends at corr 0.9892 / 0.9802 /
/// 0.9897 / 0.9759 (min ≥ 0.975) while the right SVM ends at 0.9899 / 0.9669 / 0.9899 / 0.9827
/// (fails 0.975 on draw 1): at 4000 NGD steps no correlation bound separates the two, and on the
/// old test seeds 31–34 the mutant fell below 0.975 (0.9634) by chance. What rejects it is the
/// verdict's certificate ([`C3_MAX_SVM_VIOLATION`]): the direction the runs are measured against
/// must satisfy the graph-SVM's constraint rows, which are built from the data, not by the solver.
/// The mutant's answer differs from the graph-SVM, so it violates a row (uniqueness of the
/// min-norm point). The bug is also caught by C2 (`c2_rejects_svm_without_equalities`) and exactly
/// by `ht1a_rejects_svm_without_equalities`.
#[test]
fn c3_rejects_svm_without_equalities() {
    let mutant = |ds: &Dataset, graphs: &[PriorityGraph]| Ok(graph_svm_variant(ds, graphs, true));
    let wrong = authors_setting_with(&Protocol::quick(), 0, &mutant).unwrap();
    let right = authors_setting(&Protocol::quick(), 0).unwrap();
    let corr = |o: &AuthorsOutcome| -> Vec<f64> {
        o.draws
            .iter()
            .map(|d| d.records.last().unwrap().corr)
            .collect()
    };
    eprintln!(
        "C3 corr per draw: right SVM {:.4?}, equality-free SVM {:.4?}",
        corr(&right),
        corr(&wrong)
    );
    let v = c3_verdict(&wrong);
    eprintln!("C3 verdict on the equality-free SVM: {v:?}");
    assert!(
        !v.svm_certified && v.max_svm_violation > 1e3 * C3_MAX_SVM_VIOLATION && !v.passed(),
        "{v:?}"
    );
}

/// Negative control of C2 with the same planted bug: the shared ridge-path experiment
/// ([`regularization_path_with`], quick protocol: the instances of draws 0 and 1, seed 0) against
/// the equality-free graph-SVM fails [`c2_verdict`]. Measured: 1 − corr at λ = 1e-8 is 8.0e-3 and
/// 1.7e-2 against the mutant (bound 5e-3), 2.1e-3 and 4.6e-3 against the right SVM; here, unlike
/// C3's finite GD run, the path has converged far enough to tell the two directions apart
/// (corr(W^svm, mutant) = 0.988 and 0.967 on these instances).
#[test]
fn c2_rejects_svm_without_equalities() {
    let mutant = |ds: &Dataset, graphs: &[PriorityGraph]| Ok(graph_svm_variant(ds, graphs, true));
    let wrong = regularization_path_with(&Protocol::quick(), 0, &mutant).unwrap();
    let v = c2_verdict(&wrong);
    eprintln!("C2 verdict on the equality-free SVM: {v:?}");
    assert!(v.gap >= C2_MAX_GAP && !v.passed, "{v:?}");
}
