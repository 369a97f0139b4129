//! Hostile inputs for `specdec` (see `tests/hostile/mod.rs` for the classes of bad input).

use attnmech::rng::seeded;
use attnmech::specdec::driver::{autoregressive_decode, speculative_decode, warp, SpecConfig};
use attnmech::specdec::exact::{autoregressive_law, speculative_law};
use attnmech::specdec::stats::{
    acceptance, acceptance_masses, expected_block_length, iid_accepted_pmf, iid_expected_block,
    lossy_acceptance, on_policy_bound, on_policy_tvd, optimal_gamma, residual_law,
    single_position_law, speedup, tvd, MAX_EXACT_GAMMA, MAX_PMF_GAMMA,
};
use attnmech::specdec::verify::{verify, verify_greedy, ResidualMode, Standard};
use attnmech::Error;

fn uniform(_: &[usize]) -> Vec<f64> {
    vec![0.25; 4]
}

#[test]
fn warp_rejects_bad_temperature_and_bad_entries() {
    for t in [-1.0, f64::NAN, f64::INFINITY, 1e-320] {
        assert!(
            matches!(warp(&[0.5, 0.5], t), Err(Error::InvalidArgument { .. })),
            "{t}"
        );
    }
    for t in [0.0, 1.0, 0.5] {
        for bad in [f64::NAN, f64::INFINITY, -0.5] {
            let r = warp(&[0.5, bad], t);
            assert!(
                matches!(r, Err(Error::InvalidArgument { .. })),
                "{t} {bad}: {r:?}"
            );
        }
        assert!(matches!(warp(&[], t), Err(Error::Empty { .. })));
    }
}

#[test]
fn speculative_decode_rejects_overflowing_sizes_before_allocating() {
    let mut rng = seeded(1, 0);
    let cfg = SpecConfig {
        gamma: usize::MAX / 2,
        temperature: 1.0,
    };
    let r = speculative_decode(uniform, uniform, &[], 4, 3, cfg, &mut rng);
    assert!(matches!(r, Err(Error::Overflow { .. })), "{r:?}");
    let cfg = SpecConfig {
        gamma: 2,
        temperature: 1.0,
    };
    let r = speculative_decode(uniform, uniform, &[], usize::MAX, 3, cfg, &mut rng);
    assert!(matches!(r, Err(Error::Overflow { .. })), "{r:?}");
    let r = speculative_decode(uniform, uniform, &[1], 4, usize::MAX, cfg, &mut rng);
    assert!(matches!(r, Err(Error::Overflow { .. })), "{r:?}");
    // A huge but representable γ·V is not used as a capacity: the models' wrong-length output
    // is reported instead.
    let big = SpecConfig {
        gamma: 1 << 20,
        temperature: 1.0,
    };
    let r = speculative_decode(uniform, uniform, &[], 1 << 30, 1, big, &mut rng);
    assert!(matches!(r, Err(Error::ShapeMismatch { .. })), "{r:?}");
}

#[test]
fn speculative_decode_rejects_bad_config_ids_and_model_output() {
    let mut rng = seeded(2, 0);
    let ok = SpecConfig {
        gamma: 2,
        temperature: 1.0,
    };
    let r = speculative_decode(
        uniform,
        uniform,
        &[],
        4,
        3,
        SpecConfig { gamma: 0, ..ok },
        &mut rng,
    );
    assert!(matches!(r, Err(Error::InvalidArgument { .. })), "{r:?}");
    for t in [f64::NAN, -1.0, f64::INFINITY, 1e-320] {
        let cfg = SpecConfig {
            temperature: t,
            ..ok
        };
        let r = speculative_decode(uniform, uniform, &[], 4, 3, cfg, &mut rng);
        assert!(
            matches!(r, Err(Error::InvalidArgument { .. })),
            "{t}: {r:?}"
        );
    }
    let r = speculative_decode(uniform, uniform, &[], 0, 3, ok, &mut rng);
    assert!(matches!(r, Err(Error::InvalidArgument { .. })), "{r:?}");
    let r = speculative_decode(uniform, uniform, &[4], 4, 3, ok, &mut rng);
    assert!(matches!(r, Err(Error::OutOfRange { .. })), "{r:?}");
    let nan = |_: &[usize]| vec![f64::NAN; 4];
    let r = speculative_decode(nan, uniform, &[], 4, 3, ok, &mut rng);
    assert!(matches!(r, Err(Error::InvalidArgument { .. })), "{r:?}");
    let short = |_: &[usize]| vec![0.5; 2];
    let r = speculative_decode(uniform, short, &[], 4, 3, ok, &mut rng);
    assert!(matches!(r, Err(Error::ShapeMismatch { .. })), "{r:?}");
}

