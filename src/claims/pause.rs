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
        &[
            "tests/pause/training.rs::pt2_masked_positions_do_not_matter",
            "tests/pause/training.rs::pt2_rejects_unmasked_loss",
        ],
        NOTE,
    )
    .report(&["PT2"], Shared)
    .experiment(
        "src/pause/experiments.rs::pt2_masked_invariance",
        "src/pause/experiments.rs::pt2_verdict",
    )
    .changed(
        "report: causal mask only, positive perturbations, embedding gradient and loss only, max \
         change ≤ 0; test: 3 mask prefixes, symmetric perturbations, every gradient bit-identical, \
         masked logit gradient and FD exactly 0, pause-row FD error < 1e-7 → the test's protocol \
         and bound for both (spec 3(c): FD on 3 positions).",
    ),
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
    .report(&["PT3"], Shared)
    .experiment(
        "src/pause/experiments.rs::pt3_loss_terms",
        "src/pause/experiments.rs::pt3_verdict",
    )
    .changed(
        "report: the worked example only (2 loss terms); test: the grid N ≤ 5, T ≤ 4, M ≤ 6, both \
         placements, T terms and no <pause> target → the test's grid for both.",
    ),
    Claim::new(
        "pause.PT4",
        &[M],
        Statistical,
        "Pretraining inserts exactly round(0.1·L) pauses, keeps the other tokens in order, and puts \
         them in uniformly random slots (χ²).",
        &[
            "tests/pause/sequence.rs::pt4_pretraining_insertion",
            "tests/pause/sequence.rs::pt4_rejects_slot_range_off_by_one",
        ],
        NOTE,
    )
    .report(&["PT4"], Shared)
    .experiment(
        "src/pause/experiments.rs::pt4_insertion",
        "src/pause/experiments.rs::pt4_verdict",
    )
    .changed(
        "report: 2·10⁴ sequences (--quick), χ² p ≥ 1e-3 only; test: 10⁵ sequences, p > 1e-3 plus \
         the structural checks → the spec's 10⁵ sequences for both, p ≥ 1e-3, structural checks \
         and all 231 slot sets seen.",
    ),
    Claim::new(
        "pause.PT5",
        &[M],
        Identity,
        "Adding `<pause>` costs one input-embedding row (d parameters) with tied embeddings and two \
         rows with untied ones.",
        &["tests/pause/training.rs::pt5_parameter_overhead"],
        NOTE,
    )
    .report(&["PT5"], Shared)
    .experiment(
        "src/pause/experiments.rs::pt5_parameter_overhead",
        "src/pause/experiments.rs::pt5_verdict",
    )
    .changed(
        "report: input row only (= d); test: input row = d and with an output column = 2d → \
         both parts for both.",
    ),
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
    .report(&["PT-capacity"], Shared)
    .experiment(
        "src/pause/experiments.rs::capacity_grid",
        "src/pause/experiments.rs::capacity_verdict",
    )
    .changed(
        "report: N = 4, K ∈ {4, 6, 8, 10}, M ≤ 10, correct iff error ≤ 1e-12; test: K ≤ 8, N ≤ 6, \
         M ≤ 8, error ≤ 1e-12 when N + M ≥ K and ≥ 0.5 otherwise → the union grid K ≤ 10, N ≤ 6, \
         M ≤ 10 with the test's two-sided bound for both.",
    ),
];
