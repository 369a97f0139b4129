//! Theorem checks for `attnmech::prompt_attention` (spec Part B).

mod exact_error;
mod gradients;
mod mutants;
mod theory_checks;
