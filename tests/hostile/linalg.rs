//! Hostile inputs for `linalg` (see `tests/hostile/mod.rs` for the classes of bad input).
