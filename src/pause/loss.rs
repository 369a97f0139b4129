//! The masked next-token loss of pause training and its gradient with respect to the logits.
//!
//! `loss = −(1/T) Σ_j m_j · lsm(logits_j)[s_{j+1}]` with `T = Σ_j m_j` (per-sequence normalisation;
//! the paper's choice between per-sequence and per-token averaging was not re-read), and
//! `∂loss/∂logits_j = (m_j / T) (softmax(logits_j) − e_{s_{j+1}})`. Masked rows are never read, so
//! the loss and every gradient are exactly invariant to whatever the model puts there, and their
//! gradient rows are exactly zero.

use super::sequence::PauseSequence;
use crate::error::{check_finite, check_ids, check_len, checked_elems, Error, Result};
use crate::float::Float;

/// Loss and gradient for `seq` given `logits` `[n − 1, vocab]` (row `j` predicts `s_{j+1}`);
/// writes `grad` (same shape).
///
/// # Errors
/// `ShapeMismatch` for wrong lengths, `OutOfRange` for a target id `≥ vocab`, `NonFinite` for
/// non-finite logits in an unmasked row, `InvalidArgument` when no position is unmasked;
/// `NonFinite` named `"loss (overflow from finite logits)"` when finite logits spread past `T::MAX`
/// (the target's log-probability overflows).
pub fn masked_next_token_loss<T: Float>(
    seq: &PauseSequence,
    logits: &[T],
    vocab: usize,
    grad: &mut [T],
) -> Result<T> {
    let rows = seq.loss_mask.len();
    check_len("seq.loss_mask", seq.tokens.len().saturating_sub(1), rows)?;
    let elems = checked_elems("logits: rows·vocab", &[rows, vocab])?;
    check_len("logits", elems, logits.len())?;
    check_len("grad", elems, grad.len())?;
    let terms = seq.loss_terms();
    if terms == 0 {
        return Err(Error::InvalidArgument {
            what: "seq.loss_mask",
            reason: "no position enters the loss".into(),
        });
    }
    let inv = T::of(1.0 / terms as f64);
    let mut total = T::zero();
    for (j, &on) in seq.loss_mask.iter().enumerate() {
        let g = &mut grad[j * vocab..][..vocab];
        if !on {
            g.fill(T::zero());
            continue;
        }
        let z = &logits[j * vocab..][..vocab];
        check_finite("logits", z)?;
        let y = seq.tokens[j + 1];
        check_ids("seq.tokens", &[y], vocab)?;
        let m = z.iter().fold(T::neg_infinity(), |a, &b| a.max(b));
        // Shifted by the max only, never by `lse = m + ln s`: at |m| ≈ 1e30 the sum `m + ln s`
        // rounds to `m`, and `exp(x − lse)` would then not sum to one.
        let mut s = T::zero();
        for (gv, &x) in g.iter_mut().zip(z) {
            *gv = (x - m).exp();
            s += *gv;
        }
        total -= (z[y] - m) - s.ln();
        let scale = inv / s;
        g.iter_mut().for_each(|gv| *gv *= scale);
        g[y] -= inv;
    }
    // Finite logits whose spread overflows (`z_y − max = −∞`) give an infinite loss.
    if !total.is_finite() {
        return Err(Error::NonFinite {
            what: "loss (overflow from finite logits)",
            index: 0,
        });
    }
    Ok(total * inv)
}
