//! Prompt-attention versus linear prompt-attention and self-attention (Oymak et al., ICML 2023).
//!
//! # Models (spec B1), input `X ∈ R^{T×d}`, label `y ∈ {±1}`
//! - softmax prompt-attention `f_PA = vᵀ Xᵀ softmax(X q)` (trainable prompt `q = W p`, head `v`);
//! - linear prompt-attention `f_LPA = vᵀ Xᵀ X q / T`;
//! - softmax self-attention `f_SA = vᵀ (1/T) Σ_t Xᵀ softmax(X W x_t)` (params `W`, `v`);
//! - mean-pool baseline `f_mean = vᵀ x̄` (= PA at `q = 0`).
//!
//! The softmax models are single attention calls of [`crate::attention`] batched over samples
//! (forward and backward); the linear ones are closed forms.
//!
//! # Files
//! - [`models`]: the four models with parameter gradients.
//! - [`data`]: the contextual-mixture generator (B2).
//! - [`train`]: losses, full-batch GD / Adam, accuracy, the two GD steps from zero (B4).
//! - [`theory`]: the closed forms of B3–B5 (margins, `Γ⋆`, alignment, test-error formulas).
//! - [`experiments`]: the B3, B5, B6.3, B6.5 experiments and bounds (shared by the tests and the
//!   report).
//! - its report section lives in `crate::report::sections::prompt_attention`.

pub mod data;
pub mod experiments;
pub mod models;
pub mod theory;
pub mod train;
