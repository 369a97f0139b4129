//! Divergence kernels: worked example, agreement with the f64 reference on sizes around chunk
//! edges in f32 and f64, gradients against central finite differences (DS10), JSD limits and
//! bounds (DS11), errors.

use attnmech::distill::reference;
use attnmech::distill::{divergence_and_grad, divergence_only, Divergence};
use attnmech::rng::seeded;
use attnmech::Error;
use rand::Rng;
use rand_distr::{Distribution, StandardNormal};

const ALL: [Divergence; 6] = [
    Divergence::ForwardKl,
    Divergence::ReverseKl,
    Divergence::Jsd { beta: 0.1 },
    Divergence::Jsd { beta: 0.5 },
    Divergence::Jsd { beta: 0.9 },
    Divergence::Tvd,
];

fn normal(rng: &mut impl Rng, n: usize, scale: f64) -> Vec<f64> {
    (0..n)
        .map(|_| scale * <StandardNormal as Distribution<f64>>::sample(&StandardNormal, rng))
        .collect()
}

fn one(div: Divergence, lp: &[f64], z: &[f64], t: f64) -> (f64, Vec<f64>) {
    let mut g = vec![0.0; z.len()];
    let l = divergence_and_grad(div, lp, z, z.len(), t, &mut g).unwrap();
    (l[0], g)
}

/// Spec 1(e) worked example: p=[.5,.3,.2], z = ln q with q=[.2,.5,.3]. The printed values have 10
/// significant digits, so the tolerance is 1e-9 absolute.
#[test]
fn worked_example_values_and_gradients() {
    let lp: Vec<f64> = [0.5f64, 0.3, 0.2].iter().map(|x| x.ln()).collect();
    let z: Vec<f64> = [0.2f64, 0.5, 0.3].iter().map(|x| x.ln()).collect();
    let cases: [(Divergence, f64, Option<[f64; 3]>); 6] = [
        (Divergence::ForwardKl, 0.2238046572, Some([-0.3, 0.2, 0.1])),
        (
            Divergence::ReverseKl,
            0.1937941979,
            Some([-0.2220169860, 0.1585157129, 0.0635012731]),
        ),
        (Divergence::Tvd, 0.3, Some([-0.16, 0.10, 0.06])),
        (
            Divergence::Jsd { beta: 0.5 },
            0.0508746125,
            Some([-0.0613960873, 0.0421996166, 0.0191964708]),
        ),
        (Divergence::Jsd { beta: 0.1 }, 0.0196612263, None),
        (Divergence::Jsd { beta: 0.9 }, 0.0175625983, None),
    ];
    for (div, want, grad) in cases {
        let (l, g) = one(div, &lp, &z, 1.0);
        assert!((l - want).abs() < 1e-9, "{div:?}: {l} vs {want}");
        if let Some(gw) = grad {
            for k in 0..3 {
                assert!(
                    (g[k] - gw[k]).abs() < 1e-9,
                    "{div:?} grad {k}: {} vs {}",
                    g[k],
                    gw[k]
                );
            }
        }
    }
}

