//! Claim C7: non-convex heads converge locally. The `'gen'` head (tied-embedding logits
//! `E f_W(X)` then softmax over the vocabulary) with cross-entropy or `(1 − p_y)²` loss, and the
//! local token-priority graph built from the attention GD actually selected.

use super::dataset::Dataset;
use super::graph::PriorityGraph;
use super::model::{check_w, eval_row_of, scores_unchecked};
use super::svm::graph_svm_problem;
use crate::error::{check_finite, check_finite_scalar, check_positive, Result};
use crate::qp::{Mat, Options};

/// Loss on the vocabulary distribution `p = softmax(E f)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GenLoss {
    /// `−log p_y` (`'ce'`).
    CrossEntropy,
    /// `(1 − p_y)²` (`'lsq2'`).
    Squared,
}

/// Per-sample attention masses over its distinct tokens `(token, π)` (label included).
fn masses(s: &Mat, row: &super::dataset::Row) -> Vec<(usize, f64)> {
    let ev = eval_row_of(s, row);
    let mut v: Vec<(usize, f64)> = row
        .others
        .iter()
        .zip(&ev.other_mass)
        .map(|(&(j, _), &a)| (j, a))
        .collect();
    v.push((row.label, ev.label_mass));
    v
}

/// Loss and gradient of the `'gen'` head: `f = Σ_j π_j e_j`, `p = softmax(E f)`, loss on `p_y`;
/// `∂L/∂σ_j = π_j Σ_i π_i (h_j − h_i)` with `h = E Eᵀ ∂L/∂logits` (pairwise form, pitfall P1).
///
/// # Errors
/// As [`check_w`]; `NonFinite` when finite inputs near `f64::MAX` overflow the loss or gradient.
pub fn gen_loss_and_grad(ds: &Dataset, w: &Mat, loss: GenLoss) -> Result<(f64, Mat)> {
    check_w(ds.embeddings(), w)?;
    let (l, g) = gen_loss_and_grad_of(ds, w, loss);
    check_finite("gen head loss", &[l])?;
    check_finite("gen head gradient", g.data())?;
    Ok((l, g))
}

/// [`gen_loss_and_grad`] for a `W` the caller has checked.
fn gen_loss_and_grad_of(ds: &Dataset, w: &Mat, loss: GenLoss) -> (f64, Mat) {
    let emb = ds.embeddings();
    let (kv, d) = (emb.vocab(), emb.dim());
    let s = scores_unchecked(emb, w);
    let n = ds.len() as f64;
    let mut grad = Mat::zeros(d, d);
    let mut total = 0.0;
    for row in ds.rows() {
        let m = masses(&s, row);
        let mut f = vec![0.0; d];
        for &(j, a) in &m {
            for (x, e) in f.iter_mut().zip(emb.token(j)) {
                *x += a * e;
            }
        }
        let logits: Vec<f64> = (0..kv)
            .map(|k| emb.token(k).iter().zip(&f).map(|(a, b)| a * b).sum())
            .collect();
        let p = crate::ops::softmax_to_vec(&logits);
        let py = p[row.label];
        let (l, dl): (f64, Vec<f64>) = match loss {
            GenLoss::CrossEntropy => {
                let lse = crate::ops::logsumexp(&logits, 1.0);
                let dl = (0..kv)
                    .map(|k| p[k] - if k == row.label { 1.0 } else { 0.0 })
                    .collect();
                (lse - logits[row.label], dl)
            }
            GenLoss::Squared => {
                let c = -2.0 * (1.0 - py) * py;
                let dl = (0..kv)
                    .map(|k| c * (if k == row.label { 1.0 } else { 0.0 } - p[k]))
                    .collect();
                ((1.0 - py).powi(2), dl)
            }
        };
        total += l;
        // g = Eᵀ dl (d), h_j = e_jᵀ g.
        let mut g = vec![0.0; d];
        for (k, &c) in dl.iter().enumerate() {
            for (x, e) in g.iter_mut().zip(emb.token(k)) {
                *x += c * e;
            }
        }
        let h: Vec<f64> = m
            .iter()
            .map(|&(j, _)| emb.token(j).iter().zip(&g).map(|(a, b)| a * b).sum())
            .collect();
        let q = emb.token(row.query);
        for (a, &(j, pj)) in m.iter().enumerate() {
            let diff: f64 = m
                .iter()
                .zip(&h)
                .map(|(&(_, pi), hi)| pi * (h[a] - hi))
                .sum();
            grad.add_outer(pj * diff / n, emb.token(j), q);
        }
    }
    (total / n, grad)
}

/// Normalized GD on the `'gen'` head (stops early at a zero or non-finite gradient).
///
/// # Errors
/// As [`check_w`] for `w0`; `NonFinite` / `InvalidArgument` for an `eta` that is not finite and
/// positive.
pub fn gen_ngd(ds: &Dataset, w0: &Mat, loss: GenLoss, eta: f64, steps: usize) -> Result<Mat> {
    check_w(ds.embeddings(), w0)?;
    check_positive("eta", eta)?;
    let mut w = w0.clone();
    for _ in 0..steps {
        let (_, g) = gen_loss_and_grad_of(ds, &w, loss);
        let n = g.norm();
        if n == 0.0 || !n.is_finite() {
            break;
        }
        w.axpy(-eta / n, &g);
    }
    Ok(w)
}

/// The authors' local token-priority graphs (`local_converge` notebook): per sample, `C_i` = tokens
/// with attention mass `> selected`, `E_i` = tokens with mass in `(ambiguous, selected]` (dropped);
/// edges `c → j` for `c ∈ C_i`, `j ∈ τ_i \ ({c} ∪ E_i)`. Authors: `selected = 1e-2`,
/// `ambiguous = 9e-3`.
///
/// # Errors
/// As [`check_w`]; `NonFinite` for a threshold that is not finite.
pub fn local_graphs(
    ds: &Dataset,
    w: &Mat,
    selected: f64,
    ambiguous: f64,
) -> Result<Vec<PriorityGraph>> {
    check_w(ds.embeddings(), w)?;
    check_finite_scalar("selected", selected)?;
    check_finite_scalar("ambiguous", ambiguous)?;
    let kv = ds.vocab();
    let s = scores_unchecked(ds.embeddings(), w);
    let mut per_query: Vec<Vec<(usize, Vec<usize>)>> = vec![Vec::new(); kv];
    for row in ds.rows() {
        let m = masses(&s, row);
        let keep: Vec<usize> = m
            .iter()
            .filter(|&&(_, a)| !(a > ambiguous && a <= selected))
            .map(|&(j, _)| j)
            .collect();
        for &(c, a) in &m {
            if a > selected {
                per_query[row.query].push((c, keep.clone()));
            }
        }
    }
    Ok(per_query
        .iter()
        .enumerate()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| PriorityGraph::from_samples_of(k, kv, v))
        .collect())
}

/// The local graph-SVM direction (equality within local SCCs, ≥ 1 across).
pub fn local_svm(ds: &Dataset, graphs: &[PriorityGraph]) -> Result<Mat> {
    Ok(graph_svm_problem(ds.embeddings(), graphs)?
        .solve(&Options::default())?
        .w)
}
