//! Fuzz target: bytes -> prompt-attention models' gradients vs central differences, pooling, theory;
//! panics (a crash for libFuzzer) on a panic inside the library or a violated contract check.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    attnmech::fuzz::prompt_attention::prompt_attention(data);
});
