//! Hostile inputs for `memorisation` (see `tests/hostile/mod.rs` for the classes of bad input).
