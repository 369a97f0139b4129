//! Hildreth's method (dual coordinate ascent) for min-norm programs with rank-1 rows.

use super::mat::Mat;
use crate::error::{check_finite, check_len, check_positive, Error, Result};
use std::collections::HashMap;

/// The largest `d1·d2` [`MinNormProblem::solve`] allocates (2^28 entries, 2 GiB of f64): a larger
/// problem is [`Error::TooLarge`], not an allocation failure.
pub const MAX_ELEMS: usize = 1 << 28;

/// Whether a row is an equality `<A, W> = b` or an inequality `<A, W> ≥ b`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RowKind {
    /// `u^T W v = b`.
    Equality,
    /// `u^T W v ≥ b`.
    AtLeast,
}

/// One constraint row `u^T W v (= or ≥) b`, as validated by [`MinNormProblem`]'s `push_*`
/// methods (fields private: read them through the getters).
#[derive(Clone, Debug)]
pub struct Row {
    /// Left factor, length `d1`.
    pub(crate) u: Vec<f64>,
    /// Right factor, length `d2`.
    pub(crate) v: Vec<f64>,
    /// Equality or inequality.
    pub(crate) kind: RowKind,
    /// Right-hand side `b`.
    pub(crate) rhs: f64,
    /// `‖u v^T‖_F² = ‖u‖² ‖v‖²`.
    norm_sq: f64,
}

impl Row {
    /// Left factor `u` (length `d1`).
    pub fn u(&self) -> &[f64] {
        &self.u
    }
    /// Right factor `v` (length `d2`).
    pub fn v(&self) -> &[f64] {
        &self.v
    }
    /// Equality or inequality.
    pub fn kind(&self) -> RowKind {
        self.kind
    }
    /// Right-hand side `b`.
    pub fn rhs(&self) -> f64 {
        self.rhs
    }
}

/// Solver knobs.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// Stop when `max_r |Δλ_r| ‖A_r‖ < tol · (1 + max_r |b_r|)` in one sweep.
    pub tol: f64,
    /// Give up after this many sweeps.
    pub max_sweeps: usize,
    /// Sweeps between infeasibility checks.
    pub check_every: usize,
}

impl Options {
    /// `InvalidArgument` unless `tol` is finite and > 0 and `check_every ≥ 1`.
    pub fn validate(&self) -> Result<()> {
        check_positive("qp options.tol", self.tol)?;
        if self.check_every == 0 {
            return Err(Error::InvalidArgument {
                what: "qp options.check_every",
                reason: "must be at least 1".into(),
            });
        }
        Ok(())
    }
}

impl Default for Options {
    fn default() -> Self {
        Options {
            tol: 1e-13,
            max_sweeps: 200_000,
            check_every: 500,
        }
    }
}

/// KKT residuals of a returned solution.
#[derive(Clone, Copy, Debug, Default, serde::Serialize)]
pub struct Kkt {
    /// `max_r` of `|<A_r,W> − b_r|` (equality) or `max(0, b_r − <A_r,W>)` (inequality).
    pub primal_violation: f64,
    /// `max` over inequality rows with `λ_r > 0` of `|<A_r,W> − b_r|` (complementary slackness).
    pub complementarity: f64,
    /// `‖W − Σ_r λ_r A_r‖_F`, recomputed from scratch (stationarity).
    pub stationarity: f64,
    /// Smallest inequality multiplier (dual feasibility: must be ≥ 0).
    pub min_inequality_multiplier: f64,
    /// Sweeps spent.
    pub sweeps: usize,
}

/// A solved program.
#[derive(Clone, Debug)]
pub struct Solution {
    /// The minimiser `W` (`d1 × d2`).
    pub w: Mat,
    /// Multipliers, one per kept row (equality multipliers are not unique: compare `W`, never λ).
    pub lambda: Vec<f64>,
    /// KKT residuals.
    pub kkt: Kkt,
}

/// A min-norm program under construction: `min ½‖W‖_F²` over `d1 × d2` matrices subject to the
/// pushed rank-1 rows. Exact duplicate rows are dropped as they are pushed.
#[derive(Clone, Debug)]
pub struct MinNormProblem {
    d1: usize,
    d2: usize,
    rows: Vec<Row>,
    seen: HashMap<Vec<u64>, usize>,
    what: &'static str,
}

