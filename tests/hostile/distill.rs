//! Hostile inputs for `distill` (see `tests/hostile/mod.rs` for the classes of bad input).
