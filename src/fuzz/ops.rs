//! The `ops` fuzz body: temperature softmax, log-softmax and row-wise softmax in f32 and f64,
//! distribution checks, and the special functions, on hostile logits (NaN, ±∞, `−∞` masks, the
//! float extremes) and hostile temperatures (zero, negative, subnormal, whose reciprocal
//! overflows).

use crate::error::Error;
use crate::float::Float;
use crate::fuzz::bytes::{assert_finite, Bytes};
use crate::ops::special::{erfc, normal_tail};
use crate::ops::{check_distributions, log_softmax, softmax, softmax_rows};

/// The plain f64 formula `z_v/τ − max − ln Σ exp(z_u/τ − max)` on the values as the kernel sees
/// them (already rounded to `T`).
fn reference_log_softmax(z: &[f64], tau: f64) -> Vec<f64> {
    let s: Vec<f64> = z.iter().map(|x| x / tau).collect();
    let m = s.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let l = m + s.iter().map(|x| (x - m).exp()).sum::<f64>().ln();
    s.iter().map(|x| x - l).collect()
}

fn check_row<T: Float>(z: &[f64], tau: f64) {
    let zt: Vec<T> = z.iter().map(|&x| T::of(x)).collect();
    let seen: Vec<f64> = zt.iter().map(|x| x.as_f64()).collect();
    let call = (T::NAME, &seen, tau);
    let ls = log_softmax(&zt, tau);
    let sm = softmax(&zt, tau);
    // Documented: `log_softmax` alone rejects a row whose finite scaled logits spread past
    // `T::MAX` (the low entry's log-probability overflows); its softmax is defined.
    if let Err(Error::NonFinite { what, .. }) = &ls {
        if what.starts_with("log_softmax (overflow") {
            let scaled: Vec<f64> = zt
                .iter()
                .filter(|x| x.is_finite())
                .map(|&x| (x / T::of(tau)).as_f64())
                .collect();
            let hi = scaled.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
            let lo = scaled.iter().cloned().fold(f64::INFINITY, f64::min);
            let max = <T as num_traits::Float>::max_value().as_f64();
            assert!(
                sm.is_ok() && hi - lo >= max / 2.0,
                "log_softmax overflow reported on a spread of {} (softmax {sm:?})\n{call:?}",
                hi - lo
            );
            return;
        }
    }
    assert_eq!(
        ls.is_ok(),
        sm.is_ok(),
        "softmax and log_softmax disagree on validity\n{call:?}"
    );
    let (Ok(ls), Ok(sm)) = (ls, sm) else { return };
    let p: Vec<f64> = sm.iter().map(|x| x.as_f64()).collect();
    assert_finite("softmax", &p, &call);
    // Documented: a fully masked row has a zero softmax and `−∞` log-probabilities.
    if seen.iter().all(|&x| x == f64::NEG_INFINITY) {
        assert!(
            p.iter().all(|&x| x == 0.0),
            "fully masked row: softmax {p:?}\n{call:?}"
        );
        assert!(
            ls.iter().all(|&x| x.as_f64() == f64::NEG_INFINITY),
            "fully masked row\n{call:?}"
        );
        return;
    }
    let sum: f64 = p.iter().sum();
    let eps = T::EPS;
    assert!(
        (sum - 1.0).abs() <= 4.0 * eps * (z.len() as f64 + 1.0),
        "softmax sums to {sum}\n{call:?}"
    );
    let lsf: Vec<f64> = ls.iter().map(|x| x.as_f64()).collect();
    // `−∞` is the documented log-probability of a masked entry.
    let masked = |i: usize| seen[i] == f64::NEG_INFINITY;
    for (i, &v) in lsf.iter().enumerate() {
        assert!(
            v.is_finite() || (masked(i) && v == f64::NEG_INFINITY),
            "log_softmax[{i}] = {v}\n{call:?}"
        );
    }
    // Oracle where the scaled logits are moderate (the kernel divides in `T`, so the rounding of
    // `z/τ` alone is `ε_T |z/τ|`).
    let span = seen
        .iter()
        .filter(|x| x.is_finite())
        .fold(0.0f64, |m, x| m.max((x / tau).abs()));
    if span <= 64.0 {
        let r = reference_log_softmax(&seen, tau);
        let tol = 8.0 * eps * (1.0 + span) * (z.len() as f64 + 1.0);
        for i in (0..z.len()).filter(|&i| !masked(i)) {
            assert!(
                (lsf[i] - r[i]).abs() <= tol,
                "log_softmax[{i}] = {} vs oracle {} (tol {tol:e})\n{call:?}",
                lsf[i],
                r[i]
            );
            assert!(
                (p[i] - r[i].exp()).abs() <= tol,
                "softmax[{i}] = {} vs oracle {}\n{call:?}",
                p[i],
                r[i].exp()
            );
        }
    }
}

