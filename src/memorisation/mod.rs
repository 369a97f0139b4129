//! Feldman memorisation scores across model sizes (Lukasik et al. 2023, arXiv 2310.05337).
//!
//! `mem(A, S, i) = Pr_{h~A(S)}[h(x_i) = y_i] - Pr_{h~A(S∖i)}[h(x_i) = y_i] ∈ [-1, 1]`.
//!
//! - [`estimator`]: the subsampling estimator with standard errors, its soft and influence
//!   variants (Feldman & Zhang 2020).
//! - [`subsets`]: uniform subsets as a membership matrix.
//! - [`exact`]: exact 1-NN memorisation and influence by subset combinatorics (the test oracle).
//! - [`trajectory`]: trajectory shapes across model sizes.
//! - [`proxies`]: hold-out accuracy, confidence, learning speed, input-loss curvature, Spearman ρ.
//! - [`distill`]: the distillation loss for students.
//! - [`toy`]: the random-feature mixture toy of the spec.
//! - [`experiments`]: the MM2 experiment and bound shared by the test and the report.

pub mod distill;
pub mod estimator;
pub mod exact;
pub mod experiments;
pub mod proxies;
pub mod subsets;
pub mod toy;
pub mod toy_experiments;
pub mod trajectory;

pub use distill::distillation_loss;
pub use estimator::{
    influence_estimate, memorisation_estimate, memorisation_estimate_soft, MemEstimate,
};
pub use exact::{
    exact_1nn_influence, exact_1nn_memorisation, first_selected_probs, one_nn_correctness,
};
pub use proxies::{input_loss_curvature, learning_speed, spearman};
pub use subsets::{sample_membership, subset_size};
pub use trajectory::{classify_trajectory, shape_counts, Shape};
