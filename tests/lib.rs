//! The whole `cargo test` suite as one test binary (fast linking): one submodule per kernel family
//! or paper.

mod attention;
#[cfg(feature = "papers")]
mod cascade;
#[cfg(feature = "papers")]
mod ccmc;
#[cfg(feature = "papers")]
mod claims;
mod cuda;
#[cfg(feature = "papers")]
mod embed_distill;
mod fuzz;
mod hostile;
#[cfg(feature = "papers")]
mod memorisation;
#[cfg(feature = "papers")]
mod nexttoken;
mod ops;
#[cfg(feature = "papers")]
mod pause;
#[cfg(feature = "papers")]
mod prompt_attention;
#[cfg(feature = "report")]
mod report;
#[cfg(feature = "papers")]
mod resmem;
#[cfg(feature = "papers")]
mod specdec;
#[cfg(feature = "papers")]
mod special;
#[cfg(feature = "papers")]
mod stats;
#[cfg(feature = "papers")]
mod supervision;
