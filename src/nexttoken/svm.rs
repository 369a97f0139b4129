//! The graph-SVM (directional component) and min-norm equality systems on the [`crate::qp`] engine.
//!
//! `W^svm = argmin ‖W‖_F` subject to, for every query `k` and edge `i → j` of `G^(k)`:
//! `(e_i − e_j)ᵀ W e_k = 0` when `i ≍_k j`, `≥ 1` otherwise.

use super::dataset::{Dataset, Embeddings};
use super::graph::{check_graph_shapes, check_graphs, PriorityGraph};
use crate::error::Result;
use crate::qp::{Kkt, Mat, MinNormProblem, Options};

/// A solved graph-SVM.
#[derive(Clone, Debug)]
pub struct GraphSvm {
    /// `W^svm` (`d × d`; row index ↔ key token dimension, column index ↔ query dimension).
    pub w: Mat,
    /// Multipliers of the distinct rows, in [`graph_svm_problem`] order.
    pub lambda: Vec<f64>,
    /// KKT residuals.
    pub kkt: Kkt,
    /// Number of distinct constraint rows.
    pub rows: usize,
}

/// The graph-SVM program (rows de-duplicated).
pub fn graph_svm_problem(emb: &Embeddings, graphs: &[PriorityGraph]) -> Result<MinNormProblem> {
    check_graph_shapes(emb.vocab(), graphs)?;
    let d = emb.dim();
    let mut p = MinNormProblem::new("graph-SVM", d, d);
    for g in graphs {
        let q = emb.token(g.query);
        for (i, j) in g.edges() {
            let u = emb.diff(i, j);
            if g.same_scc(i, j) {
                p.push_equality(&u, q, 0.0)?;
            } else {
                p.push_at_least(&u, q, 1.0)?;
            }
        }
    }
    Ok(p)
}

/// Solves the graph-SVM; `Err(Infeasible)` when no `W` separates the SCCs (possible when `K > d`).
/// `graphs` must be those of `ds` ([`check_graphs`]).
pub fn graph_svm(ds: &Dataset, graphs: &[PriorityGraph]) -> Result<GraphSvm> {
    check_graphs(ds, graphs)?;
    let p = graph_svm_problem(ds.embeddings(), graphs)?;
    let s = p.solve(&Options::default())?;
    Ok(GraphSvm {
        w: s.w,
        lambda: s.lambda,
        kkt: s.kkt,
        rows: p.len(),
    })
}

/// Minimum-norm `W` with `(e_i − e_j)ᵀ W e_k = b` for every `(i, j, k, b)` (Kaczmarz from 0 = the
/// min-norm solution when consistent).
pub fn min_norm_equalities(emb: &Embeddings, rows: &[(usize, usize, usize, f64)]) -> Result<Mat> {
    for &(i, j, k, _) in rows {
        crate::error::check_ids("equality row token", &[i, j, k], emb.vocab())?;
    }
    let d = emb.dim();
    let mut p = MinNormProblem::new("min-norm equality system", d, d);
    for &(i, j, k, b) in rows {
        p.push_equality(&emb.diff(i, j), emb.token(k), b)?;
    }
    Ok(p.solve(&Options::default())?.w)
}
