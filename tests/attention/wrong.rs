//! A plain per-row online-softmax kernel with switchable, deliberately planted bugs, used as the
//! NEGATIVE control of the conformance checks: with `Bug::None` it must pass them (so a rejection
//! is caused by the bug, not by the test kernel), with any bug it must be rejected.

use attnmech::attention::{
    validate_backward, validate_forward, AttentionKernel, Forward, Grads, Options, Plan, Shape,
};
use attnmech::{Float, Result};

/// The planted bug.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bug {
    /// No bug: the positive control.
    None,
    /// Causal mask aligned top-left (query i sees keys ≤ i) instead of bottom-right.
    TopLeftCausal,
    /// Online softmax that forgets to rescale the accumulator by α = exp(m_old − m_new).
    NoRescale,
    /// Backward with dS = P∘dP instead of P∘(dP − D).
    NoDTerm,
    /// Empty rows divide 0 by 0 (NaN output) instead of returning 0.
    EmptyRowNaN,
    /// Gradient of V taken with P unnormalised by the row sum (P = exp(S − m) rather than exp(S − L)).
    UnnormalisedP,
}

/// The naive kernel with one planted bug.
#[derive(Clone, Copy, Debug)]
pub struct Naive(pub Bug);

impl Naive {
    fn visible(&self, plan: &Plan, b: usize, i: usize) -> usize {
        if self.0 == Bug::TopLeftCausal && plan.causal {
            plan.valid[b].min(i + 1)
        } else {
            plan.visible_keys(b, i)
        }
    }

    fn forward<T: Float>(
        &self,
        q: &[T],
        k: &[T],
        v: &[T],
        shape: Shape,
        opts: &Options,
    ) -> Result<Forward<T>> {
        let plan = validate_forward(q, k, v, shape, opts)?;
        let (n, m, d) = (shape.q_len, shape.kv_len, shape.head_dim);
        let mut out = vec![T::zero(); shape.q_elems()];
        let mut lse = vec![T::zero(); shape.lse_elems()];
        for bh in 0..shape.batch_heads() {
            for i in 0..n {
                let qi = &q[(bh * n + i) * d..][..d];
                let (mut mx, mut l, mut acc) = (f64::NEG_INFINITY, 0.0, vec![0.0; d]);
                for j in 0..self.visible(&plan, bh / shape.heads, i) {
                    let kj = &k[(bh * m + j) * d..][..d];
                    let s = plan.scale
                        * qi.iter()
                            .zip(kj)
                            .map(|(a, b)| a.as_f64() * b.as_f64())
                            .sum::<f64>();
                    let new = mx.max(s);
                    let alpha = if self.0 == Bug::NoRescale {
                        1.0
                    } else {
                        (mx - new).exp()
                    };
                    let p = (s - new).exp();
                    l = (mx - new).exp() * l + p;
                    for (a, vt) in acc.iter_mut().zip(&v[(bh * m + j) * d..][..d]) {
                        *a = alpha * *a + p * vt.as_f64();
                    }
                    mx = new;
                }
                let empty = l == 0.0 && self.0 != Bug::EmptyRowNaN;
                for (o, a) in out[(bh * n + i) * d..][..d].iter_mut().zip(&acc) {
                    *o = T::of(if empty { 0.0 } else { a / l });
                }
                lse[bh * n + i] = T::of(mx + l.ln());
            }
        }
        Ok(Forward { out, lse })
    }

    #[allow(clippy::too_many_arguments)]
    fn backward<T: Float>(
        &self,
        q: &[T],
        k: &[T],
        v: &[T],
        fwd: &Forward<T>,
        d_out: &[T],
        shape: Shape,
        opts: &Options,
    ) -> Result<Grads<T>> {
        let plan = validate_backward(q, k, v, fwd, d_out, shape, opts)?;
        let (n, m, d) = (shape.q_len, shape.kv_len, shape.head_dim);
        let f = |x: &[T]| x.iter().map(|v| v.as_f64()).collect::<Vec<f64>>();
        let (q, k, v, dout, o) = (f(q), f(k), f(v), f(d_out), f(&fwd.out));
        let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>();
        let (mut dq, mut dk, mut dv) = (vec![0.0; q.len()], vec![0.0; k.len()], vec![0.0; k.len()]);
        for bh in 0..shape.batch_heads() {
            for i in 0..n {
                let r = (bh * n + i) * d;
                let vis = self.visible(&plan, bh / shape.heads, i);
                let scores: Vec<f64> = (0..vis)
                    .map(|j| plan.scale * dot(&q[r..r + d], &k[(bh * m + j) * d..][..d]))
                    .collect();
                let lse = if self.0 == Bug::UnnormalisedP {
                    scores.iter().cloned().fold(f64::NEG_INFINITY, f64::max)
                } else {
                    fwd.lse[bh * n + i].as_f64()
                };
                let di = if self.0 == Bug::NoDTerm {
                    0.0
                } else {
                    dot(&dout[r..r + d], &o[r..r + d])
                };
                for (j, s) in scores.iter().enumerate() {
                    let c = (bh * m + j) * d;
                    let p = (s - lse).exp();
                    let ds = p * (dot(&dout[r..r + d], &v[c..c + d]) - di);
                    for t in 0..d {
                        dv[c + t] += p * dout[r + t];
                        dq[r + t] += plan.scale * ds * k[c + t];
                        dk[c + t] += plan.scale * ds * q[r + t];
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
}

impl AttentionKernel for Naive {
    fn name(&self) -> &'static str {
        "naive-test-kernel"
    }
    fn forward_f32(
        &self,
        q: &[f32],
        k: &[f32],
        v: &[f32],
        shape: Shape,
        opts: &Options,
    ) -> Result<Forward<f32>> {
        self.forward(q, k, v, shape, opts)
    }
    fn backward_f32(
        &self,
        q: &[f32],
        k: &[f32],
        v: &[f32],
        fwd: &Forward<f32>,
        d_out: &[f32],
        shape: Shape,
        opts: &Options,
    ) -> Result<Grads<f32>> {
        self.backward(q, k, v, fwd, d_out, shape, opts)
    }
    fn supports_f64(&self) -> bool {
        true
    }
    fn forward_f64(
        &self,
        q: &[f64],
        k: &[f64],
        v: &[f64],
        shape: Shape,
        opts: &Options,
    ) -> Result<Forward<f64>> {
        self.forward(q, k, v, shape, opts)
    }
    fn backward_f64(
        &self,
        q: &[f64],
        k: &[f64],
        v: &[f64],
        fwd: &Forward<f64>,
        d_out: &[f64],
        shape: Shape,
        opts: &Options,
    ) -> Result<Grads<f64>> {
        self.backward(q, k, v, fwd, d_out, shape, opts)
    }
}
