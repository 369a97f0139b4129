//! Fuzz target: bytes -> memorisation/influence estimators, exact 1-NN memorisation, distillation loss;
//! panics (a crash for libFuzzer) on a panic inside the library or a violated contract check.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    attnmech::fuzz::memorisation::memorisation(data);
});
