//! Ridge least squares through Cholesky: the model fitter shared by the memorisation toy, the
//! cascade's post-hoc deferral and the ResMem rate experiment.

use super::cholesky::spd_solve;
use super::gemm::{gemm_into_unchecked, gemm_unchecked};
use crate::error::{check_finite, check_len, check_nonempty, checked_elems, Error, Result};
use faer::{MatMut, MatRef};

/// Ridge regression `W = (XᵀX + λI)⁻¹ XᵀY` by the normal equations.
///
/// `x` `[n, p]` and `y` `[n, c]` row-major; returns `W` row-major `[p, c]`. Requires `λ ≥ 0`
/// (`λ = 0` needs `X` of full column rank).
pub fn ridge_fit(x: &[f64], y: &[f64], n: usize, lambda: f64) -> Result<Vec<f64>> {
    check_nonempty("x", x)?;
    check_len("x", n * (x.len() / n.max(1)), x.len())?;
    check_len("y", n * (y.len() / n.max(1)), y.len())?;
    check_finite("x", x)?;
    check_finite("y", y)?;
    if !(lambda >= 0.0 && lambda.is_finite()) {
        return Err(Error::InvalidArgument {
            what: "lambda",
            reason: format!("must be finite and >= 0, got {lambda}"),
        });
    }
    let (p, c) = (x.len() / n, y.len() / n);
    let xm = MatRef::from_row_major_slice(x, n, p);
    let ym = MatRef::from_row_major_slice(y, n, c);
    let mut gram = gemm_unchecked(xm.transpose(), xm);
    for i in 0..p {
        gram[(i, i)] += lambda;
    }
    let rhs = gemm_unchecked(xm.transpose(), ym);
    let w = spd_solve("XᵀX + λI", gram.as_ref(), rhs.as_ref())?;
    Ok((0..p)
        .flat_map(|i| (0..c).map(move |j| (i, j)))
        .map(|(i, j)| w[(i, j)])
        .collect())
}

/// `X W` for row-major `x` `[n, p]` and `w` `[p, c]`; returns row-major `[n, c]`. `p` is read
/// from `w` (`w.len() / c`; from `x` when `c = 0`).
///
/// # Errors
/// `ShapeMismatch` when `w` is not `p · c` long or `x` not `n · p`; `Overflow` when a size
/// product does not fit `usize`; `NonFinite` for a NaN or an infinity in `x` or `w` (all checked
/// before allocating). Finite inputs whose products overflow give `±∞` entries, as IEEE says.
pub fn linear_predict(x: &[f64], w: &[f64], n: usize, c: usize) -> Result<Vec<f64>> {
    let p = w.len().checked_div(c).unwrap_or(x.len() / n.max(1));
    check_len(
        "linear_predict w (p · c)",
        checked_elems("w (p · c)", &[p, c])?,
        w.len(),
    )?;
    check_len(
        "linear_predict x (n · p)",
        checked_elems("x (n · p)", &[n, p])?,
        x.len(),
    )?;
    checked_elems("linear_predict output (n · c)", &[n, c])?;
    check_finite("linear_predict x", x)?;
    check_finite("linear_predict w", w)?;
    Ok(linear_predict_unchecked(x, w, n, c))
}

/// [`linear_predict`] for lengths that hold by construction (`x` `n · p`, `w` `p · c`).
pub(crate) fn linear_predict_unchecked(x: &[f64], w: &[f64], n: usize, c: usize) -> Vec<f64> {
    let p = x.len() / n.max(1);
    let mut out = vec![0.0; n * c];
    gemm_into_unchecked(
        MatMut::from_row_major_slice_mut(&mut out, n, c),
        MatRef::from_row_major_slice(x, n, p),
        MatRef::from_row_major_slice(w, p, c),
        1.0,
        false,
    );
    out
}
