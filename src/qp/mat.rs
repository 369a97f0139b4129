//! A small dense row-major matrix for the min-norm programs and the next-token models.
//!
//! The programs of this crate live on `d × d` matrices with `d` of a few dozen at most, so the
//! engine keeps its own contiguous row-major buffer and hands it to faer (as a `MatRef`) wherever a
//! product is large enough to matter.

use crate::error::{check_finite, check_ids, check_len, checked_elems, Result};

/// Dense `rows × cols` matrix, row-major: entry `(a, b)` is `data[a * cols + b]`.
///
/// Invariant: `data.len() == rows · cols` (the fields are private; every constructor keeps it).
#[derive(Clone, Debug, PartialEq)]
pub struct Mat {
    rows: usize,
    cols: usize,
    data: Vec<f64>,
}

impl Mat {
    /// The `rows × cols` zero matrix.
    ///
    /// # Panics
    /// When `rows · cols` overflows `usize` (sizes from untrusted input go through
    /// [`Mat::try_zeros`]).
    pub fn zeros(rows: usize, cols: usize) -> Self {
        Self::try_zeros(rows, cols).expect("Mat::zeros: rows·cols overflows usize")
    }

    /// The `rows × cols` zero matrix, or [`Overflow`](crate::Error::Overflow) when `rows · cols` does not fit
    /// `usize` (checked before allocating).
    pub fn try_zeros(rows: usize, cols: usize) -> Result<Self> {
        let n = checked_elems("matrix rows·cols", &[rows, cols])?;
        Ok(Mat {
            rows,
            cols,
            data: vec![0.0; n],
        })
    }

    /// Number of rows.
    #[inline]
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Number of columns.
    #[inline]
    pub fn cols(&self) -> usize {
        self.cols
    }

    /// The row-major entries (`rows · cols` of them).
    #[inline]
    pub fn data(&self) -> &[f64] {
        &self.data
    }

    /// The row-major entries, writable (the shape stays fixed).
    #[inline]
    pub fn data_mut(&mut self) -> &mut [f64] {
        &mut self.data
    }

    /// The row-major entries by value.
    pub fn into_data(self) -> Vec<f64> {
        self.data
    }

    /// The `n × n` identity.
    pub fn identity(n: usize) -> Self {
        let mut m = Self::zeros(n, n);
        for i in 0..n {
            m.data[i * n + i] = 1.0;
        }
        m
    }

    /// Wraps a row-major buffer, checking its length (`rows · cols`, overflow-checked) and
    /// finiteness.
    ///
    /// # Errors
    /// `Overflow` when `rows · cols` does not fit `usize`; `ShapeMismatch` for a wrong length;
    /// `NonFinite` for a NaN or an infinity.
    pub fn from_row_major(rows: usize, cols: usize, data: Vec<f64>) -> Result<Self> {
        check_len(
            "matrix data",
            checked_elems("matrix rows·cols", &[rows, cols])?,
            data.len(),
        )?;
        check_finite("matrix data", &data)?;
        Ok(Mat { rows, cols, data })
    }

    /// Builds a matrix from nested rows (`rows[a][b]`), checking that it is rectangular.
    pub fn from_rows(rows: &[Vec<f64>]) -> Result<Self> {
        let r = rows.len();
        let c = rows.first().map_or(0, Vec::len);
        let mut data = Vec::with_capacity(checked_elems("matrix rows·cols", &[r, c])?);
        for row in rows {
            check_len("matrix row", c, row.len())?;
            data.extend_from_slice(row);
        }
        Self::from_row_major(r, c, data)
    }

    /// The outer product `u v^T`.
    pub fn outer(u: &[f64], v: &[f64]) -> Self {
        let mut m = Self::zeros(u.len(), v.len());
        m.add_outer(1.0, u, v);
        m
    }

    /// Entry `(a, b)`, or `None` when `a ≥ rows` or `b ≥ cols`.
    #[inline]
    pub fn get(&self, a: usize, b: usize) -> Option<f64> {
        (a < self.rows && b < self.cols).then(|| self.at(a, b))
    }

    /// Sets entry `(a, b)`.
    ///
    /// # Errors
    /// `OutOfRange` when `a ≥ rows` or `b ≥ cols` (the matrix is left unchanged).
    #[inline]
    pub fn set(&mut self, a: usize, b: usize, x: f64) -> Result<()> {
        check_ids("matrix row index", &[a], self.rows)?;
        check_ids("matrix column index", &[b], self.cols)?;
        self.set_at(a, b, x);
        Ok(())
    }

