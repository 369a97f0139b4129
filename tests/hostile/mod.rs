//! The hostile-input suite (issue 12): one file per module. For every public function, each
//! class of bad input gets a typed [`attnmech::Error`], or a documented finite result where the
//! math defines one. Classes tried: wrong lengths and shapes; sizes whose product overflows
//! `usize` (checked before any allocation, and also under `overflow-checks = false`, the release
//! profile); ids out of range and objects from another instance; empty inputs; NaN and ±∞ in
//! every float argument; temperatures, step sizes and scales that are zero, negative, subnormal
//! or whose first division overflows; sizes over the documented caps for untrusted input.
//!
//! Each test names the function and the class in its name, and asserts the error's variant.
//!
//! # `overflow-checks = false`
//! The overflow cases (`Err(Overflow)` for sizes whose product does not fit `usize`) live in this
//! binary, so they run twice in CI: under `cargo test` (the test profile, overflow checks on, where
//! an unchecked product would panic) and under `cargo test --release` (the release profile,
//! `overflow-checks = false`, where an unchecked product would wrap silently into a wrong, small
//! size and build a wrong object). [`release_run_wraps_integer_overflow`] pins that the release run
//! really has the checks off, so a passing release run means the checked arithmetic, not a panic,
//! produced each `Err`. Nothing else in the suite is gated on the profile.

#[cfg(feature = "papers")]
mod analyze;
mod attention;
#[cfg(feature = "papers")]
mod attsvm;
#[cfg(feature = "papers")]
mod cascade;
#[cfg(feature = "papers")]
mod ccmc;
#[cfg(feature = "papers")]
mod distill;
#[cfg(feature = "papers")]
mod embed_distill;
mod linalg;
#[cfg(feature = "papers")]
mod memorisation;
#[cfg(feature = "papers")]
mod nexttoken;
mod ops;
#[cfg(feature = "papers")]
mod pause;
#[cfg(feature = "papers")]
mod prompt_attention;
#[cfg(feature = "papers")]
mod qp;
#[cfg(feature = "papers")]
mod resmem;
mod simd_rng;
#[cfg(feature = "papers")]
mod specdec;
#[cfg(feature = "papers")]
mod supervision;

/// In the release test run (`debug_assertions` off, and with them the default `overflow-checks`),
/// integer overflow wraps: the overflow cases above then exercise the checked arithmetic alone.
#[cfg(not(debug_assertions))]
#[test]
fn release_run_wraps_integer_overflow() {
    assert!(!cfg!(debug_assertions));
    let max = std::hint::black_box(usize::MAX);
    #[allow(arithmetic_overflow)]
    let wrapped = max + std::hint::black_box(1);
    assert_eq!(
        wrapped, 0,
        "the release test profile must have overflow-checks = false"
    );
}
