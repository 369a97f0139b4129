//! The constructive capacity illustration: output correct iff N + M ≥ K.

use attnmech::pause::capacity::lookup_sum;
use attnmech::pause::experiments::{capacity_grid, capacity_verdict, CapacityCell};

/// For K ∈ 1..=10, N ∈ 1..=6, M ∈ 0..=10 and random values in [1, 2] (so every missing lookup
/// moves the sum by ≥ 1): |output − Σ v| ≤ 1e-12 when N + M ≥ K, and ≥ 0.5 otherwise. The
/// experiment and bound the report runs (`experiments::{capacity_grid, capacity_verdict}`).
#[test]
fn capacity_correct_iff_enough_positions() {
    let cells = capacity_grid(0).unwrap();
    let (mismatches, ok) = capacity_verdict(&cells);
    assert!(ok, "{mismatches} mismatches");
    // Planted bug: a network one position short (the answer of N + M − 1 positions) disagrees.
    let shifted: Vec<CapacityCell> = cells
        .iter()
        .map(|c| CapacityCell { m: c.m + 1, ..*c })
        .collect();
    assert!(!capacity_verdict(&shifted).1);
    assert!(lookup_sum(&[], 1, 0).is_err() && lookup_sum(&[1.0], 0, 0).is_err());
}