/// Optimised kernel against the f64 reference, f64 and f32, on vocabularies around typical chunk
/// edges and several temperatures. Tolerances: f64 1e-12 (both are direct evaluations with f64
/// sums); f32 relative 1e-4 of the row scale (f32 rounding of `lq` over up to 1025 entries).
#[test]
fn kernel_matches_reference_f64_and_f32() {
    let mut rng = seeded(11, 0);
    for &v in &[
        1usize, 2, 7, 8, 9, 15, 16, 17, 63, 64, 65, 1023, 1024, 1025, 3000,
    ] {
        for &t in &[0.5, 1.0, 2.0] {
            let positions = 3;
            let tz = normal(&mut rng, positions * v, 2.0);
            let z = normal(&mut rng, positions * v, 2.0);
            let lp: Vec<f64> = tz
                .chunks(v)
                .flat_map(|r| reference::log_softmax(r, 1.0).unwrap())
                .collect();
            for div in ALL {
                let mut g = vec![0.0; z.len()];
                let l = divergence_and_grad(div, &lp, &z, v, t, &mut g).unwrap();
                let lo = divergence_only(div, &lp, &z, v, t).unwrap();
                let lp32: Vec<f32> = lp.iter().map(|&x| x as f32).collect();
                let z32: Vec<f32> = z.iter().map(|&x| x as f32).collect();
                let mut g32 = vec![0.0f32; z.len()];
                let l32 = divergence_and_grad(div, &lp32, &z32, v, t, &mut g32).unwrap();
                for r in 0..positions {
                    let (rl, rg) =
                        reference::divergence_and_grad(div, &lp[r * v..][..v], &z[r * v..][..v], t)
                            .unwrap();
                    assert!(
                        (l[r] - rl).abs() <= 1e-12 * (1.0 + rl.abs()),
                        "{div:?} v={v}"
                    );
                    assert_eq!(l[r], lo[r]);
                    assert!(
                        (l32[r] as f64 - rl).abs() <= 1e-4 * (1.0 + rl.abs()),
                        "{div:?} f32 v={v}: {} vs {rl}",
                        l32[r]
                    );
                    for k in 0..v {
                        let gk = g[r * v + k];
                        assert!((gk - rg[k]).abs() <= 1e-12, "{div:?} v={v} grad");
                        assert!(
                            (g32[r * v + k] as f64 - rg[k]).abs() <= 1e-5,
                            "{div:?} f32 grad"
                        );
                    }
                }
            }
        }
    }
}

/// DS10: gradients against central differences (h = 1e-6, abs err ≤ 1e-8: truncation error
/// O(h²·f''') ≈ 1e-12 plus rounding ≈ ε/h ≈ 2e-10), and Σ_k g_k = 0 to 1e-12 (shift invariance).
/// TVD is checked at points where no |p − q| is within 1e-4 of zero, so it is differentiable
/// within ±h.
#[test]
fn ds10_gradients_match_central_differences() {
    let mut rng = seeded(12, 0);
    let mut worst = 0.0f64;
    for case in 0..60 {
        let v = 2 + case % 11;
        let t = [0.7, 1.0, 1.8][case % 3];
        let lp = reference::log_softmax(&normal(&mut rng, v, 2.0), 1.0).unwrap();
        let z = normal(&mut rng, v, 2.0);
        for div in ALL {
            if div == Divergence::Tvd {
                let q = reference::log_softmax(&z, t).unwrap();
                if lp
                    .iter()
                    .zip(&q)
                    .any(|(a, b)| (a.exp() - b.exp()).abs() < 1e-4)
                {
                    continue;
                }
            }
            let (_, g) = one(div, &lp, &z, t);
            assert!(g.iter().sum::<f64>().abs() <= 1e-12, "{div:?} Σg");
            let h = 1e-6;
            for k in 0..v {
                let (mut zp, mut zm) = (z.clone(), z.clone());
                zp[k] += h;
                zm[k] -= h;
                let fd = (one(div, &lp, &zp, t).0 - one(div, &lp, &zm, t).0) / (2.0 * h);
                worst = worst.max((fd - g[k]).abs());
                assert!(
                    (fd - g[k]).abs() <= 1e-8,
                    "{div:?} k={k}: fd {fd} vs {}",
                    g[k]
                );
            }
        }
    }
    eprintln!("DS10 worst |fd - g| = {worst:e}");
}

