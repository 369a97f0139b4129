//! The protocols and bounds of claims C2, C3, C4 and C6 (claims `nexttoken.C*` in
//! [`crate::claims`]), shared by the theorem checks in `tests/nexttoken/claims.rs` and the report
//! section: one experiment function and one verdict per claim, so the two cannot disagree.
//!
//! The runs are the authors' global-convergence experiment ([`super::experiment`]); the sizes of
//! `reproduce --quick` ([`Protocol::quick`], which the tests run) and of the full report
//! ([`Protocol::full`]) differ, the bounds do not.

use super::dataset::Dataset;
use super::experiment::{draw_instance, run_draw_with, Draw, Settings, SvmSolver};
use super::finite::{w_fin, SFin};
use super::generators::{Sizes, Structure};
use super::graph::build_graphs;
use super::metrics::sfin_error_of;
use super::model::{loss, prompt_distribution, GradientForm};
use super::optim::{descend, ridge_path, Step};
use super::svm::graph_svm;
use super::worked::{ht1, ht3};
use crate::error::{Error, Result};
use crate::ops::{max_propagating_nan, min_propagating_nan};
use crate::qp::Mat;

/// Sizes of one run of the claims' experiments.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Protocol {
    /// Draws of the authors' cyclic setting (C3, C4); the authors ran 10.
    pub draws: usize,
    /// Draws of the acyclic setting (C4).
    pub acyclic_draws: usize,
    /// Instances of the ridge path (C2): the first draws' instances of the authors' setting.
    pub ridge_instances: usize,
    /// Ridge parameters `λ`, decreasing; must contain [`C2_LAMBDA`].
    pub lambdas: &'static [f64],
}

impl Protocol {
    /// `reproduce --quick` and the tests: 4 draws, 2 acyclic, the spec's λ = 1e-2 … 1e-8.
    pub fn quick() -> Self {
        Protocol {
            draws: 4,
            acyclic_draws: 2,
            ridge_instances: 2,
            lambdas: &[1e-2, 1e-4, 1e-6, 1e-8],
        }
    }

    /// The full report: the authors' 10 draws, 5 acyclic, λ = 1 … 1e-12.
    pub fn full() -> Self {
        Protocol {
            draws: 10,
            acyclic_draws: 5,
            ridge_instances: 2,
            lambdas: &[
                1.0, 1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8, 1e-9, 1e-10, 1e-11, 1e-12,
            ],
        }
    }
}

// ---------------------------------------------------------------------------------------------
// C2: the regularisation path.

/// C2: the ridge parameter at which the bounds are judged (the spec's).
pub const C2_LAMBDA: f64 = 1e-8;
/// C2: `1 − corr(W_λ, W^svm)` at [`C2_LAMBDA`] is below this (spec; the reference instance gives
/// 1.3e-3 and a second one 3.1e-3, so ×1.6–4 slack for other draws).
pub const C2_MAX_GAP: f64 = 5e-3;
/// C2: `‖Π_Sfin W_λ − W^fin‖` at [`C2_LAMBDA`] is below this (spec; reference 7.7e-7, the error
/// falls like λ, so ×13 slack).
pub const C2_MAX_SFIN_ERROR: f64 = 1e-5;

/// One instance's ridge path.
#[derive(Clone, Debug, serde::Serialize)]
pub struct RidgePath {
    /// `λ`, decreasing.
    pub lambdas: Vec<f64>,
    /// `‖W_λ‖_F`.
    pub norms: Vec<f64>,
    /// `1 − corr(W_λ, W^svm)`.
    pub gaps: Vec<f64>,
    /// `‖Π_Sfin W_λ − W^fin‖_F`.
    pub sfin_errors: Vec<f64>,
    /// `‖W^svm‖_F`.
    pub svm_norm: f64,
    /// `‖W^fin‖_F`.
    pub fin_norm: f64,
    /// `dim S_fin`.
    pub sfin_dim: usize,
}