    /// Row `a` as a slice, or `None` when `a ≥ rows`.
    pub fn row(&self, a: usize) -> Option<&[f64]> {
        (a < self.rows).then(|| self.row_at(a))
    }

    /// [`Mat::get`] for indices in range by construction (the crate's hot loops).
    #[inline]
    pub(crate) fn at(&self, a: usize, b: usize) -> f64 {
        self.data[a * self.cols + b]
    }

    /// [`Mat::set`] for indices in range by construction.
    #[inline]
    pub(crate) fn set_at(&mut self, a: usize, b: usize, x: f64) {
        self.data[a * self.cols + b] = x;
    }

    /// [`Mat::row`] for an index in range by construction.
    #[inline]
    pub(crate) fn row_at(&self, a: usize) -> &[f64] {
        &self.data[a * self.cols..(a + 1) * self.cols]
    }

    /// Nested rows, for JSON output.
    pub fn to_rows(&self) -> Vec<Vec<f64>> {
        (0..self.rows).map(|a| self.row_at(a).to_vec()).collect()
    }

    /// Frobenius inner product `<self, other> = Σ self_ab other_ab`.
    pub fn dot(&self, other: &Mat) -> f64 {
        self.data.iter().zip(&other.data).map(|(x, y)| x * y).sum()
    }

    /// Frobenius norm.
    pub fn norm(&self) -> f64 {
        self.dot(self).sqrt()
    }

    /// `self += alpha * other`.
    pub fn axpy(&mut self, alpha: f64, other: &Mat) {
        for (x, y) in self.data.iter_mut().zip(&other.data) {
            *x += alpha * y;
        }
    }

    /// `self * alpha` (new matrix).
    pub fn scaled(&self, alpha: f64) -> Mat {
        let mut m = self.clone();
        m.data.iter_mut().for_each(|x| *x *= alpha);
        m
    }

    /// `self - other` (new matrix).
    pub fn sub(&self, other: &Mat) -> Mat {
        let mut m = self.clone();
        m.axpy(-1.0, other);
        m
    }

    /// `self += alpha * u v^T`. Like [`Mat::dot`] and [`Mat::axpy`], entries pair up to the
    /// shorter length: `u` beyond `rows` and `v` beyond `cols` are not read.
    pub fn add_outer(&mut self, alpha: f64, u: &[f64], v: &[f64]) {
        if self.cols == 0 {
            return;
        }
        for (row, &ua) in self.data.chunks_exact_mut(self.cols).zip(u) {
            if ua == 0.0 {
                continue;
            }
            let s = alpha * ua;
            for (x, &vb) in row.iter_mut().zip(v) {
                *x += s * vb;
            }
        }
    }

    /// The bilinear form `u^T self v` (entries pair up to the shorter length, as in
    /// [`Mat::add_outer`]).
    pub fn bilinear(&self, u: &[f64], v: &[f64]) -> f64 {
        let mut acc = 0.0;
        if self.cols == 0 {
            return acc;
        }
        for (row, &ua) in self.data.chunks_exact(self.cols).zip(u) {
            if ua == 0.0 {
                continue;
            }
            acc += ua * row.iter().zip(v).map(|(x, y)| x * y).sum::<f64>();
        }
        acc
    }

    /// `self^T` (new matrix).
    pub fn transpose(&self) -> Mat {
        let mut m = Mat::zeros(self.cols, self.rows);
        for a in 0..self.rows {
            for b in 0..self.cols {
                m.data[b * self.rows + a] = self.data[a * self.cols + b];
            }
        }
        m
    }

    /// Matrix product `self · rhs` through faer's GEMM (sequential: results do not depend on the
    /// thread count).
    pub fn matmul(&self, rhs: &Mat) -> Result<Mat> {
        check_len("matmul inner dimension", self.cols, rhs.rows)?;
        let mut out = Mat::try_zeros(self.rows, rhs.cols)?;
        gemm_into_unchecked(&mut out, self, rhs, 1.0, false);
        Ok(out)
    }

    /// Cosine of the angle between `self` and `other` in the Frobenius inner product; 0 when
    /// either is zero (the authors' `cal_corr`).
    pub fn corr(&self, other: &Mat) -> f64 {
        let n = self.norm() * other.norm();
        if n == 0.0 {
            0.0
        } else {
            self.dot(other) / n
        }
    }

