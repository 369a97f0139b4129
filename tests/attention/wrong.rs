//! A plain per-row online-softmax kernel with switchable, deliberately planted bugs, used as the
//! NEGATIVE control of the conformance checks: with `Bug::None` it must pass them (so a rejection
//! is caused by the bug, not by the test kernel), with any bug it must be rejected.
//!
//! It supports every feature (GQA, windows, soft-cap, ALiBi, sinks, varlen, `d_v ≠ d`, strided
//! views), so each feature gets a planted bug of its own.

use attnmech::attention::mods::{Pos, ScoreMod};
use attnmech::attention::{
    validate_outputs, validate_saved, validate_views, AttentionKernel, Feature, GradsMut, Options,
    Plan, View, ViewMut,
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
    /// GQA: query head h reads KV head (h + 1) / group (clamped) instead of h / group.
    GqaOffByOne,
    /// Sliding window: the left edge one key too far right (one key too few).
    WindowOffByOne,
    /// Soft-cap: the backward treats c·tanh(s/c) as the identity (no 1 − tanh² factor).
    SoftcapNoTanhGrad,
    /// Varlen: a sequence's keys start one key early, inside its neighbour.
    VarlenLeak,
}

/// The naive kernel with one planted bug.
#[derive(Clone, Copy, Debug)]
pub struct Naive(pub Bug);

/// One row's visible scores: `(key index in the sequence, raw score, modified score)`.
type RowScores = Vec<(usize, f64, f64)>;

impl Naive {
    fn kv_head(&self, plan: &Plan, h: usize) -> usize {
        if self.0 == Bug::GqaOffByOne {
            ((h + 1) / plan.group()).min(plan.kv_heads() - 1)
        } else {
            plan.kv_head(h)
        }
    }

    fn range(&self, plan: &Plan, s: usize, i: usize) -> (usize, usize) {
        let (lo, hi) = plan.key_range(s, i);
        match self.0 {
            Bug::TopLeftCausal if plan.causal() => (lo, hi.min(i + 1)),
            Bug::WindowOffByOne if plan.window().0.is_some() => ((lo + 1).min(hi.max(lo)), hi),
            _ => (lo, hi),
        }
    }

    /// First key of sequence `s` in the views.
    fn k0(&self, plan: &Plan, s: usize) -> usize {
        let k0 = plan.seqs()[s].k0;
        if self.0 == Bug::VarlenLeak {
            k0.saturating_sub(1)
        } else {
            k0
        }
    }

    fn scores<T: Float>(
        &self,
        plan: &Plan,
        (q, k): (&View<'_, T>, &View<'_, T>),
        (s, h, i): (usize, usize, usize),
    ) -> RowScores {
        let seq = plan.seqs()[s];
        let kvh = self.kv_head(plan, h);
        let qi = q.row(seq.batch, seq.q0 + i, h);
        let (lo, hi) = self.range(plan, s, i);
        let f = plan.builtin_mod();
        (lo..hi.max(lo))
            .map(|j| {
                let kj = k.row(seq.batch, self.k0(plan, s) + j, kvh);
                let raw = plan.scale()
                    * qi.iter()
                        .zip(kj)
                        .map(|(a, b)| a.as_f64() * b.as_f64())
                        .sum::<f64>();
                let pos = Pos {
                    batch: s,
                    head: h,
                    q: i,
                    k: j,
                    q_len: seq.q_len,
                    kv_len: seq.kv_len,
                };
                (j, raw, f.value(raw, pos))
            })
            .collect()
    }
}

