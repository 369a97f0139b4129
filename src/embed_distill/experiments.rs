//! The EmbedDistill experiments and their bounds, shared by the theorem checks
//! (`tests/embed_distill/claims.rs`) and the report section (claims `embed_distill.ED1`, `ED2`,
//! `ED7` in [`crate::claims`]): one protocol and one verdict per claim.

use super::bound::{dist, score_gap_and_bound, score_gap_radius_bound};
use super::losses::softmax_ce;
use super::student::{run_asymmetric, AsymmetricConfig, StudentQuality};
use crate::error::Result;
use crate::ops::max_propagating_nan;
use crate::rng::{seeded, Rng};
use rand_distr::{Distribution, StandardNormal};
use serde::Serialize;

fn normal_vec(rng: &mut Rng, k: usize, scale: f64) -> Vec<f64> {
    (0..k)
        .map(|_| scale * Distribution::<f64>::sample(&StandardNormal, rng))
        .collect()
}

/// `a + b` elementwise.
fn plus(a: &[f64], b: Vec<f64>) -> Vec<f64> {
    a.iter().zip(b).map(|(x, y)| x + y).collect()
}

fn norm(v: &[f64]) -> f64 {
    v.iter().map(|x| x * x).sum::<f64>().sqrt()
}

/// ED1 protocol: random cases (the spec: 5000).
pub const ED1_CASES: usize = 5000;
/// ED1: rounding slack of `|gap| − bound`. The bound is a sum of two Cauchy–Schwarz terms, exact
/// in real arithmetic; the gap and the norms are sums of ≤ 16 products of O(1) numbers, so their
/// rounding is ~1e-15. A bound that drops a term is violated by O(ε) ≥ 1e-3 on some case.
pub const ED1_SLACK: f64 = 1e-12;

/// One ED1 case: teacher and student embeddings.
#[derive(Clone, Debug)]
pub struct Ed1Case {
    /// Teacher query.
    pub q_t: Vec<f64>,
    /// Teacher document.
    pub d_t: Vec<f64>,
    /// Student query.
    pub q_s: Vec<f64>,
    /// Student document.
    pub d_s: Vec<f64>,
    /// `⟨q_t,d_t⟩ − ⟨q_s,d_s⟩`.
    pub gap: f64,
    /// `‖q_t−q_s‖‖d_t‖ + ‖q_s‖‖d_t−d_s‖`.
    pub bound: f64,
}

/// ED1 on [`ED1_CASES`] random cases (stream `seeded(seed, 0xed1)`): case `c` has dimension
/// `1 + c mod 16`, teacher embeddings `N(0, I)` and student = teacher + `N(0, ε² I)` with
/// `ε = 10^{−((c / 16) mod 4)}` (1 … 1e-3).
pub fn ed1_cases(seed: u64) -> Result<Vec<Ed1Case>> {
    let mut rng = seeded(seed, 0xed1);
    (0..ED1_CASES)
        .map(|case| {
            let k = 1 + case % 16;
            let eps = 10f64.powi(-(((case / 16) % 4) as i32));
            let (q_t, d_t) = (normal_vec(&mut rng, k, 1.0), normal_vec(&mut rng, k, 1.0));
            let q_s = plus(&q_t, normal_vec(&mut rng, k, eps));
            let d_s = plus(&d_t, normal_vec(&mut rng, k, eps));
            let (gap, bound) = score_gap_and_bound(&q_t, &d_t, &q_s, &d_s)?;
            Ok(Ed1Case {
                q_t,
                d_t,
                q_s,
                d_s,
                gap,
                bound,
            })
        })
        .collect()
}

/// ED1's measured quantities and bound.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Ed1Verdict {
    /// `max (|gap| − bound)` over the cases (≤ 0 up to rounding).
    pub worst_slack: f64,
    /// Whether the worst slack is ≤ [`ED1_SLACK`] (and there are cases).
    pub holds: bool,
}

/// ED1's bound (NaN fails).
pub fn ed1_verdict(cases: &[Ed1Case]) -> Ed1Verdict {
    let worst_slack = cases
        .iter()
        .map(|c| c.gap.abs() - c.bound)
        .reduce(max_propagating_nan)
        .unwrap_or(f64::NAN);
    Ed1Verdict {
        worst_slack,
        holds: worst_slack <= ED1_SLACK,
    }
}

