//! Checks added by the mutation campaign (issue 13, `proofs-notes/MUTANTS.md`).

use attnmech::resmem::knn::{knn_reference, BruteForce, NeighbourIndex, Neighbours};
use attnmech::Error;

/// An index with no points, as a user's own `NeighbourIndex` may be (the shipped `BruteForce`
/// refuses one), is empty, and a one-point `BruteForce` is not: the trait's default `is_empty`
/// must read `len`. Kills `knn.rs: replace NeighbourIndex::is_empty -> bool with false` (and
/// `with true`); the crate itself never calls it.
#[test]
fn a_user_index_with_no_points_is_empty() {
    struct Empty;
    impl NeighbourIndex<f64> for Empty {
        fn len(&self) -> usize {
            0
        }
        fn dim(&self) -> usize {
            2
        }
        fn point(&self, _i: usize) -> &[f64] {
            &[]
        }
        fn search(&self, _queries: &[f64], k: usize) -> attnmech::Result<Neighbours> {
            Err(Error::InvalidArgument {
                what: "k",
                reason: format!("need 1 <= k <= n = 0, got {k}"),
            })
        }
    }
    assert!(Empty.is_empty());
    let one = BruteForce::new(vec![0.0, 1.0], 2).unwrap();
    assert!(!NeighbourIndex::<f64>::is_empty(&one));
}

/// The f64 oracle validates `k ≤ n` like the kernels: three points in `R²` and k = 4 is a typed
/// `Err` naming `k`, not a slice panic. Kills `knn.rs: replace / with * in knn_reference`
/// (`n = len·d`, which lets k = 4 through to `all[..k]`).
#[test]
fn knn_reference_rejects_k_above_n() {
    let points = [0.0, 0.0, 1.0, 0.0, 0.0, 1.0];
    let query = [0.2, 0.1];
    assert!(knn_reference(&points, &query, 2, 3).is_ok());
    match knn_reference(&points, &query, 2, 4) {
        Err(Error::InvalidArgument { what: "k", .. }) => {}
        other => panic!("expected InvalidArgument(k), got {other:?}"),
    }
}
