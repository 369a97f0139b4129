//! Checks added by the mutation campaign (issue 13, `proofs-notes/MUTANTS.md`): each test names
//! the surviving mutant it kills and the property it asserts.

use attnmech::specdec::stats::{optimal_gamma, speedup};

/// `optimal_gamma` documents "smallest γ on ties". With α = 1 and c = 1 every block size has
/// `S(γ) = (γ + 1)/(γ + 1) = 1`, a tie over all γ, so γ* = 1; with α = 1 and c < 1, `S` rises
/// and γ* = max_gamma; with c > 1 it falls and γ* = 1. Kills `stats.rs: replace < with <= in
/// optimal_gamma` (the α = 1 closed form returning max_gamma on the tie).
#[test]
fn optimal_gamma_takes_the_smallest_gamma_on_ties() {
    for g in 1..=5 {
        assert!((speedup(1.0, g, 1.0).unwrap() - 1.0).abs() <= 1e-15);
    }
    assert_eq!(optimal_gamma(1.0, 1.0, 8).unwrap(), 1);
    assert_eq!(optimal_gamma(1.0, 0.5, 8).unwrap(), 8);
    assert_eq!(optimal_gamma(1.0, 2.0, 8).unwrap(), 1);
}
