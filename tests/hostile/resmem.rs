//! Hostile inputs for `resmem` (see `tests/hostile/mod.rs` for the classes of bad input).

use attnmech::resmem::{
    classification_residuals, knn_reference, regression_residuals, soft_weights, BruteForce,
    KnnParams, NeighbourIndex, Neighbours, ResMem,
};
use attnmech::Error;

#[test]
fn soft_weights_handles_subnormal_sigma_and_rejects_nan() {
    // σ = 1e-320: every non-nearest weight underflows to 0, the nearest keeps weight 1.
    let w = soft_weights(&[0.5, 0.25, 1.0], 1e-320).unwrap();
    assert_eq!(w, vec![0.0, 1.0, 0.0]);
    for s in [0.0, -1.0, f64::NAN] {
        assert!(
            matches!(soft_weights(&[1.0], s), Err(Error::InvalidArgument { .. })),
            "{s}"
        );
    }
    assert!(matches!(
        soft_weights(&[1.0, f64::NAN], 1.0),
        Err(Error::NonFinite { .. })
    ));
    assert!(matches!(soft_weights(&[], 1.0), Err(Error::Empty { .. })));
}

#[test]
fn residuals_reject_bad_temperature_ids_and_nan() {
    for t in [0.0, f64::NAN, 1e-320] {
        let r = classification_residuals(&[0.0, 1.0], &[0], 2, t);
        assert!(
            matches!(r, Err(Error::InvalidArgument { .. })),
            "{t}: {r:?}"
        );
    }
    let r = classification_residuals(&[0.0, 1.0], &[2], 2, 1.0);
    assert!(matches!(r, Err(Error::OutOfRange { .. })), "{r:?}");
    let r = classification_residuals(&[0.0, 1.0], &[0, 1], 2, 1.0);
    assert!(matches!(r, Err(Error::ShapeMismatch { .. })), "{r:?}");
    let r = regression_residuals(&[1.0, f64::INFINITY], &[0.0, 0.0]);
    assert!(matches!(r, Err(Error::NonFinite { .. })), "{r:?}");
    let r = regression_residuals(&[1.0], &[0.0, 0.0]);
    assert!(matches!(r, Err(Error::ShapeMismatch { .. })), "{r:?}");
}

#[test]
fn knn_rejects_bad_shapes_nan_and_k() {
    let r = BruteForce::new(vec![0.0f64, 1.0, 2.0], 2);
    assert!(matches!(r, Err(Error::ShapeMismatch { .. })), "{r:?}");
    let r = BruteForce::new(vec![0.0f64, f64::NAN], 1);
    assert!(matches!(r, Err(Error::NonFinite { .. })), "{r:?}");
    let r = BruteForce::new(vec![0.0f64, 1.0], 0);
    assert!(matches!(r, Err(Error::InvalidArgument { .. })), "{r:?}");
    let p = KnnParams {
        query_block: 0,
        reference_block: 4,
    };
    let r = BruteForce::with_params(vec![0.0f64, 1.0], 1, p);
    assert!(matches!(r, Err(Error::InvalidArgument { .. })), "{r:?}");
    let r = knn_reference(&[0.0f64, 1.0], &[0.5], 1, 3);
    assert!(r.is_err(), "{r:?}");
    let r = knn_reference(&[0.0f64, 1.0], &[f64::NAN], 1, 1);
    assert!(matches!(r, Err(Error::NonFinite { .. })), "{r:?}");
    let idx = BruteForce::new(vec![0.0f64, 1.0], 1).unwrap();
    let r = idx.search(&[0.5, 0.1], 0);
    assert!(r.is_err(), "{r:?}");
}