/// C2's experiment: the ridge path `W_λ = argmin L + (λ/2)‖W‖²` (damped Newton, warm-started) on
/// the instances of the first [`Protocol::ridge_instances`] draws of the authors' setting.
///
/// # Errors
/// [`Error::InvalidArgument`] when the protocol's λ are not decreasing or lack [`C2_LAMBDA`];
/// otherwise as [`ridge_path`], [`graph_svm`], [`w_fin`].
pub fn regularization_path(p: &Protocol, seed: u64) -> Result<Vec<RidgePath>> {
    regularization_path_with(p, seed, &|ds, graphs| Ok(graph_svm(ds, graphs)?.w))
}

/// [`regularization_path`] with `W^svm` from `svm` (for planted-bug controls).
///
/// # Errors
/// As [`regularization_path`], and whatever `svm` returns.
pub fn regularization_path_with(p: &Protocol, seed: u64, svm: SvmSolver) -> Result<Vec<RidgePath>> {
    if !p.lambdas.windows(2).all(|l| l[1] < l[0]) || !p.lambdas.contains(&C2_LAMBDA) {
        return Err(Error::InvalidArgument {
            what: "C2 ridge parameters",
            reason: "must decrease and contain 1e-8".into(),
        });
    }
    let settings = Settings::authors();
    (0..p.ridge_instances as u64)
        .map(|i| {
            let (ds, _) = draw_instance(&settings, seed, i)?;
            let graphs = build_graphs(&ds);
            let svm = svm(&ds, &graphs)?;
            let fin = w_fin(&ds, &graphs)?;
            let sfin = SFin::new(&ds, &graphs)?;
            let path = ridge_path(&ds, p.lambdas)?;
            Ok(RidgePath {
                lambdas: p.lambdas.to_vec(),
                norms: path.iter().map(Mat::norm).collect(),
                gaps: path.iter().map(|w| 1.0 - w.corr(&svm)).collect(),
                sfin_errors: path
                    .iter()
                    .map(|w| sfin_error_of(w, &fin.w, &sfin))
                    .collect(),
                svm_norm: svm.norm(),
                fin_norm: fin.w.norm(),
                sfin_dim: sfin.dimension(),
            })
        })
        .collect()
}

/// C2's bound applied to the paths.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct C2Verdict {
    /// Largest `1 − corr` at [`C2_LAMBDA`] over instances.
    pub gap: f64,
    /// Largest S_fin error at [`C2_LAMBDA`] over instances.
    pub sfin_error: f64,
    /// On every instance `1 − corr` strictly decreases and `‖W_λ‖` strictly grows as λ falls.
    pub monotone: bool,
    /// Monotone, `gap <` [`C2_MAX_GAP`] and `sfin_error <` [`C2_MAX_SFIN_ERROR`].
    pub passed: bool,
}

/// C2: `1 − corr` decreasing in `1/λ` and `< 5e-3` at λ = 1e-8, S_fin error `< 1e-5` there.
pub fn c2_verdict(paths: &[RidgePath]) -> C2Verdict {
    let at = |p: &RidgePath, v: &[f64]| {
        p.lambdas
            .iter()
            .position(|&l| l == C2_LAMBDA)
            .map_or(f64::NAN, |i| v[i])
    };
    let gap = paths
        .iter()
        .map(|p| at(p, &p.gaps))
        .fold(f64::NEG_INFINITY, max_propagating_nan);
    let sfin_error = paths
        .iter()
        .map(|p| at(p, &p.sfin_errors))
        .fold(f64::NEG_INFINITY, max_propagating_nan);
    let monotone = paths
        .iter()
        .all(|p| p.gaps.windows(2).all(|g| g[1] < g[0]) && p.norms.windows(2).all(|n| n[1] > n[0]));
    C2Verdict {
        gap,
        sfin_error,
        monotone,
        passed: !paths.is_empty() && monotone && gap < C2_MAX_GAP && sfin_error < C2_MAX_SFIN_ERROR,
    }
}

// ---------------------------------------------------------------------------------------------
// C3: the implicit bias of gradient descent.

