//! Tests for `attnmech::ccmc` (to be filled in by its issue).
