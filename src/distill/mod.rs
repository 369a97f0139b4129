//! Distillation divergences between a teacher distribution and student logits (FKL, RKL, JSD\[β\],
//! TVD) with their gradients with respect to the student logits (DistillSpec, K1.1–K1.2).
//!
//! - [`divergence`]: the batched, one-pass-where-possible kernels, generic over [`crate::Float`].
//! - [`reference`](mod@reference): plain f64 oracles written straight from the formulas, for tests.

pub mod divergence;
mod lanes;
pub mod reference;

pub use divergence::{divergence_and_grad, divergence_only, Divergence, LOG_PROB_FLOOR};
