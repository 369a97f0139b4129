//! Hostile inputs for `attsvm` (see `tests/hostile/mod.rs` for the classes of bad input):
//! `Problem::new` and its getters, the model (`attention`, `loss_and_grad`, `p_loss_and_grad`,
//! `kq_loss_and_grad`, `ngd`, `p_ngd`) and the SVMs (`att_svm`, `att_svm_nuclear`, `svt`,
//! `support_tokens`, `is_locally_optimal`, `p_svm`, `gen_svm`, `gen_w_fin`, `margin`).

use attnmech::attsvm::generators::random_problem;
use attnmech::attsvm::model::{
    attention, kq_loss_and_grad, loss_and_grad, ngd, p_loss_and_grad, p_ngd, Form,
};
use attnmech::attsvm::svm::{
    att_svm, att_svm_nuclear, gen_svm, gen_w_fin, is_locally_optimal, margin, p_svm,
    support_tokens, svt,
};
use attnmech::attsvm::{Input, Loss, Problem};
use attnmech::qp::Mat;
use attnmech::Error;

fn problem() -> Problem {
    random_problem(&mut attnmech::rng::seeded(3, 0), 3, 4, 5).unwrap()
}

fn input(x: Mat, z: Vec<f64>, y: f64) -> Input {
    Input { x, z, y }
}

#[test]
fn problem_new_rejects_empty_mismatched_non_finite_and_bad_labels() {
    let x = Mat::zeros(2, 3);
    let ok = || input(Mat::zeros(2, 3), vec![0.0; 3], 1.0);
    assert!(matches!(
        Problem::new(vec![], vec![1.0; 3]),
        Err(Error::Empty { .. })
    ));
    assert!(matches!(
        Problem::new(vec![ok()], vec![]),
        Err(Error::Empty { .. })
    ));
    assert!(matches!(
        Problem::new(vec![ok()], vec![1.0, f64::NAN, 0.0]),
        Err(Error::NonFinite { .. })
    ));
    let r = Problem::new(vec![input(x.clone(), vec![0.0; 2], 1.0)], vec![1.0; 3]);
    assert!(matches!(r, Err(Error::ShapeMismatch { .. })));
    let r = Problem::new(
        vec![input(Mat::zeros(2, 4), vec![0.0; 3], 1.0)],
        vec![1.0; 3],
    );
    assert!(matches!(r, Err(Error::ShapeMismatch { .. })));
    let r = Problem::new(
        vec![input(Mat::zeros(0, 3), vec![0.0; 3], 1.0)],
        vec![1.0; 3],
    );
    assert!(matches!(r, Err(Error::Empty { .. })));
    let r = Problem::new(
        vec![input(x.clone(), vec![0.0, f64::INFINITY, 0.0], 1.0)],
        vec![1.0; 3],
    );
    assert!(matches!(r, Err(Error::NonFinite { .. })));
    for y in [0.0, 2.0, f64::NAN] {
        let r = Problem::new(vec![input(x.clone(), vec![0.0; 3], y)], vec![1.0; 3]);
        assert!(matches!(r, Err(Error::InvalidArgument { .. })), "{y}");
    }
    let p = problem();
    assert!(matches!(
        p.gamma(3),
        Err(Error::OutOfRange {
            value: 3,
            bound: 3,
            ..
        })
    ));
    assert_eq!(p.inputs().len(), 3);
}

fn bad_ws(d: usize) -> Vec<Mat> {
    let mut nan = Mat::zeros(d, d);
    nan.set(0, 1, f64::NAN).unwrap();
    let mut inf = Mat::zeros(d, d);
    inf.set(1, 1, f64::NEG_INFINITY).unwrap();
    vec![
        Mat::zeros(d, d + 1),
        Mat::zeros(d + 1, d),
        Mat::zeros(0, 0),
        nan,
        inf,
    ]
}

fn is_shape_or_finite<T: std::fmt::Debug>(r: &Result<T, Error>) -> bool {
    matches!(
        r,
        Err(Error::ShapeMismatch { .. } | Error::NonFinite { .. })
    )
}

#[test]
fn model_functions_reject_wrong_or_non_finite_w_p_and_steps() {
    let p = problem();
    let d = p.dim();
    let w = Mat::zeros(d, d);
    for bad in bad_ws(d) {
        assert!(is_shape_or_finite(&attention(&p, &bad, 0)));
        assert!(is_shape_or_finite(&loss_and_grad(
            &p,
            &bad,
            Loss::Logistic,
            Form::Stable
        )));
        let r = p_loss_and_grad(&p, &bad, &vec![0.0; d], Loss::Logistic, Form::Stable);
        assert!(is_shape_or_finite(&r));
        assert!(is_shape_or_finite(&ngd(
            &p,
            &bad,
            Loss::Logistic,
            0.1,
            3,
            Form::Stable
        )));
        let r = p_ngd(
            &p,
            &bad,
            &vec![0.0; d],
            Loss::Logistic,
            0.1,
            3,
            Form::Stable,
        );
        assert!(is_shape_or_finite(&r));
        if bad.rows() != d || !bad.is_finite() {
            // (d, m) with any m is a valid K and Q; the other shapes and non-finite ones are not.
            assert!(is_shape_or_finite(&kq_loss_and_grad(
                &p,
                &bad,
                &bad,
                Loss::Logistic
            )));
        }
    }
    assert!(matches!(
        attention(&p, &w, 7),
        Err(Error::OutOfRange { value: 7, .. })
    ));
    for pv in [vec![0.0; d - 1], vec![f64::NAN; d]] {
        let r = p_loss_and_grad(&p, &w, &pv, Loss::Logistic, Form::Stable);
        assert!(is_shape_or_finite(&r));
        let r = p_ngd(&p, &w, &pv, Loss::Logistic, 0.1, 1, Form::Stable);
        assert!(is_shape_or_finite(&r));
    }
    for eta in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        let r = ngd(&p, &w, Loss::Logistic, eta, 3, Form::Stable);
        assert!(
            matches!(
                r,
                Err(Error::InvalidArgument { .. } | Error::NonFinite { .. })
            ),
            "{eta}"
        );
        let r = p_ngd(&p, &w, &vec![0.0; d], Loss::Logistic, eta, 3, Form::Stable);
        assert!(
            matches!(
                r,
                Err(Error::InvalidArgument { .. } | Error::NonFinite { .. })
            ),
            "{eta}"
        );
    }
    // A subnormal step is finite and > 0: a finite result.
    let w1 = ngd(
        &p,
        &w,
        Loss::Logistic,
        f64::MIN_POSITIVE / 4.0,
        3,
        Form::Stable,
    )
    .unwrap();
    assert!(w1.is_finite());
    let r = kq_loss_and_grad(&p, &Mat::zeros(d, 2), &Mat::zeros(d, 3), Loss::Logistic);
    assert!(matches!(r, Err(Error::ShapeMismatch { .. })));
}