/// Claim C3's bound on the authors' setting and schedule: `corr(W, W^svm) ≥ 0.975` at the end of
/// every draw (issue 13; the spec and the report judged 0.95 before).
///
/// Reason: the authors report 0.976–0.993 for this setting, so a correct graph-SVM lands inside
/// their range and 0.975 sits just under its lower end; 0.95 let through a graph-SVM without its
/// within-SCC equality rows (corr 0.963). The test keeps that mutant as its negative control.
pub const C3_MIN_CORR: f64 = 0.975;
/// C3: the spec's own correlation bound (§4 C3: "corr ≥ 0.95; the authors raise an error below
/// 0.9"), judged beside [`C3_MIN_CORR`]: the independent re-implementation the spec cites ranged
/// 0.966–0.994, so 0.95 is the level a correct implementation meets on every draw.
pub const C3_SPEC_MIN_CORR: f64 = 0.95;
/// C3: `corr(Π_{S_fin^⊥} W, W^svm) ≥ corr(W, W^svm) − 1e-3` (spec), and the same slack for the
/// decomposition `corr(W, W^fin + R W^svm)`: removing the finite part may not lose alignment.
pub const C3_PROJECTION_SLACK: f64 = 1e-3;
/// C3: S_fin error of the normalized-GD iterate (spec: NGD floors near 5e-3, pitfall P3).
pub const C3_MAX_SFIN_ERROR_NGD: f64 = 1e-2;
/// C3: S_fin error of plain GD η = 1 after [`C3_GD_STEPS`] steps from the same initialisation
/// (spec; observed 0–1.8e-3).
pub const C3_MAX_SFIN_ERROR_GD: f64 = 5e-3;
/// C3: largest graph-SVM constraint violation ([`Draw::svm_violation`]) accepted for the
/// direction the runs are measured against: the rounding of a QP solved to KKT residual 1e-9
/// (the tolerance the S8 property tests assert for the shipped solver on random instances).
/// The measurement is independent of the solver (the rows come from the data), so it certifies
/// that `W^svm` is the graph-SVM's feasible point; the corr bounds cannot tell the equality-free
/// mutant from the graph-SVM at 4000 NGD steps (issue 13, numbers in the C3 control's doc).
pub const C3_MAX_SVM_VIOLATION: f64 = 1e-9;
/// C3: plain GD steps of the S_fin check (spec).
pub const C3_GD_STEPS: usize = 20_000;

/// The authors' cyclic setting, run under a protocol.
#[derive(Clone, Debug, serde::Serialize)]
pub struct AuthorsOutcome {
    /// Per draw: the normalized-GD run (η = 0.01, 4000 steps) with its records.
    pub draws: Vec<Draw>,
    /// Per draw: `‖Π_Sfin W − W^fin‖` after [`C3_GD_STEPS`] plain GD steps (η = 1) from the same
    /// initialisation.
    pub gd_sfin_errors: Vec<f64>,
}

/// C3's (and C4's cyclic) experiment: [`Protocol::draws`] draws of the authors' setting
/// ([`Settings::authors`]) against the shipped graph-SVM.
///
/// # Errors
/// As [`run_draw_with`] and [`descend`].
pub fn authors_setting(p: &Protocol, seed: u64) -> Result<AuthorsOutcome> {
    authors_setting_with(p, seed, &|ds, graphs| Ok(graph_svm(ds, graphs)?.w))
}

/// [`authors_setting`] with `W^svm` from `svm` (for planted-bug controls).
///
/// # Errors
/// As [`authors_setting`], and whatever `svm` returns.
pub fn authors_setting_with(p: &Protocol, seed: u64, svm: SvmSolver) -> Result<AuthorsOutcome> {
    let settings = Settings::authors();
    let mut draws = Vec::with_capacity(p.draws);
    let mut gd_sfin_errors = Vec::with_capacity(p.draws);
    for i in 0..p.draws as u64 {
        draws.push(run_draw_with(&settings, seed, i, svm)?);
        let (ds, w0) = draw_instance(&settings, seed, i)?;
        gd_sfin_errors.push(plain_gd_sfin_error(&ds, &w0)?);
    }
    Ok(AuthorsOutcome {
        draws,
        gd_sfin_errors,
    })
}

fn plain_gd_sfin_error(ds: &Dataset, w0: &Mat) -> Result<f64> {
    let graphs = build_graphs(ds);
    let fin = w_fin(ds, &graphs)?;
    let sfin = SFin::new(ds, &graphs)?;
    let end = descend(
        ds,
        w0,
        Step::Plain(1.0),
        GradientForm::Stable,
        C3_GD_STEPS,
        |_, _| {},
    )?;
    Ok(sfin_error_of(&end.w, &fin.w, &sfin))
}

