//! Fuzz target: bytes -> attention-SVM problem: loss/gradient, max-margin SVM, singular-value thresholding;
//! panics (a crash for libFuzzer) on a panic inside the library or a violated contract check.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    attnmech::fuzz::attsvm::attsvm(data);
});