/// ED2 protocol: random cases.
pub const ED2_CASES: usize = 2000;
/// ED2 protocol: documents per query.
pub const ED2_DOCS: usize = 10;
/// ED2 protocol: embedding dimension.
pub const ED2_DIM: usize = 6;
/// ED2 protocol: student temperature of the softmax-CE loss (its score gradient has ℓ1 norm
/// ≤ 2/τ_s, the Lipschitz constant `L`).
pub const ED2_TAU_S: f64 = 0.5;
/// ED2: relative and absolute rounding slack of the three inequalities (sums of ≤ 10 terms of
/// O(1) numbers round at ~1e-15).
pub const ED2_SLACK: f64 = 1e-12;

/// What ED2 measured: the worst ratio of each side to its bound over the cases.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Ed2Outcome {
    /// `max |gap| / (R(‖Δq‖ + ‖Δd‖))` over every (case, document), `R` the case's largest norm.
    pub radius_ratio: f64,
    /// `max |L(s_t) − L(s_s)| − (2/τ_s) max_j |gap_j|` over cases (≤ 0).
    pub loss_slack: f64,
    /// `max (2/τ_s) max_j |gap_j| / ((2/τ_s) R (‖Δq‖ + max_j ‖Δd_j‖))` over cases (≤ 1).
    pub chain_ratio: f64,
}

/// ED2 on [`ED2_CASES`] cases (stream `seeded(seed, 0xed2)`): a query and [`ED2_DOCS`] documents
/// of dimension [`ED2_DIM`], student = teacher + `N(0, ε² I)`, `ε` cycling 1e-3, 1e-2, 1e-1, 1;
/// the softmax-CE loss (τ_s = [`ED2_TAU_S`], τ_t = 1) against a random target `N(0, 4 I)`.
pub fn ed2_radius_and_loss(seed: u64) -> Result<Ed2Outcome> {
    let mut rng = seeded(seed, 0xed2);
    let (k, l, tau_s) = (ED2_DIM, ED2_DOCS, ED2_TAU_S);
    let mut out = Ed2Outcome {
        radius_ratio: 0.0,
        loss_slack: f64::NEG_INFINITY,
        chain_ratio: 0.0,
    };
    for case in 0..ED2_CASES {
        let eps = [1e-3, 1e-2, 1e-1, 1.0][case % 4];
        let q_t = normal_vec(&mut rng, k, 1.0);
        let q_s = plus(&q_t, normal_vec(&mut rng, k, eps));
        let docs_t: Vec<Vec<f64>> = (0..l).map(|_| normal_vec(&mut rng, k, 1.0)).collect();
        let docs_s: Vec<Vec<f64>> = docs_t
            .iter()
            .map(|d| plus(d, normal_vec(&mut rng, k, eps)))
            .collect();
        let radius = docs_t.iter().chain(&docs_s).map(|d| norm(d)).fold(
            max_propagating_nan(norm(&q_t), norm(&q_s)),
            max_propagating_nan,
        );
        let (mut max_gap, mut max_dd) = (0.0f64, 0.0f64);
        let (mut s_t, mut s_s) = (Vec::with_capacity(l), Vec::with_capacity(l));
        for (dt, ds) in docs_t.iter().zip(&docs_s) {
            let (gap, _) = score_gap_and_bound(&q_t, dt, &q_s, ds)?;
            let rb = score_gap_radius_bound(radius, &q_t, dt, &q_s, ds)?;
            out.radius_ratio = max_propagating_nan(out.radius_ratio, gap.abs() / rb);
            max_gap = crate::ops::max_propagating_nan(max_gap, gap.abs());
            max_dd = crate::ops::max_propagating_nan(max_dd, dist(dt, ds));
            s_t.push(dt.iter().zip(&q_t).map(|(a, b)| a * b).sum::<f64>());
            s_s.push(ds.iter().zip(&q_s).map(|(a, b)| a * b).sum::<f64>());
        }
        let target = normal_vec(&mut rng, l, 2.0);
        let lt = softmax_ce(&s_t, &target, tau_s, 1.0)?.loss;
        let ls = softmax_ce(&s_s, &target, tau_s, 1.0)?.loss;
        let lip = 2.0 / tau_s;
        out.loss_slack = max_propagating_nan(out.loss_slack, (lt - ls).abs() - lip * max_gap);
        out.chain_ratio = max_propagating_nan(
            out.chain_ratio,
            max_gap / (radius * (dist(&q_t, &q_s) + max_dd)),
        );
    }
    Ok(out)
}