/// C3's bound applied to the authors' setting: each part separately, so a report or a test can
/// show which one fails.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct C3Verdict {
    /// Smallest final `corr(W, W^svm)` over draws.
    pub min_corr: f64,
    /// Smallest final `proj_corr − corr` over draws.
    pub min_projection_gain: f64,
    /// Smallest final `corr(W, W^fin + R W^svm) − corr(W, W^svm)` over draws.
    pub min_decomposition_gain: f64,
    /// Largest final S_fin error of the normalized-GD runs.
    pub max_sfin_error_ngd: f64,
    /// Largest S_fin error of the plain GD runs.
    pub max_sfin_error_gd: f64,
    /// Largest graph-SVM constraint violation of the `W^svm` the draws were measured against.
    pub max_svm_violation: f64,
    /// `max_svm_violation ≤` [`C3_MAX_SVM_VIOLATION`]: the direction is the graph-SVM's.
    pub svm_certified: bool,
    /// `min_corr ≥` [`C3_MIN_CORR`] (issue 13's bound).
    pub corr_ok: bool,
    /// `min_corr ≥` [`C3_SPEC_MIN_CORR`] (the spec's bound).
    pub spec_corr_ok: bool,
    /// Both gains `≥ −`[`C3_PROJECTION_SLACK`] and both S_fin errors within their bounds.
    pub rest_ok: bool,
}

impl C3Verdict {
    /// Every part holds.
    pub fn passed(&self) -> bool {
        self.corr_ok && self.spec_corr_ok && self.rest_ok && self.svm_certified
    }
}

/// C3: every draw ends with `corr ≥ 0.975` (and the spec's 0.95), `proj_corr ≥ corr − 1e-3`, decomposition corr
/// `≥ corr − 1e-3`, S_fin error `≤ 1e-2` (NGD) and `≤ 5e-3` (plain GD).
pub fn c3_verdict(o: &AuthorsOutcome) -> C3Verdict {
    let finals: Vec<_> = o
        .draws
        .iter()
        .map(|d| (d.records.last(), d.decomposition_corr))
        .collect();
    let fold_min = |f: &dyn Fn(&super::experiment::Record, f64) -> f64| {
        finals
            .iter()
            .map(|(r, dc)| r.map_or(f64::NAN, |r| f(r, *dc)))
            .fold(f64::INFINITY, min_propagating_nan)
    };
    let min_corr = fold_min(&|r, _| r.corr);
    let min_projection_gain = fold_min(&|r, _| r.proj_corr - r.corr);
    let min_decomposition_gain = fold_min(&|r, dc| dc - r.corr);
    let max_sfin_error_ngd = -fold_min(&|r, _| -r.sfin_error);
    let max_sfin_error_gd = o
        .gd_sfin_errors
        .iter()
        .copied()
        .fold(f64::NEG_INFINITY, max_propagating_nan);
    let nonempty = !o.draws.is_empty() && o.gd_sfin_errors.len() == o.draws.len();
    let max_svm_violation = o
        .draws
        .iter()
        .map(|d| d.svm_violation)
        .fold(f64::NEG_INFINITY, max_propagating_nan);
    C3Verdict {
        min_corr,
        min_projection_gain,
        min_decomposition_gain,
        max_sfin_error_ngd,
        max_sfin_error_gd,
        max_svm_violation,
        svm_certified: nonempty && max_svm_violation <= C3_MAX_SVM_VIOLATION,
        corr_ok: nonempty && min_corr >= C3_MIN_CORR,
        spec_corr_ok: nonempty && min_corr >= C3_SPEC_MIN_CORR,
        rest_ok: nonempty
            && min_projection_gain >= -C3_PROJECTION_SLACK
            && min_decomposition_gain >= -C3_PROJECTION_SLACK
            && max_sfin_error_ngd <= C3_MAX_SFIN_ERROR_NGD
            && max_sfin_error_gd <= C3_MAX_SFIN_ERROR_GD,
    }
}

