//! Batched divergence kernels `D(p ‖ q_T)` between teacher log-probabilities and student logits,
//! fused with their gradients with respect to the student logits.
//!
//! # Math (nats; DistillSpec K1.1–K1.2)
//! Per position, with teacher log-probs `lp` (length `V`), student logits `z`, temperature `T`,
//! `z' = z / T`, `L = logsumexp(z')`, `lq = z' − L`, `q = exp(lq)`:
//!
//! ```text
//! FKL      D(p‖q) = Σ p (lp − lq)                  ∂/∂z'_k = q_k − p_k
//! RKL      D(q‖p) = Σ q (lq − lp)                  ∂/∂z'_k = q_k (f_k − Σ q f),  f = lq − lp
//! JSD\[β\]   lm = logaddexp(ln β + lp, ln(1−β) + lq)
//!          β Σ p (lp − lm) + (1−β) Σ q (lq − lm)    ∂/∂z'_k = (1−β) q_k (g'_k − Σ q g'),  g' = lq − lm
//! TVD      ½ Σ |p − q|                              ∂/∂z'_k = ½ q_k (s_k − Σ q s),  s = sign(q − p), sign(0) = 0
//! ```
//! and `∂/∂z = (1/T) ∂/∂z'`. Every gradient sums to zero over the vocabulary (softmax is
//! shift-invariant). `JSD[0] := FKL` and `JSD[1] := RKL` (the limits of `JSD\[β\]/β` and
//! `JSD\[β\]/(1−β)`; JSD\[β\] itself tends to 0 at both ends).
//!
//! # Passes over a row
//! `lq` is never formed as `ln(softmax)`: the log-normaliser `L` is accumulated online (running max
//! and rescaled sum of exponentials) in the first read of the row.
//! - FKL and RKL need only that one read for the loss (`Σ p (lp − z')` and `Σ e^{z'−m}(z' − lp)` are
//!   accumulated beside `L` with the same rescaling), then one read+write pass for the gradient.
//! - JSD and TVD need `lq` element-wise before they can sum, so they take a second read (loss, and
//!   the per-element factor stored in the gradient buffer) and a third in-place pass for the gradient.
//!
//! f32 rows take their own passes (`distill::lanes`: row max, then `e^{z'−m}` stored once in the
//! gradient buffer so `q = e/S` costs no second `exp`), vectorised through the crate's one SIMD
//! dispatch with the same bits at every level; f64 rows use the generic code below (libm accuracy).
//! Rows run in parallel (rayon), each row whole on one thread, so the bits do not depend on the
//! thread count.
//!
//! # Layout and conventions
//! `teacher_log_probs`, `student_logits`, `grad` are `[positions, vocab]` row-major; losses are
//! `[positions]`. Teacher log-probs may be `−∞` (zero probability) and are clamped at
//! [`LOG_PROB_FLOOR`] (`−1e4`): `exp(−1e4)` is `0` in both f32 and f64, so the clamp changes no
//! probability, makes `xlogy(0, ·) = 0` automatic and keeps RKL finite in f32 when the teacher has
//! a zero where the student does not (RKL is then `≈ q·1e4` instead of `+∞`). Each teacher row
//! must sum to one within `max(1e-12·V, 4·ε_T·√V)`. Sums are accumulated in f64.

use super::lanes;
use crate::error::{check_len, Error, Result};
use crate::float::Float;
pub use crate::ops::divergence::{Divergence, LOG_PROB_FLOOR};
pub(crate) use crate::ops::normalisation_tolerance;
use rayon::prelude::*;
use std::any::TypeId;

