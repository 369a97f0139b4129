//! Hostile inputs for `qp` (see `tests/hostile/mod.rs` for the classes of bad input).
