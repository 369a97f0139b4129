//! Pause inference: the input `p ⊕ <pause>^{M_inf}`, decoding from position `N + M_inf − 1`, and the
//! delayed output (only tokens after the last pause are returned).

use super::sequence::{Delay, Placement};
use crate::error::{check_nonempty, Error, Result};

/// The inference input for `prefix` and `delay`, and the position whose logits give the first
/// answer token (`N + M − 1`).
pub fn inference_input(prefix: &[usize], delay: Delay) -> Result<(Vec<usize>, usize)> {
    check_nonempty("prefix", prefix)?;
    delay.checked_len(prefix.len())?;
    let pauses = std::iter::repeat_n(delay.token.id(), delay.count);
    let tokens: Vec<usize> = match delay.placement {
        Placement::Append => prefix.iter().copied().chain(pauses).collect(),
        Placement::Prepend => pauses.chain(prefix.iter().copied()).collect(),
    };
    let start = tokens.len() - 1;
    Ok((tokens, start))
}

/// Greedy decoding of `new_tokens` tokens with pauses. `next_logits(context)` returns the logits at
/// the context's last position. With `forbid_pause` the pause logit is set to `−∞` (an option not
/// in the paper). Returns the tokens after the last pause in the full sequence (input pauses and
/// any pause the model emitted) that were generated, i.e. what is shown to the user.
pub fn decode_with_pauses<F>(
    mut next_logits: F,
    prefix: &[usize],
    delay: Delay,
    new_tokens: usize,
    forbid_pause: bool,
) -> Result<Vec<usize>>
where
    F: FnMut(&[usize]) -> Vec<f64>,
{
    let (mut ctx, _) = inference_input(prefix, delay)?;
    crate::error::checked_add("context + new_tokens", ctx.len(), new_tokens)?;
    let generated_from = ctx.len();
    let pause = delay.token.id();
    for _ in 0..new_tokens {
        let mut z = next_logits(&ctx);
        if z.is_empty() {
            return Err(Error::Empty {
                what: "next_logits",
            });
        }
        if let Some(index) = z.iter().position(|x| x.is_nan() || *x == f64::INFINITY) {
            return Err(Error::NonFinite {
                what: "next_logits",
                index,
            });
        }
        if forbid_pause && pause < z.len() {
            z[pause] = f64::NEG_INFINITY;
        }
        ctx.push(crate::ops::argmax(&z));
    }
    let last_pause = ctx.iter().rposition(|&t| t == pause);
    let from = last_pause.map_or(generated_from, |i| (i + 1).max(generated_from));
    Ok(ctx[from..].to_vec())
}
