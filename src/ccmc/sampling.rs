//! Next-token sampling and single-trajectory generation (spec A7), growing context or sliding window.
//!
//! The generator keeps the token counts of its context incrementally (`+1` for the new token, `−1`
//! for the token leaving a sliding window) and precomputes, once per query column `j`, the
//! max-shifted weights `a_j(k) = exp(W̄[k, j] − max_l W̄[l, j]) ∈ (0, 1]`. A step is then one pass
//! over `K` counts, `P(y = k) ∝ m_k a_j(k)` — the softmax of the logits `ln m_k + W̄[k, j]` evaluated
//! without overflow — so a step costs `O(K)` whatever the context length.

use super::data::sample_log_probs;
use super::kernel::{next_token_probs, Wbar};
use crate::error::{check_ids, check_nonempty, Error, Result};
use rand::Rng;
use std::collections::VecDeque;

/// Samples the next token of one prompt from its CCMC law.
pub fn next_token(wbar: &Wbar, prompt: &[usize], rng: &mut impl Rng) -> Result<usize> {
    let p = next_token_probs(wbar, prompt)?;
    let lp: Vec<f64> = p.iter().map(|v| v.ln()).collect();
    Ok(sample_log_probs(&lp, rng))
}

/// A single trajectory `X_t = X_{t−1} ++ y_t`, `y_t ~ CCMC(W̄, X_{t−1})`, with counts kept
/// incrementally. With a window `L_w` the context is the last `L_w` tokens.
#[derive(Clone, Debug)]
pub struct Generator {
    vocab: usize,
    /// `a[j·K + k] = exp(W̄[k, j] − max_l W̄[l, j])`.
    weights: Vec<f64>,
    counts: Vec<u64>,
    window: Option<usize>,
    context: VecDeque<usize>,
    last: usize,
    distinct: usize,
    steps: u64,
}

impl Generator {
    /// Starts from `prompt` (the last `L_w` tokens of it with a window). Errors: empty prompt, ids
    /// out of range, window length 0.
    pub fn new(wbar: &Wbar, prompt: &[usize], window: Option<usize>) -> Result<Self> {
        let kk = wbar.vocab();
        check_nonempty("prompt", prompt)?;
        check_ids("prompt", prompt, kk)?;
        if window == Some(0) {
            return Err(Error::InvalidArgument {
                what: "window",
                reason: "a sliding window needs length at least 1".into(),
            });
        }
        let mut weights = vec![0.0; kk * kk];
        for j in 0..kk {
            let col = wbar.column_at(j);
            let mx = col.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            for k in 0..kk {
                weights[j * kk + k] = (col[k] - mx).exp();
            }
        }
        let start = match window {
            Some(w) if w < prompt.len() => prompt.len() - w,
            _ => 0,
        };
        let mut g = Generator {
            vocab: kk,
            weights,
            counts: vec![0; kk],
            window,
            context: VecDeque::new(),
            last: prompt[prompt.len() - 1],
            distinct: 0,
            steps: 0,
        };
        for &t in &prompt[start..] {
            g.add(t);
        }
        Ok(g)
    }

    fn add(&mut self, t: usize) {
        if self.counts[t] == 0 {
            self.distinct += 1;
        }
        self.counts[t] += 1;
        self.last = t;
        if let Some(w) = self.window {
            self.context.push_back(t);
            if self.context.len() > w {
                let out = self.context.pop_front().expect("non-empty");
                self.counts[out] -= 1;
                if self.counts[out] == 0 {
                    self.distinct -= 1;
                }
            }
        }
    }

    /// Draws `y ~ CCMC(W̄, context)` and appends it; returns `y`. `O(K)`.
    pub fn step(&mut self, rng: &mut impl Rng) -> usize {
        let a = &self.weights[self.last * self.vocab..(self.last + 1) * self.vocab];
        let total: f64 = self.counts.iter().zip(a).map(|(&m, &w)| m as f64 * w).sum();
        let u = rng.random::<f64>() * total;
        let mut acc = 0.0;
        let mut y = self.last;
        for (k, (&m, &w)) in self.counts.iter().zip(a).enumerate() {
            if m == 0 {
                continue;
            }
            acc += m as f64 * w;
            y = k;
            if u < acc {
                break;
            }
        }
        self.add(y);
        self.steps += 1;
        y
    }

    /// Counts `m_k` of the current context (window or whole context).
    pub fn counts(&self) -> &[u64] {
        &self.counts
    }
    /// Number of distinct tokens in the current context.
    pub fn distinct(&self) -> usize {
        self.distinct
    }
    /// The last token (the next query).
    pub fn last(&self) -> usize {
        self.last
    }
    /// Steps taken.
    pub fn steps(&self) -> u64 {
        self.steps
    }
    /// Whether the context holds one distinct token (absorbed: only that token can follow).
    pub fn is_absorbed(&self) -> bool {
        self.distinct == 1
    }
}

/// Generates `steps` tokens from `prompt`; returns them (the prompt excluded).
pub fn generate(
    wbar: &Wbar,
    prompt: &[usize],
    steps: usize,
    window: Option<usize>,
    rng: &mut impl Rng,
) -> Result<Vec<usize>> {
    let mut g = Generator::new(wbar, prompt, window)?;
    Ok((0..steps).map(|_| g.step(rng)).collect())
}

/// Runs a sliding-window trajectory until the window is constant; returns `(winner, steps)` or
/// `None` if `max_steps` pass first.
pub fn run_until_absorbed(
    wbar: &Wbar,
    prompt: &[usize],
    window: usize,
    max_steps: u64,
    rng: &mut impl Rng,
) -> Result<Option<(usize, u64)>> {
    let mut g = Generator::new(wbar, prompt, Some(window))?;
    while !g.is_absorbed() {
        if g.steps() >= max_steps {
            return Ok(None);
        }
        g.step(rng);
    }
    Ok(Some((g.last(), g.steps())))
}
