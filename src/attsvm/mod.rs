//! Att-SVM: the max-margin token-selection problem and the implicit bias of gradient descent on
//! attention (Tarzanagh et al. 2023).
//!
//! (Filled in by issue 3.)
