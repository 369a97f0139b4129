//! Tests for `attnmech::prompt_attention` (to be filled in by its issue).
