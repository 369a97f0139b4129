//! The constructive capacity illustration of pause tokens: a hand-built two-layer attention network
//! whose output is correct exactly when inputs plus pauses give enough positions for the lookups.
//!
//! # Construction
//! Task: output `Σ_{k<K} v_k` for a key-value memory of `K` facts (`key_k = e_k`, value `v_k`).
//! With `N` inputs and `M` pauses there are `P = N + M` positions; each position holds one query
//! (one head per layer), which is the bottleneck the paper's appendix points at \[R\].
//! - Layer 1 (cross-attention to the memory, `d = K + 1`): position `j` queries `s·e_{min(j, K)}`
//!   with `s = 60`, so it retrieves fact `j` if `j < K` and the null slot `K` (value 0) otherwise;
//!   the softmax leak is `≤ K e^{−60} ≈ 1e-25`.
//! - Layer 2 (causal self-attention): the last position has query 0, so it averages the `P`
//!   retrieved values; the readout multiplies by `P`.
//!
//! The output is `Σ_{k < min(K, P)} v_k`: correct iff `N + M ≥ K` (for generic values). Both layers
//! run on [`crate::attention::forward`].

use crate::attention::{self, Options, Shape};
use crate::error::{
    check_cap, check_finite, check_finite_scalar, check_nonempty, checked_add, checked_elems,
    Error, Result,
};

/// Query sharpness of layer 1.
const SHARPNESS: f64 = 60.0;

/// The most positions `N + M` [`lookup_sum`] builds: layer 2 is a `P × P` attention, so a
/// representable but huge `P` (2³¹) would allocate and run for ever rather than fail.
pub const MAX_LOOKUP_POSITIONS: usize = 1 << 12;
/// The most facts `K` [`lookup_sum`] builds (its keys and values are `(K + 1)²` each).
pub const MAX_LOOKUP_FACTS: usize = 1 << 10;

/// The network's output for memory `values` (`K = values.len()`) with `inputs + pauses` positions.
///
/// # Errors
/// `Empty`/`NonFinite` for `values`; `Overflow` when `inputs + pauses` does not fit in `usize`;
/// `TooLarge` over [`MAX_LOOKUP_POSITIONS`] or [`MAX_LOOKUP_FACTS`]; `InvalidArgument` for no
/// position; `NonFinite` (`"lookup_sum output (overflow from finite values)"`) when finite values
/// near `f64::MAX` overflow the sum.
pub fn lookup_sum(values: &[f64], inputs: usize, pauses: usize) -> Result<f64> {
    check_nonempty("values", values)?;
    check_finite("values", values)?;
    let (k, p) = (
        values.len(),
        checked_add("inputs + pauses", inputs, pauses)?,
    );
    check_cap("inputs + pauses", p, MAX_LOOKUP_POSITIONS)?;
    check_cap("values (facts K)", k, MAX_LOOKUP_FACTS)?;
    if p == 0 {
        return Err(Error::InvalidArgument {
            what: "inputs + pauses",
            reason: "need at least one position".into(),
        });
    }
    let d = k + 1;
    // Both sizes come from the arguments: check them before allocating.
    let q_elems = checked_elems("q: (inputs + pauses)·(K + 1)", &[p, d])?;
    checked_elems("keys: (K + 1)²", &[d, d])?;
    let mut q = vec![0.0; q_elems];
    for j in 0..p {
        q[j * d + j.min(k)] = SHARPNESS;
    }
    let mut keys = vec![0.0; (k + 1) * d];
    let mut vals = vec![0.0; (k + 1) * d];
    for slot in 0..=k {
        keys[slot * d + slot] = 1.0;
        if slot < k {
            vals[slot * d] = values[slot];
        }
    }
    let scale = Some(1.0);
    let l1 = attention::forward(
        &q,
        &keys,
        &vals,
        Shape {
            batch: 1,
            heads: 1,
            q_len: p,
            kv_len: k + 1,
            head_dim: d,
        },
        &Options::new().scale_opt(scale),
    )?;
    let zeros = vec![0.0; p * d];
    let l2 = attention::forward(
        &zeros,
        &zeros,
        &l1.out,
        Shape {
            batch: 1,
            heads: 1,
            q_len: p,
            kv_len: p,
            head_dim: d,
        },
        &Options::new().causal(true).scale_opt(scale),
    )?;
    let y = p as f64 * l2.out[(p - 1) * d];
    check_finite_scalar("lookup_sum output (overflow from finite values)", y)?;
    Ok(y)
}

/// The task's answer `Σ_k v_k`.
pub fn lookup_target(values: &[f64]) -> f64 {
    values.iter().sum()
}
