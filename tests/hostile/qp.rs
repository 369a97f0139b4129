//! Hostile inputs for `qp` (see `tests/hostile/mod.rs` for the classes of bad input):
//! `Mat` constructors, `spd_solve`, `MinNormProblem` (push, solve, project, kkt,
//! primal_violation) and the solver options.

use attnmech::qp::{mat::spd_solve, Mat, MinNormProblem, Options};
use attnmech::Error;

#[test]
fn mat_from_row_major_rejects_overflow_wrong_length_and_non_finite() {
    // rows·cols wraps to 0 in release without the checked product: an empty buffer would pass.
    let r = Mat::from_row_major(1 << 32, 1 << 32, vec![]);
    assert!(matches!(r, Err(Error::Overflow { .. })), "{r:?}");
    let r = Mat::from_row_major(usize::MAX, 2, vec![0.0; 2]);
    assert!(matches!(r, Err(Error::Overflow { .. })), "{r:?}");
    let r = Mat::from_row_major(2, 2, vec![0.0; 3]);
    assert!(matches!(r, Err(Error::ShapeMismatch { .. })), "{r:?}");
    for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        let r = Mat::from_row_major(1, 2, vec![0.0, bad]);
        assert!(matches!(r, Err(Error::NonFinite { index: 1, .. })), "{r:?}");
    }
    let r = Mat::from_rows(&[vec![1.0, 2.0], vec![3.0]]);
    assert!(matches!(r, Err(Error::ShapeMismatch { .. })), "{r:?}");
    let r = Mat::try_zeros(usize::MAX, 3);
    assert!(matches!(r, Err(Error::Overflow { .. })), "{r:?}");
    // Empty shapes are valid empty matrices.
    let m = Mat::try_zeros(usize::MAX, 0).unwrap();
    assert_eq!((m.rows(), m.cols(), m.data().len()), (usize::MAX, 0, 0));
    let r = m.matmul(&Mat::try_zeros(0, usize::MAX).unwrap());
    assert!(matches!(r, Err(Error::Overflow { .. })), "{r:?}");
    let a = Mat::from_rows(&[vec![1.0, 2.0]]).unwrap();
    let r = a.matmul(&a);
    assert!(matches!(r, Err(Error::ShapeMismatch { .. })), "{r:?}");
}

#[test]
fn spd_solve_rejects_non_square_wrong_rhs_non_finite_and_indefinite() {
    let rect = Mat::from_row_major(2, 3, vec![1.0; 6]).unwrap();
    let r = spd_solve(&rect, &[1.0, 1.0]);
    assert!(matches!(r, Err(Error::ShapeMismatch { .. })), "{r:?}");
    let a = Mat::from_rows(&[vec![4.0, 1.0], vec![1.0, 3.0]]).unwrap();
    let r = spd_solve(&a, &[1.0]);
    assert!(matches!(r, Err(Error::ShapeMismatch { .. })), "{r:?}");
    for bad in [f64::NAN, f64::INFINITY] {
        let r = spd_solve(&a, &[1.0, bad]);
        assert!(matches!(r, Err(Error::NonFinite { index: 1, .. })), "{r:?}");
        let mut m = a.clone();
        m.set(1, 0, bad).unwrap();
        let r = spd_solve(&m, &[1.0, 1.0]);
        assert!(matches!(r, Err(Error::NonFinite { index: 2, .. })), "{r:?}");
    }
    let indefinite = Mat::from_rows(&[vec![1.0, 2.0], vec![2.0, 1.0]]).unwrap();
    let r = spd_solve(&indefinite, &[1.0, 1.0]);
    assert!(matches!(r, Err(Error::NotPositiveDefinite { .. })), "{r:?}");
    // 0 × 0: the empty solution.
    assert_eq!(
        spd_solve(&Mat::zeros(0, 0), &[]).unwrap(),
        Vec::<f64>::new()
    );
}

#[test]
fn min_norm_push_rejects_wrong_lengths_non_finite_overflow_and_contradictions() {
    let mut p = MinNormProblem::new("toy", 2, 1);
    let r = p.push_at_least(&[1.0], &[1.0], 1.0);
    assert!(matches!(r, Err(Error::ShapeMismatch { .. })), "{r:?}");
    let r = p.push_at_least(&[1.0, 0.0], &[1.0, 2.0], 1.0);
    assert!(matches!(r, Err(Error::ShapeMismatch { .. })), "{r:?}");
    for bad in [f64::NAN, f64::INFINITY] {
        let r = p.push_equality(&[bad, 0.0], &[1.0], 1.0);
        assert!(matches!(r, Err(Error::NonFinite { .. })), "{r:?}");
        let r = p.push_equality(&[1.0, 0.0], &[bad], 1.0);
        assert!(matches!(r, Err(Error::NonFinite { .. })), "{r:?}");
        let r = p.push_equality(&[1.0, 0.0], &[1.0], bad);
        assert!(matches!(r, Err(Error::NonFinite { .. })), "{r:?}");
    }
    let r = p.push_at_least(&[1e200, 0.0], &[1e200], 1.0);
    assert!(matches!(r, Err(Error::InvalidArgument { .. })), "{r:?}");
    let r = p.push_equality(&[0.0, 0.0], &[1.0], 1.0);
    assert!(matches!(r, Err(Error::Infeasible { .. })), "{r:?}");
    assert!(p.is_empty());
}

