//! The whole `cargo test` suite as one test binary (fast linking): one submodule per kernel family
//! or paper.

mod attention;
mod cascade;
mod ccmc;
mod cuda;
mod embed_distill;
mod fuzz;
mod memorisation;
mod nexttoken;
mod pause;
mod prompt_attention;
mod report;
mod resmem;
mod specdec;
mod special;
mod supervision;
