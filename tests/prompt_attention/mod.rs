//! Theorem checks for `attnmech::prompt_attention` (spec Part B).

mod gradients;
mod theory_checks;
