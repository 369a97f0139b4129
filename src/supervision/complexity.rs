//! Supervision complexity `SC(Y, K) = tr(Yᵀ K⁻¹ Y)` by Cholesky, the eigen form and the RKHS-norm
//! form, never through an explicit inverse.
//!
//! With `K + λI = L Lᵀ` (lower-triangular `L`), `tr(Yᵀ (LLᵀ)⁻¹ Y) = ‖L⁻¹ Y‖²_F`: one Cholesky
//! (`n³/3` flops) and one triangular solve with `C` right-hand sides (`n²·C` flops). The sum of
//! squares is accumulated in `f64` whatever the scalar type.

use crate::error::{check_finite, check_len, Error, Result};
use crate::float::Float;
use faer::{Mat, MatMut, MatRef, Par, Side};

/// Checks that `k` is a finite, square, symmetric matrix (up to rounding in its last bits).
///
/// See [`scan_gram`]; a non-finite entry is reported by its row-major flat index.
pub(crate) fn check_gram<T: Float>(what: &'static str, k: MatRef<'_, T>) -> Result<()> {
    scan_gram(what, k, None)
}

/// What one column block of [`scan_gram`] saw.
struct BlockScan {
    finite: bool,
    max_abs: f64,
    /// Largest `|k_ij − k_ji|` and its `(i, j)`, the first in scan order on ties.
    worst: (f64, usize, usize),
}

/// One pass over a square `k`: every entry finite, and `k` symmetric to 64 ulps of its largest
/// entry (what a Gram assembled by a GEMM in `T` satisfies). When `lower` is given (`n × n`, zero),
/// the lower triangle of `k`, diagonal included, is copied into it on the way.
///
/// The pass runs over `TILE`-column blocks in parallel; in a block, over `TILE × TILE` tile pairs
/// `(I, J)`, `(J, I)`, so the transposed reads stay in cache (a column-against-row sweep, or a
/// separate check, copy and finite pass, cost about a third of the Cholesky at n = 4096; see
/// `proofs-notes/kernels_vs_peers.md`). The blocks' results are combined in block order, so the
/// outcome does not depend on the thread count. Only on failure is `k` rescanned row by row to name
/// the first non-finite entry in row-major order.
fn scan_gram<T: Float>(
    what: &'static str,
    k: MatRef<'_, T>,
    lower: Option<MatMut<'_, T>>,
) -> Result<()> {
    use rayon::prelude::*;
    const TILE: usize = 64;
    let n = k.nrows();
    check_len(what, n, k.ncols())?;
    if n == 0 {
        return Err(Error::Empty { what });
    }
    let scan_block = |jb: usize, mut dst: Option<MatMut<'_, T>>| {
        let mut scan = BlockScan {
            finite: true,
            max_abs: 0.0,
            worst: (0.0, 0, 0),
        };
        for ib in (jb..n).step_by(TILE) {
            for j in jb..(jb + TILE).min(n) {
                for i in ib.max(j)..(ib + TILE).min(n) {
                    let (a, b) = (k[(i, j)], k[(j, i)]);
                    if let Some(dst) = dst.as_mut() {
                        dst[(i, j - jb)] = a;
                    }
                    let (a, b) = (a.as_f64(), b.as_f64());
                    scan.finite &= a.is_finite() && b.is_finite();
                    scan.max_abs = scan.max_abs.max(a.abs()).max(b.abs());
                    if (a - b).abs() > scan.worst.0 {
                        scan.worst = ((a - b).abs(), i, j);
                    }
                }
            }
        }
        scan
    };
    let blocks: Vec<BlockScan> = match lower {
        Some(l) => {
            check_len("gram copy (rows)", n, l.nrows())?;
            check_len("gram copy (columns)", n, l.ncols())?;
            l.par_col_chunks_mut(TILE)
                .enumerate()
                .map(|(b, dst)| scan_block(b * TILE, Some(dst)))
                .collect()
        }
        None => (0..n.div_ceil(TILE))
            .into_par_iter()
            .map(|b| scan_block(b * TILE, None))
            .collect(),
    };
    if !blocks.iter().all(|b| b.finite) {
        return crate::linalg::check_matrix_finite(what, k);
    }
    let max_abs = blocks.iter().fold(0.0f64, |m, b| m.max(b.max_abs));
    let worst = blocks.iter().fold(
        (0.0, 0, 0),
        |w, b| if b.worst.0 > w.0 { b.worst } else { w },
    );
    if worst.0 > 64.0 * T::EPS * max_abs {
        let (_, i, j) = worst;
        return Err(Error::InvalidArgument {
            what,
            reason: format!(
                "not symmetric at ({i}, {j}): {:e} vs {:e}",
                k[(i, j)].as_f64(),
                k[(j, i)].as_f64()
            ),
        });
    }
    Ok(())
}

