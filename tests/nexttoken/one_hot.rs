//! The one-hot solvers (what `analyze` runs when `E = I`) against the dense routes they replace:
//! same `W^svm`, `W^fin`, limit loss and `dim S_fin` on random identity-embedding instances with
//! cycles, sizes around the authors' setting. Tolerance 1e-8: both solvers stop at 1e-13-level
//! steps; the dense Newton and the Luce route agree to ~1e-10 on these sizes.

use super::common::max_abs_diff;
use attnmech::nexttoken::finite::{w_fin, SFin};
use attnmech::nexttoken::generators::{instance, EmbeddingKind, Sizes, Structure};
use attnmech::nexttoken::graph::build_graphs;
use attnmech::nexttoken::one_hot::{graph_svm_one_hot, w_fin_one_hot};
use attnmech::nexttoken::svm::graph_svm;

#[test]
fn one_hot_solvers_match_dense_routes() {
    for (seed, sizes) in [
        (
            0,
            Sizes {
                n: 6,
                t: 4,
                k: 6,
                d: 6,
            },
        ),
        (
            1,
            Sizes {
                n: 12,
                t: 4,
                k: 8,
                d: 8,
            },
        ),
        (
            2,
            Sizes {
                n: 20,
                t: 5,
                k: 10,
                d: 10,
            },
        ),
        (
            3,
            Sizes {
                n: 30,
                t: 3,
                k: 7,
                d: 7,
            },
        ),
    ] {
        let mut rng = attnmech::rng::seeded(seed, 0);
        let ds = instance(&mut rng, sizes, EmbeddingKind::Identity, Structure::Cyclic).unwrap();
        let graphs = build_graphs(&ds);
        let dense_svm = graph_svm(&ds, &graphs).unwrap().w;
        let fast_svm = graph_svm_one_hot(&ds, &graphs, &mut |_, _| {}).unwrap();
        assert!(
            max_abs_diff(&dense_svm, &fast_svm) < 1e-8,
            "seed {seed}: W^svm"
        );
        let dense_fin = w_fin(&ds, &graphs).unwrap();
        let (fast_fin, loss, dim) = w_fin_one_hot(&ds, &graphs, &mut |_, _| {}).unwrap();
        assert!(
            max_abs_diff(&dense_fin.w, &fast_fin) < 1e-8,
            "seed {seed}: W^fin"
        );
        assert!(
            (dense_fin.limit_loss - loss).abs() < 1e-10,
            "seed {seed}: loss"
        );
        assert_eq!(
            SFin::new(&ds, &graphs).unwrap().dimension(),
            dim,
            "seed {seed}"
        );
    }
}
