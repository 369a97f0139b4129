//! Fuzz bodies: library functions, so that `cargo test` replays seeded inputs and the committed
//! corpora on stable Rust (`tests/fuzz/`) and `fuzz/` (cargo-fuzz) drives the same code with
//! coverage feedback (`cargo fuzz run -s none <target>`).
//!
//! Each body decodes arbitrary bytes ([`bytes::Bytes`]) into one or more calls of a module's public
//! entry points, often with hostile arguments (NaN/±∞, the float extremes, subnormal temperatures,
//! sizes whose products overflow, out-of-range ids, wrong buffer lengths). The contract every body
//! checks:
//! - never a panic, abort or hang, whatever the bytes;
//! - every `Ok` result is finite (or what the function documents, e.g. `lse = −∞` for a row that
//!   sees no key);
//! - where a cheap oracle exists (an f64 reference, a residual, a law the result must obey), the
//!   result agrees with it.
//!
//! A violation panics with the decoded call, which is what the fuzzer detects. [`TARGETS`] lists
//! every body under its cargo-fuzz target name.

pub mod attention;
pub mod bytes;
pub mod linalg;
pub mod ops;

#[cfg(feature = "papers")]
pub mod analyze;
#[cfg(feature = "papers")]
pub mod attsvm;
#[cfg(feature = "papers")]
pub mod cascade;
#[cfg(feature = "papers")]
pub mod ccmc;
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

pub use attention::{attention, attention_with, decode, Problem};

/// A fuzz body: decodes the bytes, calls the library, panics on a contract violation.
pub type Body = fn(&[u8]);

/// Every fuzz body under its cargo-fuzz target name (`fuzz/fuzz_targets/<name>.rs`); the paper
/// modules' bodies only with the `papers` feature.
pub const TARGETS: &[(&str, Body)] = &[
    ("attention", attention::attention),
    ("linalg", linalg::linalg),
    ("ops", ops::ops),
    #[cfg(feature = "papers")]
    ("analyze_json", analyze::analyze_json),
    #[cfg(feature = "papers")]
    ("analyze_structured", analyze::analyze_structured),
    #[cfg(feature = "papers")]
    ("attsvm", attsvm::attsvm),
    #[cfg(feature = "papers")]
    ("cascade", cascade::cascade),
    #[cfg(feature = "papers")]
    ("ccmc", ccmc::ccmc),
    #[cfg(feature = "papers")]
    ("distill", distill::distill),
    #[cfg(feature = "papers")]
    ("embed_distill", embed_distill::embed_distill),
    #[cfg(feature = "papers")]
    ("memorisation", memorisation::memorisation),
    #[cfg(feature = "papers")]
    ("nexttoken", nexttoken::nexttoken),
    #[cfg(feature = "papers")]
    ("pause", pause::pause),
    #[cfg(feature = "papers")]
    ("prompt_attention", prompt_attention::prompt_attention),
    #[cfg(feature = "papers")]
    ("qp", qp::qp),
    #[cfg(feature = "papers")]
    ("resmem", resmem::resmem),
    #[cfg(feature = "papers")]
    ("specdec", specdec::specdec),
    #[cfg(feature = "papers")]
    ("supervision", supervision::supervision),
];
