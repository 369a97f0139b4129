//! Hostile inputs for `attention` (see `tests/hostile/mod.rs` for the classes of bad input).
