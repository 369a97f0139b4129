//! # attnmech
//!
//! Hand-written numerical kernels for attention and next-token-prediction models, each checked
//! against the theorems of the paper it implements.
//!
//! - [`attention`]: scaled dot-product attention forward/backward: an f64 reference oracle and
//!   FlashAttention-2-style tiled CPU kernels (f32, f64), plus CUDA kernels behind the `cuda` feature.
//! - [`ops`]: softmax / log-softmax / log-sum-exp at a temperature, argmax, distribution checks,
//!   KL and the KD loss, written once and generic over [`Float`]; [`linalg`]: GEMM, Cholesky, ridge
//!   and decompositions on faer's [`linalg::Mat`], with the vector-state fix in one place.
//! - One module per paper: [`nexttoken`], [`attsvm`], [`qp`], [`ccmc`], [`prompt_attention`],
//!   [`distill`], [`specdec`], [`pause`], [`cascade`], [`resmem`], [`memorisation`],
//!   [`supervision`], [`embed_distill`].
//! - [`claims`]: the registry of every paper claim (id, statement, tag, experiment, test, note).
//! - [`report`]: the `attnmech reproduce` report that re-runs the papers' experiments.
//!
//! Every public function that can be handed bad input returns [`Result`] with the crate's
//! [`Error`]; nothing panics on user data. Every random draw comes from an explicit seed
//! ([`rng::seeded`]).

#![warn(missing_docs)]

pub mod attention;
pub mod cuda;
pub mod error;
pub mod float;
pub mod fuzz;
pub mod linalg;
#[cfg(feature = "models")]
pub mod models;
pub mod ops;
pub mod rng;
pub(crate) mod simd;
pub mod vector_state;

#[cfg(feature = "report")]
pub mod report;

#[cfg(feature = "papers")]
pub mod attsvm;
#[cfg(feature = "papers")]
pub mod cascade;
#[cfg(feature = "papers")]
pub mod ccmc;
#[cfg(feature = "papers")]
pub mod claims;
#[cfg(feature = "papers")]
pub mod distill;
#[cfg(feature = "papers")]
pub mod embed_distill;
#[cfg(feature = "papers")]
pub mod memorisation;
#[cfg(feature = "papers")]
pub mod nexttoken;
#[cfg(feature = "papers")]
pub mod pause;
#[cfg(feature = "papers")]
pub mod prompt_attention;
#[cfg(feature = "papers")]
pub mod qp;
#[cfg(feature = "papers")]
pub mod resmem;
#[cfg(feature = "papers")]
pub mod specdec;
#[cfg(feature = "papers")]
pub mod supervision;

pub use error::{Error, Result};
pub use float::Float;

/// The matrix library of the public signatures (`faer::Mat`, `MatRef`, ...), re-exported so a
/// dependent uses the same version.
pub use faer;

/// The README's code examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