impl MinNormProblem {
    /// An empty program over `d1 × d2` matrices; `what` names it in errors.
    pub fn new(what: &'static str, d1: usize, d2: usize) -> Self {
        MinNormProblem {
            d1,
            d2,
            rows: Vec::new(),
            seen: HashMap::new(),
            what,
        }
    }

    /// Number of distinct rows.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether no row was pushed.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The distinct rows.
    pub fn rows(&self) -> &[Row] {
        &self.rows
    }

    /// Adds `u^T W v = rhs`.
    pub fn push_equality(&mut self, u: &[f64], v: &[f64], rhs: f64) -> Result<()> {
        self.push(u, v, RowKind::Equality, rhs)
    }

    /// Adds `u^T W v ≥ rhs`.
    pub fn push_at_least(&mut self, u: &[f64], v: &[f64], rhs: f64) -> Result<()> {
        self.push(u, v, RowKind::AtLeast, rhs)
    }

    fn push(&mut self, u: &[f64], v: &[f64], kind: RowKind, rhs: f64) -> Result<()> {
        check_len("constraint left factor", self.d1, u.len())?;
        check_len("constraint right factor", self.d2, v.len())?;
        check_finite("constraint left factor", u)?;
        check_finite("constraint right factor", v)?;
        check_finite("constraint right-hand side", &[rhs])?;
        let mut key: Vec<u64> = Vec::with_capacity(u.len() + v.len() + 2);
        key.extend(u.iter().map(|x| (x + 0.0).to_bits()));
        key.extend(v.iter().map(|x| (x + 0.0).to_bits()));
        key.push((rhs + 0.0).to_bits());
        key.push(matches!(kind, RowKind::AtLeast) as u64);
        if self.seen.contains_key(&key) {
            return Ok(());
        }
        let norm_sq = u.iter().map(|x| x * x).sum::<f64>() * v.iter().map(|x| x * x).sum::<f64>();
        if !norm_sq.is_finite() {
            // Finite factors whose squared norm overflows: every step would divide by ∞.
            return Err(Error::InvalidArgument {
                what: "constraint row",
                reason: "‖u‖²·‖v‖² overflows f64; rescale the row".into(),
            });
        }
        if norm_sq == 0.0 {
            // A zero row constrains nothing unless it asks 0 = b ≠ 0 or 0 ≥ b > 0.
            let violated = match kind {
                RowKind::Equality => rhs != 0.0,
                RowKind::AtLeast => rhs > 0.0,
            };
            if violated {
                return Err(Error::Infeasible {
                    what: self.what,
                    reason: format!("a constraint row is zero but asks for {rhs}"),
                });
            }
            return Ok(());
        }
        self.seen.insert(key, self.rows.len());
        self.rows.push(Row {
            u: u.to_vec(),
            v: v.to_vec(),
            kind,
            rhs,
            norm_sq,
        });
        Ok(())
    }

    /// Solves by Hildreth's dual coordinate ascent from `λ = 0`.
    ///
    /// Errors: [`Error::Infeasible`] when the multipliers keep growing while the primal violation
    /// stalls (checked every `check_every` sweeps); [`Error::NotConverged`] when `max_sweeps` runs out
    /// otherwise.
    /// [`Error::Overflow`] when `d1·d2` does not fit `usize`; the errors of
    /// [`MinNormProblem::project`].
    pub fn solve(&self, opts: &Options) -> Result<Solution> {
        let elems = crate::error::checked_elems("W (d1·d2)", &[self.d1, self.d2])?;
        crate::error::check_cap("W (d1·d2)", elems, MAX_ELEMS)?;
        self.project(&Mat::try_zeros(self.d1, self.d2)?, None, opts)
    }

