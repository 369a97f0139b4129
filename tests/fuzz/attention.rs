//! Replays the fuzz target [`attnmech::fuzz::attention`] on stable Rust: a few thousand seeded
//! xorshift byte strings, a few structured inputs, and every file in `fuzz/corpus/attention/` and
//! `fuzz/artifacts/attention/`. The target panics on any disagreement.

use super::{committed_inputs, XorShift};
use attnmech::fuzz::{attention, decode};

/// Claim: no panic and kernel/reference agreement on 3000 seeded random inputs (lengths 0..600,
/// so some run out of bytes and decode to zero-filled values).
#[test]
fn seeded_random_inputs() {
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    let (mut valid, mut invalid) = (0, 0);
    for _ in 0..3000 {
        let len = (rng.next() % 600) as usize;
        let data = rng.bytes(len);
        attention(&data);
        let p = decode(&data);
        let ok = attnmech::attention::reference::forward(&p.x.q, &p.x.k, &p.x.v, p.shape, &p.opts)
            .is_ok();
        if ok {
            valid += 1
        } else {
            invalid += 1
        }
    }
    // The decoder must exercise both sides of the contract substantially.
    assert!(
        valid >= 600 && invalid >= 600,
        "valid {valid}, invalid {invalid}"
    );
}

/// Structured inputs: the empty string, all-zero and all-0xFF strings, each flag alone.
#[test]
fn structured_inputs() {
    attention(&[]);
    for len in [1, 7, 64, 512, 4096] {
        attention(&vec![0u8; len]);
        attention(&vec![0xFF; len]);
    }
    for flags in 0u8..=0xFF {
        let mut data = vec![flags, 1, 1, 65, 17, 7, 3, 200];
        data.extend((0..2000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8));
        attention(&data);
    }
}

/// Every committed corpus entry and crash artifact replays without a failure.
#[test]
fn corpus_and_artifacts_replay() {
    for data in committed_inputs("attention") {
        attention(&data);
    }
}

/// Extreme magnitudes (flag `0x80`): every magnitude class, both types, with and without causal
/// masking; the body asks only for finite results or typed errors there.
#[test]
fn extreme_magnitudes() {
    for flags in (0x80u8..=0xFF).step_by(3) {
        for magnitude in 0..7u8 {
            let mut data = vec![flags, magnitude, 1, 1, 9, 9, 5];
            data.extend((0..1200u32).map(|i| (i.wrapping_mul(2_246_822_519) >> 11) as u8));
            attention(&data);
        }
    }
}

/// NEGATIVE: the same replay detects a wrong kernel — an online softmax without the α rescale
/// makes the target panic on some of the first 200 seeded inputs.
#[test]
fn replay_detects_a_wrong_kernel() {
    use crate::attention::wrong::{Bug, Naive};
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    let caught = (0..200).any(|_| {
        let len = (rng.next() % 600) as usize;
        let data = rng.bytes(len);
        std::panic::catch_unwind(|| attnmech::fuzz::attention_with(&Naive(Bug::NoRescale), &data))
            .is_err()
    });
    assert!(
        caught,
        "the fuzz body accepted a kernel without the online-softmax rescale"
    );
}
