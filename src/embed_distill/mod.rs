//! EmbedDistill: embedding-matching distillation for retrieval (Kim, Rawat, Zaheer, Jayasumana,
//! Sadhanala, Jitkrittum, Menon, Fergus, Kumar; ICML 2023, arXiv 2301.12005).
//!
//! Beyond distilling a teacher's scores, match the student's query/document embeddings to the
//! teacher's. The mechanism is the score-gap bound
//! `|⟨q_t,d_t⟩ − ⟨q_s,d_s⟩| ≤ ‖q_t−q_s‖‖d_t‖ + ‖q_s‖‖d_t−d_s‖`: small embedding mismatch forces small
//! score gaps and hence (for a Lipschitz ranking loss) a small loss gap.
//!
//! - [`scoring`]: dual-encoder (inner product / cosine) and dual-pooling cross-encoder scorers.
//! - [`losses`]: softmax-CE and margin-MSE score distillation, label CE, with score gradients.
//! - [`matching`]: L2 embedding matching with an optional learned projection.
//! - [`student`]: the asymmetric student (inherited document tower) and the spec's tiny instance.
//! - [`bound`]: the score gap and its bounds.
//! - `real_text` (feature `models`): the comparison on real sentences, MiniLM teaching a small
//!   transformer trained with the crate's backward.

pub mod bound;
pub mod experiments;
pub mod losses;
pub mod matching;
#[cfg(feature = "models")]
pub mod real_text;
pub mod scoring;
pub mod student;

pub use bound::{score_gap_and_bound, score_gap_radius_bound};
pub use losses::{label_ce, margin_mse, softmax_ce, ScoreLoss};
pub use matching::{l2_match, MatchLoss};
pub use scoring::{cosine_scores, dual_encoder_scores, DualPoolingCrossEncoder, PairEncoding};
pub use student::{
    asymmetric_student_loss, run_asymmetric, AsymmetricConfig, AsymmetricTrainer, StudentQuality,
};
