//! GPU next-token model and divergence kernels against f64 CPU references written here.

use attnmech::cuda::{CudaLosses, Divergence, NextTokenBatch};
use rand::Rng;

fn losses_or_skip(test: &str) -> Option<CudaLosses> {
    match CudaLosses::new() {
        Ok(l) => Some(l),
        Err(e) => {
            eprintln!("SKIP: no CUDA: {e} ({test})");
            None
        }
    }
}

/// f64 oracle of the one-layer next-token model: mean log-loss and dL/dW (row-major d x d).
fn ntp_reference(
    emb: &[f64],
    d: usize,
    w: &[f64],
    tokens: &[usize],
    t_len: usize,
    labels: &[usize],
) -> (f64, Vec<f64>) {
    let n = labels.len();
    let mut loss = 0.0;
    let mut grad = vec![0.0; d * d];
    for (i, &y) in labels.iter().enumerate() {
        let tau = &tokens[i * t_len..(i + 1) * t_len];
        let xbar = &emb[tau[t_len - 1] * d..][..d];
        let u: Vec<f64> = (0..d)
            .map(|r| (0..d).map(|c| w[r * d + c] * xbar[c]).sum())
            .collect();
        let sig: Vec<f64> = tau
            .iter()
            .map(|&tok| (0..d).map(|r| emb[tok * d + r] * u[r]).sum())
            .collect();
        let mx = sig.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        let z: f64 = sig.iter().map(|s| (s - mx).exp()).sum();
        let a: Vec<f64> = sig.iter().map(|s| (s - mx).exp() / z).collect();
        let m = tau.iter().filter(|&&t| t == y).count() as f64;
        let mass: f64 = tau
            .iter()
            .zip(&a)
            .filter(|(&t, _)| t == y)
            .map(|(_, a)| a)
            .sum();
        loss -= mass.ln();
        for (t, &tok) in tau.iter().enumerate() {
            let g = a[t] - if tok == y { 1.0 / m } else { 0.0 };
            for r in 0..d {
                for c in 0..d {
                    grad[r * d + c] += g * emb[tok * d + r] * xbar[c] / n as f64;
                }
            }
        }
    }
    (loss / n as f64, grad)
}

struct NtpCase {
    emb: Vec<f32>,
    w: Vec<f32>,
    tokens: Vec<usize>,
    labels: Vec<usize>,
    vocab: usize,
    d: usize,
    t_len: usize,
}

impl NtpCase {
    fn batch<'a>(&'a self, labels: &'a [usize]) -> NextTokenBatch<'a> {
        NextTokenBatch {
            emb: &self.emb,
            vocab: self.vocab,
            dim: self.d,
            tokens: &self.tokens,
            seq_len: self.t_len,
            labels,
        }
    }
}

fn ntp_case(seed: u64, vocab: usize, d: usize, n: usize, t_len: usize, w_scale: f32) -> NtpCase {
    let mut rng = attnmech::rng::seeded(seed, 0);
    let emb = (0..vocab * d)
        .map(|_| rng.random_range(-1.0f32..1.0) / (d as f32).sqrt())
        .collect();
    let w = (0..d * d)
        .map(|_| w_scale * rng.random_range(-1.0f32..1.0))
        .collect();
    let tokens: Vec<usize> = (0..n * t_len).map(|_| rng.random_range(0..vocab)).collect();
    let labels = (0..n)
        .map(|i| tokens[i * t_len + rng.random_range(0..t_len)])
        .collect();
    NtpCase {
        emb,
        w,
        tokens,
        labels,
        vocab,
        d,
        t_len,
    }
}

fn widen(x: &[f32]) -> Vec<f64> {
    x.iter().map(|&v| v as f64).collect()
}

fn rel(got: &[f32], want: &[f64]) -> f64 {
    let num: f64 = got
        .iter()
        .zip(want)
        .map(|(&g, w)| (g as f64 - w).powi(2))
        .sum();
    let den: f64 = want.iter().map(|w| w * w).sum();
    (num / den.max(f64::MIN_POSITIVE)).sqrt()
}

