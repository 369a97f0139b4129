//! Minimum-Frobenius-norm quadratic programs with rank-1 equality and inequality rows.
//!
//! (Filled in by issue 3.)