#[test]
fn resmem_new_rejects_overflowing_outputs_and_bad_k() {
    let idx = BruteForce::new(vec![0.0f64, 1.0], 1).unwrap();
    let r = ResMem::new::<f64>(idx.clone(), vec![0.0; 2], usize::MAX, 1, 1.0);
    assert!(matches!(r, Err(Error::Overflow { .. })), "{r:?}");
    let r = ResMem::new::<f64>(idx.clone(), vec![0.0; 2], 1, 3, 1.0);
    assert!(matches!(r, Err(Error::InvalidArgument { .. })), "{r:?}");
    let r = ResMem::new::<f64>(idx.clone(), vec![0.0, f64::NAN], 1, 1, 1.0);
    assert!(matches!(r, Err(Error::NonFinite { .. })), "{r:?}");
    let m = ResMem::new::<f64>(idx, vec![0.0, 1.0], 1, 1, 1.0).unwrap();
    let r = m.predict(&[0.5], &[0.0, 0.0]);
    assert!(matches!(r, Err(Error::ShapeMismatch { .. })), "{r:?}");
    let r = m.correction(&[f64::NAN]);
    assert!(matches!(r, Err(Error::NonFinite { .. })), "{r:?}");
}

/// `Neighbours::new` (what an external `NeighbourIndex` returns) validates the layout: `k = 0`,
/// mismatched or ragged buffers, non-finite, negative or unsorted distances are typed errors.
#[test]
fn neighbours_new_rejects_inconsistent_fields() {
    let nb = Neighbours::new(2, vec![0, 1, 1, 0], vec![0.0, 1.0, 0.5, 0.5]).unwrap();
    assert_eq!((nb.k(), nb.n_queries(), nb.row(1)), (2, 2, &[1, 0][..]));
    let r = Neighbours::new(0, vec![], vec![]);
    assert!(matches!(r, Err(Error::InvalidArgument { .. })), "{r:?}");
    let r = Neighbours::new(2, vec![0, 1], vec![0.0]);
    assert!(matches!(r, Err(Error::ShapeMismatch { .. })), "{r:?}");
    let r = Neighbours::new(2, vec![0, 1, 2], vec![0.0, 1.0, 2.0]);
    assert!(matches!(r, Err(Error::ShapeMismatch { .. })), "{r:?}");
    let r = Neighbours::new(2, vec![0, 1], vec![0.0, f64::NAN]);
    assert!(matches!(r, Err(Error::NonFinite { .. })), "{r:?}");
    for bad in [[-1.0, 0.0], [2.0, 1.0]] {
        let r = Neighbours::new(2, vec![0, 1], bad.to_vec());
        assert!(matches!(r, Err(Error::InvalidArgument { .. })), "{r:?}");
    }
}

/// Fuzz-found: a query coordinate at `f32::MAX` overflowed the f32 distance keys, and the search
/// returned a point at squared distance 1.2e77 as the nearest. Rows whose squared norm exceeds
/// `T::MAX/4` (where the keys `‖r‖² − 2 q·r` can overflow) are now rejected, queries and points.
#[test]
fn knn_rejects_rows_whose_distance_keys_would_overflow() {
    use attnmech::resmem::knn::{BruteForce, NeighbourIndex};
    let index = BruteForce::new(vec![0.0f32, 1.0, 2.0, 3.0], 2).unwrap();
    let r = index.search(&[f32::MAX, 0.0], 1);
    assert!(
        matches!(
            r,
            Err(Error::InvalidArgument {
                what: "queries",
                ..
            })
        ),
        "{r:?}"
    );
    let big = (f32::MAX / 4.0).sqrt() * 1.01;
    let r = BruteForce::new(vec![big, 0.0, 1.0, 1.0], 2);
    assert!(
        matches!(r, Err(Error::InvalidArgument { what: "points", .. })),
        "{r:?}"
    );
    // Just inside the range the search works and the distances are exact in f64.
    let ok = (f32::MAX / 4.0).sqrt() * 0.99;
    let index = BruteForce::new(vec![ok, 0.0, 0.0, 0.0], 2).unwrap();
    let nb = index.search(&[ok, 0.0], 1).unwrap();
    assert_eq!(nb.indices(), &[0]);
}
