//! The verification step: acceptance = 1 − TVD (DS4), the i.i.d. block pmf (DS5), greedy SD equals
//! greedy decoding (DS7), and input errors.

use attnmech::rng::seeded;
use attnmech::specdec::driver::autoregressive_decode;
use attnmech::specdec::experiments::{ds4_acceptance, ds4_verdict};
use attnmech::specdec::stats::{iid_accepted_pmf, iid_expected_block};
use attnmech::specdec::toy::HashedLm;
use attnmech::specdec::{speculative_decode, verify, verify_greedy, SpecConfig, Standard};
use attnmech::Error;
use statrs::distribution::{ChiSquared, ContinuousCDF};

/// DS4: acceptance probability of one draft equals `1 − TVD(p, q)`. Exact: `Σ_y q(y) min(1,
/// p(y)/q(y))` vs `1 − ½‖p − q‖₁` to 4e-15·V. Monte Carlo: for 20 random pairs, 2e4 γ = 1 verify
/// calls each (draft drawn from q); the mean accept indicator is within 4 binomial SE. The
/// experiment and bound the report uses ([`ds4_acceptance`], [`ds4_verdict`]).
#[test]
fn ds4_acceptance_is_one_minus_tvd() {
    let o = ds4_acceptance(0).unwrap();
    eprintln!(
        "DS4: max |z| {:.2}, exact gap per token {:e}",
        o.max_z, o.exact_gap_per_token
    );
    assert!(ds4_verdict(&o), "DS4: {o:?}");
    // the experiment's largest |z| is the binomial z of its own points (mutation campaign:
    // `|emp − a| % se` in place of `/ se` survived, a smaller z that passes any bound)
    let z_of = |a: f64, e: f64| (e - a).abs() / (a * (1.0 - a) / 20_000.0).sqrt();
    let recomputed = o
        .points
        .iter()
        .map(|&(a, e)| z_of(a, e))
        .fold(0.0, f64::max);
    assert!(
        (o.max_z - recomputed).abs() <= 1e-9 * recomputed.max(1.0),
        "{o:?}"
    );
    assert!(
        recomputed > 0.1,
        "20 pairs at 2e4 draws: some |z| is not tiny ({recomputed})"
    );
    // negative control: an acceptance 2% too high on one pair is many SE away at 2e4 draws
    let mut wrong = o.clone();
    wrong.max_z = wrong
        .points
        .iter()
        .map(|&(a, e)| ((e - (a - 0.02)).abs()) / (a * (1.0 - a) / 20_000.0).sqrt())
        .fold(0.0, f64::max);
    assert!(!ds4_verdict(&wrong));
}

/// DS5: i.i.d. closed form (α = 0.7: E[B] = 1.7, 2.19, 2.533, 2.7731 for γ = 1..4, to 1e-12), and
/// the accepted-count pmf on the worked example (p = [.5,.3,.2], q = [.2,.5,.3], α = 0.7,
/// context-free so acceptances are i.i.d.), 4e4 steps at γ = 4: χ² p > 1e-3.
#[test]
fn ds5_iid_block_formula_and_pmf() {
    for (g, want) in [(1, 1.7), (2, 2.19), (3, 2.533), (4, 2.7731)] {
        assert!((iid_expected_block(0.7, g).unwrap() - want).abs() < 1e-12);
        let pmf = iid_accepted_pmf(0.7, g).unwrap();
        let mean: f64 = pmf
            .iter()
            .enumerate()
            .map(|(i, x)| (i + 1) as f64 * x)
            .sum();
        assert!((mean - want).abs() < 1e-12 && (pmf.iter().sum::<f64>() - 1.0).abs() < 1e-15);
    }
    let p = vec![0.5, 0.3, 0.2];
    let q = vec![0.2, 0.5, 0.3];
    let gamma = 4;
    let mut counts = [0u64; 5];
    let mut rng = seeded(32, 0);
    let cfg = SpecConfig {
        gamma,
        temperature: 1.0,
    };
    let mut steps = 0;
    while steps < 40_000 {
        let out = speculative_decode(
            |_: &[usize]| p.clone(),
            |_: &[usize]| q.clone(),
            &[],
            3,
            500,
            cfg,
            &mut rng,
        )
        .unwrap();
        // Only steps that drafted the full γ: near the end a step drafts just the tokens still
        // wanted (`min(γ, remaining)`), and its count follows a shorter pmf.
        let mut remaining = 500;
        for &a in &out.accepted_per_step {
            if remaining >= gamma {
                counts[a] += 1;
                steps += 1;
            }
            remaining -= (a + 1).min(remaining);
        }
    }
    let pmf = iid_accepted_pmf(0.7, gamma).unwrap();
    let n: u64 = counts.iter().sum();
    let stat: f64 = counts
        .iter()
        .zip(&pmf)
        .map(|(&c, &pr)| (c as f64 - pr * n as f64).powi(2) / (pr * n as f64))
        .sum();
    let pv = ChiSquared::new(4.0).unwrap().sf(stat);
    eprintln!("DS5 pmf χ² p = {pv:.4} over {n} steps");
    assert!(pv > 1e-3);
}

