//! Supervision complexity (Harutyunyan et al. 2023): SC1–SC8.

use super::{Claim, Kind::*, Sharing::*, Tag::*};

const NOTE: &str = "proofs-notes/supervision.md";

/// The supervision-complexity claims.
pub(super) const CLAIMS: &[Claim] = &[
    Claim::new(
        "supervision.SC1",
        &[D, V],
        Identity,
        "For a positive-definite kernel matrix K, SC(Y) = tr(YᵀK⁻¹Y) by Cholesky equals the eigen \
         form and the squared RKHS norm of the minimum-norm interpolant (rel 1e-10).",
        &[
            "tests/supervision/claims.rs::sc1_three_forms_agree",
            "tests/supervision/claims.rs::worked_example",
        ],
        NOTE,
    )
    .report(&["SC1"], Duplicated),
    Claim::new(
        "supervision.SC2",
        &[D, V],
        Inequality,
        "SC ≥ 0 with equality iff Y = 0, SC(aY) = a²SC(Y), SC is convex in Y and additive over columns.",
        &["tests/supervision/claims.rs::sc2_positivity_homogeneity_convexity_additivity"],
        NOTE,
    ),
    Claim::new(
        "supervision.SC3",
        &[D],
        Inequality,
        "If K' ⪰ K (Loewner order) then SC(Y, K') ≤ SC(Y, K).",
        &["tests/supervision/claims.rs::sc3_loewner_monotone"],
        NOTE,
    ),
    Claim::new(
        "supervision.SC4",
        &[D, V],
        Inequality,
        "On the measured instance, random labels have larger SC than labels of a smooth function of \
         x (spec: 1187 vs 439).",
        &["tests/supervision/claims.rs::sc4_random_labels_are_complex"],
        NOTE,
    )
    .report(&["SC4"], Duplicated),
    Claim::new(
        "supervision.SC5",
        &[D, E],
        Trend,
        "For teacher probabilities softmax(z/τ) centred by 1/C, τ²·SC → SC((Z − rowmean Z)/C) as \
         τ → ∞, so SC itself → 0, decreasing in τ.",
        &["tests/supervision/claims.rs::sc5_temperature_limit_and_trend"],
        NOTE,
    )
    .report(&["SC5"], Duplicated),
    Claim::new(
        "supervision.SC6",
        &[P, E],
        Trend,
        "On the online/offline driver (random-features teacher, 20% label noise), later teacher \
         checkpoints give targets of higher SC.",
        &["tests/supervision/claims.rs::sc6_sc7_checkpoints_and_distillation"],
        NOTE,
    )
    .report(&["SC6"], SameDriver),
    Claim::new(
        "supervision.SC7",
        &[P, E],
        Trend,
        "On the same driver, distilled students generalise better than students trained on the \
         one-hot labels.",
        &["tests/supervision/claims.rs::sc6_sc7_checkpoints_and_distillation"],
        NOTE,
    )
    .report(&["SC7"], SameDriver),
    Claim::new(
        "supervision.SC8",
        &[D],
        Statistical,
        "For a linear teacher on S² (n = 2000), the margin bound (margin error + complexity term) \
         holds wherever it is non-vacuous.",
        &["tests/supervision/claims.rs::sc8_margin_bound_holds"],
        NOTE,
    )
    .report(&["SC8"], SameDriver),
];
