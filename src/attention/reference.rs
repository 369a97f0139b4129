//! The plain oracle: computed in `f64` whatever `T` is, materialising the score matrix of each
//! (sequence, head), applying the score changes and masks written out from their definitions
//! (not from [`Plan::key_range`], so the kernels' interval logic is checked independently), then
//! a softmax with the optional sink in the denominator.
//!
//! Obviously correct and slow (`O(N·M)` memory per head). Every optimised kernel is tested against it.

use super::kernel::GradsMut;
use super::mods::{MaskMod, Pos, ScoreMod};
use super::{Forward, Grads, Options, Plan, Shape, View, ViewMut};
use crate::error::{Error, Result};
use crate::float::Float;

/// Whether query `i` of sequence `s` sees key `j`, from the definitions (signed arithmetic).
fn sees(plan: &Plan, s: usize, i: usize, j: usize) -> bool {
    let seq = plan.seqs[s];
    let p = i as i64 + seq.kv_len as i64 - seq.q_len as i64; // bottom-right diagonal
    let j = j as i64;
    let causal_ok = !plan.causal || j <= p;
    let left_ok = plan.window.0.is_none_or(|l| j >= p - l as i64);
    let right_ok = plan.window.1.is_none_or(|r| j <= p + r as i64);
    j < plan.valid[s] as i64 && causal_ok && left_ok && right_ok
}

/// The scores of one (sequence, head) in f64: raw `scale·q·k`, modified `f(raw)` (−∞ where
/// masked), the probabilities `P`, the sink probability per row, and `lse`.
struct HeadScores {
    raw: Vec<f64>,
    p: Vec<f64>,
    p_sink: Vec<f64>,
    lse: Vec<f64>,
}

