//! Replays the fuzz target [`attnmech::fuzz::attention`] on stable Rust: a few thousand seeded
//! xorshift byte strings, a few structured inputs, and every file in `fuzz/corpus/attention/` and
//! `fuzz/artifacts/attention/` (so a crash found by `cargo fuzz run -s none attention` becomes a
//! regression test once its artifact is committed). The target panics on any disagreement.

use attnmech::fuzz::{attention, decode};
use std::path::Path;

/// Marsaglia's xorshift64: a dependency-free byte source whose sequence is fixed by the seed.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| self.next() as u8).collect()
    }
}

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
    for flags in 0u8..=0x7F {
        let mut data = vec![flags, 1, 1, 65, 17, 7, 3, 200];
        data.extend((0..2000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8));
        attention(&data);
    }
}

/// Every committed corpus entry and crash artifact replays without a failure.
#[test]
fn corpus_and_artifacts_replay() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    for dir in ["corpus/attention", "artifacts/attention"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
            continue;
        };
        for entry in entries.flatten() {
            if entry.path().is_file() {
                let data = std::fs::read(entry.path()).unwrap();
                attention(&data);
            }
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
