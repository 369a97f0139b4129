//! Identifiability (spec A4) and finite-MLE existence (spec A5), per query column.
//!
//! - Graph form: for query `j`, `V_j` = tokens seen in prompts ending in `j`; `G_j` joins tokens
//!   that share a prompt. Predicted Hessian nullity of column `j`:
//!   `(K − |V_j|) + #components(G_j)` (`K` for a column never used as query).
//! - Hessian form: the eigenvalues of `H_j = Σ_{i: j_i = j} (diag p_i − p_i p_iᵀ)` below
//!   `rel_tol · λ_max`. The two must agree; coverage ⇔ total nullity `= K`.
//! - Existence (Ford/Hunter): within each component of `G_j`, for every split `A | B` some sample
//!   chooses from `A` with a `B` token available, and vice versa ⇔ the digraph `y → k`
//!   (`k` available, `k ≠ y`) is strongly connected on the component.

use super::data::ChoiceData;
use super::kernel::Wbar;
use crate::error::{check_len, Error, Result};
use crate::linalg::symmetric_eigenvalues;
use crate::ops::log_softmax_in_place;
use faer::Mat;

/// Coverage of one query column.
#[derive(Clone, Debug, PartialEq)]
pub struct ColumnCoverage {
    /// The query token `j`.
    pub query: usize,
    /// Number of samples whose query is `j`.
    pub samples: usize,
    /// `V_j`, sorted.
    pub support: Vec<usize>,
    /// Connected components of `G_j` (each sorted; components ordered by smallest token).
    pub components: Vec<Vec<usize>>,
    /// `(K − |V_j|) + #components` (`K` if unused).
    pub predicted_nullity: usize,
}

impl ColumnCoverage {
    /// Whether the column is identified up to one additive constant (`V_j = \[K\]`, one component).
    pub fn is_covered(&self, vocab: usize) -> bool {
        self.support.len() == vocab && self.components.len() == 1
    }
}

