//! Block statistics: E[B] against the on-policy TVD bound and A_1 = 1 − ε_1 (DS6), the speed-up
//! formula and optimal γ (DS12), and the exact masses against simulated block lengths.

use attnmech::rng::seeded;
use attnmech::specdec::experiments::{
    ds12_speedup, ds12_verdict, ds6_block_bound, ds6_verdict, Ds12Outcome, Ds6Outcome,
};
use attnmech::specdec::stats::{
    acceptance_masses, expected_block_length, iid_expected_block, speedup,
};
use attnmech::specdec::toy::HashedLm;
use attnmech::specdec::{speculative_decode, SpecConfig};

/// DS6: on random context-dependent LMs (V = 5, 12 pairs, with and without exact zeros), for every
/// γ ≤ 4: `E[B] − bound ≥ −1e-12` and `A_1 = 1 − ε_1` to 1e-14 (both are finite sums of the same
/// f64 terms): the experiment and bound the report uses ([`ds6_block_bound`], [`ds6_verdict`]).
#[test]
fn ds6_block_length_above_on_policy_bound() {
    let o = ds6_block_bound(0).unwrap();
    eprintln!(
        "DS6 min slack E[B] - bound = {:e}, A_1 gap {:e}",
        o.min_slack, o.a1_gap
    );
    assert!(ds6_verdict(&o), "DS6: {o:?}");
    // negative control: a bound exceeding E[B] by 1e-3 somewhere
    assert!(!ds6_verdict(&Ds6Outcome {
        min_slack: -1e-3,
        ..o
    }));
}

/// K1.3 exactness: the mean tokens per step of simulated SD (first step from the prompt only)
/// matches the exact `E[B]` within 4 SE (3e4 steps, γ = 3).
#[test]
fn exact_block_length_matches_simulation() {
    let p = HashedLm {
        seed: 7,
        vocab: 4,
        scale: 1.0,
        zero_prob: 0.0,
    };
    let q = HashedLm {
        seed: 8,
        vocab: 4,
        scale: 1.0,
        zero_prob: 0.0,
    };
    let masses = acceptance_masses(
        &mut |c: &[usize]| p.dist(c),
        &mut |c: &[usize]| q.dist(c),
        &[1],
        3,
    )
    .unwrap();
    let eb = expected_block_length(&masses).unwrap();
    let mut rng = seeded(41, 0);
    let n = 30_000;
    let (mut s, mut s2) = (0.0, 0.0);
    let cfg = SpecConfig {
        gamma: 3,
        temperature: 1.0,
    };
    for _ in 0..n {
        let out = speculative_decode(
            |c: &[usize]| p.dist(c),
            |c: &[usize]| q.dist(c),
            &[1],
            4,
            4,
            cfg,
            &mut rng,
        )
        .unwrap();
        let b = (out.accepted_per_step[0] + 1) as f64;
        s += b;
        s2 += b * b;
    }
    let mean = s / n as f64;
    let se = ((s2 / n as f64 - mean * mean) / n as f64).sqrt();
    assert!((mean - eb).abs() < 4.0 * se, "{mean} vs {eb}");
}

/// DS12: S(α=0.7, γ=3, c=0.1) = 1.94846 (5 printed decimals → 1e-5), and γ* = 4, 8, 10 for
/// (α, c) = (.6, .05), (.8, .05), (.9, .1); the i.i.d. E[B] at α = 1 is γ + 1 ([`ds12_speedup`],
/// [`ds12_verdict`], as the report).
#[test]
fn ds12_speedup_and_optimal_gamma() {
    let o = ds12_speedup().unwrap();
    assert!(ds12_verdict(&o), "DS12: {o:?}");
    assert!(!ds12_verdict(&Ds12Outcome {
        gamma_star: [4, 8, 9],
        ..o
    }));
    assert!(iid_expected_block(1.1, 5).is_err() && speedup(0.5, 2, -1.0).is_err());
}
