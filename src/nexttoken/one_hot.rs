//! The graph-SVM and `W^fin` for one-hot tokens (`E = I_K`), column by column, in time linear in
//! the number of graph edges (the dense routes in [`super::svm`] and [`super::finite`] cost
//! `O(rows · d)` per Hildreth sweep and `O(d⁴)` per Newton step, hopeless at `K = 1000`).
//!
//! With `E = I`, the constraint `(e_i − e_j)ᵀ W e_k` reads `W[i,k] − W[j,k]`, so both programs split
//! into one problem per query column `x = W[:,k]`:
//!
//! - graph-SVM: `min ‖x‖²` s.t. `x_i = x_j` inside an SCC of `G^(k)`, `x_i − x_j ≥ 1` across. `x` is
//!   constant on each SCC `C` (value `y_C`), so this is `min Σ_C |C| y_C²` s.t. `y_A − y_B ≥ 1` for
//!   every condensation edge `A → B`, solved by dual coordinate ascent on the condensation with
//!   one exact block step per source SCC (all its out-edges at once).
//! - `W^fin`: inside each SCC `C` with `|C| ≥ 2` the reduced loss is a Luce likelihood of the
//!   column entries on `C`, and `S_fin` restricted to `C` is the zero-sum vectors, so
//!   `x|_C = u − mean(u)` with `u` the Luce MLE ([`super::finite::luce_mle`]); `x = 0` elsewhere.
//!
//! Both are checked against the dense routes ([`super::svm::graph_svm`], [`super::finite::w_fin`])
//! in `tests/nexttoken/one_hot.rs`.

use super::dataset::{Dataset, Row};
use super::finite::luce_mle;
use super::graph::PriorityGraph;
use super::model::eval_row_of;
use crate::error::{Error, Result};
use crate::qp::{Mat, Options};

/// Whether `e` is exactly the identity (then [`graph_svm_one_hot`] and [`w_fin_one_hot`] apply).
pub fn is_identity(e: &Mat) -> bool {
    e.rows() == e.cols()
        && e.data()
            .iter()
            .enumerate()
            .all(|(idx, &x)| x == if idx % (e.cols() + 1) == 0 { 1.0 } else { 0.0 })
}

fn check_one_hot(ds: &Dataset, graphs: &[PriorityGraph]) -> Result<()> {
    if !is_identity(&ds.embeddings().e) {
        return Err(Error::InvalidArgument {
            what: "embeddings",
            reason: "the one-hot solvers need E = I (use the dense routes otherwise)".into(),
        });
    }
    super::graph::check_graphs(ds, graphs)
}

