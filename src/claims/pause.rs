//! Pause tokens (Goyal et al. 2023): PT1–PT7 and the capacity argument.

use super::{Claim, Kind::*, Sharing::*, Tag::*};

const NOTE: &str = "proofs-notes/pause_tokens.md";

/// The pause-token claims.
pub(super) const CLAIMS: &[Claim] = &[
    Claim::new(
        "pause.PT1",
        &[M],
        Identity,
        "With M = 0 pause tokens, the pause sequence, mask, loss and every parameter gradient are \
         bit-identical to standard fine-tuning.",
        &["tests/pause/training.rs::pt1_zero_pauses_is_standard_finetuning"],
        NOTE,
    ),
    Claim::new(
        "pause.PT2",
        &[M],
        Identity,
        "Changing the logits at masked positions (prompt and pause outputs) leaves the loss unchanged \
         and its gradient there is exactly zero.",
        &["tests/pause/training.rs::pt2_masked_positions_do_not_matter"],
        NOTE,
    )
    .report(&["PT2"], Duplicated),
    Claim::new(
        "pause.PT3",
        &[M],
        Identity,
        "For prompt length N, target length T and M pauses, fine-tuning has exactly T loss terms and \
         `<pause>` is never a target.",
        &[
            "tests/pause/sequence.rs::pt3_finetune_loss_terms",
            "tests/pause/sequence.rs::worked_example_and_variants",
        ],
        NOTE,
    )
    .report(&["PT3"], Duplicated),
    Claim::new(
        "pause.PT4",
        &[M],
        Statistical,
        "Pretraining inserts exactly round(0.1·L) pauses, keeps the other tokens in order, and puts \
         them in uniformly random slots (χ²).",
        &["tests/pause/sequence.rs::pt4_pretraining_insertion"],
        NOTE,
    )
    .report(&["PT4"], Duplicated),
    Claim::new(
        "pause.PT5",
        &[M],
        Identity,
        "Adding `<pause>` costs one input-embedding row (d parameters) with tied embeddings and two \
         rows with untied ones.",
        &["tests/pause/training.rs::pt5_parameter_overhead"],
        NOTE,
    )
    .report(&["PT5"], Duplicated),
    Claim::new(
        "pause.PT6",
        &[M],
        Identity,
        "Decoding starts at position N + M − 1 and the output is exactly the tokens generated after \
         the last pause.",
        &["tests/pause/sequence.rs::pt6_decode_after_last_pause"],
        NOTE,
    ),
    Claim::new(
        "pause.PT7",
        &[P],
        Trend,
        "At paper scale (1B parameters), pause pretraining and fine-tuning gains on 8 of 9 tasks \
         (documented only; the prefix-LM attention it needs is checked against its oracle).",
        &[
            "tests/pause/prefix_lm.rs::prefix_lm_matches_oracle_and_causal",
            "tests/pause/prefix_lm.rs::prefix_lm_gradients_match_finite_differences",
        ],
        NOTE,
    ),
    Claim::new(
        "pause.PT-capacity",
        &[M],
        Identity,
        "A hand-built two-layer attention network that sums K looked-up values is correct iff it has \
         N + M ≥ K positions (the implementation-capacity argument for pauses).",
        &["tests/pause/capacity.rs::capacity_correct_iff_enough_positions"],
        NOTE,
    )
    .report(&["PT-capacity"], SameDriver),
];
