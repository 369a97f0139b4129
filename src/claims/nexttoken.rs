//! Token-priority graphs and the graph-SVM (Li et al. 2024): C1–C7, the metamorphic properties and
//! the worked examples HT1, HT1a, HT3, HT6.

use super::{Claim, Kind::*, Sharing::*, Tag::*};

const MODEL: &str = "proofs-notes/nexttoken_model.md";
const BIAS: &str = "proofs-notes/nexttoken_implicit_bias.md";
const FINITE: &str = "proofs-notes/nexttoken_finite.md";
const GRAPHS: &str = "proofs-notes/nexttoken_graphs_svm.md";

/// The next-token (graph-SVM) claims.
pub(super) const CLAIMS: &[Claim] = &[
    Claim::new(
        "nexttoken.C1",
        &[V],
        Inequality,
        "For the identity-head log-loss L with full-row-rank embeddings, L is convex (Hessian PSD) \
         and, when W^svm ≠ 0, R ↦ L(W + R·W^svm) is strictly decreasing, so L has no finite minimiser.",
        &[
            "tests/nexttoken/claims.rs::c1_no_finite_minimizer",
            "tests/nexttoken/model.rs::hessian_matches_central_differences_and_is_psd",
        ],
        MODEL,
    ),
    Claim::new(
        "nexttoken.C2",
        &[R, V],
        Trend,
        "On a random (n=6, T=4, K=6, d=8) instance, the ridge path W_λ = argmin L + λ/2‖W‖² aligns \
         with W^svm (1 − corr decreasing in 1/λ, < 5e-3 at λ = 1e-8) and its S_fin projection \
         converges to W^fin (error < 1e-5 at λ = 1e-8).",
        &[
            "tests/nexttoken/claims.rs::c2_regularization_path",
            "tests/nexttoken/svm_equalities.rs::c2_rejects_svm_without_equalities",
        ],
        BIAS,
    )
    .report(&["C2"], Shared)
    .experiment(
        "src/nexttoken/experiments.rs::regularization_path",
        "src/nexttoken/experiments.rs::c2_verdict",
    )
    .changed(
        "report: one instance (draw 0 of seed 0), λ = 1e-1 … 1e-8 (quick) / 1 … 1e-12 (full), \
         1 − corr ≤ 5e-3 and S_fin error ≤ 1e-5 at λ = 1e-8, no monotonicity check; test: the \
         instances of seeds 21 and 22, λ = 1e-2 … 1e-8, strict < 5e-3 and < 1e-5, 1 − corr \
         decreasing and ‖W_λ‖ increasing → both: the instances of draws 0 and 1 of the authors' \
         setting (seed 0; the test's count of two, the spec being silent on it), λ = 1e-2 … 1e-8 \
         (quick, the spec's; full 1 … 1e-12), strict < 5e-3 and < 1e-5 at λ = 1e-8 and both \
         monotonicities, because that is the spec's assertion. Measured (quick): 1 − corr \
         2.1e-3 / 4.6e-3, S_fin error 5.6e-7 / 2.3e-7.",
    ),
    Claim::new(
        "nexttoken.C3",
        &[R, V],
        Trend,
        "On the authors' setting (n=6, T=4, K=6, d=8; NGD η = 0.01, 4000 steps from the torch init), \
         GD's direction aligns with W^svm (corr ≥ 0.975, projected corr ≥ corr − 1e-3) and its S_fin \
         part approaches W^fin (≤ 1e-2 for NGD, ≤ 5e-3 for plain GD).",
        &[
            "tests/nexttoken/claims.rs::c3_gd_implicit_bias",
            "tests/nexttoken/svm_equalities.rs::c3_rejects_svm_without_equalities",
        ],
        BIAS,
    )
    .report(&["C3"], Shared)
    .experiment(
        "src/nexttoken/experiments.rs::authors_setting",
        "src/nexttoken/experiments.rs::c3_verdict",
    )
    .changed(
        "corr ≥ 0.95 → ≥ 0.975 on every draw (earlier session): 0.95 let through the graph-SVM \
         without its within-SCC equality rows on the old test seed 31 (corr 0.963); 0.975 is just \
         under the authors' range 0.976–0.993. Then one experiment and one verdict: report: seed-0 \
         draws (4 quick / 10 full), corr ≥ 0.975, proj corr ≥ corr − 1e-3, NGD S_fin error ≤ \
         1e-2, no plain-GD or decomposition check; test: seeds 31–34 inline, the same plus \
         decomposition ≥ corr − 1e-3 and plain-GD (η = 1, 2e4 steps) S_fin error ≤ 5e-3 → both: \
         the report's draws (seed 0; the test runs the quick 4) judged by c3_verdict with every \
         part of both and the spec's corr ≥ 0.95 beside the 0.975; the test asserts all parts \
         but the 0.975 one, which does not hold (below). Added to the verdict (this session, \
         after the equality-free mutant passed every corr bound): the W^svm measured against \
         must satisfy the graph-SVM's constraint rows, built from the data, to 1e-9 (measured \
         ≤ 1e-9 for the shipped solver; the mutant violates a row by construction).",
    )
    .not_reproduced(
        &["final corr(W, W^svm) (min over draws)"],
        "seed 0, 4 draws (reproduce --quick and the test): final corr 0.9899 / 0.9669 / 0.9899 / \
         0.9827; the full report's 10 draws 0.9669–0.9906; minimum 0.9669 < 0.975 (the authors' range is 0.976–0.993; the spec's \
         independent re-implementation 0.966–0.994, which this matches; ≥ 0.95, the spec's \
         bound, holds). Nor does 0.975 separate the planted bug on these draws: the graph-SVM \
         without its within-SCC equality rows ends at 0.9892 / 0.9802 / 0.9897 / 0.9759 and \
         passes the corr bounds; c3_rejects_svm_without_equalities now rejects it through the \
         verdict's feasibility certificate. The bug is also caught by C2 on the same draws' instances \
         (c2_rejects_svm_without_equalities: 1 − corr at λ = 1e-8 is 8.0e-3 and 1.7e-2 > 5e-3) \
         and exactly by HT1a.",
    ),
    Claim::new(
        "nexttoken.C4",
        &[R, V],
        Trend,
        "On cyclic training data after 4000 NGD steps (η = 0.01), every sample puts ≥ 0.99 of its \
         attention on the tokens of SCC(y_i) (hard retrieval); on acyclic data 1 − mass → 0.",
        &["tests/nexttoken/claims.rs::c4_hard_retrieval"],
        BIAS,
    )
    .report(&["C4"], Shared)
    .experiment(
        "src/nexttoken/experiments.rs::hard_retrieval",
        "src/nexttoken/experiments.rs::c4_verdict",
    )
    .changed(
        "report: the C3 draws (seed 0, 4 quick / 10 full), top-SCC mass mean ≥ 0.99 and min ≥ \
         0.95, acyclic top-SCC 1 − mass ≤ 1e-2 (2 / 5 draws of seed 1); test: seeds 41–43, \
         every sample's label-SCC mass and the top-SCC mass ≥ 0.99, one acyclic draw (seed 44) \
         with worst-sample 1 − mass ≤ 1e-2, unseen HT3 prompt mass > 0.99 → both: the report's \
         draws judged by c4_verdict with the test's bounds (every sample and every draw ≥ 0.99, \
         acyclic worst sample ≤ 1e-2 on every acyclic draw, HT3 > 0.99), because the claim is \
         per sample (spec: min over samples 0.996–0.9998); the report's min ≥ 0.95 was a \
         loosened bound. Measured (quick): min label-SCC mass 0.9987, top-SCC 0.9993, acyclic \
         8.9e-4.",
    )
    .not_reproduced(
        &[
            "final top-SCC mass (min over draws)",
            "final label-SCC mass (min over samples and draws)",
        ],
        "full report (seed 0, 10 draws): draw 6, whose ‖W^svm‖ = 10.47 is the largest (the \
         smallest normalised margin), is still converging after 4000 NGD steps: top-SCC mass \
         0.9757 and smallest per-sample label-SCC mass 0.9301 < 0.99; the other nine draws reach \
         top-SCC mass ≥ 0.9992. Quick mode (4 draws, also the test's): 0.9993 and 0.9987, \
         passes. The spec's min over samples 0.996–0.9998 was observed on other draws; the \
         report had hidden this draw behind a mean and a min ≥ 0.95.",
    ),
    Claim::new(
        "nexttoken.C5",
        &[R, V],
        Trend,
        "After 1e5 plain GD steps (η = 1, from 0), the attention renormalised within the retrieved \
         SCC equals the softmax of the W^fin scores (L1 ≤ 1e-3).",
        &["tests/nexttoken/claims.rs::c5_soft_composition"],
        FINITE,
    ),
    Claim::new(
        "nexttoken.C6",
        &[V],
        Identity,
        "Under GD the loss tends to L_red(W^fin), which is > 0 when the priority graphs have cycles \
         (HT1: 0.636514), and to 0 on acyclic data.",
        &["tests/nexttoken/claims.rs::c6_loss_limit_and_two_wfin_routes"],
        FINITE,
    )
    .report(&["C6"], Shared)
    .experiment(
        "src/nexttoken/experiments.rs::loss_limit",
        "src/nexttoken/experiments.rs::c6_verdict",
    )
    .changed(
        "report: HT1 plain GD 1e4 steps (quick) / 1e5 (full), |L − L_red| ≤ 2e-4, no acyclic \
         check; test: 1e5 steps, |L − L_red| ≤ 2e-5 with L above the limit, HT3 L(W(1e4)) ≤ \
         1e-3 → both the test's, because the spec's run is 1e5 steps (0.636521) and the quick \
         report's 1e4 steps needed a 10× looser bound. Measured: gap 6.7e-6, HT3 5.0e-4.",
    ),
    Claim::new(
        "nexttoken.C7",
        &[C, E],
        Statistical,
        "For the non-convex 'gen' head with (1 − p_y)² loss (NGD η = 0.1, 2000 steps, n=6, T=4, \
         K=6, d=8), W correlates with the local graph-SVM built from the selected tokens (≥ 0.98) \
         far more than with the global W^svm.",
        &["tests/nexttoken/local.rs::c7_local_convergence"],
        BIAS,
    )
    .changed(
        "separation 'local ≫ global' never asserted → asserted as stated in the test's \
         c7_separated (issue 13, earlier session).",
    ),
    Claim::new(
        "nexttoken.S8",
        &[V],
        Identity,
        "Metamorphic properties of W^svm and W^fin: scaling E → cE divides them by c², a rotation \
         E → EQ conjugates them, a vocabulary permutation permutes the SCCs, duplicated samples \
         change nothing, W^svm ⊥ S_fin with a KKT certificate, E = I decouples the columns, and \
         token-swap-symmetric data split attention evenly.",
        &[
            "tests/nexttoken/props.rs::scaling",
            "tests/nexttoken/props.rs::rotation_equivariance",
            "tests/nexttoken/props.rs::vocabulary_permutation",
            "tests/nexttoken/props.rs::duplicating_samples",
            "tests/nexttoken/props.rs::orthogonality_feasibility_kkt",
            "tests/nexttoken/props.rs::identity_columns_decouple",
            "tests/nexttoken/props.rs::symmetric_data_splits_attention",
        ],
        GRAPHS,
    ),
    Claim::new(
        "nexttoken.HT1",
        &[V],
        Identity,
        "On worked example HT1 (one 2-cycle over a third token), G^(2) has SCCs {0,1} ≻ {2}, \
         W^svm = (1/3)(e0+e1)e2ᵀ − (2/3)e2e2ᵀ, W^fin = (ln2/2)(e0−e1)e2ᵀ and the limit loss is 0.636514.",
        &[
            "tests/nexttoken/worked.rs::ht1_exact_answers",
            "tests/nexttoken/analyze.rs::ht1_example",
        ],
        GRAPHS,
    ),
    Claim::new(
        "nexttoken.HT1a",
        &[V],
        Identity,
        "On the asymmetric cyclic instance HT1a, the graph-SVM's query column is exactly \
         (¾, ¾, −¼, −5/4), which the SVM without within-SCC equality rows misses by 0.75.",
        &[
            "tests/nexttoken/svm_equalities.rs::ht1a_asymmetric_cycle_exact_svm",
            "tests/nexttoken/svm_equalities.rs::ht1a_rejects_svm_without_equalities",
        ],
        GRAPHS,
    ),
    Claim::new(
        "nexttoken.HT3",
        &[V],
        Identity,
        "On the acyclic chain HT3, W^svm = (1.5, 0.5, −0.5, −1.5)ᵀe3ᵀ (‖·‖² = 5), W^fin = 0 and the \
         loss tends to 0.",
        &[
            "tests/nexttoken/worked.rs::ht3_exact_answers",
            "tests/nexttoken/analyze.rs::ht3_example",
        ],
        GRAPHS,
    ),
    Claim::new(
        "nexttoken.HT6",
        &[V],
        Identity,
        "With K > d and contradictory constraints (−3w ≥ 1, −6w ≥ 1, w ≥ 1), the graph-SVM is \
         reported infeasible, not solved.",
        &[
            "tests/nexttoken/worked.rs::ht6_reported_infeasible",
            "tests/nexttoken/analyze.rs::ht6_example_is_infeasible",
        ],
        GRAPHS,
    ),
];