/// The oracle itself: its gradient agrees with central differences of its loss (f64, h = 1e-6,
/// relative error ≤ 1e-7), so the GPU is compared with a validated reference.
#[test]
fn next_token_reference_gradient_matches_finite_differences() {
    let c = ntp_case(11, 7, 4, 5, 6, 1.0);
    let (emb, w) = (widen(&c.emb), widen(&c.w));
    let (_, g) = ntp_reference(&emb, c.d, &w, &c.tokens, c.t_len, &c.labels);
    let h = 1e-6;
    let mut num = 0.0;
    let mut den = 0.0;
    for j in 0..w.len() {
        let (mut wp, mut wm) = (w.clone(), w.clone());
        wp[j] += h;
        wm[j] -= h;
        let lp = ntp_reference(&emb, c.d, &wp, &c.tokens, c.t_len, &c.labels).0;
        let lm = ntp_reference(&emb, c.d, &wm, &c.tokens, c.t_len, &c.labels).0;
        let fd = (lp - lm) / (2.0 * h);
        num += (fd - g[j]).powi(2);
        den += g[j] * g[j];
    }
    assert!((num / den).sqrt() <= 1e-7, "{}", (num / den).sqrt());
}

/// Claim: the GPU next-token loss and gradient equal the f64 oracle: relative error ≤ 1e-5 for
/// the mean loss and relative Frobenius error ≤ 1e-5 for dL/dW. Cases: short sequences, a long
/// one (T = 300 > block size), and large scores (W scaled ×8) where the label dominates and the
/// loss is small (the log1p path). Tolerance: f32 sums over ≤ 300 positions and ≤ 40 dims.
#[test]
fn next_token_loss_grad_matches_reference() {
    let Some(gpu) = losses_or_skip("next_token_loss_grad_matches_reference") else {
        return;
    };
    for (ci, c) in [
        ntp_case(1, 50, 16, 64, 12, 1.0),
        ntp_case(2, 20, 40, 8, 300, 0.5),
        ntp_case(3, 6, 8, 16, 4, 8.0),
    ]
    .into_iter()
    .enumerate()
    {
        let got = gpu.next_token_loss_grad(&c.batch(&c.labels), &c.w).unwrap();
        let (loss, grad) = ntp_reference(
            &widen(&c.emb),
            c.d,
            &widen(&c.w),
            &c.tokens,
            c.t_len,
            &c.labels,
        );
        let el = (got.loss - loss).abs() / loss.abs();
        let eg = rel(&got.grad, &grad);
        eprintln!("ntp case {ci}: loss {loss:.6e} rel err {el:.2e}, grad rel err {eg:.2e}");
        assert!(el <= 1e-5 && eg <= 1e-5, "ntp case {ci}: {el:e} {eg:e}");
    }
    // A label that is not in its sequence is an error, not a NaN.
    let c = ntp_case(4, 10, 4, 2, 3, 1.0);
    let mut labels = c.labels.clone();
    labels[1] = (0..10).find(|v| !c.tokens[3..6].contains(v)).unwrap();
    assert!(matches!(
        gpu.next_token_loss_grad(&c.batch(&labels), &c.w),
        Err(attnmech::Error::Infeasible { .. })
    ));
}

/// f64 oracle of K1.1/K1.2: per-term values (their sum is the divergence) and the gradient.
fn divergence_reference(lp: &[f64], z: &[f64], kind: Divergence) -> (Vec<f64>, Vec<f64>) {
    let mx = z.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let lse = mx + z.iter().map(|v| (v - mx).exp()).sum::<f64>().ln();
    let lq: Vec<f64> = z.iter().map(|v| v - lse).collect();
    let q: Vec<f64> = lq.iter().map(|v| v.exp()).collect();
    let p: Vec<f64> = lp.iter().map(|v| v.exp()).collect();
    let xlogy = |p: f64, x: f64| if p == 0.0 { 0.0 } else { p * x };
    let n = z.len();
    match kind {
        Divergence::Fkl | Divergence::Jsd(0.0) => (
            (0..n).map(|v| xlogy(p[v], lp[v] - lq[v])).collect(),
            (0..n).map(|v| q[v] - p[v]).collect(),
        ),
        Divergence::Rkl | Divergence::Jsd(1.0) => {
            let f: Vec<f64> = (0..n).map(|v| lq[v] - lp[v].max(-1e4)).collect();
            let d: f64 = (0..n).map(|v| q[v] * f[v]).sum();
            (
                (0..n).map(|v| q[v] * f[v]).collect(),
                (0..n).map(|v| q[v] * (f[v] - d)).collect(),
            )
        }
        Divergence::Jsd(b) => {
            let lm: Vec<f64> = (0..n)
                .map(|v| {
                    let (x, y) = (b.ln() + lp[v], (1.0 - b).ln() + lq[v]);
                    let m = x.max(y);
                    m + ((x - m).exp() + (y - m).exp()).ln()
                })
                .collect();
            let gp: Vec<f64> = (0..n).map(|v| lq[v] - lm[v]).collect();
            let s: f64 = (0..n).map(|v| q[v] * gp[v]).sum();
            (
                (0..n)
                    .map(|v| b * xlogy(p[v], lp[v] - lm[v]) + (1.0 - b) * q[v] * gp[v])
                    .collect(),
                (0..n).map(|v| (1.0 - b) * q[v] * (gp[v] - s)).collect(),
            )
        }
        Divergence::Tvd => {
            let s: Vec<f64> = (0..n)
                .map(|v| {
                    if q[v] > p[v] {
                        1.0
                    } else if q[v] < p[v] {
                        -1.0
                    } else {
                        0.0
                    }
                })
                .collect();
            let sq: f64 = (0..n).map(|v| q[v] * s[v]).sum();
            (
                (0..n).map(|v| 0.5 * (p[v] - q[v]).abs()).collect(),
                (0..n).map(|v| 0.5 * q[v] * (s[v] - sq)).collect(),
            )
        }
    }
}