/// Per-position divergences and, into `grad`, their gradients with respect to `student_logits`.
///
/// Shapes: `teacher_log_probs`, `student_logits`, `grad` are `[positions, vocab]` row-major with
/// `positions = student_logits.len() / vocab`; returns the `[positions]` losses. `temperature`
/// divides the student logits (`q = softmax(z / T)`, `T > 0` finite). See the
/// [module docs](self) for the formulas, the passes and the `−1e4` log-prob floor.
///
/// # Errors
/// `InvalidArgument` for `vocab = 0`, a bad temperature (also one whose `1/T` overflows `T`) or
/// β; `ShapeMismatch` when lengths disagree; `NonFinite` for non-finite logits or NaN/`+∞`
/// teacher log-probs; `InvalidArgument` when some `z / T` overflows `T` (except an overflow to
/// `−∞` under TVD, where it is the exact `q = 0`) or a teacher row is not normalised.
pub fn divergence_and_grad<T: Float>(
    div: Divergence,
    teacher_log_probs: &[T],
    student_logits: &[T],
    vocab: usize,
    temperature: f64,
    grad: &mut [T],
) -> Result<Vec<T>> {
    let (div, positions) = validate(div, teacher_log_probs, student_logits, vocab, temperature)?;
    check_len("grad", positions * vocab, grad.len())?;
    let inv_t = 1.0 / temperature;
    let rows: Vec<Result<f64>> = teacher_log_probs
        .par_chunks_exact(vocab)
        .zip(student_logits.par_chunks_exact(vocab))
        .zip(grad.par_chunks_exact_mut(vocab))
        .with_min_len(rows_per_task(vocab))
        .map_init(Vec::new, |scratch, ((lp, z), g)| {
            row(div, lp, z, inv_t, Some(g), scratch)
        })
        .collect();
    debug_assert_eq!(rows.len(), positions);
    first_error(rows)
}

/// Per-position divergences only (no gradient buffer is touched). Same shapes, conventions and
/// errors as [`divergence_and_grad`].
pub fn divergence_only<T: Float>(
    div: Divergence,
    teacher_log_probs: &[T],
    student_logits: &[T],
    vocab: usize,
    temperature: f64,
) -> Result<Vec<T>> {
    let (div, _) = validate(div, teacher_log_probs, student_logits, vocab, temperature)?;
    let inv_t = 1.0 / temperature;
    let rows: Vec<Result<f64>> = teacher_log_probs
        .par_chunks_exact(vocab)
        .zip(student_logits.par_chunks_exact(vocab))
        .with_min_len(rows_per_task(vocab))
        .map_init(Vec::new, |scratch, (lp, z)| {
            row::<T>(div, lp, z, inv_t, None, scratch)
        })
        .collect();
    first_error(rows)
}

fn validate<T: Float>(
    div: Divergence,
    lp: &[T],
    z: &[T],
    vocab: usize,
    temperature: f64,
) -> Result<(Divergence, usize)> {
    if vocab == 0 {
        return Err(Error::InvalidArgument {
            what: "vocab",
            reason: "must be at least 1".into(),
        });
    }
    crate::ops::check_temperature("temperature", temperature)?;
    // `1/T` must also fit in `T` (f32 overflows from `T < 2.9e-39`, which f64 accepts).
    if !T::of(1.0 / temperature).is_finite() {
        return Err(Error::InvalidArgument {
            what: "temperature",
            reason: format!("1/temperature overflows {} (got {temperature})", T::NAME),
        });
    }
    if !z.len().is_multiple_of(vocab) {
        return Err(Error::ShapeMismatch {
            what: "student_logits",
            expected: (z.len() / vocab + 1) * vocab,
            got: z.len(),
        });
    }
    check_len("teacher_log_probs", z.len(), lp.len())?;
    Ok((div.resolved()?, z.len() / vocab))
}

/// Online log-sum-exp of `z'` plus the first-pass sums, and the input checks.
struct FirstPass {
    /// Log-normaliser `L = logsumexp(z')`.
    log_norm: f64,
    /// FKL: `Σ p (lp − z')`; RKL: `Σ q (z' − lp)`; otherwise unused.
    cross: f64,
    /// `Σ p`.
    mass: f64,
}

#[inline(always)]
fn clamp_lp<T: Float>(lp: T) -> T {
    lp.max(T::of(LOG_PROB_FLOOR))
}

fn first_pass<T: Float>(div: Divergence, lp: &[T], z: &[T], inv_t: f64) -> Result<FirstPass> {
    let inv_t = T::of(inv_t);
    let (mut m, mut s, mut cross, mut mass) = (T::neg_infinity(), 0.0f64, 0.0f64, 0.0f64);
    let rkl = div == Divergence::ReverseKl;
    let fkl = div == Divergence::ForwardKl;
    for (v, (&lpv, &zv)) in lp.iter().zip(z).enumerate() {
        if !zv.is_finite() {
            return Err(Error::NonFinite {
                what: "student_logits",
                index: v,
            });
        }
        if lpv.is_nan() || lpv == T::infinity() {
            return Err(Error::NonFinite {
                what: "teacher_log_probs",
                index: v,
            });
        }
        let lpv = clamp_lp(lpv);
        let zs = zv * inv_t;
        if zs == T::infinity() {
            return Err(scaled_logit_overflow::<T>(v));
        }
        if zs > m {
            // Rescale the running sums to the new max (rare after the first few entries).
            let r = (m - zs).exp().as_f64();
            s *= r;
            if rkl {
                cross *= r;
            }
            m = zs;
        }
        // `z' = −∞` (an overflow, see `row`) is q = 0 even while `m` is still `−∞`.
        let e = if zs == T::neg_infinity() {
            0.0
        } else {
            (zs - m).exp().as_f64()
        };
        s += e;
        let p = lpv.exp().as_f64();
        mass += p;
        if fkl {
            cross += p * (lpv - zs).as_f64();
        } else if rkl {
            cross += e * (zs - lpv).as_f64();
        }
    }
    let log_norm = m.as_f64() + s.ln();
    if rkl {
        cross /= s;
    }
    Ok(FirstPass {
        log_norm,
        cross,
        mass,
    })
}

