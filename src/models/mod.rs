//! A real transformer on attnmech's kernels (feature `models`): BERT-style encoder or causal
//! decoder with exact hand-written backward, safetensors/tokenizer loading for
//! all-MiniLM-L6-v2, and one training step (AdamW, clipping, seeded data order) for every
//! experiment.
//!
//! - [`config`]: sizes, parsed from a Hugging Face `config.json`.
//! - [`params`]: every tensor as a named field, Hugging Face names and layouts.
//! - [`transformer`]: forward and backward over a packed [`batch::Batch`] (no padding in the
//!   linear layers; attention masks padded keys with the kernel's per-batch valid key length).
//! - Layers, each with forward and backward: [`linear`], [`layer_norm`], [`gelu`] (exact erf),
//!   [`attention`], [`embedding`], [`pooling`] (mean + L2 normalisation).
//! - [`load`]: safetensors weights and `tokenizer.json`, validated against the config.
//! - [`train`]: AdamW with global-norm clipping and seeded data order.
//! - [`text`]: short real English sentences from Debian's `fortunes` files.
//!
//! Design, parity numbers and speed: `proofs-notes/models.md`.

pub mod attention;
pub mod batch;
pub mod config;
pub mod embedding;
pub mod gelu;
mod gemm;
pub mod layer_norm;
pub mod linear;
pub mod load;
pub mod params;
pub mod pooling;
pub mod text;
pub mod train;
pub mod transformer;

pub use batch::Batch;
pub use config::Config;
pub use load::{default_model_dir, MiniLm};
pub use params::Params;
pub use transformer::Transformer;
