//! Cheap proxies for memorisation and the rank correlation used to compare them with it.

use crate::error::{check_finite, check_len, check_nonempty, Error, Result};
use crate::rng::seeded;
use rand::Rng;

/// Average ranks (1-based; ties share the mean of their ranks).
pub fn ranks(x: &[f64]) -> Vec<f64> {
    let mut idx: Vec<usize> = (0..x.len()).collect();
    idx.sort_by(|&a, &b| x[a].total_cmp(&x[b]).then(a.cmp(&b)));
    let mut r = vec![0.0; x.len()];
    let mut s = 0;
    while s < idx.len() {
        let mut e = s + 1;
        while e < idx.len() && x[idx[e]] == x[idx[s]] {
            e += 1;
        }
        let avg = (s + e + 1) as f64 / 2.0;
        idx[s..e].iter().for_each(|&i| r[i] = avg);
        s = e;
    }
    r
}

/// Spearman's ρ: the Pearson correlation of the average ranks (NaN if either side is constant).
pub fn spearman(a: &[f64], b: &[f64]) -> Result<f64> {
    check_nonempty("a", a)?;
    check_len("b", a.len(), b.len())?;
    check_finite("a", a)?;
    check_finite("b", b)?;
    let (ra, rb) = (ranks(a), ranks(b));
    let m = a.len() as f64;
    let (ma, mb) = (ra.iter().sum::<f64>() / m, rb.iter().sum::<f64>() / m);
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for (x, y) in ra.iter().zip(&rb) {
        sab += (x - ma) * (y - mb);
        saa += (x - ma).powi(2);
        sbb += (y - mb).powi(2);
    }
    if saa == 0.0 || sbb == 0.0 {
        return Err(Error::InvalidArgument {
            what: if saa == 0.0 { "a" } else { "b" },
            reason: "all ranks tie (constant input): the correlation is undefined".into(),
        });
    }
    Ok(sab / (saa * sbb).sqrt())
}

/// Learning speed: the mean over epochs of `p_t(y_i | x_i)`; `probs` `[epochs, n]` row-major.
pub fn learning_speed(probs: &[f64], epochs: usize) -> Result<Vec<f64>> {
    if epochs == 0 {
        return Err(Error::Empty { what: "epochs" });
    }
    check_nonempty("probs", probs)?;
    let n = probs.len() / epochs;
    check_len("probs", epochs * n, probs.len())?;
    check_finite("probs", probs)?;
    Ok((0..n)
        .map(|i| (0..epochs).map(|e| probs[e * n + i]).sum::<f64>() / epochs as f64)
        .collect())
}

/// Input-loss curvature (Garg et al. 2023), Hutchinson form:
/// `(1/R) Σ_r ‖∇_x ℓ(x + h v_r) - ∇_x ℓ(x)‖² / h²` with Rademacher `v_r` drawn from `seed`.
///
/// `grad(x)` returns `∇_x ℓ` at `x` (same length as `x`). Requires `h > 0`, `R ≥ 1`.
pub fn input_loss_curvature(
    grad: impl Fn(&[f64]) -> Vec<f64>,
    x: &[f64],
    h: f64,
    probes: usize,
    seed: u64,
) -> Result<f64> {
    check_nonempty("x", x)?;
    check_finite("x", x)?;
    if h.is_nan() || h <= 0.0 || probes == 0 {
        return Err(Error::InvalidArgument {
            what: "h/probes",
            reason: format!("need h > 0 and probes >= 1, got h = {h}, probes = {probes}"),
        });
    }
    let g0 = grad(x);
    check_len("grad", x.len(), g0.len())?;
    let mut rng = seeded(seed, 21);
    let mut acc = 0.0;
    for _ in 0..probes {
        let xp: Vec<f64> = x
            .iter()
            .map(|&xi| xi + if rng.random::<bool>() { h } else { -h })
            .collect();
        let g = grad(&xp);
        check_len("grad", x.len(), g.len())?;
        acc += g.iter().zip(&g0).map(|(a, b)| (a - b).powi(2)).sum::<f64>() / (h * h);
    }
    Ok(acc / probes as f64)
}