#[test]
fn autoregressive_decode_rejects_bad_temperature_overflow_and_nan_model() {
    let mut rng = seeded(3, 0);
    let r = autoregressive_decode(uniform, &[], 2, f64::NAN, &mut rng);
    assert!(matches!(r, Err(Error::InvalidArgument { .. })), "{r:?}");
    let r = autoregressive_decode(uniform, &[1], usize::MAX, 1.0, &mut rng);
    assert!(matches!(r, Err(Error::Overflow { .. })), "{r:?}");
    let r = autoregressive_decode(|_: &[usize]| vec![f64::NAN; 2], &[], 2, 1.0, &mut rng);
    assert!(matches!(r, Err(Error::InvalidArgument { .. })), "{r:?}");
}

#[test]
fn exact_laws_reject_sizes_that_wrap_or_recurse_unboundedly() {
    let (mut t, mut d) = (uniform, uniform);
    // len as u32 / i32 would truncate to 0 and pass a V^len check.
    let r = autoregressive_law(&mut t, &[], 2, 1 << 32, 1.0);
    assert!(
        matches!(
            r,
            Err(Error::InvalidArgument { .. } | Error::TooLarge { .. })
        ),
        "{r:?}"
    );
    let r = autoregressive_law(&mut t, &[], 1, 1 << 20, 1.0);
    assert!(matches!(r, Err(Error::TooLarge { .. })), "{r:?}");
    let r = speculative_law(&Standard::EXACT, &mut t, &mut d, &[], 2, 2, 1 << 30, 1.0);
    assert!(matches!(r, Err(Error::TooLarge { .. })), "{r:?}");
    let r = speculative_law(&Standard::EXACT, &mut t, &mut d, &[], 0, 2, 1, 1.0);
    assert!(matches!(r, Err(Error::InvalidArgument { .. })), "{r:?}");
    let r = autoregressive_law(&mut t, &[], 2, 2, 1e-320);
    assert!(matches!(r, Err(Error::InvalidArgument { .. })), "{r:?}");
}

#[test]
fn optimal_gamma_terminates_on_huge_search_and_rejects_nan() {
    // Was a linear search to usize::MAX.
    assert_eq!(optimal_gamma(1.0, 0.0, usize::MAX).unwrap(), usize::MAX);
    assert_eq!(optimal_gamma(0.5, 0.0, usize::MAX).unwrap(), usize::MAX);
    assert_eq!(optimal_gamma(1.0, 2.0, usize::MAX).unwrap(), 1);
    assert_eq!(optimal_gamma(0.0, 0.1, usize::MAX).unwrap(), 1);
    assert_eq!(optimal_gamma(0.8, 0.05, usize::MAX).unwrap(), 8);
    let r = optimal_gamma(1.0 - 1e-15, 1e-12, usize::MAX);
    assert!(matches!(r, Err(Error::TooLarge { .. })), "{r:?}");
    for (a, c) in [
        (f64::NAN, 0.1),
        (0.5, f64::NAN),
        (1.5, 0.1),
        (0.5, -1.0),
        (0.5, f64::INFINITY),
    ] {
        let r = optimal_gamma(a, c, 8);
        assert!(
            matches!(r, Err(Error::InvalidArgument { .. })),
            "{a} {c}: {r:?}"
        );
    }
    assert!(matches!(
        optimal_gamma(0.5, 0.1, 0),
        Err(Error::InvalidArgument { .. })
    ));
}

