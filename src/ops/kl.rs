//! KL divergence and the temperature-scaled knowledge-distillation (KD) loss of one row.
//!
//! ```text
//! KL(p ‖ q) = Σ_v p_v (ln p_v − ln q_v)                      (0·ln 0 = 0; p_v > 0 = q_v gives +∞)
//! KD row:  q = softmax(z/τ),  KL(p ‖ q),  CE(p, q) = −Σ_v p_v ln q_v = H(p) + KL(p ‖ q),
//!          ∂KL/∂z = ∂CE/∂z = (q − p) / τ
//! ```
//!
//! The usual KD objective `τ² KL(p_τ ‖ q_τ)` (Hinton et al.) multiplies both by `τ²`; callers
//! scale and average. Plain cross-entropy on a label `y` is the KD row with `p = e_y`, `τ = 1`.

use super::softmax::log_softmax_into;
use crate::float::Float;

/// `KL(p ‖ q)` of two distributions of equal length, with `0·ln(0/q) = 0`.
pub fn kl_divergence<T: Float>(p: &[T], q: &[T]) -> T {
    p.iter()
        .zip(q)
        .filter(|(&pv, _)| pv > T::zero())
        .map(|(&pv, &qv)| pv * (pv.ln() - qv.ln()))
        .sum()
}

/// Loss values of one KD row (see the [module docs](self)).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct KdRow<T> {
    /// `KL(p ‖ softmax(z/τ))`.
    pub kl: T,
    /// `−Σ p ln softmax(z/τ)`.
    pub cross_entropy: T,
}

/// One KD row: teacher distribution `p`, student logits `z`, temperature `τ`; writes
/// `∂KL/∂z = (softmax(z/τ) − p)/τ` into `grad` and returns the KL and the cross-entropy.
///
/// Unchecked (hot loops): `p.len() == z.len() == grad.len()`, `p` a distribution, `τ` and `z/τ`
/// finite (validate with [`check_temperature`](super::check_temperature) and
/// [`check_distributions`](super::check_distributions)). `−∞` logits are masks; a teacher mass on
/// a masked logit gives `+∞`.
pub fn kd_row<T: Float>(p: &[T], z: &[T], tau: T, grad: &mut [T]) -> KdRow<T> {
    // grad holds ln q first, then the gradient.
    log_softmax_into(z, tau, grad);
    let (mut kl, mut ce) = (T::zero(), T::zero());
    for (g, &pv) in grad.iter_mut().zip(p) {
        let lq = *g;
        if pv > T::zero() {
            kl += pv * (pv.ln() - lq);
            ce -= pv * lq;
        }
        *g = (lq.exp() - pv) / tau;
    }
    KdRow {
        kl,
        cross_entropy: ce,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::softmax::tests::naive_softmax;

    #[test]
    fn kl_matches_formula_and_conventions() {
        let p = [0.2, 0.0, 0.8];
        let q = [0.5, 0.25, 0.25];
        let want = 0.2 * (0.2f64 / 0.5).ln() + 0.8 * (0.8f64 / 0.25).ln();
        assert!((kl_divergence(&p, &q) - want).abs() < 1e-15);
        assert_eq!(kl_divergence(&q, &q), 0.0);
        assert_eq!(kl_divergence(&[1.0, 0.0], &[0.0, 1.0]), f64::INFINITY);
    }

    #[test]
    fn kd_row_matches_formula_and_finite_differences() {
        let p = [0.1, 0.6, 0.3, 0.0];
        let z = [0.4, -1.2, 2.0, 0.7];
        for tau in [0.5, 1.0, 4.0] {
            let mut g = [0.0; 4];
            let r = kd_row(&p, &z, tau, &mut g);
            let q = naive_softmax(&z, tau);
            let ce: f64 = -(0..4).map(|v| p[v] * q[v].ln()).sum::<f64>();
            let h: f64 = -p
                .iter()
                .filter(|&&x| x > 0.0)
                .map(|x| x * x.ln())
                .sum::<f64>();
            assert!((r.cross_entropy - ce).abs() < 1e-14);
            assert!((r.kl - (ce - h)).abs() < 1e-14);
            assert!((r.kl - kl_divergence(&p, &q)).abs() < 1e-14);
            let h_step = 1e-6;
            for v in 0..4 {
                let (mut zp, mut zm) = (z, z);
                zp[v] += h_step;
                zm[v] -= h_step;
                let mut s = [0.0; 4];
                let fd = (kd_row(&p, &zp, tau, &mut s).kl - kd_row(&p, &zm, tau, &mut s).kl)
                    / (2.0 * h_step);
                assert!((fd - g[v]).abs() < 1e-8, "{tau} {v}: {fd} vs {}", g[v]);
            }
        }
    }

    #[test]
    fn kd_row_masks_and_tiny_temperature() {
        let ninf = f64::NEG_INFINITY;
        let mut g = [0.0; 3];
        let r = kd_row(&[0.5, 0.5, 0.0], &[0.0, 0.0, ninf], 1.0, &mut g);
        assert!(r.kl.abs() < 1e-15);
        assert_eq!(g, [0.0, 0.0, 0.0]);
        // Mass on a masked logit: +∞ loss, finite gradient, no NaN.
        let r = kd_row(&[0.0, 0.0, 1.0], &[0.0, 0.0, ninf], 1.0, &mut g);
        assert_eq!(r.kl, f64::INFINITY);
        assert!(g.iter().all(|v| v.is_finite()));
        // τ = 1e-300: q is one-hot at the max, still finite.
        let r = kd_row(&[0.0, 1.0], &[0.0, 1.0], 1e-300, &mut g[..2]);
        assert_eq!(r.kl, 0.0);
        assert!(g[..2].iter().all(|v| v.is_finite()));
    }
}