    /// Whether every entry is finite.
    pub fn is_finite(&self) -> bool {
        self.data.iter().all(|x| x.is_finite())
    }

    /// Singular values, largest first ([`crate::linalg::singular_values`]).
    pub fn singular_values(&self) -> Result<Vec<f64>> {
        crate::linalg::singular_values(self.as_faer())
    }

    /// A faer view of the row-major buffer (no copy).
    pub fn as_faer(&self) -> faer::MatRef<'_, f64> {
        faer::MatRef::from_row_major_slice(&self.data, self.rows, self.cols)
    }

    /// Nuclear norm (sum of singular values).
    pub fn nuclear_norm(&self) -> Result<f64> {
        Ok(self.singular_values()?.iter().sum())
    }

    /// Numerical rank: singular values above `rel_tol` times the largest.
    pub fn rank(&self, rel_tol: f64) -> Result<usize> {
        let s = self.singular_values()?;
        let top = s.first().copied().unwrap_or(0.0);
        Ok(s.iter()
            .filter(|&&x| x > rel_tol * top && top > 0.0)
            .count())
    }
}

/// `out (=|+=) alpha · lhs · rhs` on [`Mat`]s through [`crate::linalg::gemm_into`].
///
/// # Errors
/// `ShapeMismatch` when `lhs` `m × k`, `rhs` `k × n` and `out` `m × n` do not chain.
pub fn gemm_into(out: &mut Mat, lhs: &Mat, rhs: &Mat, alpha: f64, accumulate: bool) -> Result<()> {
    let o = faer::MatMut::from_row_major_slice_mut(&mut out.data, out.rows, out.cols);
    crate::linalg::gemm_into(o, lhs.as_faer(), rhs.as_faer(), alpha, accumulate)
}

/// [`gemm_into`] for shapes that chain by construction.
fn gemm_into_unchecked(out: &mut Mat, lhs: &Mat, rhs: &Mat, alpha: f64, accumulate: bool) {
    let o = faer::MatMut::from_row_major_slice_mut(&mut out.data, out.rows, out.cols);
    crate::linalg::gemm_into_unchecked(o, lhs.as_faer(), rhs.as_faer(), alpha, accumulate);
}

/// Solves the symmetric positive-definite system `a x = b` (`a` is `n × n` row-major) by
/// [`crate::linalg::spd_solve`].
///
/// # Errors
/// `ShapeMismatch` when `a` is not square or `b` is not `n` long; `NonFinite` for a NaN or an
/// infinity in `a` or `b`; `NotPositiveDefinite` when the Cholesky factorisation fails.
pub fn spd_solve(a: &Mat, b: &[f64]) -> Result<Vec<f64>> {
    check_len("spd_solve matrix columns (must be square)", a.rows, a.cols)?;
    check_len("spd_solve rhs", a.rows, b.len())?;
    check_finite("spd_solve matrix", &a.data)?;
    check_finite("spd_solve rhs", b)?;
    let rhs = faer::MatRef::from_column_major_slice(b, b.len(), 1);
    let x = crate::linalg::spd_solve("Newton system", a.as_faer(), rhs)?;
    Ok((0..a.rows).map(|i| x[(i, 0)]).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matmul_matches_naive_on_odd_shapes() {
        for &(m, k, n) in &[(1, 1, 1), (3, 5, 2), (17, 16, 15)] {
            let a =
                Mat::from_row_major(m, k, (0..m * k).map(|i| (i as f64).sin()).collect()).unwrap();
            let b =
                Mat::from_row_major(k, n, (0..k * n).map(|i| (i as f64).cos()).collect()).unwrap();
            let c = a.matmul(&b).unwrap();
            for i in 0..m {
                for j in 0..n {
                    let s: f64 = (0..k).map(|l| a.at(i, l) * b.at(l, j)).sum();
                    assert!((s - c.at(i, j)).abs() < 1e-12);
                }
            }
        }
    }

    #[test]
    fn spd_solve_solves() {
        let a = Mat::from_rows(&[vec![4.0, 1.0], vec![1.0, 3.0]]).unwrap();
        let x = spd_solve(&a, &[1.0, 2.0]).unwrap();
        assert!((4.0 * x[0] + x[1] - 1.0).abs() < 1e-14);
        assert!((x[0] + 3.0 * x[1] - 2.0).abs() < 1e-14);
    }
}
