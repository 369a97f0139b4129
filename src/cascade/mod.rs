//! Confidence-based and post-hoc cascade deferral (Jitkrittum et al. 2023, arXiv 2307.02764).
//!
//! A two-model cascade answers with `h1(x)` unless a deferral rule `r(x)` hands `x` to `h2`.
//! With `η_y(x) = P(y | x)` and the gain `g(x) = η_{h2(x)}(x) - η_{h1(x)}(x)`, the Lagrangian risk
//! `R_c(r) = P(y ≠ h(x)) + c P(r(x) = 1)` is minimised by `r*(x) = 1{g(x) > c}`. Confidence
//! deferral `1{max p1 < τ}` is optimal for every budget iff `E[g | s1]` is non-increasing in `s1`.
//!
//! - [`scores`]: confidence, margin, entropy; the probability-vector check.
//! - [`bayes`]: [`FiniteCascade`], the Bayes rule (threshold and budget forms), plug-in regret.
//! - [`curve`]: deferral curves, their area, oracle and random curves.
//! - [`posthoc`]: ridge post-hoc deferral on Diff-01 / Diff-Prob targets.
//! - [`stages`]: two-model and stage-wise K-model cascades and their cost.
//! - [`instances`]: the spec's tiny instances.
//! - [`experiments`]: the CD4–CD7 experiments and bounds (shared by the tests and the report).

pub mod bayes;
pub mod curve;
pub mod experiments;
pub mod instances;
pub mod posthoc;
pub mod scores;
pub mod stages;

pub use bayes::{bayes_rule, budget_rule, plugin_regret, FiniteCascade, PluginRegret};
pub use curve::{deferral_curve, oracle_curve, random_curve, DeferralCurve};
pub use posthoc::{diff01_targets, diffprob_targets, PostHocDeferral};
pub use scores::{confidence, deferral_scores, entropy, margin, Score};
pub use stages::{run_cascade, two_model_predict, CascadeRun};
