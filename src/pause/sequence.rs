//! Sequences with pause tokens and their loss masks (spec K3).
//!
//! # Fine-tuning
//! Prefix `p_{1:N}`, target `t_{1:T}`, delay `M`: appended `s = p ⊕ <pause>^M ⊕ t`, prepended
//! `s = <pause>^M ⊕ p ⊕ t`. Logits at position `j` predict `s_{j+1}`; the loss mask over the
//! `len − 1` predicting positions is `m_j = 1 ⇔ j + 1 ≥ N + M` (0-based), so exactly the `T` target
//! tokens are predicted and the last pause (appended case) predicts `t_1`. `M = 0` is standard
//! fine-tuning. The filler variant uses an in-vocabulary token (e.g. ".") with the same masking.
//!
//! # Pretraining
//! For a length-`L` sequence insert `M_pt = round(fraction · L)` pauses at a uniformly random subset
//! of the `L + M_pt` output slots, then truncate to `L`; mask `m_j = 1 ⇔ s_{j+1} ≠ <pause>`.

use crate::error::{check_nonempty, Error, Result};
use rand::Rng;

/// Where the delay tokens go.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Placement {
    /// After the prefix (the paper's method).
    #[default]
    Append,
    /// Before the prefix (ablation).
    Prepend,
}

/// Which token delays the answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DelayToken {
    /// The dedicated `<pause>` id (outside the vocabulary: it may not occur in prefix or target).
    Pause(usize),
    /// An in-vocabulary filler (e.g. "."), same masking (ablation baseline).
    Filler(usize),
}

impl DelayToken {
    /// The token id.
    pub fn id(&self) -> usize {
        match *self {
            DelayToken::Pause(t) | DelayToken::Filler(t) => t,
        }
    }
}

/// A delay: how many tokens, which token, where.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Delay {
    /// Number of delay tokens `M`.
    pub count: usize,
    /// The token.
    pub token: DelayToken,
    /// Where they go.
    pub placement: Placement,
}

/// Largest [`Delay::count`] accepted (the delay tokens are materialised in the sequence).
pub const MAX_DELAY: usize = 1 << 24;

impl Delay {
    /// Checks `count ≤` [`MAX_DELAY`] and returns `base + count` (the length with the delay).
    pub(crate) fn checked_len(&self, base: usize) -> Result<usize> {
        crate::error::check_cap("delay.count", self.count, MAX_DELAY)?;
        crate::error::checked_add("sequence + delay", base, self.count)
    }
}

/// A training sequence and its loss mask.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PauseSequence {
    /// Tokens `s` (length `n`).
    pub tokens: Vec<usize>,
    /// `loss_mask[j]` (length `n − 1`): whether the logits at position `j` (predicting `s_{j+1}`)
    /// enter the loss.
    pub loss_mask: Vec<bool>,
}

impl PauseSequence {
    /// Number of loss terms (`Σ_j m_j`).
    pub fn loss_terms(&self) -> usize {
        self.loss_mask.iter().filter(|&&m| m).count()
    }
}

/// The fine-tuning sequence for `prefix`, `target` and `delay` (see the [module docs](self)).
///
/// # Errors
/// `Empty` for an empty prefix or target; `InvalidArgument` when a dedicated `<pause>` id occurs in
/// the prefix or target (it must lie outside the vocabulary); `TooLarge` for a delay over
/// [`MAX_DELAY`].
pub fn finetune_sequence(
    prefix: &[usize],
    target: &[usize],
    delay: Delay,
) -> Result<PauseSequence> {
    check_nonempty("prefix", prefix)?;
    check_nonempty("target", target)?;
    if let DelayToken::Pause(id) = delay.token {
        if prefix.iter().chain(target).any(|&t| t == id) {
            return Err(Error::InvalidArgument {
                what: "delay.token",
                reason: format!("<pause> id {id} occurs in the prefix or target"),
            });
        }
    }
    delay.checked_len(crate::error::checked_add(
        "prefix + target",
        prefix.len(),
        target.len(),
    )?)?;
    let pauses = std::iter::repeat_n(delay.token.id(), delay.count);
    let tokens: Vec<usize> = match delay.placement {
        Placement::Append => prefix
            .iter()
            .copied()
            .chain(pauses)
            .chain(target.iter().copied())
            .collect(),
        Placement::Prepend => pauses
            .chain(prefix.iter().copied())
            .chain(target.iter().copied())
            .collect(),
    };
    let answer_start = prefix.len() + delay.count;
    let loss_mask = (0..tokens.len() - 1)
        .map(|j| j + 1 >= answer_start)
        .collect();
    Ok(PauseSequence { tokens, loss_mask })
}

/// A pretraining sequence with pauses and the slots they were inserted at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PretrainSample {
    /// The truncated sequence and its mask.
    pub sequence: PauseSequence,
    /// The chosen slots in `0..L + M_pt` (sorted), before truncation.
    pub slots: Vec<usize>,
}

/// Inserts `round(fraction · L)` pauses into `seq` at a uniformly random subset of the `L + M_pt`
/// slots and truncates to `L` (see the [module docs](self)).
///
/// # Errors
/// `Empty` for an empty sequence, `InvalidArgument` for a fraction outside `[0, 1]` or a pause id
/// inside the sequence.
pub fn pretrain_sequence(
    seq: &[usize],
    pause: usize,
    fraction: f64,
    rng: &mut impl Rng,
) -> Result<PretrainSample> {
    check_nonempty("seq", seq)?;
    if !(0.0..=1.0).contains(&fraction) {
        return Err(Error::InvalidArgument {
            what: "fraction",
            reason: format!("must lie in [0, 1], got {fraction}"),
        });
    }
    if seq.contains(&pause) {
        return Err(Error::InvalidArgument {
            what: "pause",
            reason: format!("<pause> id {pause} occurs in the sequence"),
        });
    }
    let l = seq.len();
    // m ≤ l, so l + m fits whenever 2·l does.
    crate::error::checked_add("seq + pauses", l, l)?;
    let m = (fraction * l as f64).round() as usize;
    let mut slots = rand::seq::index::sample(rng, l + m, m).into_vec();
    slots.sort_unstable();
    let mut tokens = Vec::with_capacity(l + m);
    let (mut next_slot, mut next_tok) = (0, 0);
    for slot in 0..l + m {
        if next_slot < slots.len() && slots[next_slot] == slot {
            tokens.push(pause);
            next_slot += 1;
        } else {
            tokens.push(seq[next_tok]);
            next_tok += 1;
        }
    }
    tokens.truncate(l);
    let loss_mask = tokens[1..].iter().map(|&t| t != pause).collect();
    Ok(PretrainSample {
        sequence: PauseSequence { tokens, loss_mask },
        slots,
    })
}
