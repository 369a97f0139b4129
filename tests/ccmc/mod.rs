//! Theorem checks for `attnmech::ccmc` (spec Part A, worked examples E1–E5).

mod equivalence;
mod generation;
mod identifiability;
mod sample_complexity;
