//! Hostile inputs for `cascade` (see `tests/hostile/mod.rs` for the classes of bad input).
