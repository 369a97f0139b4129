//! The constructive capacity illustration: output correct iff N + M ≥ K.

use attnmech::pause::capacity::{lookup_sum, lookup_target};
use attnmech::rng::seeded;
use rand::Rng;

/// For K ∈ 1..=8, N ∈ 1..=6, M ∈ 0..=8 and random values in [1, 2] (so every missing lookup moves
/// the sum by ≥ 1): |output − Σ v| ≤ 1e-12 when N + M ≥ K, and ≥ 0.5 otherwise.
#[test]
fn capacity_correct_iff_enough_positions() {
    let mut rng = seeded(91, 0);
    for k in 1..=8 {
        let values: Vec<f64> = (0..k).map(|_| 1.0 + rng.random::<f64>()).collect();
        for n in 1..=6 {
            for m in 0..=8 {
                let err = (lookup_sum(&values, n, m).unwrap() - lookup_target(&values)).abs();
                if n + m >= k {
                    assert!(err <= 1e-12, "K={k} N={n} M={m}: err {err:e}");
                } else {
                    assert!(err >= 0.5, "K={k} N={n} M={m}: err {err:e}");
                }
            }
        }
    }
    assert!(lookup_sum(&[], 1, 0).is_err() && lookup_sum(&[1.0], 0, 0).is_err());
}
