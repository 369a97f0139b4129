//! The verification step of speculative decoding (K1.4): accept or reject γ drafted tokens against
//! the target distributions at γ+1 positions, then emit a correction or bonus token.
//!
//! # Algorithm (Leviathan et al. 2023; Chen et al. 2023; lossy variant of DistillSpec)
//! For `i = 1..γ`: draw `u ~ U(0, 1]` and accept `y_i` iff `ln u ≤ ln a_i`, with acceptance
//! probability `a_i = min(1, f(p_i(y_i), ε) / q_i(y_i))` and `f(p, ε) = p / ε` (`ε = 1`: lossless).
//! On the first rejection emit `z ~ r_i = norm(w(p_i, q_i))` and stop, where the residual weight is
//! `w = max(0, p − q)` ([`ResidualMode::PMinusQ`], the default) or `max(0, p − ε q)`
//! ([`ResidualMode::PMinusEpsQ`]). If every draft is accepted emit the bonus `z ~ p_{γ+1}`.
//! If the residual mass is zero (then rejection has probability zero up to rounding) `z ~ p_i`.
//!
//! Comparisons are made in log space (`ln u ≤ ln f − ln q`), with `u` drawn in `(0, 1]` so a zero
//! target probability is never accepted. Greedy decoding (`T = 0`) is [`verify_greedy`]: accept iff
//! `y_i = argmax p_i` (lowest index on ties), emit `argmax p_i` on rejection.
//!
//! The rule is a trait ([`AcceptRule`]) so that the exact enumerator and the tests run deliberately
//! wrong rules (mutants) through the very same code path.
//!
//! # Layout
//! `draft_probs` is `[γ, V]` (row `i` is `q_{i+1}`), `target_probs` is `[γ + 1, V]`, row-major.

use crate::error::{check_ids, check_len, checked_elems, Error, Result};
use crate::float::Float;
use crate::simd::rows::{probability_row, ProbabilityRow};
use rand::Rng;
use rayon::prelude::*;

/// What the verifier is allowed to change: the acceptance probability and the residual.
pub trait AcceptRule {
    /// `ln` of the probability of accepting a drafted token with target probability `p` and draft
    /// probability `q > 0` (a value `≤ 0`; `−∞` never accepts).
    fn log_accept(&self, p: f64, q: f64) -> f64;
    /// Unnormalised residual weight of a token with target `p` and draft `q`.
    fn residual_weight(&self, p: f64, q: f64) -> f64;
    /// Whether the residual weights are divided by their sum before sampling (a correct rule: yes).
    fn normalises_residual(&self) -> bool {
        true
    }
}

/// Which residual a lossy verifier samples from after a rejection.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ResidualMode {
    /// `norm(max(0, p − q))` (Leviathan; exact when `ε = 1`).
    #[default]
    PMinusQ,
    /// `norm(max(0, p − ε q))`.
    PMinusEpsQ,
}

/// The standard (lossless at `ε = 1`) rule with lenience `ε ∈ (0, 1]`: accept with
/// `min(1, p / (ε q))`, residual by [`ResidualMode`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Standard {
    /// Lenience `ε ∈ (0, 1]`; `1` is exact speculative decoding.
    pub lenience: f64,
    /// Residual after a rejection.
    pub residual: ResidualMode,
}

impl Standard {
    /// The exact (lossless) rule.
    pub const EXACT: Standard = Standard {
        lenience: 1.0,
        residual: ResidualMode::PMinusQ,
    };

    /// A lossy rule; `Err` unless `0 < lenience ≤ 1` (NaN rejected).
    pub fn lossy(lenience: f64, residual: ResidualMode) -> Result<Self> {
        if !(lenience > 0.0 && lenience <= 1.0) {
            return Err(Error::InvalidArgument {
                what: "lenience",
                reason: format!("must lie in (0, 1], got {lenience}"),
            });
        }
        Ok(Standard { lenience, residual })
    }
}