/// `x` as a slice of `U` when `T` is `U` (used to route f32 rows to the lane kernels).
fn same_type<T: 'static, U: 'static>(x: &[T]) -> Option<&[U]> {
    // SAFETY: T and U are the same type, so layout, length and lifetime carry over unchanged.
    (TypeId::of::<T>() == TypeId::of::<U>())
        .then(|| unsafe { std::slice::from_raw_parts(x.as_ptr() as *const U, x.len()) })
}

/// Mutable version of [`same_type`].
fn same_type_mut<T: 'static, U: 'static>(x: &mut [T]) -> Option<&mut [U]> {
    // SAFETY: as in `same_type`; the exclusive borrow is passed on.
    (TypeId::of::<T>() == TypeId::of::<U>())
        .then(|| unsafe { std::slice::from_raw_parts_mut(x.as_mut_ptr() as *mut U, x.len()) })
}

/// The f32 lane path at the crate's SIMD level; `None` when the row has non-finite input (the
/// generic path then reports it). Without a gradient buffer, `scratch` holds the row's `e^{z'−m}`.
fn row_f32(
    div: Divergence,
    lp: &[f32],
    z: &[f32],
    inv_t: f64,
    grad: Option<&mut [f32]>,
    scratch: &mut Vec<f32>,
) -> Option<Result<f64>> {
    let g = match grad {
        Some(g) => g,
        None => {
            scratch.resize(z.len(), 0.0);
            &mut scratch[..]
        }
    };
    let sums = lanes::row(crate::simd::level(), div, lp, z, inv_t as f32, g);
    // A non-finite loss means some `z·inv_t` overflowed to `−∞`: the generic path reports it.
    if !(sums.finite && sums.loss.is_finite()) {
        return None;
    }
    if (sums.mass - 1.0).abs() > normalisation_tolerance::<f32>(lp.len()) {
        return Some(Err(not_normalised(sums.mass)));
    }
    Some(Ok(sums.loss))
}

/// Rows per rayon task: enough that a task holds about 32k entries (short rows would otherwise
/// cost more in scheduling than in arithmetic). Each row is computed whole by one task, so the
/// bits do not depend on the thread count.
fn rows_per_task(vocab: usize) -> usize {
    (32_768 / vocab).max(1)
}

/// The first error in row order, or the losses.
fn first_error<T: Float>(rows: Vec<Result<f64>>) -> Result<Vec<T>> {
    rows.into_iter().map(|r| r.map(T::of)).collect()
}

/// A student logit whose `z / T` overflows `T` (a tiny temperature or a huge logit).
fn scaled_logit_overflow<T: Float>(index: usize) -> Error {
    Error::InvalidArgument {
        what: "student_logits",
        reason: format!("entry {index} / temperature overflows {}", T::NAME),
    }
}

fn not_normalised(mass: f64) -> Error {
    Error::InvalidArgument {
        what: "teacher_log_probs",
        reason: format!("row sums to {mass} (not 1)"),
    }
}

/// One row: returns the loss and, when `grad` is given, writes the gradient w.r.t. `z`.
///
/// A `z·inv_t` that overflows to `−∞` is the exact `q = 0` for TVD (a finite result); for the
/// other divergences it makes the loss non-finite, reported here with the first such entry.
fn row<T: Float>(
    div: Divergence,
    lp: &[T],
    z: &[T],
    inv_t: f64,
    grad: Option<&mut [T]>,
    scratch: &mut Vec<f32>,
) -> Result<f64> {
    let loss = row_unchecked(div, lp, z, inv_t, grad, scratch)?;
    if loss.is_finite() {
        return Ok(loss);
    }
    let t = T::of(inv_t);
    let v = z.iter().position(|&x| !(x * t).is_finite()).unwrap_or(0);
    Err(scaled_logit_overflow::<T>(v))
}