/// DS10 (score-function form of the TVD gradient): `E_{y~q}[(e_y − q)·1{q_y > p_y}]` estimated
/// with N = 2e5 draws equals the analytic gradient within 4 standard errors per coordinate.
#[test]
fn ds10_tvd_score_function_estimator() {
    let lp: Vec<f64> = [0.5f64, 0.3, 0.2].iter().map(|x| x.ln()).collect();
    let z: Vec<f64> = [0.2f64, 0.5, 0.3].iter().map(|x| x.ln()).collect();
    let (_, g) = one(Divergence::Tvd, &lp, &z, 1.0);
    let p = [0.5, 0.3, 0.2];
    let q = [0.2, 0.5, 0.3];
    let n = 200_000;
    let mut rng = seeded(13, 0);
    let (mut sum, mut sum2) = ([0.0f64; 3], [0.0f64; 3]);
    for _ in 0..n {
        let u: f64 = rng.random();
        let y = if u < q[0] {
            0
        } else if u < q[0] + q[1] {
            1
        } else {
            2
        };
        let ind = if q[y] > p[y] { 1.0 } else { 0.0 };
        for k in 0..3 {
            let x = ((k == y) as u8 as f64 - q[k]) * ind;
            sum[k] += x;
            sum2[k] += x * x;
        }
    }
    for k in 0..3 {
        let mean = sum[k] / n as f64;
        let se = ((sum2[k] / n as f64 - mean * mean) / n as f64).sqrt();
        let zscore = (mean - g[k]) / se;
        eprintln!("DS10 score-function z[{k}] = {zscore:.3}");
        assert!(zscore.abs() < 4.0);
    }
}

/// DS11 over 1000 random (p, q), V ∈ [2, 12], logits 2·N(0,1): `|JSD[β]/β − FKL| ≤ β χ²(p‖q) + 1e-8`
/// and `|JSD[β]/(1−β) − RKL| ≤ (1−β) χ²(q‖p) + 1e-8` for β → 0 / 1 (the leading term is half of
/// that; 1e-8 absorbs the cancellation in JSD at β = 1e-6); `JSD[β] ≤ H_b(β)`;
/// `TVD²/2 ≤ JSD[½] ≤ ln2·TVD`; Pinsker `TVD ≤ √(min(FKL, RKL)/2)`. Zero violations.
#[test]
fn ds11_jsd_limits_and_bounds() {
    let mut rng = seeded(14, 0);
    for _ in 0..1000 {
        let v = rng.random_range(2..=12);
        let lp = reference::log_softmax(&normal(&mut rng, v, 2.0), 1.0).unwrap();
        let z = normal(&mut rng, v, 2.0);
        let lq = reference::log_softmax(&z, 1.0).unwrap();
        let (p, q): (Vec<f64>, Vec<f64>) = (
            lp.iter().map(|x| x.exp()).collect(),
            lq.iter().map(|x| x.exp()).collect(),
        );
        let chi_pq: f64 = (0..v).map(|k| (p[k] - q[k]).powi(2) / q[k]).sum();
        let chi_qp: f64 = (0..v).map(|k| (p[k] - q[k]).powi(2) / p[k]).sum();
        let fkl = one(Divergence::ForwardKl, &lp, &z, 1.0).0;
        let rkl = one(Divergence::ReverseKl, &lp, &z, 1.0).0;
        let tvd = one(Divergence::Tvd, &lp, &z, 1.0).0;
        for beta in [1e-4, 1e-6] {
            let j = one(Divergence::Jsd { beta }, &lp, &z, 1.0).0;
            assert!((j / beta - fkl).abs() <= beta * chi_pq + 1e-8, "β={beta}");
            let j1 = one(Divergence::Jsd { beta: 1.0 - beta }, &lp, &z, 1.0).0;
            assert!(
                (j1 / beta - rkl).abs() <= beta * chi_qp + 1e-6 * (1.0 + rkl),
                "1-β={beta}"
            );
        }
        for beta in [0.1, 0.3, 0.5, 0.7, 0.9] {
            let j = one(Divergence::Jsd { beta }, &lp, &z, 1.0).0;
            let hb = -beta * beta.ln() - (1.0 - beta) * (1.0 - beta).ln();
            assert!(j <= hb + 1e-12 && j >= -1e-15);
        }
        let jh = one(Divergence::Jsd { beta: 0.5 }, &lp, &z, 1.0).0;
        assert!(tvd * tvd / 2.0 <= jh + 1e-15 && jh <= std::f64::consts::LN_2 * tvd + 1e-15);
        assert!(tvd <= (fkl.min(rkl) / 2.0).sqrt() + 1e-12);
    }
    // End points are the conventions, not the vanishing limits of JSD[β] itself.
    let lp = reference::log_softmax(&[0.3, -1.0, 2.0], 1.0).unwrap();
    let z = [1.0, 0.0, -1.0];
    assert_eq!(
        one(Divergence::Jsd { beta: 0.0 }, &lp, &z, 1.0),
        one(Divergence::ForwardKl, &lp, &z, 1.0)
    );
    assert_eq!(
        one(Divergence::Jsd { beta: 1.0 }, &lp, &z, 1.0),
        one(Divergence::ReverseKl, &lp, &z, 1.0)
    );
}

