//! Hostile inputs for `ccmc` (see `tests/hostile/mod.rs` for the classes of bad input).
