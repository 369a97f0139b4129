//! Error measures of a kernel's results against the f64 oracle.
//!
//! All measures are relative Frobenius errors `‖x − x_ref‖_F / ‖x_ref‖_F`, with two documented
//! refinements:
//! - `lse` is compared on its finite entries with denominator `max(‖lse_ref‖_F, √n)`: an absolute
//!   error of `lse` is the relative error of the softmax denominator `exp(lse)`, so entries near 0
//!   are held to an absolute error, large ones to a relative one.
//! - a gradient `g` uses the denominator `max(‖g_ref‖_F, ρ·μ_g)` with `ρ = 1e-2`, where `μ_g` is the
//!   norm of the same sum taken over absolute values (e.g. `μ_dQ = ‖scale·(P∘(|dP| + |D|))·|K|‖_F`).
//!   Where the exact gradient is below 1% of the terms it sums (a row that sees one key has
//!   `dS = P(dP − D) = 0` exactly while `dP` and `D` are not), its relative error is ill-conditioned
//!   and rounding alone would exceed any relative bound; the floor measures such cases relative to
//!   the computation's own magnitude instead.
//!
//! Positions that must be exact are checked exactly and reported as `Err`: rows that see no key
//! have `lse = −∞`, `out = 0` and `dq = 0`; keys no query sees have `dk = dv = 0`; nothing is NaN.

use super::Inputs;
use crate::attention::mods::{Pos, ScoreMod};
use crate::attention::{Forward, Grads, Plan};
use crate::float::Float;

/// Floor factor `ρ` of the gradient denominators (see the module docs).
pub const GRAD_FLOOR: f64 = 1e-2;

/// Relative errors of one run (or the maxima over many).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Errors {
    /// Output `O`.
    pub out: f64,
    /// Log-sum-exp `L` (finite entries).
    pub lse: f64,
    /// `dQ`.
    pub dq: f64,
    /// `dK`.
    pub dk: f64,
    /// `dV`.
    pub dv: f64,
    /// `d_sink` (0 without sinks).
    pub d_sink: f64,
}

