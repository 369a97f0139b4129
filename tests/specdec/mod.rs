//! Tests for `attnmech::specdec` (to be filled in by its issue).
