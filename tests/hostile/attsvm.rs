//! Hostile inputs for `attsvm` (see `tests/hostile/mod.rs` for the classes of bad input).
