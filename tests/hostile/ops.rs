//! Hostile inputs for `ops` (see `tests/hostile/mod.rs` for the classes of bad input).
