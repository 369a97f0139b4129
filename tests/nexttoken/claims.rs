//! Claims C1–C7 of paper 1 (spec §4) on the authors' setting and the worked instances.

use super::common::*;
use attnmech::nexttoken::experiments::{
    authors_setting, c2_verdict, c3_verdict, c4_verdict, c6_verdict, hard_retrieval, loss_limit,
    regularization_path, Protocol,
};
use attnmech::nexttoken::finite::{w_fin, w_fin_luce};
use attnmech::nexttoken::graph::{build_graphs, graph_for};
use attnmech::nexttoken::metrics::within_scc_error;
use attnmech::nexttoken::model::{loss, GradientForm};
use attnmech::nexttoken::optim::{descend, Step};
use attnmech::nexttoken::svm::graph_svm;
use attnmech::qp::Mat;

/// C1 (convexity / no finite minimiser) [V]: with W^svm ≠ 0, `R ↦ L(W + R W^svm)` is strictly
/// decreasing for R = 1, 2, 4, …, 32 from the torch-style init (every inequality row ≥ 1 pushes
/// the loss down by a factor ≥ e^{-ΔR}); and the GD norm keeps growing (‖W(τ)‖ at τ = 1e3 < 1e4).
/// Hessian PSD is checked in `model::hessian_matches_central_differences_and_is_psd`.
#[test]
fn c1_no_finite_minimizer() {
    for seed in [11, 12, 13] {
        let ds = authors_cyclic(seed);
        let graphs = build_graphs(&ds);
        let svm = graph_svm(&ds, &graphs).unwrap();
        let w0 = init(seed, 8);
        let mut prev = f64::INFINITY;
        for r in [1.0, 2.0, 4.0, 8.0, 16.0, 32.0] {
            let mut w = w0.clone();
            w.axpy(r, &svm.w);
            let l = loss(&ds, &w).unwrap();
            assert!(l < prev, "seed {seed}: L not decreasing at R = {r}");
            prev = l;
        }
        let mut norms = Vec::new();
        descend(
            &ds,
            &Mat::zeros(8, 8),
            Step::Plain(1.0),
            GradientForm::Stable,
            10_000,
            |t, w| {
                if t == 1000 || t == 10_000 {
                    norms.push(w.norm());
                }
            },
        )
        .unwrap();
        assert!(norms[1] > norms[0] + 1.0, "norm growth {norms:?}");
    }
}

/// C2 (regularisation path) [V]: the shared experiment and bound
/// ([`regularization_path`], [`c2_verdict`], run by the report too) under the quick protocol:
/// ridge path λ = 1e-2 … 1e-8 by damped Newton on the first two draws' instances; 1 − corr(W_λ,
/// W^svm) decreasing in 1/λ and < 5e-3 at λ = 1e-8, ‖Π_Sfin W_λ − W^fin‖ < 1e-5 there.
#[test]
fn c2_regularization_path() {
    let paths = regularization_path(&Protocol::quick(), 0).unwrap();
    for p in &paths {
        eprintln!(
            "C2: norms {:.3?} 1-corr {:?} sfin err {:?}",
            p.norms, p.gaps, p.sfin_errors
        );
    }
    let v = c2_verdict(&paths);
    assert!(v.passed, "{v:?}");
}

