//! The `supervision` fuzz body: the Cholesky-based supervision complexity (`GramFactor`, f32 and
//! f64) against the eigendecomposition and a residual, the ReLU NTK Gram matrix, teacher
//! probabilities and the KD loss, on hostile Gram matrices, targets, ridges and temperatures.

use crate::float::Float;
use crate::fuzz::bytes::{assert_finite, moderate, Bytes};
use crate::supervision::complexity::{supervision_complexity_eigen, GramFactor};
use crate::supervision::{kd_loss_and_grad, relu_ntk_gram, teacher_probabilities};
use faer::Mat;

fn flat(m: &Mat<f64>) -> Vec<f64> {
    (0..m.nrows() * m.ncols())
        .map(|k| m[(k / m.ncols(), k % m.ncols())])
        .collect()
}

/// `K = B Bᵀ + δ I` (SPD) or, when `hostile`, any near-symmetric matrix.
fn gram(b: &mut Bytes, n: usize, hostile: bool) -> Mat<f64> {
    if hostile {
        let raw = b.values(n * n, true);
        Mat::from_fn(n, n, |i, j| raw[i.max(j) * n + i.min(j)])
    } else {
        let f = Mat::from_fn(n, n, |_, _| b.grid());
        let delta = b.positive(false);
        let mut k = &f * f.transpose();
        for i in 0..n {
            k[(i, i)] += delta;
        }
        k
    }
}

fn complexity_call<T: Float>(b: &mut Bytes, hostile: bool) {
    let n = b.below(7);
    let c = b.below(3);
    let k = gram(b, n, hostile);
    let rows = if hostile && b.one_in(8) { n + 1 } else { n };
    let y = Mat::from_fn(rows, c, |_, _| b.scalar(hostile));
    let ridge = if b.flag() {
        0.0
    } else {
        b.positive(hostile) / 32.0
    };
    let (kt, yt) = (
        Mat::<T>::from_fn(n, n, |i, j| T::of(k[(i, j)])),
        Mat::<T>::from_fn(rows, c, |i, j| T::of(y[(i, j)])),
    );
    let call = (T::NAME, &k, &y, ridge);
    let Ok(g) = GramFactor::new(kt.as_ref(), ridge) else {
        return;
    };
    assert_finite("GramFactor trace", &[g.trace()], &call);
    let Ok(sc) = g.complexity(yt.as_ref()) else {
        return;
    };
    assert!(sc.is_finite() && sc >= 0.0, "complexity {sc}\n{call:?}");
    let Ok(alpha) = g.solve(yt.as_ref()) else {
        return;
    };
    let a: Vec<f64> = (0..n * c)
        .map(|ij| alpha[(ij / c, ij % c)].as_f64())
        .collect();
    assert_finite("GramFactor::solve", &a, &call);
    if hostile || !moderate(&flat(&y)) {
        return;
    }
    // Residual of (K + ridge I) α = y, and yᵀ α = complexity.
    let eps = T::EPS;
    let kmax = flat(&k).iter().fold(0.0f64, |m, v| m.max(v.abs())) + ridge;
    let amax = a.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    let ymax = flat(&y).iter().fold(0.0f64, |m, v| m.max(v.abs()));
    let mut quad = 0.0;
    for i in 0..n {
        for j in 0..c {
            let r: f64 = (0..n).map(|l| k[(i, l)] * a[l * c + j]).sum::<f64>()
                + ridge * a[i * c + j]
                - y[(i, j)];
            assert!(
                r.abs() <= 64.0 * eps * (n as f64 + 1.0) * (kmax * amax + ymax),
                "residual {r:e}\n{call:?}"
            );
            quad += y[(i, j)] * a[i * c + j];
        }
    }
    assert!(
        (quad - sc).abs()
            <= 1e3 * eps * (1.0 + quad.abs()) * (1.0 + kmax * amax.powi(2) / (1.0 + quad.abs())),
        "yᵀα = {quad} vs complexity {sc}\n{call:?}"
    );
    if ridge == 0.0 && T::NAME == "f64" && n > 0 && c > 0 {
        if let Ok((e, _)) = supervision_complexity_eigen(k.as_ref(), y.as_ref()) {
            assert!(
                (e - sc).abs() <= 1e-6 * (1.0 + sc.abs()) * (1.0 + kmax),
                "eigen {e} vs Cholesky {sc}\n{call:?}"
            );
        }
    }
}

/// Decodes one call and checks it: no panic; `Ok` results finite; the supervision complexity is
/// non-negative, the Cholesky solve has a small residual and `yᵀ α` equals the complexity, which
/// agrees with the eigendecomposition at zero ridge; the NTK Gram matrix is symmetric; teacher
/// probabilities are rows of a distribution; the KD loss is non-negative.
pub fn supervision(data: &[u8]) {
    let mut b = Bytes::new(data);
    let mode = b.byte();
    let hostile = mode & 0x80 != 0;
    match mode % 4 {
        0 => complexity_call::<f64>(&mut b, hostile),
        1 => complexity_call::<f32>(&mut b, hostile),
        2 => {
            let (n, d) = (b.below(6), b.below(4));
            let raw = b.values(n * d, hostile);
            let x = Mat::from_fn(n, d, |i, j| raw[i * d + j]);
            if let Ok(g) = relu_ntk_gram(x.as_ref()) {
                assert_finite("relu_ntk_gram", &flat(&g), &x);
                for i in 0..n {
                    for j in 0..i {
                        assert_eq!(g[(i, j)], g[(j, i)], "NTK Gram not symmetric\n{x:?}");
                    }
                }
            }
        }
        _ => {
            let (n, c) = (b.below(5), b.below(5));
            let raw = b.values(n * c, hostile);
            let z = Mat::from_fn(n, c, |i, j| raw[i * c + j]);
            let tau = b.positive(hostile) / 8.0;
            let call = (&z, tau);
            let Ok(p) = teacher_probabilities(z.as_ref(), tau) else {
                return;
            };
            assert_finite("teacher_probabilities", &flat(&p), &call);
            for i in 0..n {
                let s: f64 = (0..c).map(|j| p[(i, j)]).sum();
                assert!(
                    (s - 1.0).abs() <= 1e-12 * (c as f64 + 1.0),
                    "row {i} sums to {s}\n{call:?}"
                );
            }
            let raw_s = b.values(n * c, hostile);
            let s = Mat::from_fn(n, c, |i, j| raw_s[i * c + j]);
            let tau_s = b.positive(hostile) / 8.0;
            if let Ok((loss, grad)) = kd_loss_and_grad(p.as_ref(), s.as_ref(), tau_s) {
                assert_finite("kd grad", &flat(&grad), &(call, &s, tau_s));
                assert!(
                    loss.is_finite() && loss >= -1e-9,
                    "kd loss {loss}\n{:?}",
                    (call, &s, tau_s)
                );
            }
        }
    }
}