fn find(parent: &mut [usize], mut x: usize) -> usize {
    while parent[x] != x {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    x
}

/// The largest vocabulary the dense per-column diagnostics ([`coverage_graph`],
/// [`existence_failure`]) accept: they keep `K²` state, so `K ≤ 4096` bounds it at 128 MiB.
pub const MAX_DENSE_VOCAB: usize = 1 << 12;

/// The most entries [`column_hessians`] allocates (`K³` f64, 2^27 = 1 GiB, i.e. `K ≤ 512`).
pub const MAX_HESSIAN_ENTRIES: usize = 1 << 27;

/// Rejects a vocabulary over [`MAX_DENSE_VOCAB`] (`TooLarge`).
fn check_dense_vocab(kk: usize) -> Result<()> {
    crate::error::check_cap("vocab (dense K² coverage state)", kk, MAX_DENSE_VOCAB)
}

/// The graph form of A4 for every column (union-find over each sample's token set).
///
/// # Errors
/// `TooLarge` for a vocabulary over [`MAX_DENSE_VOCAB`] (checked before allocating).
pub fn coverage_graph(data: &ChoiceData) -> Result<Vec<ColumnCoverage>> {
    let kk = data.vocab();
    check_dense_vocab(kk)?;
    let mut parent: Vec<Vec<usize>> = (0..kk).map(|_| (0..kk).collect()).collect();
    let mut seen = vec![vec![false; kk]; kk];
    let mut samples = vec![0usize; kk];
    for i in 0..data.len() {
        let s = data.sample(i);
        let j = s.query;
        samples[j] += 1;
        let first = s.tokens[0] as usize;
        for &t in s.tokens {
            let t = t as usize;
            seen[j][t] = true;
            let (a, b) = (find(&mut parent[j], first), find(&mut parent[j], t));
            parent[j][a.max(b)] = a.min(b);
        }
    }
    Ok((0..kk)
        .map(|j| {
            let support: Vec<usize> = (0..kk).filter(|&k| seen[j][k]).collect();
            let mut comps: Vec<Vec<usize>> = Vec::new();
            let mut root_of = vec![usize::MAX; kk];
            for &k in &support {
                let r = find(&mut parent[j], k);
                if root_of[r] == usize::MAX {
                    root_of[r] = comps.len();
                    comps.push(Vec::new());
                }
                comps[root_of[r]].push(k);
            }
            let predicted_nullity = if samples[j] == 0 {
                kk
            } else {
                kk - support.len() + comps.len()
            };
            ColumnCoverage {
                query: j,
                samples: samples[j],
                support,
                components: comps,
                predicted_nullity,
            }
        })
        .collect())
}

/// The per-column NLL Hessians `H_j = Σ_{i: j_i = j} (diag p_i − p_i p_iᵀ)` at `wbar`, each `K × K`.
///
/// # Errors
/// `ShapeMismatch` for a `wbar` of another vocabulary; `Overflow` / `TooLarge` when the `K³`
/// entries overflow or exceed [`MAX_HESSIAN_ENTRIES`] (checked before allocating).
pub fn column_hessians(wbar: &Wbar, data: &ChoiceData) -> Result<Vec<Mat<f64>>> {
    let kk = data.vocab();
    check_len("wbar.vocab", kk, wbar.vocab())?;
    let entries = crate::error::checked_elems("column Hessians (K³)", &[kk, kk, kk])?;
    crate::error::check_cap("column Hessians (K³)", entries, MAX_HESSIAN_ENTRIES)?;
    let mut h: Vec<Mat<f64>> = (0..kk).map(|_| Mat::zeros(kk, kk)).collect();
    let mut p = Vec::with_capacity(kk);
    for i in 0..data.len() {
        let s = data.sample(i);
        p.clear();
        p.extend(
            s.tokens
                .iter()
                .zip(s.log_counts)
                .map(|(&t, &lc)| lc + wbar.at(t as usize, s.query)),
        );
        log_softmax_in_place(&mut p);
        p.iter_mut().for_each(|v| *v = v.exp());
        let hj = &mut h[s.query];
        for (a, &ta) in s.tokens.iter().enumerate() {
            hj[(ta as usize, ta as usize)] += p[a];
            for (b, &tb) in s.tokens.iter().enumerate() {
                hj[(ta as usize, tb as usize)] -= p[a] * p[b];
            }
        }
    }
    Ok(h)
}

/// The Hessian form of A4: per column, the number of eigenvalues of `H_j` at most
/// `rel_tol · max(λ_max, 0)` (all `K` for a zero Hessian).
pub fn hessian_nullity(wbar: &Wbar, data: &ChoiceData, rel_tol: f64) -> Result<Vec<usize>> {
    column_hessians(wbar, data)?
        .iter()
        .map(|h| {
            let ev = symmetric_eigenvalues(h.as_ref())?;
            let mx = ev.iter().copied().fold(0.0_f64, f64::max);
            Ok(ev.iter().filter(|&&l| l <= rel_tol * mx).count())
        })
        .collect()
}

/// A split `A | B` of one component of `G_j` that violates the existence condition.
#[derive(Clone, Debug, PartialEq)]
pub struct FailingSplit {
    /// The query column `j`.
    pub query: usize,
    /// No sample of column `j` chooses a token of `a` while a token of `b` is available, so the
    /// scores of `a` relative to `b` drift to `−∞` along the likelihood.
    pub a: Vec<usize>,
    /// The other side.
    pub b: Vec<usize>,
}

/// Finite-MLE existence (A5): `None` if every column has a finite maximiser (given the gauge),
/// otherwise the first failing column's split.
///
/// # Errors
/// `TooLarge` for a vocabulary over [`MAX_DENSE_VOCAB`] (its state is `K²`, one column at a time).
pub fn existence_failure(data: &ChoiceData) -> Result<Option<FailingSplit>> {
    let kk = data.vocab();
    let cov = coverage_graph(data)?;
    let by_column = data.by_column();
    // beats[y·K + k]: some sample of the current column chose y while k was available.
    let mut beats = vec![false; kk * kk];
    for c in &cov {
        if c.components.iter().all(|comp| comp.len() < 2) {
            continue;
        }
        for &i in &by_column[c.query] {
            let s = data.sample(i);
            for &t in s.tokens {
                beats[s.choice * kk + t as usize] = true;
            }
        }
        for comp in &c.components {
            if comp.len() < 2 {
                continue;
            }
            let edge = |a: usize, b: usize| beats[a * kk + b];
            for forward in [true, false] {
                let mut reach = vec![false; kk];
                let mut stack = vec![comp[0]];
                reach[comp[0]] = true;
                while let Some(u) = stack.pop() {
                    for &v in comp {
                        let e = if forward { edge(u, v) } else { edge(v, u) };
                        if !reach[v] && e {
                            reach[v] = true;
                            stack.push(v);
                        }
                    }
                }
                let (inside, outside): (Vec<usize>, Vec<usize>) =
                    comp.iter().partition(|&&v| reach[v]);
                if !outside.is_empty() {
                    // forward: nothing in `inside` is chosen with an `outside` token available;
                    // backward: nothing in `outside` is chosen with an `inside` token available.
                    let (a, b) = if forward {
                        (inside, outside)
                    } else {
                        (outside, inside)
                    };
                    return Ok(Some(FailingSplit {
                        query: c.query,
                        a,
                        b,
                    }));
                }
            }
        }
        // Clear only what this column set.
        for &i in &by_column[c.query] {
            let s = data.sample(i);
            for &t in s.tokens {
                beats[s.choice * kk + t as usize] = false;
            }
        }
    }
    Ok(None)
}

/// [`existence_failure`] as a `Result`: `Err(Infeasible)` naming the column and the split.
pub fn check_mle_exists(data: &ChoiceData) -> Result<()> {
    match existence_failure(data)? {
        None => Ok(()),
        Some(f) => Err(Error::Infeasible {
            what: "CCMC maximum-likelihood estimate",
            reason: format!(
                "column {}: no sample with query {} chooses a token of {:?} while a token of {:?} \
                 is available, so those scores diverge (add a ridge or more data)",
                f.query, f.query, f.a, f.b
            ),
        }),
    }
}
