//! Prefix-LM attention (bidirectional over the first `P` positions, causal after) on top of the
//! crate's attention kernels [`crate::attention::forward`] / [`crate::attention::backward`].
//!
//! # How the mask is realised
//! Self-attention over `n` positions, layout `[batch, heads, n, d]` for `q, k, v, out`. Query rows
//! are split in two kernel calls that share the full `k, v`:
//! - rows `0..P` (the prefix): non-causal, `kv_valid_len = P` for every batch entry, so each prefix
//!   row sees exactly keys `0..P` (all of the prefix, including later prefix positions);
//! - rows `P..n`: `causal = true`. The kernel's causal mask is bottom-right aligned, so query row
//!   `i` of this call (global row `P + i`) sees keys `j ≤ i + n − (n − P) = P + i`: the usual causal
//!   rule.
//!
//! Outputs and `dq` rows are scattered back; `dk`, `dv` are the sums of both calls' contributions.
//! `P ≤ 1` is plain causal attention. The paper's Fig. 1 suggests a bidirectional prefix \[R\]; the
//! flag lets either prefix length (`N` or `N + M`) be chosen.

use crate::attention::{self, Forward, Grads, Options, Shape};
use crate::error::{check_len, Error, Result};
use crate::float::Float;

fn check(shape: Shape, prefix_len: usize) -> Result<()> {
    if shape.q_len != shape.kv_len {
        return Err(Error::ShapeMismatch {
            what: "shape.kv_len",
            expected: shape.q_len,
            got: shape.kv_len,
        });
    }
    // With `d = 0` the buffers are empty whatever `B`, so `B` would go unbounded into the
    // per-batch `kv_valid_len` (a fuzz-found capacity overflow).
    if shape.head_dim == 0 {
        return Err(Error::InvalidArgument {
            what: "shape.head_dim",
            reason: "must be at least 1".into(),
        });
    }
    if prefix_len > shape.q_len {
        return Err(Error::OutOfRange {
            what: "prefix_len",
            index: 0,
            value: prefix_len,
            bound: shape.q_len + 1,
        });
    }
    Ok(())
}

/// Rows `lo..hi` of every `[b, h]` block of a `[B, H, n, d]` buffer, as a `[B, H, hi − lo, d]` buffer.
fn gather_rows<T: Float>(x: &[T], shape: Shape, lo: usize, hi: usize) -> Vec<T> {
    let (n, d) = (shape.q_len, shape.head_dim);
    (0..shape.batch_heads())
        .flat_map(|bh| x[(bh * n + lo) * d..(bh * n + hi) * d].iter().copied())
        .collect()
}

fn scatter_rows<T: Float>(dst: &mut [T], src: &[T], shape: Shape, lo: usize, hi: usize) {
    let (n, d, r) = (shape.q_len, shape.head_dim, hi - lo);
    for bh in 0..shape.batch_heads() {
        dst[(bh * n + lo) * d..(bh * n + hi) * d]
            .copy_from_slice(&src[bh * r * d..(bh + 1) * r * d]);
    }
}

/// The two kernel calls: (query rows, options) for the prefix and for the rest; an empty
/// segment is skipped (and its `B`-long `kv_valid_len` never built).
fn segments(
    shape: Shape,
    prefix_len: usize,
    scale: Option<f64>,
) -> impl Iterator<Item = (usize, usize, Options)> {
    [(0, prefix_len, true), (prefix_len, shape.q_len, false)]
        .into_iter()
        .filter(|(lo, hi, _)| lo < hi)
        .map(move |(lo, hi, prefix)| {
            let opts = Options::new().scale_opt(scale);
            let opts = if prefix {
                opts.kv_valid_len(vec![prefix_len; shape.batch])
            } else {
                opts.causal(true)
            };
            (lo, hi, opts)
        })
}

/// Prefix-LM forward: `out` `[B, H, n, d]` and `lse` `[B, H, n]` (see the [module docs](self)).
/// `scale` as in [`Options::scale`].
pub fn forward<T: Float>(
    q: &[T],
    k: &[T],
    v: &[T],
    shape: Shape,
    prefix_len: usize,
    scale: Option<f64>,
) -> Result<Forward<T>> {
    check(shape, prefix_len)?;
    check_len("q", shape.q_elems(), q.len())?;
    let mut out = vec![T::zero(); shape.q_elems()];
    let mut lse = vec![T::zero(); shape.lse_elems()];
    for (lo, hi, opts) in segments(shape, prefix_len, scale) {
        let sub = Shape {
            q_len: hi - lo,
            ..shape
        };
        let f = attention::forward(&gather_rows(q, shape, lo, hi), k, v, sub, &opts)?;
        scatter_rows(&mut out, &f.out, shape, lo, hi);
        let lse_shape = Shape {
            head_dim: 1,
            ..shape
        };
        scatter_rows(&mut lse, &f.lse, lse_shape, lo, hi);
    }
    Ok(Forward { out, lse })
}

/// Prefix-LM backward: gradients of a scalar loss w.r.t. `q, k, v` given `d_out` and the saved
/// [`forward`] result.
#[allow(clippy::too_many_arguments)]
pub fn backward<T: Float>(
    q: &[T],
    k: &[T],
    v: &[T],
    fwd: &Forward<T>,
    d_out: &[T],
    shape: Shape,
    prefix_len: usize,
    scale: Option<f64>,
) -> Result<Grads<T>> {
    check(shape, prefix_len)?;
    check_len("q", shape.q_elems(), q.len())?;
    check_len("d_out", shape.q_elems(), d_out.len())?;
    check_len("fwd.out", shape.q_elems(), fwd.out.len())?;
    check_len("fwd.lse", shape.lse_elems(), fwd.lse.len())?;
    let mut dq = vec![T::zero(); shape.q_elems()];
    let mut dk = vec![T::zero(); shape.kv_elems()];
    let mut dv = vec![T::zero(); shape.kv_elems()];
    let lse_shape = Shape {
        head_dim: 1,
        ..shape
    };
    for (lo, hi, opts) in segments(shape, prefix_len, scale) {
        let sub = Shape {
            q_len: hi - lo,
            ..shape
        };
        let sub_fwd = Forward {
            out: gather_rows(&fwd.out, shape, lo, hi),
            lse: gather_rows(&fwd.lse, lse_shape, lo, hi),
        };
        let g = attention::backward(
            &gather_rows(q, shape, lo, hi),
            k,
            v,
            &sub_fwd,
            &gather_rows(d_out, shape, lo, hi),
            sub,
            &opts,
        )?;
        scatter_rows(&mut dq, &g.dq, shape, lo, hi);
        dk.iter_mut().zip(&g.dk).for_each(|(a, &b)| *a += b);
        dv.iter_mut().zip(&g.dv).for_each(|(a, &b)| *a += b);
    }
    Ok(Grads {
        dq,
        dk,
        dv,
        d_sink: Vec::new(),
    })
}
