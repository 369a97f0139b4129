//! The hostile-input suite (issue 12): one file per module. For every public function, each
//! class of bad input gets a typed [`attnmech::Error`], or a documented finite result where the
//! math defines one. Classes tried: wrong lengths and shapes; sizes whose product overflows
//! `usize` (checked before any allocation, and also under `overflow-checks = false`, the release
//! profile); ids out of range and objects from another instance; empty inputs; NaN and ±∞ in
//! every float argument; temperatures, step sizes and scales that are zero, negative, subnormal
//! or whose first division overflows; sizes over the documented caps for untrusted input.
//!
//! Each test names the function and the class in its name, and asserts the error's variant.

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
