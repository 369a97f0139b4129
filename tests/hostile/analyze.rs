//! Hostile inputs for `analyze` (see `tests/hostile/mod.rs` for the classes of bad input).
