//! Theorem checks for `attnmech::ccmc` (spec Part A, worked examples E1–E5).

mod asymmetric;
mod equivalence;
mod generation;
mod identifiability;
mod rest_point;
mod sample_complexity;
