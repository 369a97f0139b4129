//! Winner-takes-all tools (spec A7): mean-field fitness, the single-winner criterion, loser
//! exponents, and the exact absorbing-chain solve of the sliding-window generator.
//!
//! With `a(j → i) = exp(W̄[i, j])` and context frequencies `π`:
//! `F_i(π) = Σ_j π_j a(j→i) / Z_j(π)`, `Z_j = Σ_l π_l a(j→l)` \[H\]. At `π = e_k` this is
//! `F_i(e_k) = exp(W̄[i, k] − W̄[k, k])`: `e_k` resists invasion by `i` iff `F_i < 1`
//! (single-winner criterion) and a loser's count grows like `t^{F_i}` (its frequency like
//! `t^{F_i − 1}`).

use super::kernel::{token_counts, transition_log_probs, Wbar};
use crate::error::{check_finite, check_ids, check_len, check_nonempty, Error, Result};
use crate::linalg::lu_solve_in_place;
use crate::ops::log_softmax_in_place;
use faer::Mat;

pub use super::rest_point::{rest_point, RestPoint};

/// Mean-field fitness `F_i(π)` for every token `i` (length `K`). `π ≥ 0`, not all zero (normalised
/// here).
pub fn fitness(wbar: &Wbar, pi: &[f64]) -> Result<Vec<f64>> {
    let kk = wbar.vocab();
    check_len("pi", kk, pi.len())?;
    check_finite("pi", pi)?;
    let s: f64 = pi.iter().sum();
    if pi.iter().any(|&v| v < 0.0) || s <= 0.0 {
        return Err(Error::InvalidArgument {
            what: "pi",
            reason: "frequencies must be ≥ 0 with a positive sum".into(),
        });
    }
    let pi: Vec<f64> = pi.iter().map(|v| v / s).collect();
    let mut f = vec![0.0; kk];
    for j in (0..kk).filter(|&j| pi[j] > 0.0) {
        // ln Z_j = logsumexp_l (ln π_l + W̄[l, j]) — the log-softmax's normaliser.
        let mut logits: Vec<f64> = (0..kk).map(|l| pi[l].ln() + wbar.at(l, j)).collect();
        let ln_z = log_softmax_in_place(&mut logits);
        for (i, fi) in f.iter_mut().enumerate() {
            *fi += pi[j] * (wbar.at(i, j) - ln_z).exp();
        }
    }
    Ok(f)
}

/// Loser exponents at the single-winner state `e_k`: `r_i = F_i(e_k) = exp(W̄[i, k] − W̄[k, k])`
/// (`r_k = 1`). A loser's count grows like `t^{r_i}`.
pub fn loser_exponents(wbar: &Wbar, winner: usize) -> Result<Vec<f64>> {
    check_ids("winner", &[winner], wbar.vocab())?;
    Ok((0..wbar.vocab())
        .map(|i| (wbar.at(i, winner) - wbar.at(winner, winner)).exp())
        .collect())
}

/// Single-winner criterion: `e_k` is stable iff `W̄[k, k] > W̄[i, k]` for every other token `i` of
/// the prompt (`present`).
pub fn single_winner_stable(wbar: &Wbar, winner: usize, present: &[usize]) -> Result<bool> {
    check_ids("present", present, wbar.vocab())?;
    check_ids("winner", &[winner], wbar.vocab())?;
    Ok(present
        .iter()
        .all(|&i| i == winner || wbar.at(winner, winner) > wbar.at(i, winner)))
}

/// Absorption of the sliding-window chain started from one window.
#[derive(Clone, Debug, PartialEq)]
pub struct Absorption {
    /// Probability of ending in the constant window `(k, …, k)`, per token `k`.
    pub winner_probs: Vec<f64>,
    /// Expected number of steps until the window is constant.
    pub mean_steps: f64,
}

/// Largest number of transient window states [`absorption_exact`] accepts (dense solve).
pub const MAX_WINDOW_STATES: usize = 4096;

/// Exact absorption probabilities and mean absorption time of the sliding-window generator (window
/// length `L_w = initial.len()`) by a dense absorbing-chain solve over all `K^{L_w}` ordered windows:
/// `(I − Q) t = 1`, `(I − Q) B = R`. Errors beyond [`MAX_WINDOW_STATES`] states.
pub fn absorption_exact(wbar: &Wbar, initial: &[usize]) -> Result<Absorption> {
    let kk = wbar.vocab();
    check_nonempty("initial window", initial)?;
    check_ids("initial window", initial, kk)?;
    let lw = initial.len();
    let is_constant = |w: &[usize]| w.iter().all(|&t| t == w[0]);
    if is_constant(initial) {
        let mut winner_probs = vec![0.0; kk];
        winner_probs[initial[0]] = 1.0;
        return Ok(Absorption {
            winner_probs,
            mean_steps: 0.0,
        });
    }
    let total = (kk as u128).checked_pow(lw as u32).unwrap_or(u128::MAX);
    if total > MAX_WINDOW_STATES as u128 {
        return Err(Error::InvalidArgument {
            what: "window",
            reason: format!("K^L_w = {kk}^{lw} states exceed {MAX_WINDOW_STATES}"),
        });
    }
    let total = total as usize;
    let decode = |mut s: usize| {
        let mut w = vec![0usize; lw];
        for slot in w.iter_mut().rev() {
            *slot = s % kk;
            s /= kk;
        }
        w
    };
    let encode = |w: &[usize]| w.iter().fold(0usize, |acc, &t| acc * kk + t);
    let transient: Vec<usize> = (0..total).filter(|&s| !is_constant(&decode(s))).collect();
    let mut index = vec![usize::MAX; total];
    for (i, &s) in transient.iter().enumerate() {
        index[s] = i;
    }
    let start = encode(initial);
    let nt = transient.len();
    let mut a = Mat::<f64>::identity(nt, nt);
    let mut rhs = Mat::<f64>::zeros(nt, kk + 1);
    let shift = total / kk; // K^{L_w − 1}
    for (i, &s) in transient.iter().enumerate() {
        let w = decode(s);
        let m = token_counts(&w, kk)?;
        let lp = transition_log_probs(wbar, &m, w[lw - 1])?;
        rhs[(i, kk)] = 1.0;
        for (y, &l) in lp.iter().enumerate() {
            if l == f64::NEG_INFINITY {
                continue;
            }
            let next = (s % shift) * kk + y;
            let p = l.exp();
            if index[next] == usize::MAX {
                rhs[(i, y)] += p; // absorbed into (y, …, y)
            } else {
                a[(i, index[next])] -= p;
            }
        }
    }
    lu_solve_in_place(a.as_ref(), rhs.as_mut())?;
    let row = index[start];
    Ok(Absorption {
        winner_probs: (0..kk).map(|k| rhs[(row, k)]).collect(),
        mean_steps: rhs[(row, kk)],
    })
}
