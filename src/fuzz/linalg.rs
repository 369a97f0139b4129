//! The `linalg` fuzz body: the SPD solve (Cholesky), ridge regression, the row-major GEMM and the
//! decompositions on small matrices, hostile or well-posed.

use crate::fuzz::bytes::{assert_close, assert_finite, moderate, Bytes};
use crate::linalg::{
    factor_lower_in_place, gemm_row_major, ridge_fit, singular_values, spd_solve,
    symmetric_eigenvalues, thin_svd,
};
use faer::{Mat, MatRef, Par};

/// `max |x_ij|`.
fn max_abs(x: MatRef<'_, f64>) -> f64 {
    let mut m = 0.0f64;
    for j in 0..x.ncols() {
        for i in 0..x.nrows() {
            m = m.max(x[(i, j)].abs());
        }
    }
    m
}

/// `n × n` SPD `B Bᵀ + δ I` (grid `B`, `δ ≥ 1/32`), or, when `hostile`, any symmetric matrix
/// (possibly indefinite or non-finite).
fn symmetric(b: &mut Bytes, n: usize, hostile: bool) -> Mat<f64> {
    if hostile {
        let raw: Vec<f64> = b.values(n * n, true);
        Mat::from_fn(n, n, |i, j| raw[i.max(j) * n + i.min(j)])
    } else {
        let f = Mat::from_fn(n, n, |_, _| b.grid());
        let delta = b.positive(false);
        let mut a = &f * f.transpose();
        for i in 0..n {
            a[(i, i)] += delta;
        }
        a
    }
}

