//! Pause tokens: delayed next-token prediction ("Think before you speak", Goyal et al., ICLR 2024).
//!
//! A learnable `<pause>` token outside the vocabulary (one extra embedding row) is inserted so the
//! model gets extra positions — extra parallel computation per layer — before it must answer.
//! Outputs at pause positions are ignored in training (loss mask) and not decoded at inference.
//!
//! - [`sequence`]: fine-tuning and pretraining sequences with pauses (append/prepend, filler),
//!   loss masks.
//! - [`loss`]: the masked next-token loss and its gradient with respect to the logits.
//! - [`inference`]: pause inference input and delayed output extraction.
//! - [`prefix_lm`]: a prefix-LM attention mask (bidirectional over the prefix, causal after) built
//!   from the crate's attention kernels.
//! - [`tiny`]: a tiny attention language model (f64) with exact gradients through the kernels, for
//!   the structural checks.
//! - [`capacity`]: the constructive capacity illustration (output correct iff N + M ≥ K).
//! - [`experiments`]: the PT2–PT5 and capacity protocols and bounds shared by the tests and the
//!   report.

pub mod capacity;
pub mod experiments;
pub mod inference;
pub mod loss;
pub mod prefix_lm;
pub mod sequence;
pub mod tiny;

pub use sequence::{
    finetune_sequence, pretrain_sequence, Delay, DelayToken, PauseSequence, Placement,
};
