//! Fuzz target: bytes -> score-distillation losses and gradients, cosine scores, score-gap bound;
//! panics (a crash for libFuzzer) on a panic inside the library or a violated contract check.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    attnmech::fuzz::embed_distill::embed_distill(data);
});
