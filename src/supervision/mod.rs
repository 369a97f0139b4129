//! Supervision complexity in knowledge distillation (Harutyunyan, Rawat, Menon, Kim, Kumar;
//! ICLR 2023, arXiv 2301.12245).
//!
//! The supervision complexity of targets `Y` (`n × C`) under a student's NTK Gram `K` (`n × n`) is
//!
//! ```text
//! SC(Y, K) = tr(Yᵀ K⁻¹ Y) = ‖L⁻¹ Y‖²_F  (K = L Lᵀ)  = Σ_j ‖u_jᵀ Y‖² / λ_j  = ‖K(·,X) K⁻¹ Y‖²_H
//! ```
//!
//! the squared RKHS norm of the minimum-norm interpolant of the targets. Smooth teacher targets
//! (high temperature, early checkpoints) are cheap; random labels are expensive.
//!
//! - [`complexity`]: [`GramFactor`] (Cholesky through faer, failing pivot reported), the eigen and
//!   RKHS-norm forms, the Rademacher term `sqrt(SC·tr K)/n`.
//! - [`ntk`]: the analytic two-layer ReLU NTK and a finite two-layer network whose empirical NTK is
//!   assembled from per-example gradients.
//! - [`targets`]: teacher probabilities at a temperature, argmax one-hot, centring, distribution
//!   checks and the τ²-scaled KD loss with its gradient.
//! - [`bound`]: the margin bound and its three terms.
//! - [`online`]: online vs offline distillation on a random-features student.
//! - [`experiments`]: the SC1, SC4–SC8 protocols and bounds shared by the tests and the report.

pub mod bound;
pub mod complexity;
pub mod experiments;
pub mod ntk;
pub mod online;
pub mod targets;

pub use bound::{
    linear_teacher_bound, margin_bound, LinearTeacherConfig, LinearTeacherOutcome, MarginBound,
};
pub use complexity::{
    interpolant_rkhs_norm_sq, rademacher_term, supervision_complexity,
    supervision_complexity_eigen, GramFactor,
};
pub use ntk::{relu_ntk_cross, relu_ntk_gram, TwoLayerRelu};
pub use online::{run_distillation, DistillConfig, DistillOutcome};
pub use targets::{argmax_one_hot, centre, kd_loss_and_grad, one_hot, teacher_probabilities};