/// Teacher zeros (−∞ log-probs) follow `xlogy(0, ·) = 0`; RKL stays finite in f32 (the −1e4 floor).
#[test]
fn teacher_zeros_and_floor() {
    let lp = [0.0f64.ln(), 0.5f64.ln(), 0.5f64.ln()];
    let z = [0.0, 0.0, 0.0];
    let (fkl, _) = one(Divergence::ForwardKl, &lp, &z, 1.0);
    assert!((fkl - (0.5f64.ln() - (1.0f64 / 3.0).ln())).abs() < 1e-14);
    let lp32 = [f32::NEG_INFINITY, 0.5f32.ln(), 0.5f32.ln()];
    let z32 = [0.0f32; 3];
    let mut g = [0.0f32; 3];
    let l = divergence_and_grad(Divergence::ReverseKl, &lp32, &z32, 3, 1.0, &mut g).unwrap();
    assert!(l[0].is_finite() && g.iter().all(|x| x.is_finite()));
}

/// Bad input is an `Err`: shapes, NaN, +∞ log-probs, unnormalised teacher, bad T and β.
#[test]
fn divergence_errors() {
    let lp = reference::log_softmax(&[0.0, 1.0], 1.0).unwrap();
    let z = [0.0, 1.0];
    let mut g = [0.0; 2];
    let d = Divergence::ForwardKl;
    assert!(matches!(
        divergence_and_grad(d, &lp, &z[..1], 2, 1.0, &mut g),
        Err(Error::ShapeMismatch { .. })
    ));
    assert!(matches!(
        divergence_and_grad(d, &lp, &z, 2, 1.0, &mut g[..1]),
        Err(Error::ShapeMismatch { .. })
    ));
    assert!(matches!(
        divergence_and_grad(d, &lp, &[f64::NAN, 0.0], 2, 1.0, &mut g),
        Err(Error::NonFinite { .. })
    ));
    assert!(matches!(
        divergence_and_grad(d, &[f64::INFINITY, 0.0], &z, 2, 1.0, &mut g),
        Err(Error::NonFinite { .. })
    ));
    assert!(matches!(
        divergence_and_grad(d, &[0.0, 0.0], &z, 2, 1.0, &mut g),
        Err(Error::InvalidArgument { .. })
    ));
    assert!(matches!(
        divergence_and_grad(d, &lp, &z, 2, 0.0, &mut g),
        Err(Error::InvalidArgument { .. })
    ));
    assert!(matches!(
        divergence_and_grad(Divergence::Jsd { beta: 1.5 }, &lp, &z, 2, 1.0, &mut g),
        Err(Error::InvalidArgument { .. })
    ));
    assert!(matches!(
        divergence_and_grad(d, &lp, &z, 0, 1.0, &mut g),
        Err(Error::InvalidArgument { .. })
    ));
}