/// Checks targets `y` (`n × C`, `C ≥ 1`) against a Gram of order `n`.
fn check_targets<T: Float>(n: usize, y: MatRef<'_, T>) -> Result<()> {
    check_len("y (rows)", n, y.nrows())?;
    if y.ncols() == 0 {
        return Err(Error::Empty {
            what: "y (columns)",
        });
    }
    for j in 0..y.ncols() {
        for i in 0..n {
            if !y[(i, j)].as_f64().is_finite() {
                return Err(Error::NonFinite {
                    what: "y",
                    index: i * y.ncols() + j,
                });
            }
        }
    }
    Ok(())
}

// The file's linear algebra, one small function per kind: factor and GEMM through `crate::linalg`
// (which holds the vector-state discipline); the triangular solves are faer's.

/// `A = L Lᵀ` in place in the lower triangle of `a` (faer uses the strict upper triangle as scratch).
fn cholesky<T: Float>(a: MatMut<'_, T>, par: Par) -> Result<()> {
    crate::linalg::factor_lower_in_place("gram", a, par)
}

/// `Z ← L⁻¹ Z`, or `Z ← L⁻ᵀ Z` when `transposed`, for a lower-triangular `l`.
fn solve<T: Float>(l: MatRef<'_, T>, z: MatMut<'_, T>, par: Par, transposed: bool) {
    use faer::linalg::triangular_solve as ts;
    if transposed {
        ts::solve_upper_triangular_in_place(l.transpose(), z, par);
    } else {
        ts::solve_lower_triangular_in_place(l, z, par);
    }
}

/// `out = a · b` (sequential).
fn gemm<T: Float>(out: MatMut<'_, T>, a: MatRef<'_, T>, b: MatRef<'_, T>) {
    crate::linalg::gemm_into_unchecked(out, a, b, T::one(), false);
}

/// The Cholesky factor of a regularised Gram `K + λI = L Lᵀ`, reusable across many target matrices
/// (a temperature sweep, the columns of a checkpoint series).
///
/// Shapes: `K` is `n × n`, symmetric positive definite (only its lower triangle is read by the
/// factorisation; the whole matrix is checked for symmetry).
#[derive(Clone, Debug)]
pub struct GramFactor<T: Float> {
    /// `L`, column-major `n × n` (see [`GramFactor::l`]).
    l: Vec<T>,
    n: usize,
    ridge: f64,
    trace: f64,
    par: Par,
}

impl<T: Float> GramFactor<T> {
    /// Factors `K + ridge·I`, sequentially (bitwise reproducible).
    ///
    /// Errors: `Empty` for `n = 0`; `ShapeMismatch` for a non-square `k`; `NonFinite`;
    /// `InvalidArgument` for an asymmetric `k` or a negative/non-finite `ridge`;
    /// `NotPositiveDefinite { what: "gram", pivot }` with the first pivot that was not positive.
    pub fn new(k: MatRef<'_, T>, ridge: f64) -> Result<Self> {
        Self::with_par(k, ridge, Par::Seq)
    }

