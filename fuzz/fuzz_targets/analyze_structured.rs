//! Fuzz target: bytes -> a valid-looking `attnmech analyze` document (with targeted corruptions);
//! panics (a crash for libFuzzer) on a panic inside the library or a violated contract check.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    attnmech::fuzz::analyze::analyze_structured(data);
});
