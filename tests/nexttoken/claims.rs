//! Claims C1–C7 of paper 1 (spec §4) on the authors' setting and the worked instances.

use super::common::*;
use attnmech::nexttoken::finite::{w_fin, w_fin_luce, SFin};
use attnmech::nexttoken::generators::{instance, EmbeddingKind, Sizes, Structure};
use attnmech::nexttoken::graph::{build_graphs, graph_for};
use attnmech::nexttoken::metrics::{
    label_scc_mass, lsq_r, projected_corr, sfin_error, top_scc_mass, within_scc_error,
};
use attnmech::nexttoken::model::{loss, prompt_distribution, GradientForm};
use attnmech::nexttoken::optim::{descend, ridge_path, Step};
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

/// C2 (regularisation path) [V]: ridge path λ = 1e-2 … 1e-8 by damped Newton. Asserts (spec):
/// 1 − corr(W_λ, W^svm) decreasing in 1/λ and < 5e-3 at λ = 1e-8; ‖Π_Sfin W_λ − W^fin‖ < 1e-5 at
/// λ = 1e-8 (reference instance: 1.3e-3 and 7.7e-7; our draws differ, the bounds carry ×4 and ×13
/// slack).
#[test]
fn c2_regularization_path() {
    for seed in [21, 22] {
        let ds = authors_cyclic(seed);
        let graphs = build_graphs(&ds);
        let svm = graph_svm(&ds, &graphs).unwrap();
        let fin = w_fin(&ds, &graphs).unwrap();
        let sfin = SFin::new(&ds, &graphs).unwrap();
        let lambdas = [1e-2, 1e-4, 1e-6, 1e-8];
        let path = ridge_path(&ds, &lambdas).unwrap();
        let gaps: Vec<f64> = path.iter().map(|w| 1.0 - w.corr(&svm.w)).collect();
        let errs: Vec<f64> = path
            .iter()
            .map(|w| sfin_error(w, &fin.w, &sfin).unwrap())
            .collect();
        let norms: Vec<f64> = path.iter().map(|w| w.norm()).collect();
        eprintln!("C2 seed {seed}: norms {norms:?} 1-corr {gaps:?} sfin err {errs:?}");
        assert!(gaps.windows(2).all(|p| p[1] < p[0]), "{gaps:?}");
        assert!(norms.windows(2).all(|p| p[1] > p[0]));
        assert!(gaps[3] < 5e-3, "{gaps:?}");
        assert!(errs[3] < 1e-5, "{errs:?}");
    }
}

/// C3 (GD implicit bias) [V, authors' schedule]: NGD η = 0.01, 4000 steps from torch init on the
/// authors' setting, 4 draws: corr(W, W^svm) ≥ 0.975 (authors 0.976–0.993, they error below 0.9;
/// the bound and its reason: `svm_equalities::C3_CORR`, with its negative control);
/// proj-corr ≥ corr − 1e-3; S_fin error ≤ 1e-2 (NGD floor ≈ 5e-3, pitfall P3). Plain GD η = 1,
/// 2e4 steps: S_fin error ≤ 5e-3 (observed 0–1.8e-3). The decomposition: corr(W, W^fin + R W^svm)
/// with least-squares R is ≥ corr(W, W^svm) − 1e-3.
#[test]
fn c3_gd_implicit_bias() {
    for seed in [31, 32, 33, 34] {
        let ds = authors_cyclic(seed);
        let graphs = build_graphs(&ds);
        let svm = graph_svm(&ds, &graphs).unwrap();
        let fin = w_fin(&ds, &graphs).unwrap();
        let sfin = SFin::new(&ds, &graphs).unwrap();
        let w0 = init(seed, 8);
        let w = train(&ds, &w0, Step::Normalized(0.01), 4000);
        let c = w.corr(&svm.w);
        let pc = projected_corr(&w, &svm.w, &sfin).unwrap();
        let e = sfin_error(&w, &fin.w, &sfin).unwrap();
        let r = lsq_r(&w, &fin.w, &svm.w).unwrap();
        let mut decomposition = fin.w.clone();
        decomposition.axpy(r, &svm.w);
        let dc = w.corr(&decomposition);
        let wp = train(&ds, &w0, Step::Plain(1.0), 20_000);
        let ep = sfin_error(&wp, &fin.w, &sfin).unwrap();
        eprintln!(
            "C3 seed {seed}: NGD corr {c:.4} proj {pc:.4} decomposition {dc:.4} R {r:.2} \
             sfin {e:.2e}; GD sfin {ep:.2e}"
        );
        assert!(c >= super::svm_equalities::C3_CORR);
        assert!(pc >= c - 1e-3);
        assert!(dc >= c - 1e-3);
        assert!(e <= 1e-2);
        assert!(ep <= 5e-3);
    }
}

