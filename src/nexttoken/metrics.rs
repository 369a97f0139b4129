//! Metrics of the directional + finite decomposition `W(τ) ≈ W^fin + R W^svm`.

use super::dataset::Dataset;
use super::finite::SFin;
use super::graph::{check_graphs, graph_for, PriorityGraph};
use super::model::{check_w, eval_row_of, scores_unchecked};
use crate::error::{check_finite, check_len, Result};
use crate::qp::Mat;

/// Checks that every matrix is `d × d` with finite entries (`d` from the first).
fn check_same_square(what: &'static str, ms: &[&Mat]) -> Result<()> {
    let d = ms.first().map_or(0, |m| m.rows());
    for m in ms {
        check_len(what, d, m.rows())?;
        check_len(what, d, m.cols())?;
        check_finite(what, m.data())?;
    }
    Ok(())
}

/// `corr(W, W^svm)` (cosine in the Frobenius inner product).
///
/// # Errors
/// `ShapeMismatch` unless both are `d × d`; `NonFinite` for a NaN or an infinity.
pub fn corr(w: &Mat, w_svm: &Mat) -> Result<f64> {
    check_same_square("W, W^svm (d × d)", &[w, w_svm])?;
    Ok(w.corr(w_svm))
}

/// `corr(Π_{S_fin^⊥} W, W^svm)` (the authors' `proj_corr`).
///
/// # Errors
/// As [`corr`], and `ShapeMismatch` when `S_fin` lives on another `d`.
pub fn projected_corr(w: &Mat, w_svm: &Mat, sfin: &SFin) -> Result<f64> {
    check_same_square("W, W^svm, S_fin basis (d × d)", &[w, w_svm])?;
    check_len("S_fin dimension d", sfin.matrix_dim(), w.rows())?;
    Ok(projected_corr_of(w, w_svm, sfin))
}

/// [`projected_corr`] for shapes that agree by construction.
pub(crate) fn projected_corr_of(w: &Mat, w_svm: &Mat, sfin: &SFin) -> f64 {
    sfin.project_perp(w).corr(w_svm)
}

/// `‖Π_{S_fin} W − W^fin‖_F`.
///
/// # Errors
/// As [`projected_corr`].
pub fn sfin_error(w: &Mat, w_fin: &Mat, sfin: &SFin) -> Result<f64> {
    check_same_square("W, W^fin, S_fin basis (d × d)", &[w, w_fin])?;
    check_len("S_fin dimension d", sfin.matrix_dim(), w.rows())?;
    Ok(sfin_error_of(w, w_fin, sfin))
}

/// [`sfin_error`] for shapes that agree by construction.
pub(crate) fn sfin_error_of(w: &Mat, w_fin: &Mat, sfin: &SFin) -> f64 {
    sfin.project(w).sub(w_fin).norm()
}

/// Least-squares `R = argmin ‖W^fin + R W^svm − W‖_F = <W − W^fin, W^svm>/‖W^svm‖²` (`R_solver`).
///
/// # Errors
/// As [`corr`].
pub fn lsq_r(w: &Mat, w_fin: &Mat, w_svm: &Mat) -> Result<f64> {
    check_same_square("W, W^fin, W^svm (d × d)", &[w, w_fin, w_svm])?;
    let n = w_svm.dot(w_svm);
    Ok(if n == 0.0 {
        0.0
    } else {
        w.sub(w_fin).dot(w_svm) / n
    })
}

/// Attention masses of the samples on their label's SCC: `Σ_{j ∈ SCC_k(y)} π_i(j)` per sample.
///
/// # Errors
/// As [`check_w`] and [`check_graphs`] (graphs of another dataset).
pub fn label_scc_mass(ds: &Dataset, graphs: &[PriorityGraph], w: &Mat) -> Result<Vec<f64>> {
    check_w(ds.embeddings(), w)?;
    check_graphs(ds, graphs)?;
    let s = scores_unchecked(ds.embeddings(), w);
    Ok(ds
        .rows()
        .iter()
        .map(|r| {
            let ev = eval_row_of(&s, r);
            let g = graph_for(graphs, r.query);
            ev.label_mass
                + r.others
                    .iter()
                    .zip(&ev.other_mass)
                    .filter(|((j, _), _)| g.is_some_and(|g| g.same_scc(*j, r.label)))
                    .map(|(_, a)| a)
                    .sum::<f64>()
        })
        .collect())
}

/// The authors' `attn_probs`: per sample the largest summed mass of one SCC, averaged over samples.
///
/// # Errors
/// As [`label_scc_mass`].
pub fn top_scc_mass(ds: &Dataset, graphs: &[PriorityGraph], w: &Mat) -> Result<f64> {
    check_w(ds.embeddings(), w)?;
    check_graphs(ds, graphs)?;
    Ok(top_scc_mass_of(ds, graphs, w))
}

/// [`top_scc_mass`] for a `W` and graphs checked by the caller.
pub(crate) fn top_scc_mass_of(ds: &Dataset, graphs: &[PriorityGraph], w: &Mat) -> f64 {
    let s = scores_unchecked(ds.embeddings(), w);
    let total: f64 = ds
        .rows()
        .iter()
        .map(|r| {
            let ev = eval_row_of(&s, r);
            let Some(g) = graph_for(graphs, r.query) else {
                return 1.0;
            };
            let mut per = vec![0.0; g.sccs.len()];
            per[g.scc_of[r.label]] += ev.label_mass;
            for ((j, _), a) in r.others.iter().zip(&ev.other_mass) {
                per[g.scc_of[*j]] += a;
            }
            per.into_iter().fold(0.0, f64::max)
        })
        .sum();
    total / ds.len() as f64
}

/// Within-SCC distribution error (claim C5): per sample, the L1 distance between the attention
/// restricted to `SCC_k(y)` and renormalised, and `softmax` of the `W^fin` scores on the same
/// tokens (multiplicities add); the maximum over samples.
///
/// # Errors
/// As [`label_scc_mass`], for `W` and `W^fin`.
pub fn within_scc_error(
    ds: &Dataset,
    graphs: &[PriorityGraph],
    w: &Mat,
    w_fin: &Mat,
) -> Result<f64> {
    check_w(ds.embeddings(), w)?;
    check_w(ds.embeddings(), w_fin)?;
    check_graphs(ds, graphs)?;
    let emb = ds.embeddings();
    let s = scores_unchecked(emb, w);
    let sf = scores_unchecked(emb, w_fin);
    let mut worst = 0.0f64;
    for r in ds.rows() {
        let Some(g) = graph_for(graphs, r.query) else {
            continue;
        };
        let toks: Vec<(usize, f64)> = r
            .tokens()
            .into_iter()
            .filter(|(j, _)| g.same_scc(*j, r.label))
            .collect();
        let dist = |sc: &Mat| {
            let mx = toks
                .iter()
                .map(|&(j, _)| sc.at(j, r.query))
                .fold(f64::NEG_INFINITY, f64::max);
            let v: Vec<f64> = toks
                .iter()
                .map(|&(j, c)| c * (sc.at(j, r.query) - mx).exp())
                .collect();
            let z: f64 = v.iter().sum();
            v.into_iter().map(|x| x / z).collect::<Vec<f64>>()
        };
        let a = dist(&s);
        let b = dist(&sf);
        // NaN-propagating: a row whose softmax broke must fail the bound, not vanish from it.
        worst = crate::ops::max_propagating_nan(
            worst,
            a.iter().zip(&b).map(|(x, y)| (x - y).abs()).sum(),
        );
    }
    Ok(worst)
}
