//! The margin bound used for the trade-off the paper describes (the standard RKHS-ball margin bound;
//! the paper's own constants are [R] and not encoded).
//!
//! For binary `f` in an RKHS ball of radius `B = sqrt(SC)`, with probability at least `1 − δ`,
//!
//! ```text
//! P(y f(x) ≤ 0) ≤ (1/n) Σ 1{y_i f(x_i) ≤ γ} + 2 B sqrt(tr K) / (γ n) + 3 sqrt(ln(2/δ) / (2n))
//! ```

use crate::error::{check_finite, check_nonempty, Error, Result};
use serde::Serialize;

/// The three terms of the margin bound and their sum.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct MarginBound {
    /// `(1/n) Σ 1{y_i f(x_i) ≤ γ}`: the training γ-margin error.
    pub margin_error: f64,
    /// `2 sqrt(SC · tr K) / (γ n)`: the complexity term.
    pub complexity: f64,
    /// `3 sqrt(ln(2/δ)/(2n))`: the confidence term.
    pub confidence: f64,
    /// The sum of the three: a bound on the test error `P(y f(x) ≤ 0)`.
    pub total: f64,
}

/// Evaluates the bound from the training margins `y_i f(x_i)` (length `n`), the margin `γ > 0`,
/// `SC ≥ 0`, `tr K ≥ 0` and `δ ∈ (0, 1)`.
pub fn margin_bound(
    margins: &[f64],
    gamma: f64,
    sc: f64,
    trace_k: f64,
    delta: f64,
) -> Result<MarginBound> {
    check_nonempty("margins", margins)?;
    check_finite("margins", margins)?;
    check_finite("margin_bound scalars", &[gamma, sc, trace_k, delta])?;
    if gamma <= 0.0 || sc < 0.0 || trace_k < 0.0 || !(delta > 0.0 && delta < 1.0) {
        return Err(Error::InvalidArgument {
            what: "margin_bound",
            reason: format!("need gamma > 0, sc >= 0, tr K >= 0, 0 < delta < 1; got {gamma}, {sc}, {trace_k}, {delta}"),
        });
    }
    let n = margins.len() as f64;
    let margin_error = margins.iter().filter(|&&m| m <= gamma).count() as f64 / n;
    let complexity = 2.0 * (sc * trace_k).sqrt() / (gamma * n);
    let confidence = 3.0 * ((2.0 / delta).ln() / (2.0 * n)).sqrt();
    Ok(MarginBound {
        margin_error,
        complexity,
        confidence,
        total: margin_error + complexity + confidence,
    })
}
