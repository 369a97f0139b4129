//! Fuzz target: bytes -> finite Bayes cascade (risk, rules, regret) and deferral scores;
//! panics (a crash for libFuzzer) on a panic inside the library or a violated contract check.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    attnmech::fuzz::cascade::cascade(data);
});
