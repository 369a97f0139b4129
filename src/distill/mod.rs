//! Distillation divergences between a teacher distribution and student logits (FKL, RKL, JSD, TVD)
//! with their gradients.
//!
//! (Filled in by issue 5.)
