//! Self-attention as a context-conditioned Markov chain (CCMC; Ildiz et al., ICML 2024).
//!
//! # Model (spec A1–A2)
//! Vocabulary `\[K\]`, token embeddings `E ∈ R^{K×d}` (row `e_k`), one key·query matrix `W ∈ R^{d×d}`,
//! an output head `C ∈ R^{K×d}` with `C Eᵀ = I_K` (so `K ≤ d`). The last token of a prompt attends
//! to every token (itself included) and the head turns the attention output into a distribution:
//!
//! ```text
//! P(y = k | X) = m_k e^{W̄[k, j]} / Σ_l m_l e^{W̄[l, j]},   W̄ = E W Eᵀ,  j = last token,
//! ```
//!
//! `m_k` the count of token `k` in the prompt. `W̄[k, j]` is the score of **key** token `k` when the
//! **query** (last) token is `j` (this orientation is used throughout). Only `(m, j)` matters.
//!
//! # Files
//! - [`kernel`]: the stable log-softmax every part of this module uses, the transition kernel
//!   (logits `ln m_k + W̄[k, j]`, −∞ where `m_k = 0`), batched over prompts, the base chain, gauge
//!   utilities, the `W ↔ W̄` map and the positional-encoding variant (A3).
//! - [`attention_model`]: the attention layer itself, evaluated through
//!   [`crate::attention`] (the oracle the CCMC formula is checked against).
//! - [`data`]: teacher–student prompts and a per-column sufficient-statistic data set.
//! - [`sampling`]: next-token sampling and single-trajectory generation (growing context or sliding
//!   window) with incremental counts.
//! - [`coverage`]: identifiability (A4, graph and Hessian-nullity forms) and finite-MLE existence (A5).
//! - [`mle`]: the convex MLE, separable per query column, by damped Newton with gauge fixing.
//! - [`experiments`]: seeded experiment drivers shared by the tests and the report.
//! - [`winner`]: winner-takes-all tools (A7): fitness, single-winner criterion, exact absorption.
//! - [`rest_point`]: the mean-field rest point `π = stationary(Q_π)` on a support (A7.3), re-exported
//!   as [`winner::rest_point`].
//! - its report section lives in `crate::report::sections::ccmc`.

pub mod attention_model;
pub mod coverage;
pub mod data;
pub mod experiments;
pub mod kernel;
pub mod mle;
pub mod rest_point;
pub mod sampling;
pub mod winner;

pub use kernel::Wbar;