impl Errors {
    /// `(name, value)` pairs in a fixed order.
    pub fn fields(&self) -> [(&'static str, f64); 6] {
        [
            ("out", self.out),
            ("lse", self.lse),
            ("dq", self.dq),
            ("dk", self.dk),
            ("dv", self.dv),
            ("d_sink", self.d_sink),
        ]
    }
    /// The largest gradient error.
    pub fn grad_max(&self) -> f64 {
        self.dq.max(self.dk).max(self.dv).max(self.d_sink)
    }
}

/// Tolerances on [`Errors`] for one dtype.
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Tolerances {
    /// Bound on `out` and `lse`.
    pub forward: f64,
    /// Bound on `dq`, `dk`, `dv`.
    pub grad: f64,
}

impl Tolerances {
    /// f64 kernels: `1e-12` everywhere. Unit roundoff `1.1e-16` times an accumulation growth of at
    /// most `√(M·d) ≤ 182` (M ≤ 129, d ≤ 256), times the softmax conditioning (`|ΔP/P| ≈ |ΔS|`) and
    /// the gradient floor `1/ρ = 100` still leaves two orders of magnitude of slack.
    pub const F64: Tolerances = Tolerances {
        forward: 1e-12,
        grad: 1e-12,
    };
    /// f32 kernels: `1e-5` for `out`/`lse`, `1e-4` for gradients. Unit roundoff `6e-8` times the
    /// accumulation growth `√(M·d)` (≤ 182 here) gives ~1e-5 in the worst case; an absolute score
    /// error `ΔS` becomes a relative error `ΔS` of `P`. The gradients add one more GEMM level and
    /// the cancellation in `dP − D`, hence a 10× looser bound.
    pub const F32: Tolerances = Tolerances {
        forward: 1e-5,
        grad: 1e-4,
    };
    /// The tolerances of dtype `T`.
    pub fn of<T: Float>() -> Tolerances {
        if T::EPS < 1e-10 {
            Self::F64
        } else {
            Self::F32
        }
    }
    /// The bounds for a case whose largest finite `|lse|` is `max_abs_lse` (u = EPS/2 of `T`,
    /// ρ = [`GRAD_FLOOR`]): `forward = max(forward, 2·u·max|L|)`, `grad = max(grad, 2·u·max|L|/ρ)`.
    ///
    /// An absolute error `δ` of a score or of `L` is a relative error `δ` of `P = exp(S − L)`, and
    /// at magnitude `|L|` rounding alone leaves `δ ≈ u·|L|`: in the kernel's scores and stored `L`
    /// (the backward pass recomputes `P` from the `L` stored in `T`), and in the oracle itself
    /// (which forms `exp(S − L)` in f64). Through the gradient floor `ρ` that is at most `u·|L|/ρ`
    /// of a gradient measure. This only loosens the bounds when `|L|` is large (f32: beyond ~80
    /// for the forward, ~830 for gradients; f64: ~4500 and ~45): the scores-of-magnitude-1e4 cases.
    pub fn for_lse<T: Float>(max_abs_lse: f64) -> Tolerances {
        let base = Self::of::<T>();
        let delta = 2.0 * (T::EPS / 2.0) * max_abs_lse;
        Tolerances {
            forward: base.forward.max(delta),
            grad: base.grad.max(delta / GRAD_FLOOR),
        }
    }
    /// The bound of field `name` of [`Errors`]: `forward` for `out`/`lse`, `grad` otherwise.
    pub fn bound(&self, name: &str) -> f64 {
        if matches!(name, "out" | "lse") {
            self.forward
        } else {
            self.grad
        }
    }
    /// `(name, error, bound)` for every field of `e` above its bound (NaN is above every bound).
    pub fn violations(&self, e: &Errors) -> Vec<(&'static str, f64, f64)> {
        e.fields()
            .into_iter()
            .map(|(name, x)| (name, x, self.bound(name)))
            .filter(|&(_, x, bound)| x.is_nan() || x > bound)
            .collect()
    }
}

fn norm(xs: impl Iterator<Item = f64>) -> f64 {
    xs.map(|x| x * x).sum::<f64>().sqrt()
}

/// `‖got − want‖_F / max(‖want‖_F, floor)`, or `+∞` if `got` holds a NaN or an infinity.
pub fn relative_error<T: Float>(got: &[T], want: &[f64], floor: f64) -> f64 {
    if got.iter().any(|x| !x.is_finite()) {
        return f64::INFINITY;
    }
    let diff = norm(got.iter().zip(want).map(|(g, w)| g.as_f64() - w));
    diff / norm(want.iter().copied()).max(floor).max(f64::MIN_POSITIVE)
}

fn check_len<T>(what: &str, got: &[T], want: usize) -> Result<(), String> {
    if got.len() == want {
        Ok(())
    } else {
        Err(format!(
            "{what} has {} elements, expected {want}",
            got.len()
        ))
    }
}

/// Forward errors `(out, lse)` of `got` against the oracle `want`, checking the exact positions:
/// `lse` is `−∞` exactly where the oracle's is, those rows of `out` are exactly 0, no NaN.
pub fn forward_errors<T: Float>(
    got: &Forward<T>,
    want: &Forward<f64>,
    plan: &Plan,
) -> Result<(f64, f64), String> {
    let d = plan.v_dim;
    check_len("out", &got.out, want.out.len())?;
    check_len("lse", &got.lse, want.lse.len())?;
    let (mut lg, mut lw) = (Vec::new(), Vec::new());
    for (row, (&g, &w)) in got.lse.iter().zip(&want.lse).enumerate() {
        if g.is_nan() || g == T::infinity() {
            return Err(format!("lse[{row}] = {g}"));
        }
        match (g == T::neg_infinity(), w == f64::NEG_INFINITY) {
            (true, true) => {
                if let Some(t) = got.out[row * d..][..d].iter().position(|x| *x != T::zero()) {
                    return Err(format!(
                        "row {row} sees no key but out[{}] = {}",
                        row * d + t,
                        got.out[row * d + t]
                    ));
                }
            }
            (false, false) => {
                lg.push(g);
                lw.push(w);
            }
            (true, false) => return Err(format!("lse[{row}] = -inf, oracle {w}")),
            (false, true) => return Err(format!("lse[{row}] = {g}, oracle -inf (no key)")),
        }
    }
    let out = relative_error(&got.out, &want.out, 0.0);
    let lse = relative_error(&lg, &lw, (lw.len() as f64).sqrt());
    Ok((out, lse))
}

/// Magnitudes `μ = (μ_dQ, μ_dK, μ_dV, μ_dσ)` of the gradient sums taken over absolute values:
/// `A = |f'|∘P∘(|dP| + |D|)`, `μ_dQ = ‖scale·A|K|‖`, `μ_dK = ‖scale·Aᵀ|Q|‖`, `μ_dV = ‖Pᵀ|dO|‖`,
/// `μ_dσ = ‖Σ_i P_iσ|D_i|‖`, with `P` recomputed from the oracle's `lse` and the plan's built-in
/// score changes (`f`), over dense inputs of the plan's geometry.
pub fn gradient_magnitudes(x: &Inputs, fwd: &Forward<f64>, plan: &Plan) -> [f64; 4] {
    let s = plan.shape;
    let (hk, d, dv) = (plan.kv_heads, s.head_dim, plan.v_dim);
    let (n_all, m_all) = (s.q_len, s.kv_len);
    let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>();
    let f = plan.builtin_mod();
    let mut ak = vec![0.0; s.batch * hk * m_all * d];
    let mut av = vec![0.0; s.batch * hk * m_all * dv];
    let (mut mq, mut ms) = (0.0, 0.0);
    for (si, seq) in plan.seqs.iter().enumerate() {
        for h in 0..s.heads {
            let kvh = plan.kv_head(h);
            let mut sink_acc = 0.0;
            for i in 0..seq.q_len {
                let qi_at = ((seq.batch * s.heads + h) * n_all + seq.q0 + i) * d;
                let oi_at = ((seq.batch * s.heads + h) * n_all + seq.q0 + i) * dv;
                let (qi, doi) = (&x.q[qi_at..][..d], &x.d_out[oi_at..][..dv]);
                let lse = fwd.lse[(seq.batch * s.heads + h) * n_all + seq.q0 + i];
                let di = dot(doi, &fwd.out[oi_at..][..dv]);
                if let Some(sigma) = plan.sink(h) {
                    sink_acc += (sigma - lse).exp() * di.abs();
                }
                let (lo, hi) = plan.key_range(si, i);
                let mut aq = vec![0.0; d];
                for j in lo..hi.max(lo) {
                    let key = (seq.batch * hk + kvh) * m_all + seq.k0 + j;
                    let (kj, vj) = (&x.k[key * d..][..d], &x.v[key * dv..][..dv]);
                    let pos = Pos {
                        batch: si,
                        head: h,
                        q: i,
                        k: j,
                        q_len: seq.q_len,
                        kv_len: seq.kv_len,
                    };
                    let raw = plan.scale * dot(qi, kj);
                    let p = (f.value(raw, pos) - lse).exp();
                    let dp = dot(doi, vj);
                    let a = plan.scale * p * (dp.abs() + di.abs()) * f.grad(raw, pos).abs();
                    for t in 0..d {
                        aq[t] += a * kj[t].abs();
                        ak[key * d + t] += a * qi[t].abs();
                    }
                    for t in 0..dv {
                        av[key * dv + t] += p * doi[t].abs();
                    }
                }
                mq += aq.iter().map(|x| x * x).sum::<f64>();
            }
            ms += sink_acc * sink_acc;
        }
    }
    let sq = |x: &[f64]| x.iter().map(|v| v * v).sum::<f64>().sqrt();
    [mq.sqrt(), sq(&ak), sq(&av), ms.sqrt()]
}

/// Gradient errors `(dq, dk, dv, d_sink)` of `got` against the oracle `want` (floors from
/// [`gradient_magnitudes`]), checking the exact positions: `dq` rows of queries that see no key
/// and `dk`/`dv` rows of keys no query sees are exactly 0.
pub fn grad_errors<T: Float>(
    got: &Grads<T>,
    want: &Grads<f64>,
    magnitudes: [f64; 4],
    plan: &Plan,
) -> Result<(f64, f64, f64, f64), String> {
    let s = plan.shape;
    let (hk, d, dv) = (plan.kv_heads, s.head_dim, plan.v_dim);
    check_len("dq", &got.dq, want.dq.len())?;
    check_len("dk", &got.dk, want.dk.len())?;
    check_len("dv", &got.dv, want.dv.len())?;
    check_len("d_sink", &got.d_sink, want.d_sink.len())?;
    let nonzero = |xs: &[T]| xs.iter().position(|x| *x != T::zero());
    for (si, seq) in plan.seqs.iter().enumerate() {
        let ranges: Vec<(usize, usize)> = (0..seq.q_len).map(|i| plan.key_range(si, i)).collect();
        for h in 0..s.heads {
            for (i, &(lo, hi)) in ranges.iter().enumerate() {
                if lo >= hi {
                    let at = ((seq.batch * s.heads + h) * s.q_len + seq.q0 + i) * d;
                    if let Some(t) = nonzero(&got.dq[at..][..d]) {
                        return Err(format!(
                            "query row {i} of sequence {si} head {h} sees no key but dq[{t}] != 0"
                        ));
                    }
                }
            }
        }
        for kvh in 0..hk {
            for j in 0..seq.kv_len {
                if ranges.iter().any(|&(lo, hi)| lo <= j && j < hi) {
                    continue;
                }
                let key = (seq.batch * hk + kvh) * s.kv_len + seq.k0 + j;
                if nonzero(&got.dk[key * d..][..d]).is_some()
                    || nonzero(&got.dv[key * dv..][..dv]).is_some()
                {
                    return Err(format!(
                        "key {j} of sequence {si} kv head {kvh} is seen by no query but dk/dv != 0"
                    ));
                }
            }
        }
    }
    Ok((
        relative_error(&got.dq, &want.dq, GRAD_FLOOR * magnitudes[0]),
        relative_error(&got.dk, &want.dk, GRAD_FLOOR * magnitudes[1]),
        relative_error(&got.dv, &want.dv, GRAD_FLOOR * magnitudes[2]),
        relative_error(&got.d_sink, &want.d_sink, GRAD_FLOOR * magnitudes[3]),
    ))
}