impl AcceptRule for Standard {
    #[inline]
    fn log_accept(&self, p: f64, q: f64) -> f64 {
        (p.ln() - self.lenience.ln() - q.ln()).min(0.0)
    }
    #[inline]
    fn residual_weight(&self, p: f64, q: f64) -> f64 {
        match self.residual {
            ResidualMode::PMinusQ => (p - q).max(0.0),
            ResidualMode::PMinusEpsQ => (p - self.lenience * q).max(0.0),
        }
    }
}

/// Outcome of one verification step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    /// Number `n ∈ 0..=γ` of drafted tokens accepted.
    pub accepted: usize,
    /// Emitted tokens: the `n` accepted drafts followed by one correction (or bonus) token.
    pub tokens: Vec<usize>,
}

/// Checks `probs` is `[rows, vocab]` with finite, non-negative rows summing to one.
///
/// Rows are checked in parallel by the vectorised [`crate::simd::rows::probability_row`] (the
/// error reported is the first in row order, whatever the thread count).
pub(crate) fn check_distributions<T: Float>(
    what: &'static str,
    probs: &[T],
    rows: usize,
    vocab: usize,
) -> Result<()> {
    check_len(what, checked_elems(what, &[rows, vocab])?, probs.len())?;
    let tol = crate::distill::divergence::normalisation_tolerance::<T>(vocab);
    let checks: Vec<Result<()>> = probs
        .par_chunks_exact(vocab)
        .enumerate()
        .with_min_len((32_768 / vocab).max(1))
        .map(|(r, row)| check_row(what, r, row, tol))
        .collect();
    checks.into_iter().collect()
}

/// One row of [`check_distributions`].
fn check_row<T: Float>(what: &'static str, r: usize, row: &[T], tol: f64) -> Result<()> {
    let ProbabilityRow { sum, valid } = probability_row(row);
    if !valid {
        // Rare: find the first bad entry for the message.
        let v = row
            .iter()
            .position(|&x| !(x.is_finite() && x >= T::zero()))
            .unwrap_or(0);
        return Err(Error::InvalidArgument {
            what,
            reason: format!("entry {v} of row {r} is {} (not a probability)", row[v]),
        });
    }
    if (sum - 1.0).abs() > tol {
        return Err(Error::InvalidArgument {
            what,
            reason: format!("row {r} sums to {sum} (tolerance {tol:e})"),
        });
    }
    Ok(())
}

/// Index of the largest entry (the first on ties): the crate's one [`crate::ops::argmax()`].
pub use crate::ops::argmax;

/// Inverse-CDF draw from unnormalised weights `weight(v)`, `v < n`, with total `total > 0` and
/// `u ∈ [0, 1)`: the first `v` whose f64 cumulative weight exceeds `u · total`. Rounding can leave
/// the scan without a hit; then the last index with positive weight is returned.
pub(crate) fn sample_weights(n: usize, weight: impl Fn(usize) -> f64, threshold: f64) -> usize {
    let mut acc = 0.0;
    let mut last_pos = 0;
    for v in 0..n {
        let w = weight(v);
        if w > 0.0 {
            acc += w;
            last_pos = v;
            if acc > threshold {
                return v;
            }
        }
    }
    last_pos
}

/// Verification with the [`Standard`] rule (see [`verify_with`]).
pub fn verify<T: Float>(
    rule: &Standard,
    draft_tokens: &[usize],
    draft_probs: &[T],
    target_probs: &[T],
    vocab: usize,
    rng: &mut impl Rng,
) -> Result<Verdict> {
    verify_with(rule, draft_tokens, draft_probs, target_probs, vocab, rng)
}

