//! Tests for `attnmech::supervision` (to be filled in by its issue).
