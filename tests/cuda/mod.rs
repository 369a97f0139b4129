//! Tests for `attnmech::cuda` (to be filled in by its issue).
