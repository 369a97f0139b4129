//! Tests for `attnmech::nexttoken` (to be filled in by its issue).