#[test]
fn iid_statistics_reject_nan_and_cap_the_pmf() {
    assert!(matches!(
        iid_expected_block(f64::NAN, 3),
        Err(Error::InvalidArgument { .. })
    ));
    assert!(matches!(
        speedup(0.5, 3, f64::NAN),
        Err(Error::InvalidArgument { .. })
    ));
    assert!(iid_expected_block(0.7, usize::MAX).unwrap().is_finite());
    let r = iid_accepted_pmf(0.5, usize::MAX);
    assert!(matches!(r, Err(Error::TooLarge { .. })), "{r:?}");
    let r = iid_accepted_pmf(0.5, MAX_PMF_GAMMA + 1);
    assert!(matches!(r, Err(Error::TooLarge { .. })), "{r:?}");
}

#[test]
fn verify_rejects_overflowing_vocab_bad_ids_and_bad_rows() {
    let mut rng = seeded(4, 0);
    let rule = Standard::EXACT;
    let p = [0.5f64, 0.5, 0.5, 0.5];
    let r = verify(&rule, &[0], &p[..2], &p, usize::MAX, &mut rng);
    assert!(
        matches!(
            r,
            Err(Error::Overflow { .. } | Error::OutOfRange { .. } | Error::ShapeMismatch { .. })
        ),
        "{r:?}"
    );
    let r = verify(&rule, &[0, 0], &p, &p, usize::MAX / 2 + 1, &mut rng);
    assert!(matches!(r, Err(Error::Overflow { .. })), "{r:?}");
    let r = verify_greedy(&[0, 0], &p, usize::MAX / 2);
    assert!(matches!(r, Err(Error::Overflow { .. })), "{r:?}");
    let r = verify(&rule, &[2], &p[..2], &p, 2, &mut rng);
    assert!(matches!(r, Err(Error::OutOfRange { .. })), "{r:?}");
    let r = verify(&rule, &[0], &[f64::NAN, 1.0], &p, 2, &mut rng);
    assert!(matches!(r, Err(Error::InvalidArgument { .. })), "{r:?}");
    let r = verify(&rule, &[0], &[0.0, 1.0], &p, 2, &mut rng);
    assert!(matches!(r, Err(Error::InvalidArgument { .. })), "{r:?}");
    let r = verify_greedy(&[0], &[0.5, f64::INFINITY, 0.5, 0.5], 2);
    assert!(matches!(r, Err(Error::NonFinite { .. })), "{r:?}");
    let r = verify(&rule, &[0], &[0.5, 0.5], &p, 0, &mut rng);
    assert!(matches!(r, Err(Error::InvalidArgument { .. })), "{r:?}");
}

#[test]
fn lossy_rule_rejects_nan_zero_and_above_one() {
    for e in [f64::NAN, 0.0, -0.5, 1.5, f64::INFINITY] {
        let r = Standard::lossy(e, ResidualMode::PMinusQ);
        assert!(matches!(r, Err(Error::InvalidArgument { .. })), "{e}");
    }
}

