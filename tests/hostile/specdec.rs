//! Hostile inputs for `specdec` (see `tests/hostile/mod.rs` for the classes of bad input).
