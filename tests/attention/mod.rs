//! Tests for `attnmech::attention` (to be filled in by its issue).