    /// As [`GramFactor::new`], with an explicit faer parallelism for the factorisation and solves.
    pub fn with_par(k: MatRef<'_, T>, ridge: f64, par: Par) -> Result<Self> {
        if !(ridge.is_finite() && ridge >= 0.0) {
            return Err(Error::InvalidArgument {
                what: "ridge",
                reason: format!("must be finite and >= 0, got {ridge}"),
            });
        }
        check_len("gram", k.nrows(), k.ncols())?;
        let n = k.nrows();
        // The factorisation reads the lower triangle only: start from zeros and let the validating
        // pass copy the lower half, with no separate copy or finite pass. `vec!` of zeros comes
        // from the allocator's zeroed pages, mapped on first write, rather than from a pass that
        // writes zeros (as faer's `Mat::zeros` does).
        let elems = crate::error::checked_elems("gram factor", &[n, n])?;
        let mut l = vec![T::zero(); elems];
        scan_gram(
            "gram",
            k,
            Some(MatMut::from_column_major_slice_mut(&mut l, n, n)),
        )?;
        let mut trace = 0.0;
        for i in 0..n {
            l[i * n + i] += T::of(ridge);
            trace += l[i * n + i].as_f64();
        }
        // Finite diagonals near `f64::MAX` (or `K_ii + λ` in f32) overflow the trace.
        if !trace.is_finite() {
            return Err(Error::NonFinite {
                what: "gram trace (overflow from finite entries)",
                index: 0,
            });
        }
        cholesky(MatMut::from_column_major_slice_mut(&mut l, n, n), par)?;
        Ok(GramFactor {
            l,
            n,
            ridge,
            trace,
            par,
        })
    }

    /// Order `n` of the Gram.
    pub fn n(&self) -> usize {
        self.n
    }

    /// The ridge `λ` that was added to the diagonal.
    pub fn ridge(&self) -> f64 {
        self.ridge
    }

    /// `tr(K + λI)`, accumulated in `f64`.
    pub fn trace(&self) -> f64 {
        self.trace
    }

    /// A copy of the lower-triangular factor `L` (`n × n`, zero above the diagonal).
    ///
    /// A copy, because the stored factor's strict upper triangle is faer's scratch space (its
    /// blocked factorisation keeps `L₁₀·D₀` there) and is never cleared: the solves read only the
    /// lower triangle, and a clearing pass would touch every page of an `n²` buffer.
    pub fn l(&self) -> Mat<T> {
        let mut out = Mat::<T>::zeros(self.n, self.n);
        out.copy_from_triangular_lower(self.stored());
        out
    }

    /// The stored factor: `L` in the lower triangle, scratch above it.
    fn stored(&self) -> MatRef<'_, T> {
        MatRef::from_column_major_slice(&self.l, self.n, self.n)
    }

    /// `Z = L⁻¹ Y` (`n × C`), one forward substitution.
    pub fn whiten(&self, y: MatRef<'_, T>) -> Result<Mat<T>> {
        check_targets(self.n(), y)?;
        let mut z = y.to_owned();
        solve(self.stored(), z.as_mut(), self.par, false);
        Ok(z)
    }

    /// Per-column supervision complexity `yᵀ_c (K+λI)⁻¹ y_c` (length `C`); sums to
    /// [`GramFactor::complexity`].
    pub fn complexity_per_column(&self, y: MatRef<'_, T>) -> Result<Vec<f64>> {
        let z = self.whiten(y)?;
        let per_column: Vec<f64> = (0..z.ncols())
            .map(|c| (0..z.nrows()).map(|i| z[(i, c)].as_f64().powi(2)).sum())
            .collect();
        // An ill-conditioned K (or targets near the type's maximum) overflows L⁻¹Y.
        crate::error::check_finite("supervision complexity (overflow in L⁻¹Y)", &per_column)?;
        Ok(per_column)
    }

    /// `SC(Y, K+λI) = tr(Yᵀ (K+λI)⁻¹ Y) = ‖L⁻¹Y‖²_F`.
    pub fn complexity(&self, y: MatRef<'_, T>) -> Result<f64> {
        Ok(self.complexity_per_column(y)?.iter().sum())
    }

    /// The interpolation coefficients `α = (K+λI)⁻¹ Y` (`n × C`): `Lᵀ α = L⁻¹ Y`.
    pub fn solve(&self, y: MatRef<'_, T>) -> Result<Mat<T>> {
        let mut z = self.whiten(y)?;
        solve(self.stored(), z.as_mut(), self.par, true);
        crate::linalg::check_matrix_finite(
            "interpolation coefficients (overflow in (K+λI)⁻¹Y)",
            z.as_ref(),
        )?;
        Ok(z)
    }
}

