//! The numerics every paper module shares, written once and generic over [`Float`](crate::Float):
//! softmax / log-softmax / log-sum-exp at a temperature, argmax, probability-row checks, KL and the
//! KD loss, temperature validation, and NaN-propagating worst cases.
//!
//! Layer order: paper modules → `ops`/[`linalg`](crate::linalg) → attention kernels → core
//! (`error`, `float`). Nothing here imports a paper module.
//!
//! Conventions (every function): `−∞` logits are masks (probability 0); a row of only `−∞` has
//! `logsumexp = −∞`, log-probabilities `−∞`, probabilities `0` (never NaN); ties in argmax go to the
//! lowest index; `0·ln 0 = 0`. Temperatures must be finite, positive and have a finite reciprocal
//! ([`check_temperature`]); validating entry points also reject a `z/τ` that overflows.

pub mod argmax;
pub mod distribution;
pub mod divergence;
pub mod kl;
pub mod reduce;
pub mod softmax;
pub mod special;
pub mod temperature;

pub use argmax::{argmax, argmax_rows};
pub use distribution::{check_distribution_row, check_distributions, normalisation_tolerance};
pub use divergence::{Divergence, LOG_PROB_FLOOR};
pub use kl::{kd_row, kl_divergence, KdRow};
pub use reduce::{max_propagating_nan, min_propagating_nan};
pub use softmax::{
    log_softmax, log_softmax_in_place, log_softmax_into, logsumexp, softmax, softmax_in_place,
    softmax_into, softmax_rows, softmax_to_vec,
};
pub use temperature::{check_scaled_logits, check_temperature};
