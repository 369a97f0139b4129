//! Tests for `attnmech::memorisation` (to be filled in by its issue).
