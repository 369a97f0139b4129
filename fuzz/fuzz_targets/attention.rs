//! Fuzz target: bytes -> attention call (shape, options, values, possibly invalid) -> CPU kernel
//! and reference forward/backward; panics on a panic inside the library or on any disagreement.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    attnmech::fuzz::attention(data);
});
