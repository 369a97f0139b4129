//! Theorem checks for `attnmech::nexttoken`, `attnmech::qp` and `attnmech::attsvm`
//! (spec `next_token_scc.md`). Each test names the claim, the hypothesis it sets up, the measured
//! quantity and the tolerance with its reason.

mod analyze;
mod attsvm;
mod claims;
mod common;
mod local;
mod model;
mod mutants;
mod one_hot;
mod props;
mod svm_equalities;
mod worked;
