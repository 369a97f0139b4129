//! Hostile inputs for `resmem` (see `tests/hostile/mod.rs` for the classes of bad input).