/// A logit: grid, `−∞` (a mask) about one time in 8, or, when `hostile`, an extreme value.
fn logit(b: &mut Bytes, hostile: bool) -> f64 {
    if b.one_in(8) {
        f64::NEG_INFINITY
    } else {
        b.scalar(hostile)
    }
}

/// Decodes one call and checks it: no panic; `softmax` and `log_softmax` accept the same rows;
/// `Ok` probabilities are finite and sum to one, log-probabilities finite except `−∞` at masks,
/// and both agree with the f64 formula where `|z/τ| ≤ 64`; `softmax_rows` equals the row-wise
/// `softmax`; `check_distributions` accepts only finite non-negative rows; `erfc` stays in
/// `[0, 2]` and `normal_tail` in `[0, 1]`.
pub fn ops(data: &[u8]) {
    let mut b = Bytes::new(data);
    let mode = b.byte();
    let hostile = mode & 0x80 != 0;
    let tau = if b.one_in(4) {
        1.0
    } else {
        b.positive(hostile)
    };
    match mode % 4 {
        0 | 1 => {
            let n = b.below(20);
            let mut z: Vec<f64> = (0..n).map(|_| logit(&mut b, hostile)).collect();
            // A fully masked row is left to the hostile half.
            if !hostile && z.iter().all(|x| *x == f64::NEG_INFINITY) {
                if let Some(first) = z.first_mut() {
                    *first = 0.0;
                }
            }
            if mode.is_multiple_of(4) {
                check_row::<f64>(&z, tau);
            } else {
                check_row::<f32>(&z, tau);
            }
        }
        2 => {
            let classes = b.size(0, 5, hostile);
            let n = b.below(20);
            let z: Vec<f64> = (0..n).map(|_| logit(&mut b, hostile)).collect();
            if let Ok(rows) = softmax_rows(&z, classes, tau) {
                for (r, row) in z.chunks_exact(classes).enumerate() {
                    let one = softmax(row, tau).expect("softmax_rows accepted the row");
                    assert_eq!(&rows[r * classes..][..classes], &one[..], "row {r}\n{z:?}");
                }
            }
            let probs: Vec<f64> = (0..n)
                .map(|_| {
                    if b.flag() {
                        b.unit()
                    } else {
                        b.scalar(hostile)
                    }
                })
                .collect();
            if check_distributions("probs", &probs, classes).is_ok() {
                assert!(
                    probs.iter().all(|p| p.is_finite() && *p >= 0.0),
                    "check_distributions accepted {probs:?}"
                );
            }
        }
        _ => {
            let x = b.scalar(true) * if b.flag() { 8.0 } else { 1.0 };
            let (e, q) = (erfc(x), normal_tail(x));
            if !x.is_nan() {
                assert!((0.0..=2.0).contains(&e), "erfc({x}) = {e}");
                assert!((0.0..=1.0).contains(&q), "normal_tail({x}) = {q}");
            }
        }
    }
}
