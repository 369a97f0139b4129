//! Memorisation across model sizes (Lukasik et al. 2023; Feldman & Zhang 2020): MM1–MM8 and the
//! estimator's standard error and subset size.

use super::{Claim, Kind::*, Sharing::*, Tag::*};

const NOTE: &str = "proofs-notes/memorisation.md";

/// The memorisation claims.
pub(super) const CLAIMS: &[Claim] = &[
    Claim::new(
        "memorisation.MM1",
        &[D],
        Identity,
        "A constant classifier has estimated memorisation ≡ 0 and a lookup table (right iff trained \
         on i) ≡ 1, exactly.",
        &[
            "tests/memorisation/mod.rs::mm1_degenerate_algorithms",
            "tests/memorisation/mod.rs::worked_example",
        ],
        NOTE,
    ),
    Claim::new(
        "memorisation.MM2",
        &[D, V],
        Statistical,
        "For 1-NN on the 3-cluster instance with every tenth label flipped (n = 40, m = 28, K = 4000 \
         subsets), the estimator agrees with the exact memorisation within 4 SE on every example \
         (max error ≤ 0.06), and flipped points are memorised far more than clean ones.",
        &["tests/memorisation/mod.rs::mm2_one_nn_exact_vs_estimator"],
        NOTE,
    )
    .report(&["MM2", "MM2-z"], Shared)
    .experiment(
        "src/memorisation/experiments.rs::one_nn_memorisation",
        "src/memorisation/experiments.rs::mm2_verdict",
    )
    .changed(
        "report: max error ≤ 0.06 and z = err / max(SE, 3/K_out) ≤ 4, seed 0; test: per-point \
         4 SE + rule of three, flipped/clean means, seeds 2 and 3 → one experiment (seed 0) and \
         all of the checks for both. Measured: estimator part holds (max error 0.023, max z 1.8); \
         flipped mean 0.769 < 0.8 on this instance: NOT REPRODUCED (report: failed check); the \
         test asserts the estimator part.",
    )
    .not_reproduced(
        &["1-NN: mean exact mem of flipped points − 0.8 and 0.3 − mean of clean points (min)"],
        "seed 0 (n = 40, m = 28): the estimator agrees with the exact memorisation (max error \
         0.023, max z 1.8), but the flipped points' mean exact memorisation is 0.769, below the \
         0.8 the claim's separation bound asks for (clean points 0.099); the separation holds in \
         direction, not at the stated level, on this instance.",
    ),
    Claim::new(
        "memorisation.MM3",
        &[D],
        Inequality,
        "If example i has a duplicate with the same label, its memorisation is at most 1 − m/(n−1).",
        &["tests/memorisation/mod.rs::mm3_duplicates_lower_memorisation"],
        NOTE,
    ),
    Claim::new(
        "memorisation.MM4",
        &[D],
        Statistical,
        "The estimator is unbiased: over 20 independent runs (K = 1000) the mean estimate is within \
         3 SE of the exact memorisation, while a biased variant is rejected.",
        &["tests/memorisation/mod.rs::mm4_unbiased_negative_biased"],
        NOTE,
    ),
    Claim::new(
        "memorisation.MM5",
        &[D],
        Identity,
        "The influence estimator equals the two masked means computed directly (1e-12) and, for \
         1-NN, matches the exact value within 4 SE.",
        &["tests/memorisation/mod.rs::mm5_influence"],
        NOTE,
    ),
    Claim::new(
        "memorisation.SE",
        &[D],
        Statistical,
        "The estimator's standard error sqrt(p_in(1−p_in)/K_in + p_out(1−p_out)/K_out) matches the \
         simulated spread of the estimator, and dropping /K_in, /K_out is rejected.",
        &[
            "tests/memorisation/checks.rs::mm_standard_error_matches_simulated_spread",
            "tests/memorisation/checks.rs::mm_standard_error_check_rejects_planted_bugs",
        ],
        NOTE,
    )
    .changed(
        "never checked (MM2/MM4 took their tolerance from it) → an independent simulation check \
         with the 40×-too-large SE as negative control (issue 13, earlier session).",
    ),
    Claim::new(
        "memorisation.subset",
        &[D],
        Identity,
        "The estimator targets memorisation at subset size m = |S_k|: sampled memberships have \
         row sums m, and subsets of size m − 1 are rejected.",
        &[
            "tests/memorisation/checks.rs::mm_subset_size_is_m",
            "tests/memorisation/checks.rs::mm_subset_size_check_rejects_m_minus_one",
        ],
        NOTE,
    )
    .changed(
        "subsets of size m − 1 passed MM2, MM3, MM5 → a direct subset-size check with that mutant \
         as negative control (issue 13, earlier session).",
    ),
    Claim::new(
        "memorisation.MM6",
        &[E],
        Trend,
        "On the toy (K = 200 runs, widths 10–1000), memorisation trajectories across model sizes \
         show at least two shapes (increasing, decreasing, cap, ...) each on ≥ 5% of examples.",
        &["tests/memorisation/toy.rs::mm6_mm7_trajectories_and_proxies"],
        NOTE,
    )
    .report(&["MM6"], Shared)
    .experiment(
        "src/memorisation/toy_experiments.rs::mm6_trajectories",
        "src/memorisation/toy_experiments.rs::mm6_verdict",
    )
    .changed(
        "report: toy and subsets at the report seed, K = 200 (--quick) / 1000; test: its own seeds \
         (toy 1, subsets 2, features 3), K = 200; bound ≥ 2 classes at ≥ 5% in both → one \
         setup (toy_setup: seed, subsets seed ^ 0x746f79) at the report's seed 0, K = 200 in the \
         test and --quick (spec 2(c)), bound unchanged.",
    ),
    Claim::new(
        "memorisation.MM7",
        &[E],
        Trend,
        "Proxies (learning speed, curvature) agree with memorisation's trajectory shape less than \
         perfectly (agreement < 1).",
        &["tests/memorisation/toy.rs::mm6_mm7_trajectories_and_proxies"],
        NOTE,
    ),
    Claim::new(
        "memorisation.MM8",
        &[E],
        Trend,
        "Distillation from a regularised teacher lowers the student's mean memorisation, more on \
         noisy examples; a teacher that interpolates the noisy labels does not.",
        &[
            "tests/memorisation/toy.rs::mm8_distillation_lowers_memorisation",
            "tests/memorisation/toy.rs::mm8_negative_interpolating_teacher",
        ],
        NOTE,
    )
    .report(&["MM8", "MM8-noisy"], Shared)
    .experiment(
        "src/memorisation/toy_experiments.rs::mm8_distillation",
        "src/memorisation/toy_experiments.rs::mm8_verdict",
    )
    .changed(
        "report: one-hot − distilled mean mem ≥ 1e-9 and noisy − clean drop ≥ 1e-9; test: the same \
         two strictly > 0, on its own seeds → the spec's strict inequalities for both, on one \
         setup at the report's seed 0 (K = 200 in the test and --quick).",
    ),
];
