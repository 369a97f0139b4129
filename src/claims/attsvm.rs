//! Transformers as SVMs (Tarzanagh et al. 2023): A1–A5, Gen-SVM and the worked examples HT8, HT9,
//! HT11.

use super::{Claim, Kind::*, Sharing::*, Tag::*};

const NOTE: &str = "proofs-notes/attsvm.md";

/// The Att-SVM claims.
pub(super) const CLAIMS: &[Claim] = &[
    Claim::new(
        "attsvm.A1",
        &[R],
        Trend,
        "If the optimal tokens are unique and Att-SVM is feasible, the norm-constrained minimiser \
         W_R of the logistic loss aligns with W^mm as R grows (1 − corr decreasing over \
         R = 1…16, < 2e-2 at R = 16); the (K, Q) version aligns with the nuclear-norm W^mm_⋆.",
        &[
            "tests/nexttoken/attsvm.rs::a1_regularization_path",
            "tests/nexttoken/attsvm.rs::a1_kq_path_against_the_nuclear_svm",
        ],
        NOTE,
    )
    .not_reproduced(
        &[],
        "the (K, Q) half: GD (η = 0.1, 20 000 steps per radius, R = 2…32 on (K, Q), seed 72) stops \
         at a rank-1 stationary point inside the radius (loss 0.450, ‖(K, Q)‖_F 9.2 at R = 32); \
         1 − corr(KQᵀ, W^mm_⋆) = 0.765 against 1 − corr(KQᵀ, W^mm) = 0.457, so it aligns with \
         neither (planned: < 5e-2 and closer to W^mm_⋆). The Frobenius half holds (0.016 at R = 16).",
    ),
    Claim::new(
        "attsvm.A2",
        &[R],
        Trend,
        "For a locally-optimal, non-global selection α on random (6, 8, 10) instances, small-step \
         NGD started inside the cone {‖W‖ ≥ R0, corr(W, W^mm_α) ≥ 0.98} keeps selecting α and its \
         correlation with W^mm_α rises.",
        &["tests/nexttoken/attsvm.rs::a2_local_cone_convergence"],
        NOTE,
    )
    .changed(
        "start W(0) = 20·W^mm_α (corr exactly 1), corr ≥ 0.99 → spec protocol: W(0) inside the cone \
         at corr 0.98, NGD η = 0.01, 2000 steps; the planned corr ≥ 0.99 is not reproduced \
         (0.9862–0.9904), so the test asserts what holds: the selection stays α and corr rises by \
         ≥ 0.005 (issue 13, earlier session).",
    ),
    Claim::new(
        "attsvm.A3",
        &[R],
        Trend,
        "Global convergence of GD to W^mm_opt holds only under extra geometric conditions; in \
         general GD may select a locally-optimal, non-global α (no rate, no hard assert: seen in \
         A4's count of local selections).",
        &["tests/nexttoken/attsvm.rs::ht8_local_vs_global"],
        NOTE,
    ),
    Claim::new(
        "attsvm.A4",
        &[V],
        Statistical,
        "On 30 random (n=6, T=8, d=10) instances with NGD (η = 0.1, 2000 steps, logistic, W(0) = 0), \
         every selection α = argmax attention is locally optimal and corr(W, W^mm_α) ≥ 0.98 on every \
         run with mean ≥ 0.99.",
        &["tests/nexttoken/attsvm.rs::a4_selected_tokens_are_locally_optimal"],
        NOTE,
    )
    .report(&["A4"], Shared)
    .experiment(
        "src/attsvm/experiments.rs::local_convergence",
        "src/attsvm/experiments.rs::a4_verdict",
    )
    .changed(
        "report: 30 runs, mean corr ≥ 0.99 and min ≥ 0.9 (6 runs in quick mode); test: 8 other \
         seeds, every run ≥ 0.98 → one protocol and bound for both (stricter of the two, fixed \
         before running): 30 runs from the report's seed streams, every run ≥ 0.98, mean ≥ 0.99, \
         all selections locally optimal. Measured: 30/30 locally optimal, mean 0.9950, min \
         0.9295: 'every run ≥ 0.98' NOT REPRODUCED (report: failed check); the test asserts \
         local optimality and the mean.",
    )
    .not_reproduced(
        &["corr(W, W^mm_α) (min over runs)"],
        "30 runs (base seed 0): all 30 selections locally optimal, mean corr 0.9950 ≥ 0.99, but the \
         minimum over runs is 0.9295 < 0.98 (two runs below 0.98, 0.9295 and 0.959, as the rendered figure shows); the \
         spec's 0.989 minimum is not reproduced.",
    ),
    Claim::new(
        "attsvm.A5",
        &[C, V],
        Inequality,
        "For random instances with n = T = 5, the Frobenius Att-SVM solution has rank ≤ n, the \
         nuclear-norm solution has nuclear norm and rank no larger, and at d ∈ {5, 10} its mean rank \
         is at least 1 lower (spec reproduction: 4.8 / 5 vs 2.6 / 2.7).",
        &["tests/nexttoken/attsvm.rs::a5_frobenius_vs_nuclear_rank"],
        NOTE,
    )
    .report(&["A5"], Shared)
    .experiment(
        "src/attsvm/experiments.rs::rank_sweep",
        "src/attsvm/experiments.rs::a5_verdict",
    )
    .changed(
        "report: mean rank(nuclear) ≤ mean rank(Fro) at every d ∈ {2,3,5,10,20}, 15 draws; test: \
         per-draw rank and norm order plus mean reduction ≥ 1 at d ∈ {5, 10}, 3 draws → one sweep \
         and one bound for both: per-draw order at every d, mean reduction ≥ 1 at d ≥ 5.",
    ),
    Claim::new(
        "attsvm.GenSVM",
        &[C, V],
        Identity,
        "For next-token prediction with O_i = the tokens of τ_i in SCC(y_i), Gen-SVM equals the \
         graph-SVM and the SVM-equivalence W^fin built from W^fin's limiting softmax is W^fin itself.",
        &["tests/nexttoken/attsvm.rs::gen_svm_is_graph_svm_for_ntp"],
        NOTE,
    ),
    Claim::new(
        "attsvm.HT8",
        &[V],
        Identity,
        "On the single-input p-model HT8, p^mm(α=0) = (−0.1, 1, 0)/1.01 and p^mm(α=1) = (1, 0, 0), \
         and NGD from a start near each converges to that local max-margin direction.",
        &[
            "tests/nexttoken/attsvm.rs::ht8_local_vs_global",
            "tests/nexttoken/attsvm.rs::p1_p_model_naive_gradient",
        ],
        NOTE,
    ),
    Claim::new(
        "attsvm.HT9",
        &[V],
        Identity,
        "With orthogonal queries (HT9), W^mm = diag(1, 0.5) for both the Frobenius (‖·‖² = 1.25) and \
         the nuclear (‖·‖_* = 1.5) problems.",
        &["tests/nexttoken/attsvm.rs::ht9_frobenius_and_nuclear"],
        NOTE,
    ),
    Claim::new(
        "attsvm.HT11",
        &[V],
        Trend,
        "On HT11, p^mm = (1, 0, 0), and after 1000 NGD steps (η = 0.1) from 0 the correlation loss \
         (C = 10) aligns with it (cos ≥ 0.999) while the logistic loss (C = 100) is still far \
         (cos ∈ [0.80, 0.93]): the loss decides the speed (pitfall P6).",
        &["tests/nexttoken/attsvm.rs::ht11_loss_imbalance"],
        NOTE,
    ),
];
