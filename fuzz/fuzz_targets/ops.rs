//! Fuzz target: bytes -> temperature softmax/log-softmax (f32, f64), row softmax, distribution checks, erfc;
//! panics (a crash for libFuzzer) on a panic inside the library or a violated contract check.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // `--features well-posed`: clear the hostile bit of the mode byte (campaigns on the
    // well-posed half while known hostile-input bugs are open).
    #[cfg(feature = "well-posed")]
    let owned: Vec<u8> = data
        .iter()
        .enumerate()
        .map(|(i, &b)| if i == 0 { b & 0x7F } else { b })
        .collect();
    #[cfg(feature = "well-posed")]
    let data = &owned[..];
    attnmech::fuzz::ops::ops(data);
});
