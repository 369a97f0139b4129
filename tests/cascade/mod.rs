//! Tests for `attnmech::cascade` (to be filled in by its issue).
