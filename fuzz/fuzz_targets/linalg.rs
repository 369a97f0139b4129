//! Fuzz target: bytes -> SPD solve, ridge fit, row-major GEMM, SVD/eigenvalues on small matrices;
//! panics (a crash for libFuzzer) on a panic inside the library or a violated contract check.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    attnmech::fuzz::linalg::linalg(data);
});
