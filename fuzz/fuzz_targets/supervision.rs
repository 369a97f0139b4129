//! Fuzz target: bytes -> supervision complexity (Cholesky) vs eigen/residual, NTK Gram, KD loss;
//! panics (a crash for libFuzzer) on a panic inside the library or a violated contract check.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    attnmech::fuzz::supervision::supervision(data);
});
