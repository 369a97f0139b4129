//! Checks added by the mutation campaign (issue 13, `proofs-notes/MUTANTS.md`).

use attnmech::prompt_attention::data::MixtureConfig;
use attnmech::rng::seeded;

/// `MixtureConfig::sample_into` (one sample into a caller's buffer) draws the same law as
/// `sample`: from equal generator states both produce bit-identical inputs and labels, and over
/// 40 draws both labels occur. Kills `data.rs: replace MixtureConfig::sample_into -> Result<f64>
/// with Ok(-1.0)` (no other check called it).
#[test]
fn sample_into_draws_what_sample_draws() {
    let cfg = MixtureConfig::linpa_blind(0.1);
    let s = cfg.tokens * cfg.dim;
    let (mut a, mut b) = (seeded(11, 0), seeded(11, 0));
    let mut x = vec![0.0; s];
    let mut labels = Vec::new();
    for _ in 0..40 {
        let y = cfg.sample_into(&mut x, &mut a).unwrap();
        let ds = cfg.sample(1, &mut b).unwrap();
        assert_eq!(y.to_bits(), ds.y()[0].to_bits());
        assert!(x
            .iter()
            .zip(ds.x())
            .all(|(p, q)| p.to_bits() == q.to_bits()));
        labels.push(y);
    }
    assert!(labels.contains(&1.0) && labels.contains(&-1.0));
}

/// B6.5 needs `d ≥ 2` (q⋆ = e₀ and v⋆ = e₁): d = 1 is a typed `Err` naming `d`, and d = 2, the
/// smallest valid dimension, runs (finite errors in [0, 1]). Kills `experiments.rs: replace <
/// with == in b6_5_known_prompt` (refusing d = 2 and accepting d = 1), which the report's cases
/// (d ≥ 100) cannot see.
#[test]
fn b6_5_accepts_d_two_and_refuses_d_one() {
    use attnmech::prompt_attention::experiments::{b6_5_known_prompt, B65Protocol};
    let one = B65Protocol {
        cases: vec![(20, 1, 1.0)],
    };
    match b6_5_known_prompt(&one, 0) {
        Err(attnmech::Error::InvalidArgument { what: "d", .. }) => {}
        other => panic!("expected InvalidArgument(d), got {other:?}"),
    }
    let two = B65Protocol {
        cases: vec![(20, 2, 1.0)],
    };
    let cases = b6_5_known_prompt(&two, 0).expect("d = 2 is valid");
    assert_eq!(cases.len(), 1);
    let c = &cases[0];
    for e in [c.mc, c.exact] {
        assert!((0.0..=1.0).contains(&e), "{c:?}");
    }
}

/// The logistic loss `ℓ(z) = ln(1 + e^{−z})` is documented overflow-safe: at z = 40 it is
/// `e^{−40}(1 − e^{−40}/2 …) = 4.248354255291589e-18` to 1e-12 relative (the naive form
/// `−z + ln(1 + e^z)` cancels to 0 there) and at z = 800 it is a finite value in [0, 1e-300]
/// (the naive form is `∞ − 800`). Kills `train.rs: replace > with == in Loss::value` (the naive
/// branch for every z ≠ 0).
#[test]
fn logistic_loss_is_accurate_for_large_margins() {
    use attnmech::prompt_attention::train::Loss;
    let at40 = Loss::Logistic.value(40.0);
    assert!(
        (at40 / 4.248_354_255_291_589e-18 - 1.0).abs() <= 1e-12,
        "{at40:e}"
    );
    let at800 = Loss::Logistic.value(800.0);
    assert!(
        at800.is_finite() && (0.0..=1e-300).contains(&at800),
        "{at800:e}"
    );
    // and the other branch agrees with the closed form at a negative margin
    let at_m3 = Loss::Logistic.value(-3.0);
    assert!((at_m3 - (1.0 + 3f64.exp()).ln()).abs() <= 1e-15, "{at_m3}");
}
