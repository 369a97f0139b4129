//! The report's sections, one file per paper (or kernel family). Each calls its paper module's
//! experiment functions; no paper module or kernel imports the report, so the library builds
//! without it (the `report` feature).

pub mod attention;
pub mod attsvm;
pub mod cascade;
pub mod ccmc;
pub mod embed_distill;
pub mod memorisation;
pub mod nexttoken;
pub mod pause;
pub mod prompt_attention;
pub mod resmem;
pub mod specdec;
pub mod supervision;
