//! Fuzz target: bytes -> temperature softmax/log-softmax (f32, f64), row softmax, distribution checks, erfc;
//! panics (a crash for libFuzzer) on a panic inside the library or a violated contract check.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    attnmech::fuzz::ops::ops(data);
});
