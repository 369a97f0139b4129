//! Tests for `attnmech::fuzz` (to be filled in by its issue).
