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
        &["tests/nexttoken/claims.rs::c2_regularization_path"],
        BIAS,
    )
    .report(&["C2"], Duplicated),
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
    .report(&["C3"], Duplicated)
    .changed(
        "corr ≥ 0.95 → ≥ 0.975 on every draw: 0.95 let through the graph-SVM without its \
         within-SCC equality rows (corr 0.963); 0.975 is just under the authors' range \
         0.976–0.993. Test (earlier session) and now the report (10 draws of its own experiment \
         driver) judge the one constant nexttoken::experiment::C3_MIN_CORR; the experiment itself \
         is still written twice (test seeds 31–34 inline, report experiment::run).",
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
    .report(&["C4"], Duplicated),
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
    .report(&["C6"], Duplicated),
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