/// ED2's bound: the radius form and the loss-difference chain hold up to [`ED2_SLACK`].
pub fn ed2_verdict(o: &Ed2Outcome) -> bool {
    o.radius_ratio <= 1.0 + ED2_SLACK
        && o.loss_slack <= ED2_SLACK
        && o.chain_ratio <= 1.0 + ED2_SLACK
}

/// ED7 protocol: the fixed grid of GD step sizes (the spec gives none; issue 13 replaced the one
/// rate under which the trend held by this grid).
pub const ED7_LRS: [f64; 3] = [0.02, 0.1, 0.5];
/// ED7 protocol: training queries (the spec's two sizes).
pub const ED7_N_TRAIN: [usize; 2] = [20, 100];
/// ED7 protocol: GD steps (spec 7(c)).
pub const ED7_STEPS: usize = 3000;
/// ED7: embedding matching may lower held-out top-1 agreement by at most this (the spec's \[E\]
/// assertion "not worse by > 0.01"; its run gains 0.004–0.028).
pub const ED7_MAX_LOSS: f64 = 0.01;

/// One ED7 cell: the two students at one step size and training size.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Ed7Cell {
    /// GD step size.
    pub lr: f64,
    /// Training queries.
    pub n_train: usize,
    /// Score-only KD.
    pub plain: StudentQuality,
    /// KD + L2 query-embedding matching (λ = 1).
    pub matched: StudentQuality,
}

/// ED7 on the tiny instance 7(c) at `seed`: both students for every step size of [`ED7_LRS`] and
/// training size of [`ED7_N_TRAIN`], [`ED7_STEPS`] steps (cells in that order).
pub fn ed7_sweep(seed: u64) -> Result<Vec<Ed7Cell>> {
    let mut cells = Vec::new();
    for lr in ED7_LRS {
        for n_train in ED7_N_TRAIN {
            let cfg = AsymmetricConfig {
                n_train,
                lr,
                steps: ED7_STEPS,
                seed,
                ..Default::default()
            };
            cells.push(Ed7Cell {
                lr,
                n_train,
                plain: run_asymmetric(&cfg, 0.0)?,
                matched: run_asymmetric(&cfg, 1.0)?,
            });
        }
    }
    Ok(cells)
}

/// ED7's bound at one step size.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Ed7Verdict {
    /// Step size.
    pub lr: f64,
    /// Per training size: matched top-1 − score-only top-1 ≥ −[`ED7_MAX_LOSS`].
    pub not_worse: [bool; 2],
    /// More training queries help the score-only student (agreement at 100 > at 20).
    pub more_queries_plain: bool,
    /// More training queries help the matched student.
    pub more_queries_matched: bool,
}

impl Ed7Verdict {
    /// Every part holds at this step size.
    pub fn holds(&self) -> bool {
        self.not_worse.iter().all(|&b| b) && self.more_queries_plain && self.more_queries_matched
    }
}

/// ED7's bound, one verdict per step size (cells as [`ed7_sweep`] returns them; a step size with
/// a missing cell gets a failing verdict).
pub fn ed7_verdict(cells: &[Ed7Cell]) -> Vec<Ed7Verdict> {
    ED7_LRS
        .iter()
        .map(|&lr| {
            let at = |n: usize| cells.iter().find(|c| c.lr == lr && c.n_train == n);
            match (at(ED7_N_TRAIN[0]), at(ED7_N_TRAIN[1])) {
                (Some(a), Some(b)) => {
                    let ok = |c: &Ed7Cell| {
                        c.matched.top1_agreement - c.plain.top1_agreement >= -ED7_MAX_LOSS
                    };
                    Ed7Verdict {
                        lr,
                        not_worse: [ok(a), ok(b)],
                        more_queries_plain: b.plain.top1_agreement > a.plain.top1_agreement,
                        more_queries_matched: b.matched.top1_agreement > a.matched.top1_agreement,
                    }
                }
                _ => Ed7Verdict {
                    lr,
                    not_worse: [false; 2],
                    more_queries_plain: false,
                    more_queries_matched: false,
                },
            }
        })
        .collect()
}
