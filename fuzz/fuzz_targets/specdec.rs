//! Fuzz target: bytes -> speculative-decoding verifier, warp, i.i.d. statistics, decoding driver;
//! panics (a crash for libFuzzer) on a panic inside the library or a violated contract check.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    attnmech::fuzz::specdec::specdec(data);
});
