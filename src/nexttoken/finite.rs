//! The cyclic subspace `S_fin`, its projections, and the finite component `W^fin`.
//!
//! `S_fin = span{(e_i − e_j) e_kᵀ : i ≍_k j}`. Reduced data keep, per sample, only the positions whose
//! token lies in `SCC_k(y)` (the query stays `e_k`). `W^fin = argmin_{W ∈ S_fin} L_red(W)`, computed
//! two independent ways: Newton on orthonormal `S_fin` coordinates ([`w_fin`]), and per `(k, SCC)`
//! Luce maximum likelihood followed by the min-norm equality system ([`w_fin_luce`]).

use super::dataset::{Dataset, Row};
use super::graph::{check_graphs, graph_for, PriorityGraph};
use super::model::{check_hessian_size, hessian_of, loss_and_grad_of, loss_of, GradientForm};
use super::svm::min_norm_equalities;
use crate::error::{check_nonempty, Error, Result};
use crate::qp::mat::spd_solve;
use crate::qp::Mat;

/// An orthonormal basis of `S_fin` (each element a `d × d` matrix).
#[derive(Clone, Debug)]
pub struct SFin {
    /// Orthonormal basis, Frobenius inner product.
    pub basis: Vec<Mat>,
    dim: usize,
}

impl SFin {
    /// Builds the basis from the spanning set `(e_i − e_j) e_kᵀ` over within-SCC edges, by modified
    /// Gram–Schmidt with re-orthogonalisation (relative rank tolerance 1e-10). `graphs` must be
    /// those of `ds` ([`check_graphs`]).
    pub fn new(ds: &Dataset, graphs: &[PriorityGraph]) -> Result<Self> {
        check_graphs(ds, graphs)?;
        let emb = ds.embeddings();
        let d = emb.dim();
        let mut basis: Vec<Mat> = Vec::new();
        for g in graphs {
            for (i, j) in g.edges() {
                if !g.same_scc(i, j) {
                    continue;
                }
                let mut m = Mat::outer(&emb.diff(i, j), emb.token(g.query));
                let n0 = m.norm();
                for _ in 0..2 {
                    for b in &basis {
                        let c = m.dot(b);
                        m.axpy(-c, b);
                    }
                }
                let n = m.norm();
                if n > 1e-10 * n0.max(f64::MIN_POSITIVE) {
                    basis.push(m.scaled(1.0 / n));
                }
            }
        }
        Ok(SFin { basis, dim: d })
    }

    /// The side `d` of the `d × d` matrices `S_fin` lives on.
    pub fn matrix_dim(&self) -> usize {
        self.dim
    }

    /// `dim S_fin`.
    pub fn dimension(&self) -> usize {
        self.basis.len()
    }

    /// Coordinates `<B_b, W>`.
    pub fn coords(&self, w: &Mat) -> Vec<f64> {
        self.basis.iter().map(|b| b.dot(w)).collect()
    }

    /// `Σ_b c_b B_b`.
    pub fn from_coords(&self, c: &[f64]) -> Mat {
        let mut w = Mat::zeros(self.dim, self.dim);
        for (b, &x) in self.basis.iter().zip(c) {
            w.axpy(x, b);
        }
        w
    }

    /// `Π_{S_fin} W`.
    pub fn project(&self, w: &Mat) -> Mat {
        self.from_coords(&self.coords(w))
    }

    /// `Π_{S_fin^⊥} W = W − Π_{S_fin} W`.
    pub fn project_perp(&self, w: &Mat) -> Mat {
        w.sub(&self.project(w))
    }
}

/// The reduced dataset: per sample, only tokens of `SCC_k(y)` (label included) are kept.
pub fn reduced_dataset(ds: &Dataset, graphs: &[PriorityGraph]) -> Result<Dataset> {
    check_graphs(ds, graphs)?;
    let rows: Vec<Row> = ds
        .rows()
        .iter()
        .map(|r| {
            let g = graph_for(graphs, r.query);
            let others = r
                .others
                .iter()
                .copied()
                .filter(|&(j, _)| g.is_some_and(|g| g.same_scc(j, r.label)))
                .collect();
            Row {
                others,
                ..r.clone()
            }
        })
        .collect();
    Dataset::from_rows(ds.embeddings().clone(), rows)
}

/// `W^fin` with its limit loss.
#[derive(Clone, Debug)]
pub struct FiniteComponent {
    /// `W^fin ∈ S_fin`.
    pub w: Mat,
    /// `L_red(W^fin)`: the limit of `L(W(τ))` under gradient descent.
    pub limit_loss: f64,
    /// Newton iterations.
    pub iterations: usize,
}

