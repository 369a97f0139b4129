//! Hostile inputs for `prompt_attention` (see `tests/hostile/mod.rs` for the classes of bad input).
