//! Next-token prediction with one self-attention layer (Li, Huang, Ildiz, Rawat, Oymak, AISTATS
//! 2024): token-priority graphs, their SCCs, the graph-SVM (directional component), the cyclic
//! subspace `S_fin` and the finite component `W^fin`, and the implicit bias of gradient descent
//! `W(τ) ≈ W^fin + R(τ) W^svm`.
//!
//! - [`dataset`]: validated data (`Dataset`, `Embeddings`, `Sample`).
//! - [`model`]: scores, attention, log-loss, stable gradient (pitfall P1), Hessian.
//! - [`graph`]: token-priority graphs, iterative Tarjan SCCs, condensation heights.
//! - [`svm`]: graph-SVM and min-norm equality systems on [`crate::qp`].
//! - [`finite`]: `S_fin`, projections, `W^fin` by Newton and by Luce MLE.
//! - [`one_hot`]: the same two programs split per query column when `E = I` (what `analyze` runs).
//! - [`optim`]: GD, normalized GD, ridge path.
//! - [`metrics`], [`generators`], [`analyze`] (the `attnmech analyze` command).
//! - [`experiment`]: the authors' global-convergence driver; [`experiments`]: the claims'
//!   protocols and bounds (C2, C3, C4, C6), shared by the tests and the report.

pub mod analyze;
pub mod dataset;
pub mod experiment;
pub mod experiments;
pub mod finite;
pub mod generators;
pub mod graph;
pub mod local;
pub mod metrics;
pub mod model;
pub mod one_hot;
pub mod optim;
pub mod svm;
pub mod worked;

pub use analyze::{analyze_json, analyze_json_with, Limits, Progress};
pub use dataset::{Dataset, Embeddings, Sample};
