//! Exact output law of speculative decoding by enumeration of the whole sampling process: every
//! drafted token, every accept/reject outcome, every correction and bonus token. The oracle behind
//! DS1/DS3 (small vocabularies and lengths only: the work is `O((2V)^γ · V^L)`).

use super::driver::warp;
use super::verify::AcceptRule;
use crate::error::{check_cap, check_len, Error, Result};
use crate::ops::check_temperature;

/// Probability of every length-`len` continuation of `prompt` (index `Σ_t s_t V^{len−1−t}`, i.e.
/// base-`V` with the first token most significant) under speculative decoding with `rule`, `γ`
/// drafts per step and both models warped to `temperature > 0`.
///
/// # Errors
/// `TooLarge` for `len >` [`MAX_EXACT_LEN`] or `γ >` [`MAX_EXACT_GAMMA`]; `InvalidArgument` for
/// `V = 0`, `γ = 0`, `V^len > 10⁶` or a bad temperature; whatever [`warp`] reports for the models'
/// outputs.
#[allow(clippy::too_many_arguments)]
pub fn speculative_law<R, P, Q>(
    rule: &R,
    target: &mut P,
    draft: &mut Q,
    prompt: &[usize],
    vocab: usize,
    len: usize,
    gamma: usize,
    temperature: f64,
) -> Result<Vec<f64>>
where
    R: AcceptRule + ?Sized,
    P: FnMut(&[usize]) -> Vec<f64>,
    Q: FnMut(&[usize]) -> Vec<f64>,
{
    check_small(vocab, len, gamma, temperature)?;
    let mut law = vec![0.0; vocab.pow(len as u32)];
    let mut st = State {
        rule,
        target,
        draft,
        vocab,
        end: prompt.len() + len,
        start: prompt.len(),
        gamma,
        temperature,
        law: &mut law,
    };
    let mut ctx = prompt.to_vec();
    st.step(&mut ctx, 1.0)?;
    Ok(law)
}

/// Probability of every length-`len` continuation under plain sampling from `model` warped to
/// `temperature` (same indexing as [`speculative_law`]).
pub fn autoregressive_law<P>(
    model: &mut P,
    prompt: &[usize],
    vocab: usize,
    len: usize,
    temperature: f64,
) -> Result<Vec<f64>>
where
    P: FnMut(&[usize]) -> Vec<f64>,
{
    check_small(vocab, len, 1, temperature)?;
    let mut law = vec![0.0; vocab.pow(len as u32)];
    let mut ctx = prompt.to_vec();
    fn rec<P: FnMut(&[usize]) -> Vec<f64>>(
        m: &mut P,
        ctx: &mut Vec<usize>,
        (start, end, vocab): (usize, usize, usize),
        w: f64,
        t: f64,
        law: &mut [f64],
    ) -> Result<()> {
        if ctx.len() == end {
            law[sequence_index(&ctx[start..], vocab)] += w;
            return Ok(());
        }
        let p = warp(&m(ctx), t)?;
        check_len("model output", vocab, p.len())?;
        for (y, &py) in p.iter().enumerate() {
            if py > 0.0 {
                ctx.push(y);
                rec(m, ctx, (start, end, vocab), w * py, t, law)?;
                ctx.pop();
            }
        }
        Ok(())
    }
    let span = (prompt.len(), prompt.len() + len, vocab);
    rec(model, &mut ctx, span, 1.0, temperature, &mut law)?;
    Ok(law)
}

/// Longest continuation the enumerators accept (the recursion depth grows with it; `V = 1`
/// would otherwise pass the `V^len` check at any length).
pub const MAX_EXACT_LEN: usize = 32;

/// Largest `γ` the enumerator accepts (the recursion depth and the work `(2V)^γ` grow with it).
pub const MAX_EXACT_GAMMA: usize = 32;

fn check_small(vocab: usize, len: usize, gamma: usize, temperature: f64) -> Result<()> {
    check_cap("len", len, MAX_EXACT_LEN)?;
    check_cap("gamma", gamma, MAX_EXACT_GAMMA)?;
    let cells = vocab.checked_pow(len as u32);
    if vocab == 0 || gamma == 0 || cells.is_none_or(|c| c > 1_000_000) {
        return Err(Error::InvalidArgument {
            what: "vocab/len/gamma",
            reason: format!(
                "need vocab, gamma >= 1 and vocab^len <= 1e6 (got {vocab}, {len}, {gamma})"
            ),
        });
    }
    check_temperature("temperature", temperature)
}

/// Base-`V` index of a sequence, first token most significant. Panics neither on overflow nor on
/// a token `≥ V` (it wraps; callers pass sequences the enumerators produced, whose index is below
/// `V^len ≤ 10⁶`).
pub fn sequence_index(seq: &[usize], vocab: usize) -> usize {
    seq.iter()
        .fold(0usize, |acc, &s| acc.wrapping_mul(vocab).wrapping_add(s))
}

struct State<'a, R: ?Sized, P, Q> {
    rule: &'a R,
    target: &'a mut P,
    draft: &'a mut Q,
    vocab: usize,
    start: usize,
    end: usize,
    gamma: usize,
    temperature: f64,
    law: &'a mut [f64],
}

impl<R, P, Q> State<'_, R, P, Q>
where
    R: AcceptRule + ?Sized,
    P: FnMut(&[usize]) -> Vec<f64>,
    Q: FnMut(&[usize]) -> Vec<f64>,
{
    /// One speculative step from `ctx` (which has probability `w`), recursing into the next steps.
    fn step(&mut self, ctx: &mut Vec<usize>, w: f64) -> Result<()> {
        if ctx.len() >= self.end {
            let i = sequence_index(&ctx[self.start..self.end], self.vocab);
            self.law[i] += w;
            return Ok(());
        }
        self.draft_position(ctx, 0, w)
    }

    /// Draft position `i` of the current step (`ctx = x ⊕ y_<i`, all `y_<i` accepted).
    fn draft_position(&mut self, ctx: &mut Vec<usize>, i: usize, w: f64) -> Result<()> {
        let p = warp(&(self.target)(ctx), self.temperature)?;
        check_len("target output", self.vocab, p.len())?;
        if i == self.gamma {
            // Bonus token from p_{γ+1}.
            return self.emit_then_continue(ctx, &p, w);
        }
        let q = warp(&(self.draft)(ctx), self.temperature)?;
        check_len("draft output", self.vocab, q.len())?;
        let residual = super::stats::residual_law_of(self.rule, &p, &q);
        let mut reject_mass = 0.0;
        for (y, &qy) in q.iter().enumerate() {
            if qy <= 0.0 {
                continue;
            }
            let a = self.rule.log_accept(p[y], qy).exp();
            reject_mass += qy * (1.0 - a);
            if a > 0.0 {
                ctx.push(y);
                self.draft_position(ctx, i + 1, w * qy * a)?;
                ctx.pop();
            }
        }
        // Whichever draft was rejected, the correction is drawn from the same residual.
        if reject_mass > 0.0 {
            self.emit_then_continue(ctx, &residual, w * reject_mass)?;
        }
        Ok(())
    }

    fn emit_then_continue(&mut self, ctx: &mut Vec<usize>, dist: &[f64], w: f64) -> Result<()> {
        for (z, &pz) in dist.iter().enumerate() {
            if pz > 0.0 {
                ctx.push(z);
                self.step(ctx, w * pz)?;
                ctx.pop();
            }
        }
        Ok(())
    }
}