/// Decodes one linear-algebra call and checks it: no panic; `Ok` results finite; the SPD solve and
/// the ridge fit have small relative residuals (backward stability of Cholesky,
/// `‖A x − b‖ ≤ 1e-9 (‖A‖ ‖x‖ + ‖b‖)` in max norms scaled by `n`); the GEMM equals the naive triple
/// loop exactly (grid values: every product and sum is exact in f64); singular values and
/// eigenvalues are consistent with the Frobenius norm and the trace.
pub fn linalg(data: &[u8]) {
    let mut b = Bytes::new(data);
    let mode = b.byte();
    let hostile = mode & 0x80 != 0;
    match mode % 5 {
        0 => {
            let (n, c) = (b.below(7), b.below(3));
            let a = symmetric(&mut b, n, hostile);
            // One time in 8 the right-hand side has the wrong number of rows.
            let rows = if b.one_in(8) { n + 1 } else { n };
            let rhs = Mat::from_fn(rows, c, |_, _| b.scalar(hostile));
            let call = (&a, &rhs);
            if let Ok(x) = spd_solve("fuzz", a.as_ref(), rhs.as_ref()) {
                let flat: Vec<f64> = (0..n * c).map(|k| x[(k % n, k / n)]).collect();
                assert_finite("spd_solve", &flat, &call);
                if !hostile {
                    let r = &a * &x - &rhs;
                    let scale = max_abs(a.as_ref()) * max_abs(x.as_ref()) + max_abs(rhs.as_ref());
                    assert!(
                        max_abs(r.as_ref()) <= 1e-9 * (n as f64 + 1.0) * scale,
                        "spd_solve residual {:e} (scale {scale:e})\n{call:?}",
                        max_abs(r.as_ref())
                    );
                }
            }
            let mut l = a.clone();
            if factor_lower_in_place("fuzz", l.as_mut(), Par::Seq).is_ok() {
                let d: Vec<f64> = (0..n).map(|i| l[(i, i)]).collect();
                assert_finite("cholesky diagonal", &d, &call);
            }
        }
        1 => {
            let (n, p, c) = (b.range(1, 8), b.range(1, 4), b.range(1, 3));
            let x = b.values(n * p, hostile);
            let y = b.values(n * c, hostile);
            // The declared row count: usually right, sometimes off or huge.
            let n_arg = if hostile && b.one_in(4) {
                b.size(0, 9, true)
            } else {
                n
            };
            let lambda = if b.flag() { 0.0 } else { b.positive(hostile) };
            let call = (&x, &y, n_arg, lambda);
            if let Ok(w) = ridge_fit(&x, &y, n_arg, lambda) {
                assert_finite("ridge_fit", &w, &call);
                if n_arg == n && w.len() == p * c && moderate(&x) && moderate(&y) {
                    let xm = MatRef::from_row_major_slice(&x, n, p);
                    let ym = MatRef::from_row_major_slice(&y, n, c);
                    let wm = MatRef::from_row_major_slice(&w, p, c);
                    let mut gram = xm.transpose() * xm;
                    for i in 0..p {
                        gram[(i, i)] += lambda;
                    }
                    let rhs = xm.transpose() * ym;
                    let r = &gram * wm - &rhs;
                    let scale = max_abs(gram.as_ref()) * max_abs(wm) + max_abs(rhs.as_ref());
                    assert!(
                        max_abs(r.as_ref()) <= 1e-9 * (p as f64 + 1.0) * scale,
                        "ridge_fit normal-equation residual {:e} (scale {scale:e})\n{call:?}",
                        max_abs(r.as_ref())
                    );
                }
            }
        }
        2 => {
            let (m, k, n) = (b.below(9), b.below(9), b.below(9));
            let (ta, tb) = (b.flag(), b.flag());
            let a = b.values(m * k, false);
            let bb = b.values(k * n, false);
            let a_dims = if ta { (k, m) } else { (m, k) };
            let b_dims = if tb { (n, k) } else { (k, n) };
            let c = gemm_row_major(&a, a_dims, ta, &bb, b_dims, tb).expect("chained shapes");
            let at = |i: usize, l: usize| if ta { a[l * m + i] } else { a[i * k + l] };
            let bt = |l: usize, j: usize| if tb { bb[j * k + l] } else { bb[l * n + j] };
            let naive: Vec<f64> = (0..m * n)
                .map(|ij| (0..k).map(|l| at(ij / n, l) * bt(l, ij % n)).sum())
                .collect();
            assert_close("gemm_row_major", &c, &naive, 0.0, &(a_dims, ta, b_dims, tb));
        }
        3 => {
            let (m, n) = (b.range(1, 6), b.range(1, 6));
            let raw = b.values(m * n, hostile);
            let a = Mat::from_fn(m, n, |i, j| raw[i * n + j]);
            let frob: f64 = raw.iter().map(|x| x * x).sum();
            if let Ok(s) = singular_values(a.as_ref()) {
                assert_finite("singular_values", &s, &a);
                let s2: f64 = s.iter().map(|x| x * x).sum();
                assert!(
                    !moderate(&raw) || (s2 - frob).abs() <= 1e-10 * (1.0 + frob),
                    "Σσ² = {s2} but ‖A‖_F² = {frob}\n{a:?}"
                );
            }
            if let Ok(svd) = thin_svd(a.as_ref()) {
                assert_finite("thin_svd", &svd.s, &a);
            }
        }
        _ => {
            let n = b.range(1, 6);
            let a = symmetric(&mut b, n, hostile);
            if let Ok(ev) = symmetric_eigenvalues(a.as_ref()) {
                assert_finite("symmetric_eigenvalues", &ev, &a);
                let (sum, trace) = (
                    ev.iter().sum::<f64>(),
                    (0..n).map(|i| a[(i, i)]).sum::<f64>(),
                );
                let entries: Vec<f64> = (0..n * n).map(|k| a[(k / n, k % n)]).collect();
                assert!(
                    !moderate(&entries)
                        || (sum - trace).abs() <= 1e-10 * (1.0 + max_abs(a.as_ref()) * n as f64),
                    "Σλ = {sum} but tr A = {trace}\n{a:?}"
                );
            }
        }
    }
}
