//! Fuzz target: bytes -> prefix-LM kernel vs dense oracle, masked loss, lookup network, tiny LM, sequences;
//! panics (a crash for libFuzzer) on a panic inside the library or a violated contract check.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    attnmech::fuzz::pause::pause(data);
});
