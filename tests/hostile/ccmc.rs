//! Hostile inputs for `ccmc` (see `tests/hostile/mod.rs` for the classes of bad input).

use attnmech::ccmc::data::ChoiceData;
use attnmech::ccmc::kernel::{next_token_probs, token_counts, transition_log_probs};
use attnmech::ccmc::mle::{fit, gauge_free_sq_error, nll, MleOptions};
use attnmech::ccmc::rest_point::rest_point;
use attnmech::ccmc::sampling::Generator;
use attnmech::ccmc::winner::{fitness, loser_exponents};
use attnmech::ccmc::Wbar;
use attnmech::rng::seeded;
use attnmech::Error;

#[test]
fn wbar_constructors_reject_overflowing_vocab_nan_and_zero() {
    let r = Wbar::zeros(usize::MAX);
    assert!(matches!(r, Err(Error::Overflow { .. })), "{r:?}");
    let r = Wbar::from_fn(1 << 33, |_, _| 0.0);
    assert!(matches!(r, Err(Error::Overflow { .. })), "{r:?}");
    let r = Wbar::new(1 << 33, vec![0.0; 4]);
    assert!(matches!(r, Err(Error::Overflow { .. })), "{r:?}");
    let r = Wbar::gaussian(1 << 33, 1.0, &mut seeded(1, 0));
    assert!(matches!(r, Err(Error::Overflow { .. })), "{r:?}");
    let r = Wbar::gaussian(2, f64::NAN, &mut seeded(1, 0));
    assert!(matches!(r, Err(Error::NonFinite { .. })), "{r:?}");
    let r = Wbar::new(2, vec![0.0, f64::NAN, 0.0, 0.0]);
    assert!(matches!(r, Err(Error::NonFinite { .. })), "{r:?}");
    let r = Wbar::new(0, vec![]);
    assert!(matches!(r, Err(Error::InvalidArgument { .. })), "{r:?}");
}

#[test]
fn gauge_free_sq_error_rejects_out_of_range_support_and_other_vocab() {
    let (a, b) = (Wbar::zeros(2).unwrap(), Wbar::zeros(2).unwrap());
    let r = gauge_free_sq_error(&a, &b, &[vec![0, 2], vec![1]]);
    assert!(matches!(r, Err(Error::OutOfRange { .. })), "{r:?}");
    let r = gauge_free_sq_error(&a, &Wbar::zeros(3).unwrap(), &[vec![0], vec![1]]);
    assert!(matches!(r, Err(Error::ShapeMismatch { .. })), "{r:?}");
    let r = gauge_free_sq_error(&a, &b, &[vec![0]]);
    assert!(matches!(r, Err(Error::ShapeMismatch { .. })), "{r:?}");
    assert_eq!(
        gauge_free_sq_error(&a, &b, &[vec![0, 1], vec![]]).unwrap(),
        0.0
    );
}

#[test]
fn fit_rejects_empty_data_nan_options_and_another_vocab() {
    let empty = ChoiceData::new(3);
    let r = fit(&empty, &MleOptions::default());
    assert!(matches!(r, Err(Error::Empty { .. })), "{r:?}");
    let mut data = ChoiceData::new(3);
    data.push(&[0, 1, 2], 1).unwrap();
    for (ridge, tol) in [
        (f64::NAN, 1e-10),
        (-1.0, 1e-10),
        (1.0, f64::NAN),
        (1.0, 0.0),
    ] {
        let opts = MleOptions {
            ridge,
            grad_tol: tol,
            ..MleOptions::default()
        };
        let r = fit(&data, &opts);
        assert!(
            matches!(
                r,
                Err(Error::InvalidArgument { .. } | Error::NonFinite { .. })
            ),
            "{r:?}"
        );
    }
    let r = nll(&Wbar::zeros(2).unwrap(), &data);
    assert!(matches!(r, Err(Error::ShapeMismatch { .. })), "{r:?}");
}

#[test]
fn choice_data_rejects_ids_absent_choice_nan_counts_and_huge_vocab() {
    let mut d = ChoiceData::new(3);
    assert!(matches!(d.push(&[0, 3], 0), Err(Error::OutOfRange { .. })));
    assert!(matches!(
        d.push(&[0, 1], 2),
        Err(Error::InvalidArgument { .. })
    ));
    assert!(matches!(d.push(&[], 0), Err(Error::Empty { .. })));
    let r = d.push_variant(0, &[1.0, f64::NAN, 1.0], 0);
    assert!(matches!(r, Err(Error::NonFinite { .. })), "{r:?}");
    let r = d.push_variant(0, &[1.0, -1.0, 1.0], 0);
    assert!(matches!(r, Err(Error::InvalidArgument { .. })), "{r:?}");
    let mut big = ChoiceData::new(1 << 40);
    let r = big.push(&[0], 0);
    assert!(matches!(r, Err(Error::TooLarge { .. })), "{r:?}");
}