/// Claim (K1.1, K1.2 on the GPU): for FKL, RKL, JSD[β] (β = 0.1, 0.5, and the β = 0 / 1 end
/// conventions) and TVD, over vocabularies of 1, 1000 and 50 257 entries (teacher with some
/// zero-probability entries, `lp = −∞`), the per-row divergence matches the f64 oracle within
/// 1e-5·max(1, Σ_v |term_v|) and the logit gradient within relative Frobenius error 1e-5 (with
/// Σ_v g_v = 0 up to 1e-5·Σ|g|). Tolerance: the f32 log-softmax shift carries an absolute error
/// of about eps·|lse| ≈ 1e-6 into every log q, i.e. into each term in proportion to its weight.
#[test]
fn divergences_match_reference() {
    let Some(gpu) = losses_or_skip("divergences_match_reference") else {
        return;
    };
    let kinds = [
        Divergence::Fkl,
        Divergence::Rkl,
        Divergence::Jsd(0.1),
        Divergence::Jsd(0.5),
        Divergence::Jsd(0.0),
        Divergence::Jsd(1.0),
        Divergence::Tvd,
    ];
    for (vi, &vocab) in [1usize, 1000, 50_257].iter().enumerate() {
        let rows = 3;
        let mut rng = attnmech::rng::seeded(77, vi as u64);
        let z: Vec<f32> = (0..rows * vocab)
            .map(|_| rng.random_range(-4.0f32..4.0))
            .collect();
        let mut lp = vec![0.0f32; rows * vocab];
        for r in 0..rows {
            let t: Vec<f64> = (0..vocab)
                .map(|v| {
                    if vocab > 1 && v % 97 == 5 {
                        f64::NEG_INFINITY // zero teacher probability
                    } else {
                        rng.random_range(-4.0..4.0)
                    }
                })
                .collect();
            let mx = t.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
            let lse = mx + t.iter().map(|x| (x - mx).exp()).sum::<f64>().ln();
            for v in 0..vocab {
                lp[r * vocab + v] = (t[v] - lse) as f32;
            }
        }
        for kind in kinds {
            let got = gpu.divergence(&lp, &z, rows, vocab, kind).unwrap();
            for r in 0..rows {
                let (terms, g) = divergence_reference(
                    &widen(&lp[r * vocab..(r + 1) * vocab]),
                    &widen(&z[r * vocab..(r + 1) * vocab]),
                    kind,
                );
                let d: f64 = terms.iter().sum();
                let scale: f64 = terms.iter().map(|t| t.abs()).sum::<f64>().max(1.0);
                let ed = (got.value[r] as f64 - d).abs() / scale;
                let gg = &got.grad[r * vocab..(r + 1) * vocab];
                let eg = if g.iter().all(|&x| x == 0.0) {
                    gg.iter().map(|x| x.abs() as f64).sum()
                } else {
                    rel(gg, &g)
                };
                let gsum: f64 = gg.iter().map(|&x| x as f64).sum();
                let gabs: f64 = gg.iter().map(|&x| x.abs() as f64).sum();
                if r == 0 {
                    eprintln!("V={vocab} {kind:?}: D={d:.4e} err {ed:.2e}, grad err {eg:.2e}");
                }
                assert!(ed <= 1e-5, "V={vocab} {kind:?} row {r}: D err {ed:e}");
                assert!(eg <= 1e-5, "V={vocab} {kind:?} row {r}: grad err {eg:e}");
                assert!(
                    gsum.abs() <= 1e-5 * gabs.max(1e-30),
                    "V={vocab} {kind:?}: Σg = {gsum:e}"
                );
            }
        }
    }
    assert!(matches!(
        gpu.divergence(&[0.0], &[0.0], 1, 1, Divergence::Jsd(1.5)),
        Err(attnmech::Error::InvalidArgument { .. })
    ));
}