/// C3 (GD implicit bias) [V, authors' schedule]: the shared experiment and bound
/// ([`authors_setting`], [`c3_verdict`], run by the report too) under the quick protocol (4 draws,
/// seed 0): NGD η = 0.01, 4000 steps from torch init. Asserted (what holds): corr(W, W^svm) ≥ 0.95
/// (the spec's bound); proj-corr and the decomposition corr(W, W^fin + R W^svm) ≥ corr − 1e-3;
/// S_fin error ≤ 1e-2 (NGD floor ≈ 5e-3, pitfall P3) and ≤ 5e-3 after plain GD η = 1, 2e4 steps;
/// the W^svm measured against satisfies the graph-SVM's rows to 1e-9 (the certificate that makes
/// the check reject a wrong solver, see `svm_equalities::c3_rejects_svm_without_equalities`).
/// Not reproduced (registry `nexttoken.C3`, shown as such by the report): issue 13's
/// corr ≥ 0.975 on every draw; draw 1 ends at 0.9669 (the spec's independent re-implementation:
/// 0.966–0.994).
#[test]
fn c3_gd_implicit_bias() {
    let o = authors_setting(&Protocol::quick(), 0).unwrap();
    for (d, gd) in o.draws.iter().zip(&o.gd_sfin_errors) {
        let r = d.records.last().unwrap();
        eprintln!(
            "C3: NGD corr {:.4} proj {:.4} decomposition {:.4} sfin {:.2e}; GD sfin {gd:.2e}",
            r.corr, r.proj_corr, d.decomposition_corr, r.sfin_error
        );
    }
    let v = c3_verdict(&o);
    eprintln!("{v:?}");
    assert!(v.spec_corr_ok && v.rest_ok && v.svm_certified, "{v:?}");
}

/// C4 (hard retrieval) [V]: the shared experiment and bound ([`authors_setting`],
/// [`hard_retrieval`], [`c4_verdict`], run by the report too) under the quick protocol: after 4000
/// NGD steps (η = 0.01) every training sample puts ≥ 0.99 of its attention on SCC_k(y) (spec: min
/// 0.996–0.9998) and the authors' top-SCC metric is ≥ 0.99, on every draw; on acyclic data
/// (4, 6, 8, 8) 1 − mass ≤ 1e-2 (authors ≈ 7e-5); on the unseen HT3 prompt [0,2,3] the trained W
/// retrieves token 0, the SCC that dominates the others in G^(3).
#[test]
fn c4_hard_retrieval() {
    let p = Protocol::quick();
    let cyclic = authors_setting(&p, 0).unwrap();
    let r = hard_retrieval(&p, 0).unwrap();
    let v = c4_verdict(&cyclic, &r);
    eprintln!("C4: {v:?}");
    assert!(v.passed, "{v:?}");
}

/// C5 (soft composition) [V]: plain GD 1e5 steps (η = 1, from 0): within SCC_k(y) the renormalised
/// attention equals softmax of the W^fin scores to L1 ≤ 1e-3 (spec bound), on HT1 and two random
/// cyclic draws.
#[test]
fn c5_soft_composition() {
    let mut cases = vec![ht1()];
    cases.push(authors_cyclic(51));
    for ds in cases {
        let graphs = build_graphs(&ds);
        let fin = w_fin(&ds, &graphs).unwrap();
        let w = train(
            &ds,
            &Mat::zeros(ds.dim(), ds.dim()),
            Step::Plain(1.0),
            100_000,
        );
        let err = within_scc_error(&ds, &graphs, &w, &fin.w).unwrap();
        eprintln!("C5: within-SCC L1 error {err:.3e}");
        assert!(err <= 1e-3);
    }
}

/// C6 (loss limit) [V]: the shared experiment and bound ([`loss_limit`], [`c6_verdict`], run by
/// the report too): L(W(τ)) → L_red(W^fin), not 0, when cycles exist. HT1 with plain GD η = 1,
/// 1e5 steps: |L − 0.636514| ≤ 2e-5 (spec: 0.636521). Acyclic HT3: L(W(1e4)) ≤ 1e-3. Beside the
/// claim, W^fin agrees between the Newton and Luce-MLE routes to 1e-9 on the authors' draws.
#[test]
fn c6_loss_limit_and_two_wfin_routes() {
    let o = loss_limit().unwrap();
    eprintln!("C6: {o:?}");
    assert!(c6_verdict(&o).passed(), "{o:?}");

    for seed in 60..66 {
        let ds = authors_cyclic(seed);
        let graphs = build_graphs(&ds);
        let a = w_fin(&ds, &graphs).unwrap();
        let b = w_fin_luce(&ds, &graphs).unwrap();
        assert!(max_abs_diff(&a.w, &b) <= 1e-9, "seed {seed}");
        assert!(graph_for(&graphs, 0).is_some() || !graphs.is_empty());
    }
}
