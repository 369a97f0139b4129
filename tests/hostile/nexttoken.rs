//! Hostile inputs for `nexttoken` (see `tests/hostile/mod.rs` for the classes of bad input).
