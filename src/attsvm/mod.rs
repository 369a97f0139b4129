//! Att-SVM: the max-margin token-selection problem and the implicit bias of gradient descent on
//! attention (Tarzanagh, Li, Thrampoulidis, Oymak 2023; Tarzanagh, Li, Zhang, Oymak, NeurIPS 2023).
//!
//! - [`model`]: `f_W(X, z) = vᵀ Xᵀ softmax(X W z)`, logistic / exponential / correlation losses, the
//!   stable pairwise gradient, the prompt (p-)model and the `(K, Q)` parameterisation.
//! - [`svm`]: Att-SVM(α) (Frobenius on [`crate::qp`], nuclear by ADMM with singular-value
//!   thresholding), p-SVM, Gen-SVM and the SVM-equivalence `W^fin`, the local-optimality test.
//! - [`generators`]: seeded instances as in the authors' notebooks.
//! - [`experiments`]: the A4 and A5 experiments and bounds shared by the tests and the report.

pub mod experiments;
pub mod generators;
pub mod model;
pub mod svm;

pub use model::{Input, Loss, Problem};
