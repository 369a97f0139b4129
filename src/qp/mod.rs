//! Minimum-Frobenius-norm quadratic programs with rank-1 equality and inequality rows.
//!
//! The graph-SVM, Att-SVM(α), Gen-SVM and the min-norm equality systems of the next-token papers
//! are all instances of
//!
//! ```text
//! min ½‖W‖_F²   s.t.   u_rᵀ W v_r = b_r  (equality rows),   u_rᵀ W v_r ≥ b_r  (inequality rows),
//! ```
//!
//! with `W ∈ R^{d1×d2}` and every constraint matrix `A_r = u_r v_rᵀ` of rank one. [`MinNormProblem`]
//! collects the rows (exact duplicates are dropped), and [`MinNormProblem::solve`] runs Hildreth's
//! dual coordinate ascent: `W = Σ_r λ_r A_r` and each sweep sets
//! `λ_r ← λ_r + (b_r − <A_r, W>)/‖A_r‖²`, clamped at 0 for inequality rows. An infeasible program
//! is reported as [`crate::Error::Infeasible`] (the multipliers grow without bound while the
//! violation stalls: a Farkas certificate in the limit).

pub mod hildreth;
pub mod mat;

pub use hildreth::{Kkt, MinNormProblem, Options, RowKind, Solution};
pub use mat::Mat;
