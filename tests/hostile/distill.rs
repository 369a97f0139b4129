//! Hostile inputs for `distill` (see `tests/hostile/mod.rs` for the classes of bad input).

use attnmech::distill::{divergence_and_grad, divergence_only, reference, Divergence};
use attnmech::Error;

const ALL: [Divergence; 4] = [
    Divergence::ForwardKl,
    Divergence::ReverseKl,
    Divergence::Jsd { beta: 0.5 },
    Divergence::Tvd,
];

fn uniform<T: attnmech::Float>(v: usize) -> Vec<T> {
    vec![T::of(-(v as f64).ln()); v]
}

#[test]
fn divergence_and_grad_rejects_wrong_lengths_and_zero_vocab() {
    let lp = uniform::<f64>(4);
    let mut g = vec![0.0; 4];
    for div in ALL {
        let r = divergence_and_grad(div, &lp, &[0.0; 3], 4, 1.0, &mut g);
        assert!(matches!(r, Err(Error::ShapeMismatch { .. })), "{r:?}");
        let r = divergence_and_grad(div, &lp[..3], &[0.0; 4], 4, 1.0, &mut g);
        assert!(matches!(r, Err(Error::ShapeMismatch { .. })), "{r:?}");
        let r = divergence_and_grad(div, &lp, &[0.0; 4], 4, 1.0, &mut g[..3]);
        assert!(matches!(r, Err(Error::ShapeMismatch { .. })), "{r:?}");
        let r = divergence_only(div, &lp, &[0.0; 4], 0, 1.0);
        assert!(matches!(r, Err(Error::InvalidArgument { .. })), "{r:?}");
    }
}

#[test]
fn divergence_and_grad_rejects_nan_and_inf_in_every_float() {
    let lp = uniform::<f64>(4);
    let mut g = vec![0.0; 4];
    for div in ALL {
        for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            let z = [0.0, bad, 0.0, 0.0];
            let r = divergence_and_grad(div, &lp, &z, 4, 1.0, &mut g);
            assert!(
                matches!(r, Err(Error::NonFinite { .. })),
                "{div:?} {bad}: {r:?}"
            );
        }
        for bad in [f64::NAN, f64::INFINITY] {
            let mut lp2 = lp.clone();
            lp2[2] = bad;
            let r = divergence_only(div, &lp2, &[0.0; 4], 4, 1.0);
            assert!(matches!(r, Err(Error::NonFinite { .. })), "{r:?}");
        }
        let r = divergence_only(Divergence::Jsd { beta: f64::NAN }, &lp, &[0.0; 4], 4, 1.0);
        assert!(matches!(r, Err(Error::InvalidArgument { .. })), "{r:?}");
    }
}

#[test]
fn divergence_and_grad_rejects_bad_temperatures_f64_and_f32() {
    let (lp, lp32) = (uniform::<f64>(4), uniform::<f32>(4));
    let (mut g, mut g32) = (vec![0.0; 4], vec![0.0f32; 4]);
    let z = [1.0, -2.0, 0.5, 3.0];
    let z32 = [1.0f32, -2.0, 0.5, 3.0];
    for div in ALL {
        for t in [
            0.0,
            -1.0,
            -0.0,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            1e-320,
        ] {
            let r = divergence_and_grad(div, &lp, &z, 4, t, &mut g);
            assert!(
                matches!(r, Err(Error::InvalidArgument { .. })),
                "{t}: {r:?}"
            );
            let r = divergence_and_grad(div, &lp32, &z32, 4, t, &mut g32);
            assert!(
                matches!(r, Err(Error::InvalidArgument { .. })),
                "{t}: {r:?}"
            );
        }
        // 1/T overflows f32 but not f64.
        let r = divergence_and_grad(div, &lp32, &z32, 4, 1e-39, &mut g32);
        assert!(matches!(r, Err(Error::InvalidArgument { .. })), "{r:?}");
        // T passes, but z/T overflows the element type.
        let r = divergence_and_grad(div, &lp32, &[1e30f32, 0.0, 0.0, 0.0], 4, 1e-10, &mut g32);
        assert!(matches!(r, Err(Error::InvalidArgument { .. })), "{r:?}");
        // Overflow to −∞ is the exact q = 0 for TVD (a finite result), an error otherwise.
        let r = divergence_and_grad(div, &lp32, &[-1e30f32, 0.0, 0.0, 0.0], 4, 1e-10, &mut g32);
        check_negative_overflow(div, r, &g32);
        let r = divergence_and_grad(div, &lp, &[-1e300, 0.0, 0.0, 0.0], 4, 1e-10, &mut g);
        check_negative_overflow(div, r, &g);
        let r = divergence_only(div, &lp, &[1e300, 0.0, 0.0, 0.0], 4, 1e-10);
        assert!(matches!(r, Err(Error::InvalidArgument { .. })), "{r:?}");
    }
}

#[test]
fn divergence_and_grad_long_f32_row_with_overflow_is_an_error() {
    // Long enough for the lane kernel's full chunks; the overflowing entry sits in the remainder.
    let v = 1043;
    let lp = uniform::<f32>(v);
    let mut z = vec![0.5f32; v];
    z[v - 1] = -3e38;
    let mut g = vec![0.0f32; v];
    for div in ALL {
        let r = divergence_and_grad(div, &lp, &z, v, 0.5, &mut g);
        check_negative_overflow(div, r, &g);
    }
}

fn check_negative_overflow<T: attnmech::Float>(
    div: Divergence,
    r: attnmech::Result<Vec<T>>,
    g: &[T],
) {
    if div == Divergence::Tvd {
        let l = r.unwrap();
        assert!(l.iter().chain(g).all(|x| x.is_finite()), "{div:?}");
    } else {
        assert!(
            matches!(r, Err(Error::InvalidArgument { .. })),
            "{div:?}: {r:?}"
        );
    }
}

#[test]
fn divergence_and_grad_rejects_unnormalised_teacher() {
    let mut g = vec![0.0; 2];
    for div in ALL {
        let r = divergence_and_grad(div, &[0.0, 0.0], &[0.0, 0.0], 2, 1.0, &mut g);
        assert!(matches!(r, Err(Error::InvalidArgument { .. })), "{r:?}");
    }
}

#[test]
fn divergence_of_empty_batch_is_empty() {
    let r = divergence_only::<f64>(Divergence::Tvd, &[], &[], 3, 1.0).unwrap();
    assert!(r.is_empty());
}

#[test]
fn reference_rejects_wrong_lengths_nan_and_bad_temperature() {
    let lp = uniform::<f64>(3);
    let r = reference::divergence_and_grad(Divergence::ForwardKl, &lp, &[0.0; 2], 1.0);
    assert!(matches!(r, Err(Error::ShapeMismatch { .. })), "{r:?}");
    let r = reference::divergence_and_grad(Divergence::Tvd, &lp, &[0.0, f64::NAN, 0.0], 1.0);
    assert!(matches!(r, Err(Error::NonFinite { .. })), "{r:?}");
    for t in [0.0, f64::NAN, 1e-320] {
        assert!(matches!(
            reference::log_softmax(&[0.0, 1.0], t),
            Err(Error::InvalidArgument { .. })
        ));
    }
}
