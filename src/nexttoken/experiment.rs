//! The authors' global-convergence experiment (paper 1, `mc_next_single_layer_global_converge`):
//! per draw, an instance, its graph-SVM and `W^fin`, and a normalized-GD run from the torch-style
//! initialisation, with the metrics recorded along the way. The driver under the claims'
//! protocols and bounds ([`super::experiments`]) and the benches.

use super::dataset::Dataset;
use super::finite::{w_fin, SFin};
use super::generators::{instance, torch_init, EmbeddingKind, Sizes, Structure, AUTHORS};
use super::graph::{build_graphs, PriorityGraph};
use super::metrics::{label_scc_mass, lsq_r, projected_corr_of, sfin_error_of, top_scc_mass_of};
use super::model::GradientForm;
use super::optim::{descend, Step};
use super::svm::{graph_svm, graph_svm_problem};
use crate::error::Result;
use crate::qp::hildreth::RowKind;
use crate::qp::Mat;

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
    /// Final state: the smallest attention mass a sample puts on its label's SCC.
    pub min_label_scc_mass: f64,
    /// Final state: `corr(W, W^fin + R W^svm)` with the least-squares `R` (the decomposition).
    pub decomposition_corr: f64,
    /// Feasibility certificate of the `W^svm` the run was measured against, computed from the
    /// graph-SVM's constraint rows (built from the data, not by the solver): the largest of
    /// `|uᵀ W^svm v|` over the within-SCC equality rows and `1 − uᵀ W^svm v` over the priority rows.
    /// The graph-SVM is feasible. A solver that drops rows returns a min-norm point of a larger
    /// set; were that point feasible it would be the graph-SVM (the min-norm point is unique), so
    /// whenever it differs from the graph-SVM it violates a row.
    pub svm_violation: f64,
}

/// The instance and the torch-style initialisation of draw `index` (seeded by `(seed, index)`).
pub fn draw_instance(settings: &Settings, seed: u64, index: u64) -> Result<(Dataset, Mat)> {
    let mut rng = crate::rng::seeded(seed, 2 * index);
    let ds = instance(
        &mut rng,
        settings.sizes,
        EmbeddingKind::RandomUnit,
        settings.structure,
    )?;
    let mut init_rng = crate::rng::seeded(seed, 2 * index + 1);
    let w0 = torch_init(&mut init_rng, settings.sizes.d);
    Ok((ds, w0))
}

/// Runs draw `index` of an experiment (seeded by `(seed, index)`) against the shipped graph-SVM.
pub fn run_draw(settings: &Settings, seed: u64, index: u64) -> Result<Draw> {
    run_draw_with(settings, seed, index, &|ds, graphs| {
        Ok(graph_svm(ds, graphs)?.w)
    })
}

/// A graph-SVM solver: `W^svm` of a dataset and its priority graphs.
pub type SvmSolver<'a> = &'a dyn Fn(&Dataset, &[PriorityGraph]) -> Result<Mat>;

/// [`run_draw`] with the directional component `W^svm` from `svm` (a planted-bug control passes a
/// mutant solver here, so that it is judged by the same experiment and bound).
pub fn run_draw_with(settings: &Settings, seed: u64, index: u64, svm: SvmSolver) -> Result<Draw> {
    let (ds, w0) = draw_instance(settings, seed, index)?;
    let graphs = build_graphs(&ds);
    let svm = svm(&ds, &graphs)?;
    let svm_violation = constraint_violation(&ds, &graphs, &svm)?;
    let fin = w_fin(&ds, &graphs)?;
    let sfin = SFin::new(&ds, &graphs)?;
    let mut records = Vec::new();
    let every = settings.record_every;
    let steps = settings.steps;
    let end = descend(
        &ds,
        &w0,
        settings.step,
        GradientForm::Stable,
        steps,
        |t, w| {
            if t == steps || (every > 0 && t % every == 0) {
                records.push(Record {
                    step: t,
                    corr: w.corr(&svm),
                    proj_corr: projected_corr_of(w, &svm, &sfin),
                    sfin_error: sfin_error_of(w, &fin.w, &sfin),
                    top_scc_mass: top_scc_mass_of(&ds, &graphs, w),
                    norm: w.norm(),
                });
            }
        },
    )?;
    let min_label_scc_mass = label_scc_mass(&ds, &graphs, &end.w)?
        .into_iter()
        .fold(1.0, f64::min);
    let mut decomposition = fin.w.clone();
    decomposition.axpy(lsq_r(&end.w, &fin.w, &svm)?, &svm);
    Ok(Draw {
        records,
        svm_norm: svm.norm(),
        fin_norm: fin.w.norm(),
        sfin_dim: sfin.dimension(),
        min_label_scc_mass,
        decomposition_corr: end.w.corr(&decomposition),
        svm_violation,
    })
}

/// The largest violation of the graph-SVM constraints by `w` (see [`Draw::svm_violation`]); NaN
/// entries make it NaN, so a certificate check on it fails.
fn constraint_violation(ds: &Dataset, graphs: &[PriorityGraph], w: &Mat) -> Result<f64> {
    let problem = graph_svm_problem(ds.embeddings(), graphs)?;
    Ok(problem
        .rows()
        .iter()
        .map(|row| {
            let value = w.bilinear(row.u(), row.v());
            match row.kind() {
                RowKind::Equality => value.abs(),
                RowKind::AtLeast => 1.0 - value,
            }
        })
        .fold(0.0, crate::ops::max_propagating_nan))
}

/// Runs `draws` draws.
pub fn run(settings: &Settings, seed: u64, draws: usize) -> Result<Vec<Draw>> {
    (0..draws as u64)
        .map(|i| run_draw(settings, seed, i))
        .collect()
}