// ---------------------------------------------------------------------------------------------
// C4: hard retrieval.

/// C4: after 4000 NGD steps every sample puts at least this mass on its label's SCC, and the
/// authors' top-SCC metric reaches it too, on every draw (spec: min over samples 0.996–0.9998).
pub const C4_MIN_MASS: f64 = 0.99;
/// C4, acyclic data: `1 − mass` of the worst sample is at most this after 4000 NGD steps (the
/// authors' figure: ≈ 7e-5; ×140 slack for the slowest draws).
pub const C4_MAX_ACYCLIC_GAP: f64 = 1e-2;
/// C4, generalisation: on the unseen HT3 prompt `[0, 2, 3]` the trained `W` puts more than this
/// on token 0, the SCC that dominates the others in `G^(3)`.
pub const C4_MIN_UNSEEN_MASS: f64 = 0.99;
/// The acyclic setting of C4 (the authors' `sfx_asyc_log_n4T6K8d8` figure): (4, 6, 8, 8).
pub const C4_ACYCLIC_SIZES: Sizes = Sizes {
    n: 4,
    t: 6,
    k: 8,
    d: 8,
};

/// C4's measured quantities beyond the authors' setting.
#[derive(Clone, Debug, serde::Serialize)]
pub struct RetrievalOutcome {
    /// Acyclic draws (NGD η = 0.01, 4000 steps), with their records.
    pub acyclic: Vec<Draw>,
    /// Attention on token 0 of the unseen HT3 prompt `[0, 2, 3]` after NGD η = 0.1, 2000 steps
    /// from 0.
    pub unseen_mass: f64,
}

/// The acyclic settings of C4.
pub fn acyclic_settings() -> Settings {
    Settings {
        sizes: C4_ACYCLIC_SIZES,
        structure: Structure::Acyclic,
        ..Settings::authors()
    }
}

