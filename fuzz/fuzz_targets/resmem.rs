//! Fuzz target: bytes -> blocked k-NN (f32, f64) vs the oracle, soft weights, ResMem predictor;
//! panics (a crash for libFuzzer) on a panic inside the library or a violated contract check.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    attnmech::fuzz::resmem::resmem(data);
});