#[test]
fn kernel_functions_reject_ids_and_nan_weights() {
    let w = Wbar::zeros(3).unwrap();
    assert!(matches!(
        token_counts(&[3], 3),
        Err(Error::OutOfRange { .. })
    ));
    assert!(matches!(
        next_token_probs(&w, &[0, 5]),
        Err(Error::OutOfRange { .. })
    ));
    assert!(next_token_probs(&w, &[]).is_err());
    let r = transition_log_probs(&w, &[1.0, f64::NAN, 0.0], 0);
    assert!(matches!(r, Err(Error::NonFinite { .. })), "{r:?}");
    let r = transition_log_probs(&w, &[1.0, 1.0, 1.0], 3);
    assert!(matches!(r, Err(Error::OutOfRange { .. })), "{r:?}");
    let r = fitness(&w, &[0.5, f64::NAN, 0.5]);
    assert!(r.is_err(), "{r:?}");
    let r = loser_exponents(&w, 3);
    assert!(matches!(r, Err(Error::OutOfRange { .. })), "{r:?}");
    let r = rest_point(&w, &[0, 4]);
    assert!(matches!(r, Err(Error::OutOfRange { .. })), "{r:?}");
    let r = Generator::new(&w, &[0, 1], Some(0));
    assert!(matches!(r, Err(Error::InvalidArgument { .. })), "{r:?}");
    let r = Generator::new(&w, &[7], None);
    assert!(matches!(r, Err(Error::OutOfRange { .. })), "{r:?}");
}

#[test]
fn wbar_get_set_column_reject_out_of_range_and_non_finite() {
    let mut w = Wbar::zeros(3).unwrap();
    assert_eq!(w.get(2, 2), Some(0.0));
    assert_eq!(w.get(3, 0), None);
    assert_eq!(w.get(0, usize::MAX), None);
    assert!(w.column(2).is_some() && w.column(3).is_none());
    let r = w.set(3, 0, 1.0);
    assert!(matches!(r, Err(Error::OutOfRange { .. })), "{r:?}");
    for bad in [f64::NAN, f64::INFINITY] {
        let r = w.set(0, 0, bad);
        assert!(matches!(r, Err(Error::NonFinite { .. })), "{r:?}");
    }
    assert_eq!(w, Wbar::zeros(3).unwrap());
}

#[test]
fn dense_coverage_diagnostics_cap_the_vocabulary() {
    use attnmech::ccmc::coverage::{coverage_graph, existence_failure, MAX_DENSE_VOCAB};
    // A huge vocabulary with one sample: K² (K³ before) state is refused, not allocated.
    let mut data = ChoiceData::new(1 << 30);
    data.push_variant(0, &[], 0).ok(); // counts of length K are not built here
    let r = existence_failure(&data);
    assert!(matches!(r, Err(Error::TooLarge { .. })), "{r:?}");
    let r = coverage_graph(&ChoiceData::new(MAX_DENSE_VOCAB + 1));
    assert!(matches!(r, Err(Error::TooLarge { .. })), "{r:?}");
    assert!(coverage_graph(&ChoiceData::new(4)).is_ok());
}

/// The gauge moves of a valid `W̄` whose entries are finite but near `f64::MAX` overflow:
/// an `Err`, where they used to panic on an `expect`.
#[test]
fn gauge_moves_report_overflow_instead_of_panicking() {
    let w = Wbar::new(2, vec![f64::MAX, -f64::MAX, f64::MAX, f64::MAX]).unwrap();
    assert!(matches!(w.pinned_diagonal(), Err(Error::NonFinite { .. })));
    assert!(matches!(w.centred(), Err(Error::NonFinite { .. })));
    let r = w.shift_columns(&[f64::MAX, 0.0]);
    assert!(matches!(r, Err(Error::NonFinite { .. })), "{r:?}");
    let small = Wbar::new(2, vec![1.0, 2.0, 3.0, 4.0]).unwrap();
    assert_eq!(
        small.pinned_diagonal().unwrap().as_slice(),
        &[0.0, -2.0, 2.0, 0.0]
    );
}

#[test]
fn shared_experiments_reject_bad_protocols() {
    use attnmech::ccmc::experiments::{a6c_k_scaling, a7_2_absorption, A6cProtocol, A72Protocol};
    let window = |windows| a7_2_absorption(&A72Protocol { windows, runs: 10 }, 0);
    let r = window(vec![0]);
    assert!(matches!(r, Err(Error::Empty { .. })), "{r:?}");
    let r = window(vec![40]);
    assert!(matches!(r, Err(Error::InvalidArgument { .. })), "{r:?}");
    let k_scaling = |ks| {
        a6c_k_scaling(
            &A6cProtocol {
                ks,
                reps: 2,
                test_size: 10,
            },
            u64::MAX,
        )
    };
    let r = k_scaling(vec![0]);
    assert!(matches!(r, Err(Error::InvalidArgument { .. })), "{r:?}");
    let r = k_scaling(vec![1]);
    assert!(matches!(r, Err(Error::Empty { .. })), "{r:?}");
    let r = k_scaling(vec![usize::MAX]);
    assert!(matches!(r, Err(Error::Overflow { .. })), "{r:?}");
}