/// C4's experiment beyond the cyclic draws of [`authors_setting`] (which C4 judges too):
/// [`Protocol::acyclic_draws`] acyclic draws (seeded by `seed + 1`) and the HT3 generalisation
/// prompt.
///
/// # Errors
/// As [`run_draw_with`], [`descend`] and [`prompt_distribution`].
pub fn hard_retrieval(p: &Protocol, seed: u64) -> Result<RetrievalOutcome> {
    let settings = acyclic_settings();
    let acyclic = (0..p.acyclic_draws as u64)
        .map(|i| {
            run_draw_with(&settings, seed.wrapping_add(1), i, &|ds, graphs| {
                Ok(graph_svm(ds, graphs)?.w)
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let ds = ht3();
    let w = descend(
        &ds,
        &Mat::zeros(4, 4),
        Step::Normalized(0.1),
        GradientForm::Stable,
        2000,
        |_, _| {},
    )?
    .w;
    let pi = prompt_distribution(ds.embeddings(), &w, &[0, 2, 3])?;
    Ok(RetrievalOutcome {
        acyclic,
        unseen_mass: pi.first().copied().unwrap_or(f64::NAN),
    })
}

/// C4's bound applied.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct C4Verdict {
    /// Smallest per-sample label-SCC mass over the cyclic draws.
    pub min_label_mass: f64,
    /// Smallest final top-SCC mass (authors' metric) over the cyclic draws.
    pub min_top_mass: f64,
    /// Largest `1 − mass` of the worst sample over the acyclic draws.
    pub max_acyclic_gap: f64,
    /// HT3 unseen-prompt mass on token 0.
    pub unseen_mass: f64,
    /// Every part within its bound.
    pub passed: bool,
}

/// C4: label-SCC and top-SCC mass `≥ 0.99` on every cyclic draw, acyclic `1 − mass ≤ 1e-2` on
/// every acyclic draw, unseen HT3 prompt mass `> 0.99`.
pub fn c4_verdict(cyclic: &AuthorsOutcome, r: &RetrievalOutcome) -> C4Verdict {
    let min_label_mass = cyclic
        .draws
        .iter()
        .map(|d| d.min_label_scc_mass)
        .fold(f64::INFINITY, min_propagating_nan);
    let min_top_mass = cyclic
        .draws
        .iter()
        .map(|d| d.records.last().map_or(f64::NAN, |r| r.top_scc_mass))
        .fold(f64::INFINITY, min_propagating_nan);
    let max_acyclic_gap = r
        .acyclic
        .iter()
        .map(|d| 1.0 - d.min_label_scc_mass)
        .fold(f64::NEG_INFINITY, max_propagating_nan);
    C4Verdict {
        min_label_mass,
        min_top_mass,
        max_acyclic_gap,
        unseen_mass: r.unseen_mass,
        passed: !cyclic.draws.is_empty()
            && !r.acyclic.is_empty()
            && min_label_mass >= C4_MIN_MASS
            && min_top_mass >= C4_MIN_MASS
            && max_acyclic_gap <= C4_MAX_ACYCLIC_GAP
            && r.unseen_mass > C4_MIN_UNSEEN_MASS,
    }
}

// ---------------------------------------------------------------------------------------------
// C6: the loss limit.

/// C6: plain GD steps (η = 1, from 0) on HT1 (the spec's run: 1e5 steps give 0.636521).
pub const C6_HT1_STEPS: usize = 100_000;
/// C6: `|L(W(1e5)) − L_red(W^fin)|` on HT1 is at most this (spec: 7e-6 at 1e5 steps; the gap
/// falls like 1/τ, ×3 slack).
pub const C6_MAX_GAP: f64 = 2e-5;
/// C6: plain GD steps on the acyclic HT3, whose limit loss is 0.
pub const C6_HT3_STEPS: usize = 10_000;
/// C6: HT3's loss after [`C6_HT3_STEPS`] is at most this (the loss falls like 1/τ).
pub const C6_MAX_ACYCLIC_LOSS: f64 = 1e-3;

/// C6's measured quantities.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct LossLimit {
    /// `L(W(1e5))` on HT1.
    pub ht1_loss: f64,
    /// `L_red(W^fin)` on HT1 (0.636514).
    pub ht1_limit: f64,
    /// `L(W(1e4))` on HT3.
    pub ht3_loss: f64,
}

/// C6's experiment: plain GD (η = 1, from 0) on HT1 and HT3, and HT1's limit `L_red(W^fin)`.
///
/// # Errors
/// As [`descend`], [`w_fin`] and [`loss`].
pub fn loss_limit() -> Result<LossLimit> {
    let run = |ds: &Dataset, steps: usize| -> Result<f64> {
        let d = ds.dim();
        let end = descend(
            ds,
            &Mat::zeros(d, d),
            Step::Plain(1.0),
            GradientForm::Stable,
            steps,
            |_, _| {},
        )?;
        loss(ds, &end.w)
    };
    let h1 = ht1();
    let fin = w_fin(&h1, &build_graphs(&h1))?;
    Ok(LossLimit {
        ht1_loss: run(&h1, C6_HT1_STEPS)?,
        ht1_limit: fin.limit_loss,
        ht3_loss: run(&ht3(), C6_HT3_STEPS)?,
    })
}

/// C6's bound applied, by part.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct C6Verdict {
    /// HT1: `L(W(1e5)) − L_red(W^fin)`.
    pub ht1_gap: f64,
    /// `0 < ht1_gap + 1e-12` and `|ht1_gap| ≤` [`C6_MAX_GAP`].
    pub ht1_ok: bool,
    /// HT3's loss `≤` [`C6_MAX_ACYCLIC_LOSS`].
    pub ht3_ok: bool,
}

impl C6Verdict {
    /// Both parts hold.
    pub fn passed(&self) -> bool {
        self.ht1_ok && self.ht3_ok
    }
}

/// C6: `|L − L_red| ≤ 2e-5` on HT1 with `L` not below the limit (beyond rounding: 1e-12), and
/// HT3's loss `≤ 1e-3`.
pub fn c6_verdict(o: &LossLimit) -> C6Verdict {
    let ht1_gap = o.ht1_loss - o.ht1_limit;
    C6Verdict {
        ht1_gap,
        ht1_ok: ht1_gap.abs() <= C6_MAX_GAP && ht1_gap > -1e-12,
        ht3_ok: o.ht3_loss <= C6_MAX_ACYCLIC_LOSS,
    }
}
