//! Tests for `attnmech::pause` (to be filled in by its issue).