/// `W^fin = argmin_{W ∈ S_fin} L_red(W)` by damped Newton on orthonormal `S_fin` coordinates.
pub fn w_fin(ds: &Dataset, graphs: &[PriorityGraph]) -> Result<FiniteComponent> {
    let red = reduced_dataset(ds, graphs)?;
    let sfin = SFin::new(ds, graphs)?;
    let m = sfin.dimension();
    let d = ds.dim();
    // The Newton system lives on vec(W): a d² × d² Hessian, sized and capped before it is
    // allocated.
    check_hessian_size(d)?;
    let mut c = vec![0.0; m];
    let mut w = Mat::zeros(d, d);
    let mut iterations = 0;
    if m > 0 {
        let dd = d * d;
        // Basis as an m × d² matrix for the coordinate Hessian Bᵀ H B.
        let bmat = Mat::from_row_major(
            m,
            dd,
            sfin.basis
                .iter()
                .flat_map(|b| b.data().iter().copied())
                .collect(),
        )?;
        let mut converged = false;
        for it in 0..100 {
            iterations = it + 1;
            let ev = loss_and_grad_of(&red, &w, GradientForm::Stable);
            let g = sfin.coords(&ev.grad);
            let gnorm = g.iter().map(|x| x * x).sum::<f64>().sqrt();
            if gnorm < 1e-13 {
                converged = true;
                break;
            }
            let h = hessian_of(&red, &w);
            let hb = h.matmul(&bmat.transpose())?; // d² × m
            let mut hc = bmat.matmul(&hb)?; // m × m
            for i in 0..m {
                let v = hc.at(i, i);
                hc.set_at(i, i, v + 1e-14);
            }
            let step = spd_solve(&hc, &g)?;
            let decrement: f64 = step.iter().zip(&g).map(|(s, g)| s * g).sum();
            // Damped while far from the optimum; full steps in the quadratic region, where the
            // loss change is below what f64 resolves and a line search would only stall.
            let mut t = 1.0;
            if decrement > 1e-8 {
                while t > 1e-12 {
                    let trial: Vec<f64> = c.iter().zip(&step).map(|(c, s)| c - t * s).collect();
                    if loss_of(&red, &sfin.from_coords(&trial)) <= ev.loss - 0.25 * t * decrement {
                        break;
                    }
                    t *= 0.5;
                }
            }
            c = c.iter().zip(&step).map(|(c, s)| c - t * s).collect();
            w = sfin.from_coords(&c);
            if decrement < 1e-30 {
                converged = true;
                break;
            }
        }
        if !converged {
            return Err(Error::NotConverged {
                what: "W^fin Newton",
                iterations,
                residual: sfin
                    .coords(&loss_and_grad_of(&red, &w, GradientForm::Stable).grad)
                    .iter()
                    .map(|x| x.abs())
                    .fold(0.0, f64::max),
            });
        }
    }
    Ok(FiniteComponent {
        limit_loss: loss_of(&red, &w),
        w,
        iterations,
    })
}

/// Luce (multinomial-logit) maximum likelihood on one SCC: choice sets are the reduced multisets
/// `(token, multiplicity)`, choices the labels. Returns log-strengths `u` (gauge `u[0] = 0`, indexed
/// like `members`). Tokens outside `members` are ignored; `members` must be non-empty and every
/// multiplicity finite and positive.
pub fn luce_mle(members: &[usize], choices: &[(usize, Vec<(usize, f64)>)]) -> Result<Vec<f64>> {
    check_nonempty("Luce members", members)?;
    for (_, set) in choices {
        for &(_, c) in set {
            crate::error::check_positive("Luce multiplicity", c)?;
        }
    }
    let m = members.len();
    let pos = |t: usize| members.iter().position(|&x| x == t);
    let mut u = vec![0.0; m];
    for _ in 0..200 {
        // Gradient and Hessian of the negative log-likelihood in u[1..].
        let mut g = vec![0.0; m];
        let mut h = Mat::zeros(m, m);
        for (y, set) in choices {
            let Some(py) = pos(*y) else { continue };
            let idx: Vec<(usize, f64)> = set
                .iter()
                .filter_map(|&(t, c)| pos(t).map(|p| (p, c)))
                .collect();
            let mx = idx
                .iter()
                .map(|&(p, _)| u[p])
                .fold(f64::NEG_INFINITY, f64::max);
            let z: f64 = idx.iter().map(|&(p, c)| c * (u[p] - mx).exp()).sum();
            let pr: Vec<(usize, f64)> = idx
                .iter()
                .map(|&(p, c)| (p, c * (u[p] - mx).exp() / z))
                .collect();
            g[py] -= 1.0;
            for &(p, a) in &pr {
                g[p] += a;
                h.data_mut()[p * m + p] += a;
                for &(q, b) in &pr {
                    h.data_mut()[p * m + q] -= a * b;
                }
            }
        }
        let gn = g[1..].iter().map(|x| x.abs()).fold(0.0, f64::max);
        if gn < 1e-13 {
            return Ok(u);
        }
        let mut hr = Mat::zeros(m - 1, m - 1);
        for i in 1..m {
            for j in 1..m {
                hr.set_at(i - 1, j - 1, h.at(i, j));
            }
        }
        let step = spd_solve(&hr, &g[1..])?;
        for i in 1..m {
            u[i] -= step[i - 1];
        }
    }
    Err(Error::NotConverged {
        what: "Luce MLE",
        iterations: 200,
        residual: f64::NAN,
    })
}

/// `W^fin` by the independent route: Luce MLE per `(k, SCC)` on the reduced data, then the
/// min-norm `W` with `(e_i − e_j)ᵀ W e_k = u_i − u_j` inside every SCC of size ≥ 2.
pub fn w_fin_luce(ds: &Dataset, graphs: &[PriorityGraph]) -> Result<Mat> {
    check_graphs(ds, graphs)?;
    let mut eqs: Vec<(usize, usize, usize, f64)> = Vec::new();
    for g in graphs {
        for members in g.sccs.iter().filter(|c| c.len() >= 2) {
            let choices: Vec<(usize, Vec<(usize, f64)>)> = ds
                .rows()
                .iter()
                .filter(|r| r.query == g.query && members.contains(&r.label))
                .map(|r| {
                    let set = r
                        .tokens()
                        .into_iter()
                        .filter(|(t, _)| members.contains(t))
                        .collect();
                    (r.label, set)
                })
                .collect();
            let u = luce_mle(members, &choices)?;
            for (a, &i) in members.iter().enumerate().skip(1) {
                eqs.push((i, members[0], g.query, u[a] - u[0]));
            }
        }
    }
    if eqs.is_empty() {
        return Ok(Mat::zeros(ds.dim(), ds.dim()));
    }
    min_norm_equalities(ds.embeddings(), &eqs)
}
