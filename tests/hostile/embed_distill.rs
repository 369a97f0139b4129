//! Hostile inputs for `embed_distill` (see `tests/hostile/mod.rs` for the classes of bad input).