#[test]
fn stats_reject_mismatched_lengths_non_finite_laws_and_bad_lenience() {
    let (p, q) = ([0.5, 0.5], [0.25, 0.75]);
    assert!((tvd(&p, &q).unwrap() - 0.25).abs() < 1e-15);
    let shape = |r: Result<f64, Error>| matches!(r, Err(Error::ShapeMismatch { .. }));
    assert!(shape(tvd(&p, &q[..1])));
    assert!(shape(acceptance(&p, &[0.2, 0.3, 0.5])));
    assert!(shape(lossy_acceptance(&p, &q[..1], 0.5)));
    let rule = Standard::EXACT;
    assert!(matches!(
        single_position_law(&rule, &p, &q[..1]),
        Err(Error::ShapeMismatch { .. })
    ));
    assert!(matches!(
        residual_law(&rule, &p[..1], &q),
        Err(Error::ShapeMismatch { .. })
    ));
    for bad in [f64::NAN, f64::INFINITY] {
        let nb = [0.5, bad];
        assert!(matches!(
            tvd(&nb, &q),
            Err(Error::NonFinite {
                what: "p",
                index: 1
            })
        ));
        assert!(matches!(
            acceptance(&p, &nb),
            Err(Error::NonFinite { what: "q", .. })
        ));
        assert!(matches!(
            single_position_law(&rule, &p, &nb),
            Err(Error::NonFinite { .. })
        ));
        assert!(matches!(
            expected_block_length(&[1.0, bad]),
            Err(Error::NonFinite { index: 1, .. })
        ));
        assert!(matches!(
            on_policy_bound(&[bad]),
            Err(Error::NonFinite { .. })
        ));
    }
    for eps in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        assert!(lossy_acceptance(&p, &q, eps).is_err(), "{eps}");
    }
}

#[test]
fn exact_enumerations_cap_gamma_and_check_the_models() {
    let mut t = uniform;
    let mut d = uniform;
    let r = acceptance_masses(&mut t, &mut d, &[0], MAX_EXACT_GAMMA + 1);
    assert!(matches!(r, Err(Error::TooLarge { .. })), "{r:?}");
    let r = on_policy_tvd(&mut t, &mut d, &[0], usize::MAX);
    assert!(matches!(r, Err(Error::TooLarge { .. })), "{r:?}");
    // Models of different vocabularies, or a non-finite law.
    let mut short = |_: &[usize]| vec![0.5; 2];
    let r = acceptance_masses(&mut t, &mut short, &[0], 2);
    assert!(matches!(r, Err(Error::ShapeMismatch { .. })), "{r:?}");
    let mut nan = |_: &[usize]| vec![f64::NAN; 4];
    let r = on_policy_tvd(&mut nan, &mut d, &[0], 2);
    assert!(matches!(r, Err(Error::NonFinite { .. })), "{r:?}");
    // Identical models accept everything: E[B] = γ + 1, every ε = 0.
    let m = acceptance_masses(&mut t, &mut d, &[0], 3).unwrap();
    assert!((expected_block_length(&m).unwrap() - 4.0).abs() < 1e-12);
    assert_eq!(
        on_policy_tvd(&mut t, &mut d, &[0], 3).unwrap(),
        vec![0.0; 3]
    );
}

/// The fuzz-found hang: a representable but huge γ (2⁴⁰) drafted γ tokens per step before
/// truncating to `new_tokens`. A step now drafts at most the tokens still wanted.
#[test]
fn speculative_decode_with_huge_gamma_drafts_only_the_tokens_wanted() {
    let mut rng = seeded(5, 0);
    let mut draft_calls = 0;
    let cfg = SpecConfig {
        gamma: 1 << 40,
        temperature: 1.0,
    };
    let draft = |_: &[usize]| {
        draft_calls += 1;
        vec![0.25; 4]
    };
    let out = speculative_decode(uniform, draft, &[1], 4, 3, cfg, &mut rng).unwrap();
    assert_eq!(out.tokens.len(), 3);
    assert!(draft_calls <= 3, "{draft_calls} draft calls for 3 tokens");
    assert!(out.accepted_per_step.iter().all(|&a| a <= 3));
}

/// Fuzz-found: an all-zero `p` "warped" to a row summing to 0 (or to a one-hot at `T = 0`); it is
/// not a distribution, so every temperature rejects it.
#[test]
fn warp_rejects_an_all_zero_row() {
    for t in [0.0, 0.5, 1.0, 2.0] {
        let r = warp(&[0.0, 0.0], t);
        assert!(
            matches!(r, Err(Error::InvalidArgument { .. })),
            "{t}: {r:?}"
        );
    }
}