#[test]
fn min_norm_solve_and_project_reject_bad_options_points_and_overflowing_sizes() {
    let mut p = MinNormProblem::new("toy", 2, 1);
    p.push_at_least(&[1.0, 1.0], &[1.0], 1.0).unwrap();
    for tol in [f64::NAN, 0.0, -1.0, f64::INFINITY] {
        let o = Options {
            tol,
            ..Options::default()
        };
        let r = p.solve(&o);
        assert!(
            matches!(
                r,
                Err(Error::NonFinite { .. } | Error::InvalidArgument { .. })
            ),
            "{tol}: {r:?}"
        );
    }
    let o = Options {
        check_every: 0,
        ..Options::default()
    };
    assert!(matches!(p.solve(&o), Err(Error::InvalidArgument { .. })));
    let o = Options::default();
    let r = p.project(&Mat::zeros(1, 2), None, &o);
    assert!(matches!(r, Err(Error::ShapeMismatch { .. })), "{r:?}");
    let mut v = Mat::zeros(2, 1);
    v.set(0, 0, f64::NAN).unwrap();
    let r = p.project(&v, None, &o);
    assert!(matches!(r, Err(Error::NonFinite { .. })), "{r:?}");
    let r = p.project(&Mat::zeros(2, 1), Some(&[f64::INFINITY]), &o);
    assert!(matches!(r, Err(Error::NonFinite { .. })), "{r:?}");
    let r = p.project(&Mat::zeros(2, 1), Some(&[1.0, 2.0]), &o);
    assert!(matches!(r, Err(Error::ShapeMismatch { .. })), "{r:?}");
    let s = p.solve(&o).unwrap();
    let r = p.kkt(&Mat::zeros(1, 1), &s.lambda, 0);
    assert!(matches!(r, Err(Error::ShapeMismatch { .. })), "{r:?}");
    let r = p.kkt(&s.w, &[], 0);
    assert!(matches!(r, Err(Error::ShapeMismatch { .. })), "{r:?}");
    let r = p.primal_violation(&Mat::zeros(2, 2));
    assert!(matches!(r, Err(Error::ShapeMismatch { .. })), "{r:?}");
    assert!(p.primal_violation(&s.w).unwrap() < 1e-9);
    // A program over d1·d2 matrices that do not fit usize: an error before allocating.
    let huge = MinNormProblem::new("huge", usize::MAX, 2);
    assert!(matches!(huge.solve(&o), Err(Error::Overflow { .. })));
}

#[test]
fn mat_get_set_row_reject_out_of_range_indices() {
    let mut m = Mat::zeros(2, 3);
    assert_eq!(m.get(1, 2), Some(0.0));
    assert_eq!(m.get(2, 0), None);
    assert_eq!(m.get(0, 3), None);
    assert_eq!(m.get(usize::MAX, usize::MAX), None);
    assert!(m.row(1).is_some() && m.row(2).is_none());
    for (a, b) in [(2, 0), (0, 3), (usize::MAX, 0)] {
        let r = m.set(a, b, 1.0);
        assert!(matches!(r, Err(Error::OutOfRange { .. })), "{r:?}");
    }
    assert_eq!(m, Mat::zeros(2, 3));
    m.set(1, 2, 5.0).unwrap();
    assert_eq!(m.row(1), Some(&[0.0, 0.0, 5.0][..]));
    // Factors longer than the shape are not read past it (no panic).
    assert_eq!(m.bilinear(&[0.0, 1.0, 7.0], &[0.0, 0.0, 1.0, 9.0]), 5.0);
    m.add_outer(1.0, &[1.0, 0.0, 1.0], &[1.0; 5]);
    assert_eq!(m.row(0), Some(&[1.0, 1.0, 1.0][..]));
}

#[test]
fn qp_gemm_into_rejects_unchained_shapes() {
    let mut out = Mat::zeros(2, 2);
    let r =
        attnmech::qp::mat::gemm_into(&mut out, &Mat::zeros(2, 3), &Mat::zeros(2, 2), 1.0, false);
    assert!(matches!(r, Err(Error::ShapeMismatch { .. })), "{r:?}");
}

#[test]
fn project_rejects_a_tiny_row_whose_multiplier_overflows() {
    // ‖u vᵀ‖² = 1e-310 (subnormal) with rhs 1e-40: a multiplier of 1e270, next to overflow.
    let mut p = MinNormProblem::new("tiny", 1, 1);
    p.push_at_least(&[1e-77], &[1e-78], 1e-40).unwrap();
    match p.project(&Mat::zeros(1, 1), None, &Options::default()) {
        Ok(s) => assert!(s.w.is_finite() && s.lambda.iter().all(|l| l.is_finite())),
        Err(e) => assert!(
            matches!(e, Error::NonFinite { .. } | Error::NotConverged { .. }),
            "{e:?}"
        ),
    }
}
