//! Hostile inputs for `simd_rng` (see `tests/hostile/mod.rs` for the classes of bad input).