/// C4 (hard retrieval) [V]: after 4000 NGD steps (η = 0.01) every training sample puts ≥ 0.99 of
/// its attention on SCC_k(y) (spec: min 0.996–0.9998); the authors' top-SCC metric ≥ 0.99. On
/// acyclic data (4, 6, 8, 8) 1 − mass ≤ 1e-2 (authors ≈ 7e-5). Generalisation: on the unseen HT3
/// prompt [0,2,3] the trained W retrieves token 0, the SCC that dominates the others in G^(3).
#[test]
fn c4_hard_retrieval() {
    for seed in [41, 42, 43] {
        let ds = authors_cyclic(seed);
        let graphs = build_graphs(&ds);
        let w0 = init(seed, 8);
        let w = train(&ds, &w0, Step::Normalized(0.01), 4000);
        let min_mass = label_scc_mass(&ds, &graphs, &w)
            .unwrap()
            .into_iter()
            .fold(1.0, f64::min);
        let top = top_scc_mass(&ds, &graphs, &w).unwrap();
        eprintln!("C4 seed {seed}: min label-SCC mass {min_mass:.5}, top-SCC {top:.5}");
        assert!(min_mass >= 0.99 && top >= 0.99);
    }
    let mut rng = attnmech::rng::seeded(44, 0);
    let ds = instance(
        &mut rng,
        Sizes {
            n: 4,
            t: 6,
            k: 8,
            d: 8,
        },
        EmbeddingKind::RandomUnit,
        Structure::Acyclic,
    )
    .unwrap();
    let graphs = build_graphs(&ds);
    let w0 = init(44, 8);
    let w = train(&ds, &w0, Step::Normalized(0.01), 4000);
    let worst = label_scc_mass(&ds, &graphs, &w)
        .unwrap()
        .into_iter()
        .fold(1.0, f64::min);
    eprintln!("C4 acyclic: 1 - min mass {:.3e}", 1.0 - worst);
    assert!(1.0 - worst <= 1e-2);

    let ds = ht3();
    let w = train(&ds, &Mat::zeros(4, 4), Step::Normalized(0.1), 2000);
    let pi = prompt_distribution(ds.embeddings(), &w, &[0, 2, 3]).unwrap();
    assert!(pi[0] > 0.99, "{pi:?}");
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

/// C6 (loss limit) [V]: L(W(τ)) → L_red(W^fin), not 0, when cycles exist. HT1 with plain GD η = 1,
/// 1e5 steps: |L − 0.636514| ≤ 2e-5 (spec: 0.636521). Acyclic HT3: L_red = 0 and L(W(τ)) ≤ 1e-3.
/// W^fin agrees between the Newton and Luce-MLE routes to 1e-9 on the authors' draws.
#[test]
fn c6_loss_limit_and_two_wfin_routes() {
    let ds = ht1();
    let graphs = build_graphs(&ds);
    let fin = w_fin(&ds, &graphs).unwrap();
    let w = train(&ds, &Mat::zeros(3, 3), Step::Plain(1.0), 100_000);
    let l = loss(&ds, &w).unwrap();
    eprintln!("C6 HT1: L(W(1e5)) = {l:.6}, limit {:.6}", fin.limit_loss);
    assert!((l - fin.limit_loss).abs() <= 2e-5 && l > fin.limit_loss - 1e-12);

    let ds = ht3();
    let w = train(&ds, &Mat::zeros(4, 4), Step::Plain(1.0), 10_000);
    assert!(loss(&ds, &w).unwrap() <= 1e-3);

    for seed in 60..66 {
        let ds = authors_cyclic(seed);
        let graphs = build_graphs(&ds);
        let a = w_fin(&ds, &graphs).unwrap();
        let b = w_fin_luce(&ds, &graphs).unwrap();
        assert!(max_abs_diff(&a.w, &b) <= 1e-9, "seed {seed}");
        assert!(graph_for(&graphs, 0).is_some() || !graphs.is_empty());
    }
}
