//! Fuzz target: bytes -> attention call (shape, options, values, possibly invalid or extreme) -> CPU kernel
//! and reference forward/backward;
//! panics (a crash for libFuzzer) on a panic inside the library or a violated contract check.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    attnmech::fuzz::attention(data);
});
