//! The plain oracle: computed in `f64` whatever `T` is, materialising the score matrix.
//!
//! Obviously correct and slow (`O(N·M)` memory per head). Every optimised kernel is tested against it.

use super::{validate_backward, validate_forward, Forward, Grads, Options, Plan, Shape};
use crate::error::Result;
use crate::float::Float;

/// Per (batch, head) probabilities `P` (N × M, zero where masked) and `lse` (−∞ for empty rows), in f64.
fn probabilities(q: &[f64], k: &[f64], plan: &Plan, b: usize) -> (Vec<f64>, Vec<f64>) {
    let Shape {
        q_len: n,
        kv_len: m,
        head_dim: d,
        ..
    } = plan.shape;
    let mut p = vec![0.0; n * m];
    let mut lse = vec![f64::NEG_INFINITY; n];
    for i in 0..n {
        let vis = plan.visible_keys(b, i);
        if vis == 0 {
            continue;
        }
        let row = &mut p[i * m..i * m + m];
        for (j, s) in row.iter_mut().enumerate().take(vis) {
            *s = plan.scale * (0..d).map(|t| q[i * d + t] * k[j * d + t]).sum::<f64>();
        }
        // P from exp(S - rowmax) / sum rather than exp(S - lse): at |S| ~ 1e4 the subtraction
        // S - lse would carry an absolute rounding error of u·|lse| into every exponent.
        let mx = row[..vis].iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        for s in row[..vis].iter_mut() {
            *s = (*s - mx).exp();
        }
        let sum: f64 = row[..vis].iter().sum();
        lse[i] = mx + sum.ln();
        for s in row[..vis].iter_mut() {
            *s /= sum;
        }
    }
    (p, lse)
}

fn to_f64<T: Float>(x: &[T]) -> Vec<f64> {
    x.iter().map(|v| v.as_f64()).collect()
}

/// Reference forward pass. Same contract as [`super::forward`].
pub fn forward<T: Float>(
    q: &[T],
    k: &[T],
    v: &[T],
    shape: Shape,
    opts: &Options,
) -> Result<Forward<T>> {
    let plan = validate_forward(q, k, v, shape, opts)?;
    let (q, k, v) = (to_f64(q), to_f64(k), to_f64(v));
    let Shape {
        q_len: n,
        kv_len: m,
        head_dim: d,
        heads,
        ..
    } = shape;
    let mut out = vec![T::zero(); shape.q_elems()];
    let mut lse_out = vec![T::zero(); shape.lse_elems()];
    for bh in 0..shape.batch_heads() {
        let b = bh / heads;
        let (qs, ks, vs) = (&q[bh * n * d..], &k[bh * m * d..], &v[bh * m * d..]);
        let (p, lse) = probabilities(qs, ks, &plan, b);
        for i in 0..n {
            for t in 0..d {
                let o: f64 = (0..m).map(|j| p[i * m + j] * vs[j * d + t]).sum();
                out[(bh * n + i) * d + t] = T::of(o);
            }
            lse_out[bh * n + i] = T::of(lse[i]);
        }
    }
    Ok(Forward { out, lse: lse_out })
}

/// Reference backward pass. Same contract as [`super::backward`].
///
/// Recomputes everything from `q, k, v` in f64 (the saved `fwd` is only validated), so it is an
/// independent oracle for kernels that reuse their forward output:
/// `dV = Pᵀ dO`, `dP = dO Vᵀ`, `D_i = Σ_j P_ij dP_ij`, `dS = P ∘ (dP − D)`,
/// `dQ = scale · dS K`, `dK = scale · dSᵀ Q`.
pub fn backward<T: Float>(
    q: &[T],
    k: &[T],
    v: &[T],
    fwd: &Forward<T>,
    d_out: &[T],
    shape: Shape,
    opts: &Options,
) -> Result<Grads<T>> {
    let plan = validate_backward(q, k, v, fwd, d_out, shape, opts)?;
    let (q, k, v, dout) = (to_f64(q), to_f64(k), to_f64(v), to_f64(d_out));
    let Shape {
        q_len: n,
        kv_len: m,
        head_dim: d,
        heads,
        ..
    } = shape;
    let mut dq = vec![0.0f64; shape.q_elems()];
    let mut dk = vec![0.0f64; shape.kv_elems()];
    let mut dv = vec![0.0f64; shape.kv_elems()];
    for bh in 0..shape.batch_heads() {
        let b = bh / heads;
        let (qo, ko) = (bh * n * d, bh * m * d);
        let (qs, ks, vs, dos) = (&q[qo..], &k[ko..], &v[ko..], &dout[qo..]);
        let (p, _) = probabilities(qs, ks, &plan, b);
        for i in 0..n {
            let dp: Vec<f64> = (0..m)
                .map(|j| (0..d).map(|t| dos[i * d + t] * vs[j * d + t]).sum())
                .collect();
            let di: f64 = (0..m).map(|j| p[i * m + j] * dp[j]).sum();
            for j in 0..m {
                let pij = p[i * m + j];
                if pij == 0.0 {
                    continue;
                }
                let ds = pij * (dp[j] - di);
                for t in 0..d {
                    dv[ko + j * d + t] += pij * dos[i * d + t];
                    dq[qo + i * d + t] += plan.scale * ds * ks[j * d + t];
                    dk[ko + j * d + t] += plan.scale * ds * qs[i * d + t];
                }
            }
        }
    }
    let cast = |x: Vec<f64>| x.into_iter().map(T::of).collect();
    Ok(Grads {
        dq: cast(dq),
        dk: cast(dk),
        dv: cast(dv),
    })
}
