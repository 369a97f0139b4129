//! Fuzz target: arbitrary bytes as the JSON input of `attnmech analyze`;
//! panics (a crash for libFuzzer) on a panic inside the library or a violated contract check.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    attnmech::fuzz::analyze::analyze_json(data);
});
