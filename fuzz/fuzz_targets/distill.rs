//! Fuzz target: bytes -> divergence kernels (FKL, RKL, JSD, TVD; f32, f64) vs the f64 reference;
//! panics (a crash for libFuzzer) on a panic inside the library or a violated contract check.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    attnmech::fuzz::distill::distill(data);
});
