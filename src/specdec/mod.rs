//! Speculative decoding and DistillSpec (Zhou et al., ICLR 2024; Leviathan et al. 2023;
//! Chen et al. 2023).
//!
//! - [`verify`](mod@verify): the verification step (accept/reject, residual, bonus token; lossy and greedy).
//! - [`driver`]: full speculative decoding against two models given as closures.
//! - [`stats`]: acceptance `1 − TVD`, exact first-`i` acceptance masses and `E\[B\]`, the i.i.d.
//!   closed forms, speed-up and optimal `γ`, the on-policy TVD bound, the lossy output law.
//! - [`exact`]: the exact output law of the sampling process by enumeration (test oracle).
//! - [`toy`]: small target/draft language models and the toy DistillSpec experiment.
//! - [`experiments`]: the DS1, DS4, DS6, DS8, DS9, DS12, DS13 experiments and bounds (shared by
//!   the tests and the report).
//!
//! The divergences used to distil the draft live in [`crate::distill`].

pub mod driver;
pub mod exact;
pub mod experiments;
pub mod stats;
pub mod toy;
pub mod verify;

pub use driver::{speculative_decode, speculative_decode_with, warp, Decoded, SpecConfig};
pub use verify::{verify, verify_greedy, verify_with, AcceptRule, ResidualMode, Standard, Verdict};
