//! The `embed_distill` fuzz body: the score-distillation losses (softmax cross-entropy with two
//! temperatures, margin-MSE, label cross-entropy) with gradients against central differences,
//! cosine and dual-encoder scores, and the score-gap bound, on hostile scores, temperatures,
//! positives and embeddings.

use crate::embed_distill::{
    cosine_scores, label_ce, margin_mse, score_gap_and_bound, softmax_ce, ScoreLoss,
};
use crate::error::Result;
use crate::fuzz::bytes::{assert_finite, Bytes};
use faer::Mat;

/// A score loss as a function of the student scores.
type LossFn<'a> = dyn Fn(&[f64]) -> Result<ScoreLoss> + 'a;

/// Central differences of `f` at `x` (`h = 1e-6`) against `grad`, `1e-5` relative.
fn check_grad(
    f: &dyn Fn(&[f64]) -> Result<ScoreLoss>,
    x: &[f64],
    grad: &[f64],
    call: &dyn std::fmt::Debug,
) {
    let h = 1e-6;
    for i in 0..x.len() {
        let at = |d: f64| {
            let mut y = x.to_vec();
            y[i] += d;
            f(&y).map(|l| l.loss)
        };
        let (Ok(up), Ok(down)) = (at(h), at(-h)) else {
            continue;
        };
        let fd = (up - down) / (2.0 * h);
        assert!(
            (fd - grad[i]).abs() <= 1e-5 * (1.0 + fd.abs()),
            "grad[{i}] = {} vs central difference {fd}\n{call:?}",
            grad[i]
        );
    }
}

/// Decodes one call and checks it: no panic; `Ok` losses and gradients finite, losses
/// non-negative (the cross-entropies' excess), gradients equal to central differences where the
/// inputs are moderate; cosine scores bounded by `1/τ`; the score-gap bound holds.
pub fn embed_distill(data: &[u8]) {
    let mut b = Bytes::new(data);
    let mode = b.byte();
    let hostile = mode & 0x80 != 0;
    let l = b.below(6);
    let student = b.values(l, hostile);
    let extra = usize::from(hostile && b.one_in(8));
    let teacher = b.values(l + extra, hostile);
    let (tau_s, tau_t) = (b.positive(hostile) / 4.0, b.positive(hostile) / 4.0);
    let positive = if hostile && b.one_in(8) {
        b.size(0, l, true)
    } else {
        b.below(l.max(1))
    };
    let call = (&student, &teacher, tau_s, tau_t, positive);
    let f: Box<LossFn> = match mode % 4 {
        0 => Box::new(|s: &[f64]| softmax_ce(s, &teacher, tau_s, tau_t)),
        1 => Box::new(|s: &[f64]| margin_mse(s, &teacher, positive)),
        2 => Box::new(|s: &[f64]| label_ce(s, positive, tau_s)),
        _ => {
            let (nq, nd, k) = (b.range(1, 3), b.range(1, 3), b.size(1, 3, hostile).min(4));
            let q = Mat::from_fn(nq, k, |_, _| b.scalar(hostile));
            let d = Mat::from_fn(nd, k, |_, _| b.scalar(hostile));
            if let Ok(s) = cosine_scores(q.as_ref(), d.as_ref(), tau_s) {
                for i in 0..nq {
                    for j in 0..nd {
                        let v = s[(i, j)];
                        assert!(
                            v.is_finite() && v.abs() <= (1.0 + 1e-12) / tau_s,
                            "cosine score {v} at τ = {tau_s}\n{:?}",
                            (&q, &d)
                        );
                    }
                }
            }
            let vec = |b: &mut Bytes| b.values(k, hostile);
            let (qt, dt, qs, ds) = (vec(&mut b), vec(&mut b), vec(&mut b), vec(&mut b));
            if let Ok((gap, bound)) = score_gap_and_bound(&qt, &dt, &qs, &ds) {
                assert!(
                    gap.is_finite() && bound.is_finite() && gap <= bound * (1.0 + 1e-12) + 1e-12,
                    "gap {gap} > bound {bound}\n{:?}",
                    (&qt, &dt, &qs, &ds)
                );
            }
            return;
        }
    };
    let Ok(r) = f(&student) else { return };
    assert_finite("loss", &[r.loss, r.excess], &call);
    assert_finite("grad", &r.grad, &call);
    assert!(r.excess >= -1e-12, "negative excess {}\n{call:?}", r.excess);
    if !hostile && student.iter().all(|x| (x / tau_s).abs() <= 32.0) {
        check_grad(&*f, &student, &r.grad, &call);
    }
}