/// The f32 lane path reports bad input exactly like the generic path (it falls back to it), and
/// its polynomial `exp` stays within `(|lq| + 4)` f32 ulps (relative) of the f64 value over the range
/// the kernels use: the `|lq|` part is the rounding of the f32 argument `z − L` itself.
#[test]
fn f32_path_errors_and_exp_accuracy() {
    let lp: Vec<f32> = vec![(0.25f32).ln(); 4];
    let mut g = [0.0f32; 4];
    for div in [
        Divergence::ForwardKl,
        Divergence::ReverseKl,
        Divergence::Tvd,
    ] {
        let bad_z = [0.0, f32::NAN, 0.0, 0.0];
        assert!(matches!(
            divergence_and_grad(div, &lp, &bad_z, 4, 1.0, &mut g),
            Err(Error::NonFinite {
                what: "student_logits",
                ..
            })
        ));
        let bad_lp = [f32::INFINITY, 0.0, 0.0, 0.0];
        assert!(matches!(
            divergence_and_grad(div, &bad_lp, &[0.0; 4], 4, 1.0, &mut g),
            Err(Error::NonFinite { .. })
        ));
        let nan_lp = [f32::NAN, 0.0, 0.0, 0.0];
        assert!(matches!(
            divergence_and_grad(div, &nan_lp, &[0.0; 4], 4, 1.0, &mut g),
            Err(Error::NonFinite { .. })
        ));
        let unnorm = [0.0f32; 4];
        assert!(matches!(
            divergence_and_grad(div, &unnorm, &[0.0; 4], 4, 1.0, &mut g),
            Err(Error::InvalidArgument { .. })
        ));
    }
    // exp accuracy through FKL's gradient: q − p with p = 0 isolates q = exp(z − L).
    let v = 2000;
    let z: Vec<f32> = (0..v).map(|i| -80.0 + 80.0 * i as f32 / v as f32).collect();
    let mut lp = vec![f32::NEG_INFINITY; v];
    lp[v - 1] = 0.0;
    let mut g = vec![0.0f32; v];
    divergence_and_grad(Divergence::ForwardKl, &lp, &z, v, 1.0, &mut g).unwrap();
    let zf: Vec<f64> = z.iter().map(|&x| x as f64).collect();
    let lq = reference::log_softmax(&zf, 1.0).unwrap();
    for k in 0..v - 1 {
        let want = lq[k].exp();
        let tol = (lq[k].abs() + 4.0) * f32::EPSILON as f64 * want + 1e-37;
        assert!(
            (g[k] as f64 - want).abs() <= tol,
            "k={k}: {} vs {want}",
            g[k]
        );
    }
}

/// TVD's gradient uses the documented subgradient `sign(0) = 0` at an exact tie `q_v = p_v`.
/// Instance: V = 4, `z = 0` (so `q = 1/4` each, `lq = −ln 4` exactly as the kernel forms it:
/// `0·(1/T) − (0 + ln 4)`), teacher `p = (1/4, 1/4, 1/2, 0)` given as `lp = (−ln 4, −ln 4, −ln 2,
/// −∞)`: ties at v = 0, 1, so `s = (0, 0, −q, q)`, `Σ q s = 0` and `∇ = ½ (s − q Σ q s) =
/// (0, 0, −1/8, 1/8)`. Tolerance 1e-15: `exp(−ln 4)` is 1/4 to an ulp. Kills `divergence.rs:
/// replace > with >= in row_unchecked` (`sign(0) = 1`, another subgradient: `(1/16, 1/16, −3/16,
/// 1/16)`), which random inputs never reach.
#[test]
fn tvd_gradient_takes_sign_zero_at_exact_ties() {
    let ln4 = 4f64.ln();
    let lp = [-ln4, -ln4, -(2f64.ln()), f64::NEG_INFINITY];
    let z = [0.0; 4];
    let (_, g) = one(Divergence::Tvd, &lp, &z, 1.0);
    let want = [0.0, 0.0, -0.125, 0.125];
    for (v, (a, b)) in g.iter().zip(want).enumerate() {
        assert!((a - b).abs() <= 1e-15, "v = {v}: {g:?}");
    }
}
