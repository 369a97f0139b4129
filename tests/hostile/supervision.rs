//! Hostile inputs for `supervision` (see `tests/hostile/mod.rs` for the classes of bad input).
