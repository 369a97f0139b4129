//! ResMem: k-nearest-neighbour memorisation of residuals (Yang et al. 2023, arXiv 2302.01576).
//!
//! Fit a base model `f`; store its training residuals `r_i = y_i - f(x_i)` (regression) or
//! `r_i = e_{y_i} - softmax(f(x_i)/T)` (classification); predict
//! `f_RM(x) = f(x) + Σ_{i ∈ N_k(x)} w_i(x) r_i` with `w_i ∝ exp(-‖φ(x) - φ(x_i)‖₂ / σ)` over the `k`
//! nearest training embeddings.
//!
//! - [`knn`]: the [`NeighbourIndex`] trait, exact blocked-GEMM [`BruteForce`] search and the f64
//!   oracle [`knn_reference`].
//! - [`residual`]: regression and classification residuals.
//! - [`predictor`]: [`soft_weights`] and the [`ResMem`] predictor.
//! - [`toy`]: the spec's tiny instances (memorisation, stylised-regression rate).
//! - [`experiments`]: the RM5 rate sweep and bound shared by the test and the report.

pub mod experiments;
pub mod knn;
pub mod predictor;
pub mod residual;
pub mod toy;

pub use knn::{knn_reference, BruteForce, KnnParams, NeighbourIndex, Neighbours};
pub use predictor::{soft_weights, ResMem};
pub use residual::{classification_residuals, regression_residuals};