impl<T: Float> AttentionKernel<T> for Naive {
    fn name(&self) -> &'static str {
        "naive-test-kernel"
    }
    fn supports(&self, _: Feature) -> bool {
        true
    }
    fn f64_kernel(&self) -> Option<&dyn AttentionKernel<f64>> {
        Some(self)
    }

    fn forward_into(
        &self,
        q: View<'_, T>,
        k: View<'_, T>,
        v: View<'_, T>,
        opts: &Options,
        mut out: ViewMut<'_, T>,
        lse: &mut [T],
    ) -> Result<()> {
        let plan = validate_views(&q, &k, &v, opts)?;
        validate_outputs(&plan, &out, lse)?;
        let (heads, n_all, dv) = (plan.shape().heads, plan.shape().q_len, plan.v_dim());
        for (s, seq) in plan.seqs().iter().enumerate() {
            for h in 0..heads {
                let kvh = self.kv_head(&plan, h);
                for i in 0..seq.q_len {
                    let (mut mx, mut l) = match plan.sink(h) {
                        Some(sigma) => (sigma, 1.0),
                        None => (f64::NEG_INFINITY, 0.0),
                    };
                    let mut acc = vec![0.0; dv];
                    for (j, _, sc) in self.scores(&plan, (&q, &k), (s, h, i)) {
                        let new = mx.max(sc);
                        let alpha = if self.0 == Bug::NoRescale {
                            1.0
                        } else {
                            (mx - new).exp()
                        };
                        let p = (sc - new).exp();
                        l = (mx - new).exp() * l + p;
                        let vj = v.row(seq.batch, self.k0(&plan, s) + j, kvh);
                        for (a, vt) in acc.iter_mut().zip(vj) {
                            *a = alpha * *a + p * vt.as_f64();
                        }
                        mx = new;
                    }
                    let empty = l == 0.0 && self.0 != Bug::EmptyRowNaN;
                    let row = out.row_mut(seq.batch, seq.q0 + i, h);
                    for (o, a) in row.iter_mut().zip(&acc) {
                        *o = T::of(if empty { 0.0 } else { a / l });
                    }
                    lse[(seq.batch * heads + h) * n_all + seq.q0 + i] = T::of(mx + l.ln());
                }
            }
        }
        Ok(())
    }

    fn backward_into(
        &self,
        q: View<'_, T>,
        k: View<'_, T>,
        v: View<'_, T>,
        out: View<'_, T>,
        lse: &[T],
        d_out: View<'_, T>,
        opts: &Options,
        mut grads: GradsMut<'_, T>,
    ) -> Result<()> {
        let plan = validate_views(&q, &k, &v, opts)?;
        validate_saved(&plan, &out, lse, &d_out, &grads)?;
        let sh = plan.shape();
        let (heads, n_all, m_all, d, dv) =
            (sh.heads, sh.q_len, sh.kv_len, sh.head_dim, plan.v_dim());
        let f64s = |x: &[T]| x.iter().map(|v| v.as_f64()).collect::<Vec<f64>>();
        let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>();
        let hk = plan.kv_heads();
        let mut dk = vec![0.0; sh.batch * hk * m_all * d];
        let mut dvv = vec![0.0; sh.batch * hk * m_all * dv];
        let mut d_sink = vec![0.0; heads];
        let f = plan.builtin_mod();
        for (s, seq) in plan.seqs().iter().enumerate() {
            for h in 0..heads {
                let kvh = self.kv_head(&plan, h);
                for i in 0..seq.q_len {
                    let r = seq.q0 + i;
                    let (qi, doi) = (
                        f64s(q.row(seq.batch, r, h)),
                        f64s(d_out.row(seq.batch, r, h)),
                    );
                    let oi = f64s(out.row(seq.batch, r, h));
                    let scores = self.scores(&plan, (&q, &k), (s, h, i));
                    let lse_i = if self.0 == Bug::UnnormalisedP {
                        scores.iter().map(|x| x.2).fold(f64::NEG_INFINITY, f64::max)
                    } else {
                        lse[(seq.batch * heads + h) * n_all + r].as_f64()
                    };
                    let di = if self.0 == Bug::NoDTerm {
                        0.0
                    } else {
                        dot(&doi, &oi)
                    };
                    if let Some(sigma) = plan.sink(h) {
                        d_sink[h] -= (sigma - lse_i).exp() * di;
                    }
                    let mut dq = vec![0.0; d];
                    for (j, raw, sc) in scores {
                        let key = self.k0(&plan, s) + j;
                        let vj = f64s(v.row(seq.batch, key, kvh));
                        let kj = f64s(k.row(seq.batch, key, kvh));
                        let p = (sc - lse_i).exp();
                        let pos = Pos {
                            batch: s,
                            head: h,
                            q: i,
                            k: j,
                            q_len: seq.q_len,
                            kv_len: seq.kv_len,
                        };
                        let g = if self.0 == Bug::SoftcapNoTanhGrad {
                            1.0
                        } else {
                            f.grad(raw, pos)
                        };
                        let ds = p * (dot(&doi, &vj) - di) * g;
                        let at = (seq.batch * hk + kvh) * m_all + key;
                        for t in 0..dv {
                            dvv[at * dv + t] += p * doi[t];
                        }
                        for t in 0..d {
                            dq[t] += plan.scale() * ds * kj[t];
                            dk[at * d + t] += plan.scale() * ds * qi[t];
                        }
                    }
                    for (o, x) in grads.dq.row_mut(seq.batch, r, h).iter_mut().zip(&dq) {
                        *o = T::of(*x);
                    }
                }
            }
        }
        for b in 0..sh.batch {
            for kvh in 0..hk {
                for j in 0..m_all {
                    let at = (b * hk + kvh) * m_all + j;
                    for (o, x) in grads.dk.row_mut(b, j, kvh).iter_mut().zip(&dk[at * d..]) {
                        *o = T::of(*x);
                    }
                    for (o, x) in grads.dv.row_mut(b, j, kvh).iter_mut().zip(&dvv[at * dv..]) {
                        *o = T::of(*x);
                    }
                }
            }
        }
        if plan.sinks().is_some() {
            for (o, x) in grads.d_sink.iter_mut().zip(&d_sink) {
                *o = T::of(*x);
            }
        }
        Ok(())
    }
}
