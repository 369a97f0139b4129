//! Cascade deferral (Jitkrittum et al. 2023): CD1–CD8.

use super::{Claim, Kind::*, Sharing::*, Tag::*};

const NOTE: &str = "proofs-notes/cascade.md";

/// The cascade claims.
pub(super) const CLAIMS: &[Claim] = &[
    Claim::new(
        "cascade.CD1",
        &[D],
        Identity,
        "For deferral cost c and expected gain g(x) = P(h2 right | x) − P(h1 right | x), the Bayes \
         rule r* = 1{g > c} minimises the deferral risk R_c over all deterministic rules (brute \
         force, 1e-12).",
        &["tests/cascade/mod.rs::cd1_bayes_rule_is_optimal_negative_confidence_loses"],
        NOTE,
    ),
    Claim::new(
        "cascade.CD2",
        &[D],
        Inequality,
        "For a plug-in estimate ĝ, the regret R_c(1{ĝ > c}) − R_c(r*) equals E[|g − c|·1{mismatch}] \
         and is at most E|ĝ − g|.",
        &["tests/cascade/mod.rs::cd2_plugin_regret_identity_and_bound"],
        NOTE,
    ),
    Claim::new(
        "cascade.CD3",
        &[D],
        Inequality,
        "Every deferral curve runs from acc(h1) to acc(h2), and the oracle (realised-gain) curve lies \
         pointwise above the others.",
        &[
            "tests/cascade/mod.rs::cd3_endpoints_and_oracle_envelope",
            "tests/cascade/mod.rs::curve_set_evaluates_on_the_held_out_half",
        ],
        NOTE,
    ),
    Claim::new(
        "cascade.CD4",
        &[D],
        Identity,
        "When g is a strictly decreasing function of the first model's confidence s1, the confidence \
         deferral curve equals the optimal (expected-gain) curve.",
        &["tests/cascade/mod.rs::cd4_confidence_optimal_when_gain_monotone"],
        NOTE,
    )
    .report(&["CD4"], SameDriver),
    Claim::new(
        "cascade.CD5",
        &[E],
        Trend,
        "With a specialist second model, confidence deferral's curve (AUDC) falls short of the \
         expected-gain order by a margin.",
        &["tests/cascade/mod.rs::cd5_specialist_breaks_confidence"],
        NOTE,
    )
    .report(&["CD5"], SameDriver),
    Claim::new(
        "cascade.CD6",
        &[E],
        Trend,
        "Under label noise on the low-confidence points, confidence deferral gains little there and \
         post-hoc deferral recovers part of the gap to the optimal curve.",
        &["tests/cascade/mod.rs::cd6_label_noise_posthoc_recovers"],
        NOTE,
    )
    .report(&["CD6"], SameDriver),
    Claim::new(
        "cascade.CD7",
        &[E],
        Trend,
        "Post-hoc deferral improves on confidence deferral most at low deferral rates.",
        &["tests/cascade/mod.rs::cd7_posthoc_helps_most_at_low_rates"],
        NOTE,
    )
    .report(&["CD7"], SameDriver),
    Claim::new(
        "cascade.CD8",
        &[D],
        Identity,
        "A two-model cascade costs cost1 + rate·cost2 per example, a multi-stage one Σ_s cost_s·P(reach s).",
        &["tests/cascade/mod.rs::cd8_cost_accounting"],
        NOTE,
    ),
    Claim::new(
        "cascade.4e",
        &[D],
        Identity,
        "Worked example 4(e): for π = [0.5, 0.3, 0.2], acc1 = [0.9, 0.6, 0.3], acc2 = \
         [0.95, 0.9, 0.35], the gains, optimal order and curve take their hand values.",
        &["tests/cascade/mod.rs::worked_example"],
        NOTE,
    ),
];