    /// Euclidean projection of `v` onto the feasible set: `min ½‖W − v‖_F²` under the same rows,
    /// `W = v + Σ_r λ_r A_r`, optionally warm-started from multipliers `warm` (one per row). Same
    /// errors as [`MinNormProblem::solve`], plus `ShapeMismatch` for a `v` that is not `d1 × d2` or
    /// a `warm` of the wrong length, `NonFinite` for a NaN or an infinity in `v` or `warm`, and
    /// `InvalidArgument` for options that are not usable (`tol` not finite and > 0,
    /// `check_every = 0`), `NonFinite` when finite rows overflow a multiplier or `W`, and
    /// `NotConverged` when the stopping rule held but a row is still violated by more than
    /// `√tol · (1 + max |b|)` (a point too large for f64 to resolve the constraints).
    pub fn project(&self, v: &Mat, warm: Option<&[f64]>, opts: &Options) -> Result<Solution> {
        opts.validate()?;
        check_len("projection point rows", self.d1, v.rows())?;
        check_len("projection point cols", self.d2, v.cols())?;
        check_finite("projection point", v.data())?;
        let mut w = v.clone();
        let mut lambda = vec![0.0; self.rows.len()];
        if let Some(l0) = warm {
            check_len("warm-start multipliers", self.rows.len(), l0.len())?;
            check_finite("warm-start multipliers", l0)?;
            for ((row, l), &x) in self.rows.iter().zip(lambda.iter_mut()).zip(l0) {
                let x = if row.kind == RowKind::AtLeast {
                    x.max(0.0)
                } else {
                    x
                };
                *l = x;
                w.add_outer(x, &row.u, &row.v);
            }
        }
        let scale = 1.0 + self.rows.iter().map(|r| r.rhs.abs()).fold(0.0, f64::max);
        let mut last_check: Option<(f64, f64)> = None;
        let mut sweeps = 0;
        let mut converged = self.rows.is_empty();
        while !converged && sweeps < opts.max_sweeps {
            sweeps += 1;
            let mut max_step = 0.0f64;
            for (r, row) in self.rows.iter().enumerate() {
                let value = w.bilinear(&row.u, &row.v);
                let mut new = lambda[r] + (row.rhs - value) / row.norm_sq;
                if row.kind == RowKind::AtLeast && new < 0.0 {
                    new = 0.0;
                }
                let delta = new - lambda[r];
                if delta != 0.0 {
                    w.add_outer(delta, &row.u, &row.v);
                    lambda[r] = new;
                    max_step = max_step.max(delta.abs() * row.norm_sq.sqrt());
                }
            }
            if max_step < opts.tol * scale {
                converged = true;
                break;
            }
            if sweeps % opts.check_every == 0 {
                let violation = self.violation(&w);
                let lam_norm = lambda.iter().map(|x| x * x).sum::<f64>().sqrt();
                if let Some((prev_violation, prev_lam)) = last_check {
                    let stalled = violation > 1e-7 && violation >= 0.99 * prev_violation;
                    let growing = lam_norm > 1.2 * prev_lam;
                    let farkas: f64 = lambda.iter().zip(&self.rows).map(|(l, r)| l * r.rhs).sum();
                    if stalled && growing && farkas > 0.0 {
                        return Err(Error::Infeasible {
                            what: self.what,
                            reason: format!(
                                "after {sweeps} Hildreth sweeps the constraint violation stalls at \
                                 {violation:.3e} while the multipliers grow (‖λ‖ = {lam_norm:.3e})"
                            ),
                        });
                    }
                }
                last_check = Some((violation, lam_norm));
            }
        }
        if !converged {
            return Err(Error::NotConverged {
                what: self.what,
                iterations: sweeps,
                residual: self.violation(&w),
            });
        }
        // A row with a tiny `‖A_r‖` and a finite rhs can overflow its multiplier step
        // `(b − <A_r, W>)/‖A_r‖²`; the NaN then never shows in the step size. O(output), once.
        check_finite(
            "QP multipliers λ (overflow from a row with tiny ‖u vᵀ‖)",
            &lambda,
        )?;
        check_finite(
            "QP solution W (overflow from a row with tiny ‖u vᵀ‖)",
            w.data(),
        )?;
        let mut kkt = self.kkt_of(&w, &lambda, sweeps);
        // Converged means the rows hold to `√tol · (1 + max |b|)`: a point so large that f64
        // cannot resolve that (entries near 1e38 have an ulp of 1e22) did not converge.
        if kkt.primal_violation > opts.tol.sqrt() * scale {
            return Err(Error::NotConverged {
                what: self.what,
                iterations: sweeps,
                residual: kkt.primal_violation,
            });
        }
        kkt.stationarity = {
            let mut rebuilt = v.clone();
            for (row, &l) in self.rows.iter().zip(&lambda) {
                rebuilt.add_outer(l, &row.u, &row.v);
            }
            rebuilt.sub(&w).norm()
        };
        Ok(Solution { w, lambda, kkt })
    }

