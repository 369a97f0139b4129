//! Hostile inputs for `pause` (see `tests/hostile/mod.rs` for the classes of bad input).