/// `SC(Y, K) = tr(Yᵀ (K + λI)⁻¹ Y)` by Cholesky. `k`: `n × n` SPD, `y`: `n × C`.
///
/// See [`GramFactor::new`] for the errors.
pub fn supervision_complexity<T: Float>(
    k: MatRef<'_, T>,
    y: MatRef<'_, T>,
    ridge: f64,
) -> Result<f64> {
    GramFactor::new(k, ridge)?.complexity(y)
}

/// The eigen form `SC = Σ_j ‖u_jᵀ Y‖² / λ_j` over the eigenpairs `(λ_j, u_j)` of `K` (in `f64`).
///
/// Returns the total and the per-eigenpair terms in nondecreasing eigenvalue order. Targets aligned
/// with the top eigenvectors are cheap. Errors: as [`GramFactor::new`]; a non-positive eigenvalue is
/// reported as `NotPositiveDefinite { what: "gram (eigenvalue)", pivot: j }`.
pub fn supervision_complexity_eigen(
    k: MatRef<'_, f64>,
    y: MatRef<'_, f64>,
) -> Result<(f64, Vec<f64>)> {
    check_gram("gram", k)?;
    check_targets(k.nrows(), y)?;
    let evd = k
        .self_adjoint_eigen(Side::Lower)
        .map_err(|_| Error::NotConverged {
            what: "self-adjoint eigendecomposition",
            iterations: 0,
            residual: f64::NAN,
        })?;
    let (u, s) = (evd.U(), evd.S());
    let mut proj = Mat::<f64>::zeros(u.ncols(), y.ncols());
    gemm(proj.as_mut(), u.transpose(), y);
    let mut terms = Vec::with_capacity(u.ncols());
    for j in 0..u.ncols() {
        let lambda = s[j];
        if lambda <= 0.0 {
            return Err(Error::NotPositiveDefinite {
                what: "gram (eigenvalue)",
                pivot: j,
            });
        }
        let energy: f64 = (0..y.ncols()).map(|c| proj[(j, c)].powi(2)).sum();
        terms.push(energy / lambda);
    }
    Ok((terms.iter().sum(), terms))
}

/// The squared RKHS norm of the minimum-norm interpolant `f = K(·, X) α`, `α = K⁻¹Y`:
/// `‖f‖²_H = tr(αᵀ K α)`, computed as `Σ α ⊙ (K α)` with a faer GEMM. Equal to `SC(Y, K)`
/// (claim SC1); it is a third, independent route (solve, then multiply back by `K`).
pub fn interpolant_rkhs_norm_sq(k: MatRef<'_, f64>, y: MatRef<'_, f64>) -> Result<f64> {
    let alpha = GramFactor::new(k, 0.0)?.solve(y)?;
    let mut k_alpha = Mat::<f64>::zeros(k.nrows(), y.ncols());
    gemm(k_alpha.as_mut(), k, alpha.as_ref());
    let mut s = 0.0;
    for c in 0..y.ncols() {
        for i in 0..k.nrows() {
            s += alpha[(i, c)] * k_alpha[(i, c)];
        }
    }
    Ok(s)
}

/// The Rademacher-style term `sqrt(SC · tr K) / n` that enters the margin bound.
pub fn rademacher_term(sc: f64, trace_k: f64, n: usize) -> Result<f64> {
    check_finite("sc", &[sc, trace_k])?;
    if sc < 0.0 || trace_k < 0.0 || n == 0 {
        return Err(Error::InvalidArgument {
            what: "rademacher_term",
            reason: format!("need sc >= 0, tr K >= 0, n > 0; got {sc}, {trace_k}, {n}"),
        });
    }
    let r = (sc * trace_k).sqrt() / n as f64;
    if !r.is_finite() {
        return Err(Error::InvalidArgument {
            what: "rademacher_term",
            reason: format!("sc · tr K = {sc} · {trace_k} overflows f64"),
        });
    }
    Ok(r)
}