fn rows<T: Float>(x: &View<'_, T>, b: usize, start: usize, len: usize, h: usize) -> Vec<Vec<f64>> {
    (start..start + len)
        .map(|s| x.row(b, s, h).iter().map(|v| v.as_f64()).collect())
        .collect()
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

#[allow(clippy::too_many_arguments)]
fn head_scores<S: ScoreMod, M: MaskMod>(
    plan: &Plan,
    s: usize,
    h: usize,
    q: &[Vec<f64>],
    k: &[Vec<f64>],
    score: &S,
    mask: &M,
) -> HeadScores {
    let seq = plan.seqs[s];
    let (n, m) = (seq.q_len, seq.kv_len);
    let mut raw = vec![0.0; n * m];
    let mut p = vec![0.0; n * m];
    let mut p_sink = vec![0.0; n];
    let mut lse = vec![f64::NEG_INFINITY; n];
    for i in 0..n {
        let mut row = vec![f64::NEG_INFINITY; m];
        for j in 0..m {
            let pos = Pos {
                batch: s,
                head: h,
                q: i,
                k: j,
                q_len: n,
                kv_len: m,
            };
            raw[i * m + j] = plan.scale * dot(&q[i], &k[j]);
            if !sees(plan, s, i, j) || !mask.keep(pos) {
                continue;
            }
            let mut x = raw[i * m + j];
            if let Some(c) = plan.softcap {
                x = c * (x / c).tanh();
            }
            if let Some(slopes) = &plan.alibi {
                let diag = i as f64 + m as f64 - n as f64;
                x -= slopes[h] * (j as f64 - diag).abs();
            }
            row[j] = score.value(x, pos);
        }
        let sink = plan.sink(h);
        // P from exp(S − rowmax) / sum rather than exp(S − lse): at |S| ~ 1e4 the subtraction
        // S − lse would carry an absolute rounding error of u·|lse| into every exponent.
        let mx = row
            .iter()
            .cloned()
            .chain(sink)
            .fold(f64::NEG_INFINITY, f64::max);
        if mx == f64::NEG_INFINITY {
            continue;
        }
        let e_sink = sink.map_or(0.0, |x| (x - mx).exp());
        let sum: f64 = row.iter().map(|x| (x - mx).exp()).sum::<f64>() + e_sink;
        lse[i] = mx + sum.ln();
        for j in 0..m {
            p[i * m + j] = (row[j] - mx).exp() / sum;
        }
        p_sink[i] = e_sink / sum;
    }
    HeadScores {
        raw,
        p,
        p_sink,
        lse,
    }
}

fn check_inputs<T: Float>(q: &View<'_, T>, k: &View<'_, T>, v: &View<'_, T>) -> Result<()> {
    for (what, x) in [("q", q), ("k", k), ("v", v)] {
        check_view_finite(what, x)?;
    }
    Ok(())
}

/// `Err(NonFinite { what, index })` for the first non-finite element of `x` (index: its offset in
/// the view's slice, the flat index for dense views).
pub fn check_view_finite<T: Float>(what: &'static str, x: &View<'_, T>) -> Result<()> {
    let d = x.dims();
    for b in 0..d.batch {
        for h in 0..d.heads {
            for s in 0..d.seq {
                let o = x.offset(b, s, h);
                if let Some(t) = x.row(b, s, h).iter().position(|v| !v.is_finite()) {
                    return Err(Error::NonFinite { what, index: o + t });
                }
            }
        }
    }
    Ok(())
}

/// Reference forward on views with user modifiers (applied after the built-in score changes).
#[allow(clippy::too_many_arguments)]
pub fn forward_with_mods<T: Float, S: ScoreMod, M: MaskMod>(
    q: View<'_, T>,
    k: View<'_, T>,
    v: View<'_, T>,
    opts: &Options,
    score: &S,
    mask: &M,
    mut out: ViewMut<'_, T>,
    lse: &mut [T],
) -> Result<()> {
    let plan = Plan::for_views(&q, &k, &v, opts)?;
    super::cpu::check_outputs(&plan, &out, lse)?;
    check_inputs(&q, &k, &v)?;
    let heads = plan.shape.heads;
    for (s, seq) in plan.seqs.iter().enumerate() {
        for h in 0..heads {
            let kvh = plan.kv_head(h);
            let qs = rows(&q, seq.batch, seq.q0, seq.q_len, h);
            let ks = rows(&k, seq.batch, seq.k0, seq.kv_len, kvh);
            let vs = rows(&v, seq.batch, seq.k0, seq.kv_len, kvh);
            let hs = head_scores(&plan, s, h, &qs, &ks, score, mask);
            let m = seq.kv_len;
            for i in 0..seq.q_len {
                let row = out.row_mut(seq.batch, seq.q0 + i, h);
                for (t, o) in row.iter_mut().enumerate() {
                    *o = T::of((0..m).map(|j| hs.p[i * m + j] * vs[j][t]).sum());
                }
                lse[(seq.batch * heads + h) * plan.shape.q_len + seq.q0 + i] = T::of(hs.lse[i]);
            }
        }
    }
    Ok(())
}

/// Reference backward on views with user modifiers. Recomputes everything from `q, k, v` in f64
/// (the saved `out`, `lse` are only validated), so it is an independent oracle for kernels that
/// reuse their forward output: `dV = Pᵀ dO`, `dP = dO Vᵀ`, `D_i = Σ_j P_ij dP_ij`,
/// `dS = f'(raw) ∘ P ∘ (dP − D)`, `dQ = scale · dS K`, `dK = scale · dSᵀ Q` (summed over the
/// query heads of a KV head), `dσ_h = −Σ_i P_iσ D_i`.
#[allow(clippy::too_many_arguments)]
pub fn backward_with_mods<T: Float, S: ScoreMod, M: MaskMod>(
    q: View<'_, T>,
    k: View<'_, T>,
    v: View<'_, T>,
    out: View<'_, T>,
    lse: &[T],
    d_out: View<'_, T>,
    opts: &Options,
    score: &S,
    mask: &M,
    mut grads: GradsMut<'_, T>,
) -> Result<()> {
    let plan = Plan::for_views(&q, &k, &v, opts)?;
    super::cpu::check_saved(&plan, &out, lse, &d_out, &grads)?;
    check_inputs(&q, &k, &v)?;
    let sh = plan.shape;
    let (d, dv_dim) = (sh.head_dim, plan.v_dim);
    // f64 accumulators, dense [batch][kv head][key][dim]
    let kv_rows = sh.batch * plan.kv_heads * sh.kv_len;
    let mut dk = vec![0.0f64; kv_rows * d];
    let mut dv = vec![0.0f64; kv_rows * dv_dim];
    let mut d_sink = vec![0.0f64; sh.heads];
    for (s, seq) in plan.seqs.iter().enumerate() {
        for h in 0..sh.heads {
            let kvh = plan.kv_head(h);
            let qs = rows(&q, seq.batch, seq.q0, seq.q_len, h);
            let ks = rows(&k, seq.batch, seq.k0, seq.kv_len, kvh);
            let vs = rows(&v, seq.batch, seq.k0, seq.kv_len, kvh);
            let dos = rows(&d_out, seq.batch, seq.q0, seq.q_len, h);
            let hs = head_scores(&plan, s, h, &qs, &ks, score, mask);
            let (n, m) = (seq.q_len, seq.kv_len);
            for i in 0..n {
                let dp: Vec<f64> = (0..m).map(|j| dot(&dos[i], &vs[j])).collect();
                let di: f64 = (0..m).map(|j| hs.p[i * m + j] * dp[j]).sum();
                d_sink[h] -= hs.p_sink[i] * di;
                let mut dq_i = vec![0.0f64; d];
                for j in 0..m {
                    let pij = hs.p[i * m + j];
                    if pij == 0.0 {
                        continue;
                    }
                    let pos = Pos {
                        batch: s,
                        head: h,
                        q: i,
                        k: j,
                        q_len: n,
                        kv_len: m,
                    };
                    // chain rule through user mod ∘ ALiBi ∘ soft-cap
                    let raw = hs.raw[i * m + j];
                    let mut x = raw;
                    let mut g = 1.0;
                    if let Some(c) = plan.softcap {
                        let t = (x / c).tanh();
                        x = c * t;
                        g *= 1.0 - t * t;
                    }
                    if let Some(slopes) = &plan.alibi {
                        let diag = i as f64 + m as f64 - n as f64;
                        x -= slopes[h] * (j as f64 - diag).abs();
                    }
                    g *= score.grad(x, pos);
                    let ds = pij * (dp[j] - di) * g;
                    let key = (seq.batch * plan.kv_heads + kvh) * sh.kv_len + seq.k0 + j;
                    for t in 0..dv_dim {
                        dv[key * dv_dim + t] += pij * dos[i][t];
                    }
                    for t in 0..d {
                        dq_i[t] += plan.scale * ds * ks[j][t];
                        dk[key * d + t] += plan.scale * ds * qs[i][t];
                    }
                }
                for (o, x) in grads
                    .dq
                    .row_mut(seq.batch, seq.q0 + i, h)
                    .iter_mut()
                    .zip(&dq_i)
                {
                    *o = T::of(*x);
                }
            }
        }
    }
    for b in 0..sh.batch {
        for kvh in 0..plan.kv_heads {
            for j in 0..sh.kv_len {
                let key = (b * plan.kv_heads + kvh) * sh.kv_len + j;
                for (o, x) in grads.dk.row_mut(b, j, kvh).iter_mut().zip(&dk[key * d..]) {
                    *o = T::of(*x);
                }
                for (o, x) in grads
                    .dv
                    .row_mut(b, j, kvh)
                    .iter_mut()
                    .zip(&dv[key * dv_dim..])
                {
                    *o = T::of(*x);
                }
            }
        }
    }
    if plan.sinks.is_some() {
        for (o, x) in grads.d_sink.iter_mut().zip(&d_sink) {
            *o = T::of(*x);
        }
    }
    Ok(())
}

/// Reference forward on dense `[B, H, S, D]` buffers. Same contract as [`super::forward`].
pub fn forward<T: Float>(
    q: &[T],
    k: &[T],
    v: &[T],
    shape: Shape,
    opts: &Options,
) -> Result<Forward<T>> {
    super::AttentionKernel::forward_dense(&super::Reference, q, k, v, shape, opts)
}

/// Reference backward on dense buffers. Same contract as [`super::backward`].
pub fn backward<T: Float>(
    q: &[T],
    k: &[T],
    v: &[T],
    fwd: &Forward<T>,
    d_out: &[T],
    shape: Shape,
    opts: &Options,
) -> Result<Grads<T>> {
    super::AttentionKernel::backward_dense(&super::Reference, q, k, v, fwd, d_out, shape, opts)
}