/// `W^svm` for `E = I` (see the module docs); `graphs` must be [`super::graph::build_graphs`] of
/// `ds`. `progress(done, total)` is called after each query column. Same stopping rule and sweep
/// budget as the dense solver ([`Options::default`]); never infeasible (the condensation is a DAG,
/// so heights give a feasible point).
pub fn graph_svm_one_hot(
    ds: &Dataset,
    graphs: &[PriorityGraph],
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Mat> {
    check_one_hot(ds, graphs)?;
    let kv = ds.vocab();
    let opts = Options::default();
    let mut w = Mat::zeros(kv, kv);
    for (done, g) in graphs.iter().enumerate() {
        let y = condensation_svm(g, &opts)?;
        for (t, &c) in g.scc_of.iter().enumerate() {
            w.set_at(t, g.query, y[c]);
        }
        progress(done + 1, graphs.len());
    }
    Ok(w)
}

/// Block dual coordinate ascent on `min Σ_C |C| y_C²` s.t. `y_A − y_B ≥ 1` over the distinct
/// condensation edges: each step maximises the dual exactly over all out-edges of one SCC at once
/// ([`source_block_step`]). Row-by-row Hildreth needs thousands of sweeps on a label with a hundred
/// successors (a star); the block step solves a star in one.
fn condensation_svm(g: &PriorityGraph, opts: &Options) -> Result<Vec<f64>> {
    let size: Vec<f64> = g.sccs.iter().map(|c| c.len() as f64).collect();
    let mut edges: Vec<(usize, usize)> = g
        .edges()
        .map(|(i, j)| (g.scc_of[i], g.scc_of[j]))
        .filter(|(a, b)| a != b)
        .collect();
    edges.sort_unstable();
    edges.dedup();
    let mut y = vec![0.0; size.len()];
    let mut lambda = vec![0.0; edges.len()];
    let mut scratch = Vec::new();
    // Stop when no value moves by more than 10·tol relative to the largest value: the block step
    // sums up to a hundred terms per row, so its rounding noise sits above the dense solver's tol.
    let rel_tol = 10.0 * opts.tol;
    for sweep in 1..=opts.max_sweeps {
        let mut max_step = 0.0f64;
        let mut start = 0;
        while start < edges.len() {
            let a = edges[start].0;
            let len = edges[start..].iter().take_while(|e| e.0 == a).count();
            let block = start..start + len;
            let step = source_block_step(
                a,
                &edges[block.clone()],
                &mut lambda[block],
                &mut y,
                &size,
                &mut scratch,
            );
            max_step = max_step.max(step);
            start += len;
        }
        let scale = 1.0 + y.iter().map(|v| v.abs()).fold(0.0, f64::max);
        if max_step < rel_tol * scale {
            return Ok(y);
        }
        if sweep == opts.max_sweeps {
            let violation = edges
                .iter()
                .map(|&(a, b)| (1.0 - (y[a] - y[b])).max(0.0))
                .fold(0.0, f64::max);
            return Err(Error::NotConverged {
                what: "one-hot graph-SVM",
                iterations: sweep,
                residual: violation,
            });
        }
    }
    Ok(y)
}

/// Exact dual maximisation over the multipliers of the rows `a → b_i` (all sharing `a`), the rest
/// fixed. With `t` the new `y_a`, row `i` takes `δ_i(t) = max(−λ_i, n_i (1 + y_{b_i} − t))` (tight
/// while its multiplier stays positive), and `t = y_a + Σ_i δ_i(t) / n_a`: a strictly increasing
/// piecewise-linear equation in `t`, solved by scanning its breakpoints `1 + y_{b_i} + λ_i/n_i`.
/// Returns the largest change of a value `y`.
fn source_block_step(
    a: usize,
    rows: &[(usize, usize)],
    lambda: &mut [f64],
    y: &mut [f64],
    size: &[f64],
    scratch: &mut Vec<(f64, usize)>,
) -> f64 {
    let na = size[a];
    scratch.clear();
    scratch.extend(
        rows.iter()
            .zip(lambda.iter())
            .enumerate()
            .map(|(i, (&(_, b), &l))| (1.0 + y[b] + l / size[b], i)),
    );
    scratch.sort_unstable_by(|p, q| p.0.total_cmp(&q.0));
    // All rows tight below the first breakpoint; past each breakpoint one row drops out.
    let (mut s_n, mut s_nc, mut s_l) = (0.0, 0.0, 0.0);
    for &(_, b) in rows {
        s_n += size[b];
        s_nc += size[b] * (1.0 + y[b]);
    }
    let mut t = (y[a] + s_nc / na) / (1.0 + s_n / na);
    for (k, &(tau, i)) in scratch.iter().enumerate() {
        if t <= tau {
            break;
        }
        let b = rows[i].1;
        s_n -= size[b];
        s_nc -= size[b] * (1.0 + y[b]);
        s_l += lambda[i];
        t = (y[a] + (s_nc - s_l) / na) / (1.0 + s_n / na);
        // Past the last breakpoint every row is slack and t = y_a − Σλ/n_a exactly.
        if k + 1 == scratch.len() {
            break;
        }
    }
    let mut max_step = 0.0f64;
    let mut moved = 0.0;
    for (&(_, b), l) in rows.iter().zip(lambda.iter_mut()) {
        let delta = (size[b] * (1.0 + y[b] - t)).max(-*l);
        if delta != 0.0 {
            y[b] -= delta / size[b];
            *l += delta;
            moved += delta;
            max_step = max_step.max((delta / size[b]).abs());
        }
    }
    y[a] += moved / na;
    max_step.max((moved / na).abs())
}

/// `W^fin` for `E = I` with its limit loss `L_red(W^fin)` and `dim S_fin` (see the module docs);
/// `progress(done, total)` is called after each query column.
pub fn w_fin_one_hot(
    ds: &Dataset,
    graphs: &[PriorityGraph],
    progress: &mut dyn FnMut(usize, usize),
) -> Result<(Mat, f64, usize)> {
    check_one_hot(ds, graphs)?;
    let kv = ds.vocab();
    // Rows grouped by query once: O(n), so each column sees only its own samples.
    let mut by_query: Vec<Vec<&Row>> = vec![Vec::new(); kv];
    for r in ds.rows() {
        by_query[r.query].push(r);
    }
    let mut w = Mat::zeros(kv, kv);
    let mut dim = 0;
    let mut total_loss = 0.0;
    for (done, g) in graphs.iter().enumerate() {
        let rows = &by_query[g.query];
        for members in g.sccs.iter().filter(|c| c.len() >= 2) {
            dim += members.len() - 1;
            let in_scc = |t: usize| g.scc_of[t] == g.scc_of[members[0]];
            let choices: Vec<(usize, Vec<(usize, f64)>)> = rows
                .iter()
                .filter(|r| in_scc(r.label))
                .map(|r| {
                    let set = r.tokens().into_iter().filter(|&(t, _)| in_scc(t)).collect();
                    (r.label, set)
                })
                .collect();
            let u = luce_mle(members, &choices)?;
            let mean = u.iter().sum::<f64>() / u.len() as f64;
            for (&t, &ut) in members.iter().zip(&u) {
                w.set_at(t, g.query, ut - mean);
            }
        }
        // Reduced rows keep the tokens of the label's SCC; with E = I the scores are W itself.
        for r in rows {
            let reduced = Row {
                others: r
                    .others
                    .iter()
                    .copied()
                    .filter(|&(j, _)| g.same_scc(j, r.label))
                    .collect(),
                ..(*r).clone()
            };
            total_loss += eval_row_of(&w, &reduced).loss;
        }
        progress(done + 1, graphs.len());
    }
    Ok((w, total_loss / ds.len() as f64, dim))
}
