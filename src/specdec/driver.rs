//! Full speculative decoding against any pair of models given as closures
//! (context → next-token distribution), with per-step accepted counts.

use super::verify::{verify_greedy, verify_with, AcceptRule, Standard};
use crate::error::{check_ids, checked_add, checked_elems, Error, Result};
use crate::ops::argmax;
use rand::Rng;

/// Temperature warp of a distribution: `p_T ∝ p^{1/T} = softmax(ln p / T)` ([`crate::ops`]; zero
/// entries are `−∞` masks). `T = 1` returns a copy; `T = 0` is
/// the argmax one-hot (lowest index on ties), a separate code path rather than a tiny temperature.
/// Errors: a temperature that is negative, non-finite or tiny enough that `ln p / T` overflows;
/// a negative or NaN entry of `p`; an all-zero `p` (no mass to warp: its "warp" summed to 0).
pub fn warp(p: &[f64], temperature: f64) -> Result<Vec<f64>> {
    check_warp_temperature(temperature)?;
    crate::error::check_nonempty("p", p)?;
    if let Some(v) = p.iter().position(|x| !(x.is_finite() && *x >= 0.0)) {
        return Err(Error::InvalidArgument {
            what: "p",
            reason: format!("entry {v} is {} (not a probability)", p[v]),
        });
    }
    if p.iter().all(|&x| x == 0.0) {
        return Err(Error::InvalidArgument {
            what: "p",
            reason: "every entry is 0 (not a distribution)".into(),
        });
    }
    if temperature == 0.0 {
        let mut one_hot = vec![0.0; p.len()];
        one_hot[argmax(p)] = 1.0;
        return Ok(one_hot);
    }
    if temperature == 1.0 {
        return Ok(p.to_vec());
    }
    let log_p: Vec<f64> = p.iter().map(|x| x.ln()).collect();
    crate::ops::softmax(&log_p, temperature)
}

/// `T = 0` (greedy) or a temperature accepted by [`crate::ops::check_temperature`].
fn check_warp_temperature(temperature: f64) -> Result<()> {
    if temperature == 0.0 {
        Ok(())
    } else {
        crate::ops::check_temperature("temperature", temperature)
    }
}

/// Settings of a speculative-decoding run.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SpecConfig {
    /// Drafted tokens per target call `γ ≥ 1`.
    pub gamma: usize,
    /// Sampling temperature applied to both models (`0`: greedy verification).
    pub temperature: f64,
}

/// What a run produced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decoded {
    /// Generated tokens (after the prompt), exactly `new_tokens` of them.
    pub tokens: Vec<usize>,
    /// Accepted drafts per verification step (one entry per target call).
    pub accepted_per_step: Vec<usize>,
}

/// Speculative decoding with the exact rule (see [`speculative_decode_with`]).
pub fn speculative_decode<P, Q>(
    target: P,
    draft: Q,
    prompt: &[usize],
    vocab: usize,
    new_tokens: usize,
    cfg: SpecConfig,
    rng: &mut impl Rng,
) -> Result<Decoded>
where
    P: FnMut(&[usize]) -> Vec<f64>,
    Q: FnMut(&[usize]) -> Vec<f64>,
{
    speculative_decode_with(
        &Standard::EXACT,
        target,
        draft,
        prompt,
        vocab,
        new_tokens,
        cfg,
        rng,
    )
}