/// One verification step under `rule`. See the [module docs](self) for the algorithm and layout.
///
/// # Errors
/// `ShapeMismatch` when the buffers disagree with `γ = draft_tokens.len()` and `vocab`;
/// `OutOfRange` for a token id `≥ vocab`; `InvalidArgument` when a row is not a distribution
/// (negative, non-finite, or sum off one by more than `max(1e-12·V, 4·ε_T·√V)`) or a drafted
/// token has draft probability zero.
pub fn verify_with<T: Float, R: AcceptRule + ?Sized>(
    rule: &R,
    draft_tokens: &[usize],
    draft_probs: &[T],
    target_probs: &[T],
    vocab: usize,
    rng: &mut impl Rng,
) -> Result<Verdict> {
    let gamma = draft_tokens.len();
    validate(draft_tokens, draft_probs, target_probs, vocab)?;
    let mut tokens = Vec::with_capacity(gamma + 1);
    for (i, &y) in draft_tokens.iter().enumerate() {
        let q = &draft_probs[i * vocab..][..vocab];
        let p = &target_probs[i * vocab..][..vocab];
        // u in (0, 1]: ln u is finite, so a zero acceptance probability never accepts.
        let u = 1.0 - rng.random::<f64>();
        if u.ln() <= rule.log_accept(p[y].as_f64(), q[y].as_f64()) {
            tokens.push(y);
            continue;
        }
        let w = |v: usize| rule.residual_weight(p[v].as_f64(), q[v].as_f64());
        let total: f64 = (0..vocab).map(w).sum();
        let u = rng.random::<f64>();
        let z = if total > 0.0 {
            let threshold = if rule.normalises_residual() {
                u * total
            } else {
                u
            };
            sample_weights(vocab, w, threshold)
        } else {
            sample_weights(vocab, |v| p[v].as_f64(), u)
        };
        tokens.push(z);
        return Ok(Verdict {
            accepted: i,
            tokens,
        });
    }
    let p = &target_probs[gamma * vocab..][..vocab];
    let u = rng.random::<f64>();
    tokens.push(sample_weights(vocab, |v| p[v].as_f64(), u));
    Ok(Verdict {
        accepted: gamma,
        tokens,
    })
}

/// Greedy verification (`T = 0`): accept `y_i` iff it is `argmax p_i`; on the first rejection emit
/// `argmax p_i`; after `γ` accepts emit `argmax p_{γ+1}`. Only `target_probs` (`[γ+1, V]`) is read;
/// any non-negative finite scores work (they need not be normalised, only their argmax is used).
pub fn verify_greedy<T: Float>(
    draft_tokens: &[usize],
    target_probs: &[T],
    vocab: usize,
) -> Result<Verdict> {
    let gamma = draft_tokens.len();
    if vocab == 0 {
        return Err(Error::InvalidArgument {
            what: "vocab",
            reason: "must be at least 1".into(),
        });
    }
    check_ids("draft_tokens", draft_tokens, vocab)?;
    let expected = checked_elems("target_probs", &[gamma + 1, vocab])?;
    check_len("target_probs", expected, target_probs.len())?;
    crate::error::check_finite("target_probs", target_probs)?;
    let mut tokens = Vec::with_capacity(gamma + 1);
    for (i, &y) in draft_tokens.iter().enumerate() {
        let best = argmax(&target_probs[i * vocab..][..vocab]);
        tokens.push(best);
        if best != y {
            return Ok(Verdict {
                accepted: i,
                tokens,
            });
        }
    }
    tokens.push(argmax(&target_probs[gamma * vocab..][..vocab]));
    Ok(Verdict {
        accepted: gamma,
        tokens,
    })
}

fn validate<T: Float>(
    draft_tokens: &[usize],
    draft_probs: &[T],
    target_probs: &[T],
    vocab: usize,
) -> Result<()> {
    let gamma = draft_tokens.len();
    if vocab == 0 {
        return Err(Error::InvalidArgument {
            what: "vocab",
            reason: "must be at least 1".into(),
        });
    }
    check_ids("draft_tokens", draft_tokens, vocab)?;
    check_distributions("draft_probs", draft_probs, gamma, vocab)?;
    check_distributions("target_probs", target_probs, gamma + 1, vocab)?;
    for (i, &y) in draft_tokens.iter().enumerate() {
        if draft_probs[i * vocab + y] <= T::zero() {
            return Err(Error::InvalidArgument {
                what: "draft_tokens",
                reason: format!("token {y} at draft position {i} has draft probability zero"),
            });
        }
    }
    Ok(())
}