#[test]
fn svm_functions_reject_bad_alpha_selected_sets_w_and_scalars() {
    let p = problem();
    let d = p.dim();
    let w = Mat::zeros(d, d);
    for alpha in [vec![0, 0], vec![0, 0, 4], vec![0, usize::MAX, 0]] {
        assert!(matches!(
            att_svm(&p, &alpha),
            Err(Error::ShapeMismatch { .. } | Error::OutOfRange { .. })
        ));
        let r = att_svm_nuclear(&p, &alpha, 1e-6, 10);
        assert!(matches!(
            r,
            Err(Error::ShapeMismatch { .. } | Error::OutOfRange { .. })
        ));
        assert!(matches!(
            is_locally_optimal(&p, &alpha),
            Err(Error::ShapeMismatch { .. } | Error::OutOfRange { .. })
        ));
        assert!(matches!(
            p_svm(&p, &w, &alpha),
            Err(Error::ShapeMismatch { .. } | Error::OutOfRange { .. })
        ));
        assert!(matches!(
            support_tokens(&p, &alpha, &w, 0.0),
            Err(Error::ShapeMismatch { .. } | Error::OutOfRange { .. })
        ));
        assert!(matches!(
            margin(&p, &alpha, &w),
            Err(Error::ShapeMismatch { .. } | Error::OutOfRange { .. })
        ));
    }
    let alpha = p.optimal_alpha();
    for bad in bad_ws(d) {
        assert!(is_shape_or_finite(&p_svm(&p, &bad, &alpha)));
        assert!(is_shape_or_finite(&support_tokens(&p, &alpha, &bad, 0.0)));
        assert!(is_shape_or_finite(&margin(&p, &alpha, &bad)));
    }
    assert!(matches!(
        support_tokens(&p, &alpha, &w, f64::NAN),
        Err(Error::NonFinite { .. })
    ));
    for tol in [0.0, -1.0, f64::NAN] {
        let r = att_svm_nuclear(&p, &alpha, tol, 10);
        assert!(
            matches!(
                r,
                Err(Error::InvalidArgument { .. } | Error::NonFinite { .. })
            ),
            "{tol}"
        );
    }
    let mut nan = Mat::zeros(2, 2);
    nan.set(0, 0, f64::NAN).unwrap();
    assert!(matches!(svt(&nan, 1.0), Err(Error::NonFinite { .. })));
    for tau in [f64::NAN, f64::INFINITY, -1.0] {
        let r = svt(&Mat::identity(2), tau);
        assert!(
            matches!(
                r,
                Err(Error::NonFinite { .. } | Error::InvalidArgument { .. })
            ),
            "{tau}"
        );
    }
    let same = svt(&Mat::identity(2), 0.0).unwrap();
    assert!(same.sub(&Mat::identity(2)).norm() < 1e-12);
    // Gen-SVM and W^fin: one set per input, positions inside the input, positive finite values.
    assert!(matches!(
        gen_svm(&p, &[vec![0]]),
        Err(Error::ShapeMismatch { .. })
    ));
    assert!(matches!(
        gen_svm(&p, &[vec![0], vec![9], vec![0]]),
        Err(Error::OutOfRange { .. })
    ));
    let sel = vec![vec![0, 1], vec![0], vec![2]];
    let s = vec![
        vec![0.5, 0.5, 0.0, 0.0],
        vec![1.0, 0.0, 0.0, 0.0],
        vec![0.0, 0.0, 1.0, 0.0],
    ];
    assert!(matches!(
        gen_w_fin(&p, &sel, &s[..2]),
        Err(Error::ShapeMismatch { .. })
    ));
    assert!(matches!(
        gen_w_fin(&p, &[vec![0, 9], vec![0], vec![2]], &s),
        Err(Error::OutOfRange { .. })
    ));
    let mut short = s.clone();
    short[0].pop();
    assert!(matches!(
        gen_w_fin(&p, &sel, &short),
        Err(Error::ShapeMismatch { .. })
    ));
    for v in [0.0, -0.5, f64::NAN, f64::INFINITY] {
        let mut bad = s.clone();
        bad[0][1] = v;
        let r = gen_w_fin(&p, &sel, &bad);
        assert!(
            matches!(
                r,
                Err(Error::InvalidArgument { .. } | Error::NonFinite { .. })
            ),
            "{v}"
        );
    }
    assert!(gen_w_fin(&p, &sel, &s).unwrap().is_finite());
}
