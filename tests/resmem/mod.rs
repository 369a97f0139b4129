//! Tests for `attnmech::resmem` (to be filled in by its issue).