fn row_unchecked<T: Float>(
    div: Divergence,
    lp: &[T],
    z: &[T],
    inv_t: f64,
    mut grad: Option<&mut [T]>,
    scratch: &mut Vec<f32>,
) -> Result<f64> {
    if let (Some(lp32), Some(z32)) = (same_type::<T, f32>(lp), same_type::<T, f32>(z)) {
        let g32 = grad.as_deref_mut().and_then(same_type_mut::<T, f32>);
        if let Some(res) = row_f32(div, lp32, z32, inv_t, g32, scratch) {
            return res;
        }
    }
    let fp = first_pass(div, lp, z, inv_t)?;
    let vocab = lp.len();
    if (fp.mass - 1.0).abs() > normalisation_tolerance::<T>(vocab) {
        return Err(not_normalised(fp.mass));
    }
    let big_l = T::of(fp.log_norm);
    let tinv = T::of(inv_t);
    let lq_of = |zv: T| zv * tinv - big_l;
    match div {
        Divergence::ForwardKl => {
            // Σ p (lp − z' + L) = cross + L Σp.
            let loss = fp.cross + fp.log_norm * fp.mass;
            if let Some(g) = grad {
                for ((gv, &lpv), &zv) in g.iter_mut().zip(lp).zip(z) {
                    *gv = (lq_of(zv).exp() - clamp_lp(lpv).exp()) * tinv;
                }
            }
            Ok(loss)
        }
        Divergence::ReverseKl => {
            // Σ q (z' − lp) − L.
            let loss = fp.cross - fp.log_norm;
            if let Some(g) = grad {
                let lt = T::of(loss);
                for ((gv, &lpv), &zv) in g.iter_mut().zip(lp).zip(z) {
                    let lq = lq_of(zv);
                    *gv = lq.exp() * (lq - clamp_lp(lpv) - lt) * tinv;
                }
            }
            Ok(loss)
        }
        Divergence::Jsd { beta } => {
            let (lb, l1b) = (T::of(beta.ln()), T::of((1.0 - beta).ln()));
            let log_mix = |a: T, b: T| {
                let (hi, lo) = if a > b { (a, b) } else { (b, a) };
                hi + (lo - hi).exp().ln_1p()
            };
            let (mut loss_p, mut loss_q) = (0.0f64, 0.0f64);
            let mut g_buf = grad;
            for (v, (&lpv, &zv)) in lp.iter().zip(z).enumerate() {
                let lpv = clamp_lp(lpv);
                let lq = lq_of(zv);
                let lm = log_mix(lb + lpv, l1b + lq);
                let (p, q) = (lpv.exp(), lq.exp());
                loss_p += (p * (lpv - lm)).as_f64();
                let gq = lq - lm;
                loss_q += (q * gq).as_f64();
                if let Some(g) = g_buf.as_deref_mut() {
                    g[v] = gq;
                }
            }
            // Σ q g' = KL(q ‖ m).
            let kl_qm = T::of(loss_q);
            if let Some(g) = g_buf {
                let c = T::of(1.0 - beta) * tinv;
                for (gv, &zv) in g.iter_mut().zip(z) {
                    *gv = c * lq_of(zv).exp() * (*gv - kl_qm);
                }
            }
            Ok(beta * loss_p + (1.0 - beta) * loss_q)
        }
        Divergence::Tvd => {
            let (mut l1, mut qs) = (0.0f64, 0.0f64);
            let mut g_buf = grad;
            for (v, (&lpv, &zv)) in lp.iter().zip(z).enumerate() {
                let (p, q) = (clamp_lp(lpv).exp(), lq_of(zv).exp());
                let d = q - p;
                l1 += d.abs().as_f64();
                // q·sign(q − p) with sign(0) = 0.
                let qsgn = if d > T::zero() {
                    q
                } else if d < T::zero() {
                    -q
                } else {
                    T::zero()
                };
                qs += qsgn.as_f64();
                if let Some(g) = g_buf.as_deref_mut() {
                    g[v] = qsgn;
                }
            }
            if let Some(g) = g_buf {
                let (half, qst) = (T::of(0.5) * tinv, T::of(qs));
                for (gv, &zv) in g.iter_mut().zip(z) {
                    *gv = half * (*gv - lq_of(zv).exp() * qst);
                }
            }
            Ok(0.5 * l1)
        }
    }
}
