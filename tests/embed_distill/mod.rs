//! Tests for `attnmech::embed_distill` (to be filled in by its issue).
