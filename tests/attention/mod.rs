//! Tests for `attnmech::attention`: the conformance suite per kernel (AK1–AK6), finite
//! differences (AK3), the FLOP convention (AK7), property tests, the `_into` buffers, and
//! negative controls (deliberately wrong kernels that the same checks reject).

mod finite_diff;
mod flops;
mod into_buffers;
mod negative;
mod packed_qkv;
mod properties;
pub mod suite;
mod user_mods;
pub mod wrong;
