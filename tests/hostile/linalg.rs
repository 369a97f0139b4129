//! Hostile inputs for `linalg` (see `tests/hostile/mod.rs` for the classes of bad input):
//! Cholesky (factor, solve, in-place, `spd_solve`, `factor_lower_in_place`), the decompositions,
//! the LU solve, `ridge_fit`, the matrix checks, and the products (`gemm`, `gemm_into`,
//! `gemm_row_major`, `linear_predict`) and `orthonormal_basis`: shapes that do not chain, buffer
//! lengths that disagree with their dimensions, dimension products that overflow, non-finite.

use attnmech::faer::Par;
use attnmech::linalg::{
    check_matrix, factor_lower_in_place, gemm, gemm_into, gemm_row_major, linear_predict,
    lu_solve_in_place, orthonormal_basis, ridge_fit, singular_values, spd_solve,
    symmetric_eigenvalues, thin_svd, Cholesky, Mat,
};
use attnmech::Error;

fn spd() -> Mat<f64> {
    Mat::from_fn(2, 2, |i, j| if i == j { 4.0 } else { 1.0 })
}

#[test]
fn cholesky_rejects_non_square_non_finite_and_indefinite() {
    let rect = Mat::<f64>::zeros(2, 3);
    let r = Cholesky::factor("a", rect.as_ref());
    assert!(matches!(r, Err(Error::ShapeMismatch { .. })));
    for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        let mut a = spd();
        a[(1, 0)] = bad;
        let r = Cholesky::factor("a", a.as_ref());
        assert!(matches!(
            r,
            Err(Error::NonFinite {
                what: "a",
                index: 2
            })
        ));
        let r = spd_solve("a", a.as_ref(), Mat::<f64>::zeros(2, 1).as_ref());
        assert!(matches!(r, Err(Error::NonFinite { .. })));
        let r = factor_lower_in_place("a", a.as_mut(), Par::Seq);
        assert!(matches!(r, Err(Error::NonFinite { .. })));
        let c = Cholesky::factor("a", spd().as_ref()).unwrap();
        let mut b = Mat::<f64>::zeros(2, 1);
        b[(0, 0)] = bad;
        assert!(matches!(c.solve(b.as_ref()), Err(Error::NonFinite { .. })));
        assert!(matches!(
            c.solve_in_place(b.as_mut()),
            Err(Error::NonFinite { .. })
        ));
    }
    // The strict upper triangle is not read: garbage there is not an error.
    let mut a = spd();
    a[(0, 1)] = f64::NAN;
    assert!(Cholesky::factor("a", a.as_ref()).is_ok());
    let neg = Mat::from_fn(2, 2, |i, j| if i == j { -1.0 } else { 0.0 });
    let r = Cholesky::factor("a", neg.as_ref());
    assert!(matches!(
        r,
        Err(Error::NotPositiveDefinite {
            what: "a",
            pivot: 0
        })
    ));
    let c = Cholesky::factor("a", spd().as_ref()).unwrap();
    assert!(matches!(
        c.solve(Mat::<f64>::zeros(3, 1).as_ref()),
        Err(Error::ShapeMismatch { .. })
    ));
    let r = spd_solve("a", spd().as_ref(), Mat::<f64>::zeros(3, 1).as_ref());
    assert!(matches!(r, Err(Error::ShapeMismatch { .. })));
}

#[test]
fn decompositions_reject_non_finite_and_non_square() {
    let mut a = spd();
    a[(0, 1)] = f64::NAN;
    assert!(matches!(
        singular_values(a.as_ref()),
        Err(Error::NonFinite { index: 1, .. })
    ));
    assert!(matches!(thin_svd(a.as_ref()), Err(Error::NonFinite { .. })));
    let mut b = Mat::<f64>::zeros(2, 1);
    assert!(matches!(
        lu_solve_in_place(a.as_ref(), b.as_mut()),
        Err(Error::NonFinite { .. })
    ));
    a[(0, 1)] = 1.0;
    a[(1, 1)] = f64::INFINITY;
    assert!(matches!(
        symmetric_eigenvalues(a.as_ref()),
        Err(Error::NonFinite { .. })
    ));
    let rect = Mat::<f64>::zeros(2, 3);
    assert!(matches!(
        symmetric_eigenvalues(rect.as_ref()),
        Err(Error::ShapeMismatch { .. })
    ));
    assert!(matches!(
        lu_solve_in_place(rect.as_ref(), b.as_mut()),
        Err(Error::ShapeMismatch { .. })
    ));
    // Empty matrices: documented empty results.
    assert!(singular_values(Mat::<f64>::zeros(0, 3).as_ref())
        .unwrap()
        .is_empty());
    assert!(matches!(
        check_matrix("z", Mat::<f64>::zeros(0, 3).as_ref()),
        Err(Error::Empty { .. })
    ));
}