/// DS7: greedy speculative decoding (T = 0) reproduces greedy target decoding token for token,
/// for every γ ≤ 6, on random context-dependent models (deterministic, exact equality).
#[test]
fn ds7_greedy_sd_equals_greedy_decoding() {
    for seed in 0..5 {
        let p = HashedLm {
            seed,
            vocab: 7,
            scale: 2.0,
            zero_prob: 0.0,
        };
        let q = HashedLm {
            seed: seed + 50,
            vocab: 7,
            scale: 2.0,
            zero_prob: 0.2,
        };
        let mut rng = seeded(33, seed);
        let want = autoregressive_decode(|c: &[usize]| p.dist(c), &[2], 30, 0.0, &mut rng).unwrap();
        for gamma in 1..=6 {
            let cfg = SpecConfig {
                gamma,
                temperature: 0.0,
            };
            let got = speculative_decode(
                |c: &[usize]| p.dist(c),
                |c: &[usize]| q.dist(c),
                &[2],
                7,
                30,
                cfg,
                &mut rng,
            )
            .unwrap();
            assert_eq!(got.tokens, want, "seed {seed} γ={gamma}");
        }
    }
}

/// Greedy verification details: ties break to the lowest index; rejection emits argmax p.
#[test]
fn greedy_verification_rules() {
    let p = [0.4, 0.4, 0.2, /* next */ 0.1, 0.2, 0.7];
    assert_eq!(verify_greedy(&[0], &p, 3).unwrap().tokens, vec![0, 2]);
    assert_eq!(verify_greedy(&[1], &p, 3).unwrap().tokens, vec![0]);
}

/// Errors: wrong shapes, unnormalised rows, a drafted token with zero draft probability, ids out
/// of range, bad lenience.
#[test]
fn verify_errors() {
    let mut rng = seeded(34, 0);
    let q = [0.5, 0.5, 0.0];
    let p = [0.2, 0.3, 0.5, 0.2, 0.3, 0.5];
    let r = Standard::EXACT;
    assert!(matches!(
        verify(&r, &[0], &q, &p[..3], 3, &mut rng),
        Err(Error::ShapeMismatch { .. })
    ));
    assert!(matches!(
        verify(&r, &[0, 1], &q, &p, 3, &mut rng),
        Err(Error::ShapeMismatch { .. })
    ));
    assert!(matches!(
        verify(&r, &[2], &q, &p, 3, &mut rng),
        Err(Error::InvalidArgument { .. })
    ));
    assert!(matches!(
        verify(&r, &[3], &q, &p, 3, &mut rng),
        Err(Error::OutOfRange { .. })
    ));
    assert!(matches!(
        verify(&r, &[0], &[0.5, 0.6, 0.0], &p, 3, &mut rng),
        Err(Error::InvalidArgument { .. })
    ));
    assert!(matches!(
        verify(
            &r,
            &[0],
            &q,
            &[0.2, 0.3, 0.5, 0.2, 0.3, f64::NAN],
            3,
            &mut rng
        ),
        Err(Error::InvalidArgument { .. })
    ));
    assert!(matches!(
        verify(&r, &[0], &q, &[0.2, 0.3, 0.5, -0.2, 0.7, 0.5], 3, &mut rng),
        Err(Error::InvalidArgument { .. })
    ));
    assert!(Standard::lossy(0.0, Default::default()).is_err());
    assert!(Standard::lossy(1.5, Default::default()).is_err());
    // f32 rows normalised to f32 precision are accepted.
    let q32 = [0.1f32; 10];
    let p32 = [0.1f32; 20];
    assert!(verify(&r, &[3], &q32, &p32, 10, &mut rng).is_ok());
}

/// A zero target probability is never accepted, and equal p and q always accept (the u ∈ (0, 1]
/// convention), over many seeded draws.
#[test]
fn zero_target_never_accepted_equal_always_accepted() {
    let mut rng = seeded(35, 0);
    let q = [0.5, 0.5];
    let p = [1.0, 0.0, 0.5, 0.5];
    for _ in 0..10_000 {
        let out = verify(&Standard::EXACT, &[1], &q, &p, 2, &mut rng).unwrap();
        assert_eq!(out.tokens, vec![0]);
        let out = verify(
            &Standard::EXACT,
            &[1],
            &q,
            &[0.5, 0.5, 0.5, 0.5],
            2,
            &mut rng,
        )
        .unwrap();
        assert_eq!(out.accepted, 1);
    }
}
