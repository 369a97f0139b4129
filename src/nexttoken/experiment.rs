//! The authors' global-convergence experiment (paper 1, `mc_next_single_layer_global_converge`):
//! per draw, an instance, its graph-SVM and `W^fin`, and a normalized-GD run from the torch-style
//! initialisation, with the metrics recorded along the way. Shared by the report and the benches.

use super::finite::{w_fin, SFin};
use super::generators::{instance, torch_init, EmbeddingKind, Sizes, Structure, AUTHORS};
use super::graph::build_graphs;
use super::metrics::{projected_corr_of, sfin_error_of, top_scc_mass_of};
use super::model::GradientForm;
use super::optim::{descend, Step};
use super::svm::graph_svm;
use crate::error::Result;

/// Claim C3's bound on the authors' setting and schedule: `corr(W, W^svm) ≥ 0.975` at the end of
/// every draw, judged by both the test and the report (issue 13; the report judged 0.95 before).
///
/// Reason: the authors report 0.976–0.993 for this setting, so a correct graph-SVM lands inside
/// their range and 0.975 sits just under its lower end; 0.95 let through a graph-SVM without its
/// within-SCC equality rows (corr 0.963). The test keeps that mutant as its negative control.
pub const C3_MIN_CORR: f64 = 0.975;

/// Settings of one experiment.
#[derive(Clone, Copy, Debug)]
pub struct Settings {
    /// Instance sizes.
    pub sizes: Sizes,
    /// Required SCC structure.
    pub structure: Structure,
    /// Step rule.
    pub step: Step,
    /// Steps per draw.
    pub steps: usize,
    /// Record metrics every this many steps (0: only the end).
    pub record_every: usize,
}

impl Settings {
    /// The authors' setting: (n, T, K, d) = (6, 4, 6, 8), cyclic, NGD η = 0.01, 4000 steps.
    pub fn authors() -> Self {
        Settings {
            sizes: AUTHORS,
            structure: Structure::Cyclic,
            step: Step::Normalized(0.01),
            steps: 4000,
            record_every: 50,
        }
    }
}

/// Metrics at one recorded step.
#[derive(Clone, Copy, Debug, serde::Serialize)]
pub struct Record {
    /// Step.
    pub step: usize,
    /// `corr(W, W^svm)`.
    pub corr: f64,
    /// `corr(Π_{S_fin^⊥} W, W^svm)`.
    pub proj_corr: f64,
    /// `‖Π_{S_fin} W − W^fin‖`.
    pub sfin_error: f64,
    /// Authors' top-SCC attention mass.
    pub top_scc_mass: f64,
    /// `‖W‖_F`.
    pub norm: f64,
}

/// One draw's outcome.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Draw {
    /// Records along the run (the last one is the final state).
    pub records: Vec<Record>,
    /// `‖W^svm‖`.
    pub svm_norm: f64,
    /// `‖W^fin‖`.
    pub fin_norm: f64,
    /// `dim S_fin`.
    pub sfin_dim: usize,
}

/// Runs draw `index` of an experiment (seeded by `(seed, index)`).
pub fn run_draw(settings: &Settings, seed: u64, index: u64) -> Result<Draw> {
    let mut rng = crate::rng::seeded(seed, 2 * index);
    let ds = instance(
        &mut rng,
        settings.sizes,
        EmbeddingKind::RandomUnit,
        settings.structure,
    )?;
    let mut init_rng = crate::rng::seeded(seed, 2 * index + 1);
    let w0 = torch_init(&mut init_rng, settings.sizes.d);
    let graphs = build_graphs(&ds);
    let svm = graph_svm(&ds, &graphs)?;
    let fin = w_fin(&ds, &graphs)?;
    let sfin = SFin::new(&ds, &graphs)?;
    let mut records = Vec::new();
    let every = settings.record_every;
    let steps = settings.steps;
    descend(
        &ds,
        &w0,
        settings.step,
        GradientForm::Stable,
        steps,
        |t, w| {
            if t == steps || (every > 0 && t % every == 0) {
                records.push(Record {
                    step: t,
                    corr: w.corr(&svm.w),
                    proj_corr: projected_corr_of(w, &svm.w, &sfin),
                    sfin_error: sfin_error_of(w, &fin.w, &sfin),
                    top_scc_mass: top_scc_mass_of(&ds, &graphs, w),
                    norm: w.norm(),
                });
            }
        },
    )?;
    Ok(Draw {
        records,
        svm_norm: svm.w.norm(),
        fin_norm: fin.w.norm(),
        sfin_dim: sfin.dimension(),
    })
}

/// Runs `draws` draws.
pub fn run(settings: &Settings, seed: u64, draws: usize) -> Result<Vec<Draw>> {
    (0..draws as u64)
        .map(|i| run_draw(settings, seed, i))
        .collect()
}
