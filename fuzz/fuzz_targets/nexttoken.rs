//! Fuzz target: bytes -> next-token model loss/gradient vs reference, prompt law, graph SVM, Luce MLE;
//! panics (a crash for libFuzzer) on a panic inside the library or a violated contract check.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    attnmech::fuzz::nexttoken::nexttoken(data);
});
