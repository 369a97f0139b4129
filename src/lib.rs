//! # attnmech
//!
//! Hand-written numerical kernels for attention and next-token-prediction models, each checked
//! against the theorems of the paper it implements.
//!
//! - [`attention`]: scaled dot-product attention forward/backward: an f64 reference oracle and
//!   FlashAttention-2-style tiled CPU kernels (f32, f64), plus CUDA kernels behind the `cuda` feature.
//! - One module per paper: [`nexttoken`], [`attsvm`], [`qp`], [`ccmc`], [`prompt_attention`],
//!   [`distill`], [`specdec`], [`pause`], [`cascade`], [`resmem`], [`memorisation`],
//!   [`supervision`], [`embed_distill`].
//! - [`report`]: the `attnmech reproduce` report that re-runs the papers' experiments.
//!
//! Every public function that can be handed bad input returns [`Result`] with the crate's
//! [`Error`]; nothing panics on user data. Every random draw comes from an explicit seed
//! ([`rng::seeded`]).

#![warn(missing_docs)]

pub mod attention;
pub mod error;
pub mod float;
pub mod report;
pub mod rng;
pub(crate) mod simd;

pub mod attsvm;
pub mod cascade;
pub mod ccmc;
pub mod cuda;
pub mod distill;
pub mod embed_distill;
pub mod fuzz;
pub mod memorisation;
#[cfg(feature = "models")]
pub mod models;
pub mod nexttoken;
pub mod pause;
pub mod prompt_attention;
pub mod qp;
pub mod resmem;
pub mod specdec;
pub mod supervision;
pub mod vector_state;

pub use error::{Error, Result};
pub use float::Float;

/// The README's code examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
