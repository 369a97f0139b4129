//! Optimised CPU kernels. (Placeholder row-wise online-softmax version; the tiled FA2 kernels
//! replace it.)

use super::{validate_backward, validate_forward, Forward, Grads, Options, Shape};
use crate::error::{check_len, Result};
use crate::float::Float;

/// Forward pass. See the [module docs](super) for shapes and conventions.
pub fn forward<T: Float>(
    q: &[T],
    k: &[T],
    v: &[T],
    shape: Shape,
    opts: &Options,
) -> Result<Forward<T>> {
    let mut out = vec![T::zero(); shape.q_elems()];
    let mut lse = vec![T::zero(); shape.lse_elems()];
    forward_into(q, k, v, shape, opts, &mut out, &mut lse)?;
    Ok(Forward { out, lse })
}

/// Forward pass into caller buffers (`out`: `[B, H, N, d]`, `lse`: `[B, H, N]`).
pub fn forward_into<T: Float>(
    q: &[T],
    k: &[T],
    v: &[T],
    shape: Shape,
    opts: &Options,
    out: &mut [T],
    lse: &mut [T],
) -> Result<()> {
    let plan = validate_forward(q, k, v, shape, opts)?;
    check_len("out", shape.q_elems(), out.len())?;
    check_len("lse", shape.lse_elems(), lse.len())?;
    let Shape {
        q_len: n,
        kv_len: m,
        head_dim: d,
        heads,
        ..
    } = shape;
    let scale = T::of(plan.scale);
    for bh in 0..shape.batch_heads() {
        let b = bh / heads;
        for i in 0..n {
            let qi = &q[(bh * n + i) * d..][..d];
            let o = &mut out[(bh * n + i) * d..][..d];
            o.fill(T::zero());
            let vis = plan.visible_keys(b, i);
            let mut mx = T::neg_infinity();
            let mut l = T::zero();
            for j in 0..vis {
                let kj = &k[(bh * m + j) * d..][..d];
                let vj = &v[(bh * m + j) * d..][..d];
                let s = scale * qi.iter().zip(kj).map(|(a, b)| *a * *b).sum::<T>();
                let new_mx = mx.max(s);
                let alpha = (mx - new_mx).exp();
                let p = (s - new_mx).exp();
                l = alpha * l + p;
                for (ot, vt) in o.iter_mut().zip(vj) {
                    *ot = alpha * *ot + p * *vt;
                }
                mx = new_mx;
            }
            if vis == 0 {
                lse[bh * n + i] = T::neg_infinity();
            } else {
                let inv = T::one() / l;
                o.iter_mut().for_each(|x| *x = *x * inv);
                lse[bh * n + i] = mx + l.ln();
            }
        }
    }
    Ok(())
}

/// Backward pass. See the [module docs](super) for shapes and conventions.
pub fn backward<T: Float>(
    q: &[T],
    k: &[T],
    v: &[T],
    fwd: &Forward<T>,
    d_out: &[T],
    shape: Shape,
    opts: &Options,
) -> Result<Grads<T>> {
    let mut dq = vec![T::zero(); shape.q_elems()];
    let mut dk = vec![T::zero(); shape.kv_elems()];
    let mut dv = vec![T::zero(); shape.kv_elems()];
    backward_into(q, k, v, fwd, d_out, shape, opts, &mut dq, &mut dk, &mut dv)?;
    Ok(Grads { dq, dk, dv })
}

/// Backward pass into caller buffers.
#[allow(clippy::too_many_arguments)]
pub fn backward_into<T: Float>(
    q: &[T],
    k: &[T],
    v: &[T],
    fwd: &Forward<T>,
    d_out: &[T],
    shape: Shape,
    opts: &Options,
    dq: &mut [T],
    dk: &mut [T],
    dv: &mut [T],
) -> Result<()> {
    let plan = validate_backward(q, k, v, fwd, d_out, shape, opts)?;
    check_len("dq", shape.q_elems(), dq.len())?;
    check_len("dk", shape.kv_elems(), dk.len())?;
    check_len("dv", shape.kv_elems(), dv.len())?;
    dq.fill(T::zero());
    dk.fill(T::zero());
    dv.fill(T::zero());
    let Shape {
        q_len: n,
        kv_len: m,
        head_dim: d,
        heads,
        ..
    } = shape;
    let scale = T::of(plan.scale);
    for bh in 0..shape.batch_heads() {
        let b = bh / heads;
        for i in 0..n {
            let vis = plan.visible_keys(b, i);
            let row = (bh * n + i) * d;
            let l = fwd.lse[bh * n + i];
            let di: T = (0..d).map(|t| d_out[row + t] * fwd.out[row + t]).sum();
            for j in 0..vis {
                let col = (bh * m + j) * d;
                let s = scale * (0..d).map(|t| q[row + t] * k[col + t]).sum::<T>();
                let p = (s - l).exp();
                let dp: T = (0..d).map(|t| d_out[row + t] * v[col + t]).sum();
                let ds = p * (dp - di) * scale;
                for t in 0..d {
                    dv[col + t] = dv[col + t] + p * d_out[row + t];
                    dq[row + t] = dq[row + t] + ds * k[col + t];
                    dk[col + t] = dk[col + t] + ds * q[row + t];
                }
            }
        }
    }
    Ok(())
}