    /// `ShapeMismatch` unless `w` is `d1 × d2`.
    fn check_w(&self, w: &Mat) -> Result<()> {
        check_len("w rows", self.d1, w.rows())?;
        check_len("w cols", self.d2, w.cols())
    }

    /// Largest constraint violation of `w`.
    ///
    /// # Errors
    /// `ShapeMismatch` unless `w` is `d1 × d2`.
    pub fn primal_violation(&self, w: &Mat) -> Result<f64> {
        self.check_w(w)?;
        Ok(self.violation(w))
    }

    /// [`Self::primal_violation`] of a `w` of the right shape.
    fn violation(&self, w: &Mat) -> f64 {
        self.rows
            .iter()
            .map(|r| {
                let gap = w.bilinear(&r.u, &r.v) - r.rhs;
                match r.kind {
                    RowKind::Equality => gap.abs(),
                    RowKind::AtLeast => (-gap).max(0.0),
                }
            })
            .fold(0.0, f64::max)
    }

    /// KKT residuals of `(w, lambda)`.
    ///
    /// # Errors
    /// `ShapeMismatch` unless `w` is `d1 × d2` and `lambda` has one entry per row.
    pub fn kkt(&self, w: &Mat, lambda: &[f64], sweeps: usize) -> Result<Kkt> {
        self.check_w(w)?;
        check_len("lambda", self.rows.len(), lambda.len())?;
        Ok(self.kkt_of(w, lambda, sweeps))
    }

    /// [`Self::kkt`] of arguments of the right shapes.
    fn kkt_of(&self, w: &Mat, lambda: &[f64], sweeps: usize) -> Kkt {
        let mut rebuilt = Mat::zeros(self.d1, self.d2);
        let mut complementarity = 0.0f64;
        let mut min_mult = f64::INFINITY;
        for (row, &l) in self.rows.iter().zip(lambda) {
            rebuilt.add_outer(l, &row.u, &row.v);
            if row.kind == RowKind::AtLeast {
                min_mult = min_mult.min(l);
                if l > 0.0 {
                    complementarity =
                        complementarity.max((w.bilinear(&row.u, &row.v) - row.rhs).abs());
                }
            }
        }
        Kkt {
            primal_violation: self.violation(w),
            complementarity,
            stationarity: rebuilt.sub(w).norm(),
            min_inequality_multiplier: if min_mult.is_finite() { min_mult } else { 0.0 },
            sweeps,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_inequality_is_projection() {
        // min ½w² s.t. 2w ≥ 1 (1×1): w = 1/2.
        let mut p = MinNormProblem::new("toy", 1, 1);
        p.push_at_least(&[2.0], &[1.0], 1.0).unwrap();
        let s = p.solve(&Options::default()).unwrap();
        assert!((s.w.at(0, 0) - 0.5).abs() < 1e-14);
    }

    #[test]
    fn duplicates_are_dropped() {
        let mut p = MinNormProblem::new("toy", 2, 2);
        for _ in 0..3 {
            p.push_at_least(&[1.0, -1.0], &[0.0, 1.0], 1.0).unwrap();
        }
        assert_eq!(p.len(), 1);
    }

    #[test]
    fn contradictory_zero_row_is_infeasible() {
        let mut p = MinNormProblem::new("toy", 1, 1);
        assert!(matches!(
            p.push_at_least(&[0.0], &[1.0], 1.0),
            Err(Error::Infeasible { .. })
        ));
    }
}
