//! Fuzz target: bytes -> CCMC choice data -> maximum-likelihood fit, NLL, next-token law;
//! panics (a crash for libFuzzer) on a panic inside the library or a violated contract check.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    attnmech::fuzz::ccmc::ccmc(data);
});