/// Generates `new_tokens` tokens after `prompt` by speculative decoding under `rule`.
///
/// Each step drafts `γ` tokens from `draft` (warped to the temperature), evaluates `target` at the
/// `γ + 1` resulting contexts, and verifies them ([`verify_with`], or [`verify_greedy`] at `T = 0`).
/// The last step's output is truncated to `new_tokens`, and a step drafts at most the tokens
/// still wanted (`min(γ, remaining)`), so the work is linear in `new_tokens` for any `γ`. The
/// closures return a distribution of length `vocab` for any context.
///
/// # Errors
/// `InvalidArgument` for `γ = 0`, `vocab = 0` or a bad temperature, `OutOfRange` for prompt ids,
/// `Overflow` when `prompt.len() + new_tokens` or `(γ + 1)·vocab` does not fit in `usize`, and
/// whatever [`warp`] and [`verify_with`] report for the models' outputs (wrong length, not
/// normalised, ...).
#[allow(clippy::too_many_arguments)]
pub fn speculative_decode_with<R, P, Q>(
    rule: &R,
    mut target: P,
    mut draft: Q,
    prompt: &[usize],
    vocab: usize,
    new_tokens: usize,
    cfg: SpecConfig,
    rng: &mut impl Rng,
) -> Result<Decoded>
where
    R: AcceptRule + ?Sized,
    P: FnMut(&[usize]) -> Vec<f64>,
    Q: FnMut(&[usize]) -> Vec<f64>,
{
    if cfg.gamma == 0 {
        return Err(Error::InvalidArgument {
            what: "gamma",
            reason: "must be at least 1".into(),
        });
    }
    if vocab == 0 {
        return Err(Error::InvalidArgument {
            what: "vocab",
            reason: "must be at least 1".into(),
        });
    }
    check_warp_temperature(cfg.temperature)?;
    check_ids("prompt", prompt, vocab)?;
    // Sizes from the arguments are checked, never used as capacities: the buffers grow with what
    // the models actually return (a bad `vocab` or γ is then reported by the verifier).
    let end = checked_add("prompt + new_tokens", prompt.len(), new_tokens)?;
    checked_elems("draft rows: gamma·vocab", &[cfg.gamma, vocab])?;
    checked_elems(
        "target rows: (gamma+1)·vocab",
        &[checked_add("gamma + 1", cfg.gamma, 1)?, vocab],
    )?;
    let greedy = cfg.temperature == 0.0;
    let mut ctx = prompt.to_vec();
    let mut accepted_per_step = Vec::new();
    let (mut q_rows, mut p_rows, mut drafts) = (Vec::new(), Vec::new(), Vec::new());
    while ctx.len() < end {
        q_rows.clear();
        p_rows.clear();
        drafts.clear();
        let base = ctx.len();
        // Drafts past the tokens still wanted would be truncated anyway: capping γ there keeps
        // the work O(new_tokens) for any γ (γ = 2⁴⁰ with `new_tokens = 3` drafts 3, not 2⁴⁰).
        let gamma = cfg.gamma.min(end - base);
        for _ in 0..gamma {
            let q = warp(&draft(&ctx), cfg.temperature)?;
            let u = rng.random::<f64>();
            let y = super::verify::sample_weights(q.len(), |v| q[v], u);
            q_rows.extend_from_slice(&q);
            drafts.push(y);
            ctx.push(y);
        }
        // The target sees the γ + 1 contexts x ⊕ y_<i (one batched call in a real system).
        for i in 0..=gamma {
            p_rows.extend(warp(&target(&ctx[..base + i]), cfg.temperature)?);
        }
        ctx.truncate(base);
        let verdict = if greedy {
            verify_greedy(&drafts, &p_rows, vocab)?
        } else {
            verify_with(rule, &drafts, &q_rows, &p_rows, vocab, rng)?
        };
        accepted_per_step.push(verdict.accepted);
        ctx.extend_from_slice(&verdict.tokens);
    }
    ctx.truncate(end);
    Ok(Decoded {
        tokens: ctx[prompt.len()..].to_vec(),
        accepted_per_step,
    })
}

/// Plain autoregressive decoding from `model` (warped to `temperature`; `0` is greedy), the
/// baseline the speculative output law must equal.
///
/// # Errors
/// `InvalidArgument` for a bad temperature or a model output that is not a distribution;
/// `Overflow` when `prompt.len() + new_tokens` does not fit in `usize`.
pub fn autoregressive_decode<P>(
    mut model: P,
    prompt: &[usize],
    new_tokens: usize,
    temperature: f64,
    rng: &mut impl Rng,
) -> Result<Vec<usize>>
where
    P: FnMut(&[usize]) -> Vec<f64>,
{
    check_warp_temperature(temperature)?;
    checked_add("prompt + new_tokens", prompt.len(), new_tokens)?;
    let mut ctx = prompt.to_vec();
    for _ in 0..new_tokens {
        let p = warp(&model(&ctx), temperature)?;
        let u = rng.random::<f64>();
        ctx.push(super::verify::sample_weights(p.len(), |v| p[v], u));
    }
    Ok(ctx[prompt.len()..].to_vec())
}