#[test]
fn ridge_fit_rejects_bad_lengths_lambdas_and_non_finite() {
    let x = [1.0, 0.0, 0.0, 1.0, 1.0, 1.0];
    let y = [1.0, 2.0, 3.0];
    assert!(matches!(
        ridge_fit(&[], &y, 3, 0.1),
        Err(Error::Empty { .. })
    ));
    assert!(matches!(
        ridge_fit(&x, &y, 4, 0.1),
        Err(Error::ShapeMismatch { .. })
    ));
    assert!(matches!(
        ridge_fit(&x, &y, 0, 0.1),
        Err(Error::ShapeMismatch { .. })
    ));
    assert!(matches!(
        ridge_fit(&x, &y[..2], 3, 0.1),
        Err(Error::ShapeMismatch { .. })
    ));
    for lambda in [f64::NAN, -1.0, f64::INFINITY] {
        assert!(matches!(
            ridge_fit(&x, &y, 3, lambda),
            Err(Error::InvalidArgument { .. })
        ));
    }
    let mut xb = x;
    xb[4] = f64::NAN;
    assert!(matches!(
        ridge_fit(&xb, &y, 3, 0.1),
        Err(Error::NonFinite {
            what: "x",
            index: 4
        })
    ));
    // Rank-deficient X with λ = 0: the Gram matrix is singular, so the Cholesky either fails
    // (`NotPositiveDefinite`) or, when rounding leaves a tiny positive pivot, gives a huge but
    // finite solution; never NaN.
    match ridge_fit(&[1.0, 1.0, 1.0, 1.0], &[1.0, 2.0], 2, 0.0) {
        Err(Error::NotPositiveDefinite { .. }) => {}
        Ok(w) => assert!(w.iter().all(|v| v.is_finite()), "{w:?}"),
        Err(e) => panic!("{e:?}"),
    }
    // Subnormal λ is finite and ≥ 0: a finite result.
    let w = ridge_fit(&x, &y, 3, f64::MIN_POSITIVE / 8.0).unwrap();
    assert!(w.iter().all(|v| v.is_finite()));
}

#[test]
fn gemm_family_rejects_unchained_shapes_bad_lengths_and_overflow() {
    let a = Mat::<f64>::zeros(2, 3);
    let b = Mat::<f64>::zeros(4, 2);
    let r = gemm(a.as_ref(), b.as_ref());
    assert!(matches!(r, Err(Error::ShapeMismatch { .. })), "{r:?}");
    let mut c = Mat::<f64>::zeros(2, 2);
    let r = gemm_into(c.as_mut(), a.as_ref(), b.as_ref(), 1.0, false);
    assert!(matches!(r, Err(Error::ShapeMismatch { .. })), "{r:?}");
    // Chained inner dimension, wrong output shape.
    let b = Mat::<f64>::zeros(3, 5);
    let r = gemm_into(c.as_mut(), a.as_ref(), b.as_ref(), 1.0, true);
    assert!(matches!(r, Err(Error::ShapeMismatch { .. })), "{r:?}");
    assert!(gemm(a.as_ref(), b.as_ref()).is_ok());

    let x = [1.0; 6];
    let r = gemm_row_major(&x, (2, 3), false, &x, (2, 3), false);
    assert!(matches!(r, Err(Error::ShapeMismatch { .. })), "{r:?}");
    let r = gemm_row_major(&x[..5], (2, 3), false, &x, (3, 2), false);
    assert!(matches!(r, Err(Error::ShapeMismatch { .. })), "{r:?}");
    let r = gemm_row_major(&x, (usize::MAX, 2), false, &x, (3, 2), false);
    assert!(matches!(r, Err(Error::Overflow { .. })), "{r:?}");
    // A transpose flag fixes the chaining.
    assert_eq!(
        gemm_row_major(&x, (2, 3), false, &x, (2, 3), true).unwrap(),
        vec![3.0; 4]
    );
    // Empty inner dimension: zeros, as the math says.
    assert_eq!(
        gemm_row_major::<f64>(&[], (2, 0), false, &[], (0, 2), false).unwrap(),
        vec![0.0; 4]
    );
}

#[test]
fn linear_predict_rejects_bad_lengths_overflow_and_non_finite() {
    let x = [1.0, 2.0, 3.0, 4.0];
    let w = [1.0, 1.0];
    assert_eq!(linear_predict(&x, &w, 2, 1).unwrap(), vec![3.0, 7.0]);
    let r = linear_predict(&x, &w, 3, 1);
    assert!(matches!(r, Err(Error::ShapeMismatch { .. })), "{r:?}");
    let r = linear_predict(&x, &[1.0, 1.0, 1.0], 2, 2);
    assert!(matches!(r, Err(Error::ShapeMismatch { .. })), "{r:?}");
    let r = linear_predict(&x, &w, usize::MAX, 1);
    assert!(
        matches!(r, Err(Error::Overflow { .. } | Error::ShapeMismatch { .. })),
        "{r:?}"
    );
    let r = linear_predict(&[], &[], usize::MAX, 2);
    assert!(matches!(r, Err(Error::Overflow { .. })), "{r:?}");
    for bad in [f64::NAN, f64::INFINITY] {
        let r = linear_predict(&[1.0, bad, 3.0, 4.0], &w, 2, 1);
        assert!(matches!(r, Err(Error::NonFinite { index: 1, .. })), "{r:?}");
        let r = linear_predict(&x, &[bad, 1.0], 2, 1);
        assert!(matches!(r, Err(Error::NonFinite { index: 0, .. })), "{r:?}");
    }
}

#[test]
fn orthonormal_basis_rejects_non_square_and_non_finite() {
    let r = orthonormal_basis(Mat::<f64>::zeros(2, 3).as_ref());
    assert!(matches!(r, Err(Error::ShapeMismatch { .. })), "{r:?}");
    for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        let mut a = spd();
        a[(1, 1)] = bad;
        let r = orthonormal_basis(a.as_ref());
        assert!(matches!(r, Err(Error::NonFinite { index: 3, .. })), "{r:?}");
    }
    let q = orthonormal_basis(spd().as_ref()).unwrap();
    assert_eq!((q.nrows(), q.ncols()), (2, 2));
}
