//! The prefix-LM mask built from the attention kernels, against a dense f64 oracle, with gradients
//! against central differences.

use attnmech::attention::{self, Options, Shape};
use attnmech::pause::prefix_lm;
use attnmech::rng::seeded;
use rand::Rng;

fn oracle(q: &[f64], k: &[f64], v: &[f64], n: usize, d: usize, p: usize) -> Vec<f64> {
    let scale = 1.0 / (d as f64).sqrt();
    let mut out = vec![0.0; n * d];
    for i in 0..n {
        let vis = if i < p { p } else { i + 1 };
        let s: Vec<f64> = (0..vis)
            .map(|j| scale * (0..d).map(|t| q[i * d + t] * k[j * d + t]).sum::<f64>())
            .collect();
        let m = s.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        let w: Vec<f64> = s.iter().map(|x| (x - m).exp()).collect();
        let z: f64 = w.iter().sum();
        for j in 0..vis {
            for t in 0..d {
                out[i * d + t] += w[j] / z * v[j * d + t];
            }
        }
    }
    out
}

/// Prefix-LM output equals the dense oracle (1e-13) for n ∈ {1, 5, 9}, every P ≤ n, batch 2 ×
/// heads 2; P ≤ 1 equals the kernel's plain causal output.
#[test]
fn prefix_lm_matches_oracle_and_causal() {
    let mut rng = seeded(81, 0);
    let d = 4;
    for n in [1usize, 5, 9] {
        let shape = Shape {
            batch: 2,
            heads: 2,
            q_len: n,
            kv_len: n,
            head_dim: d,
        };
        let mut draw = || {
            (0..shape.q_elems())
                .map(|_| rng.random::<f64>() * 2.0 - 1.0)
                .collect::<Vec<f64>>()
        };
        let (q, k, v) = (draw(), draw(), draw());
        for p in 0..=n {
            let f = prefix_lm::forward(&q, &k, &v, shape, p, None).unwrap();
            for bh in 0..4 {
                let sl = |x: &[f64]| x[bh * n * d..(bh + 1) * n * d].to_vec();
                let want = oracle(&sl(&q), &sl(&k), &sl(&v), n, d, p);
                for (a, b) in sl(&f.out).iter().zip(&want) {
                    assert!((a - b).abs() < 1e-13);
                }
            }
            if p <= 1 {
                let c =
                    attention::forward(&q, &k, &v, shape, &Options::new().causal(true)).unwrap();
                for (a, b) in c.out.iter().zip(&f.out) {
                    assert!((a - b).abs() < 1e-15);
                }
            }
        }
        assert!(prefix_lm::forward(&q, &k, &v, shape, n + 1, None).is_err());
    }
}

/// Prefix-LM backward against central differences of `Σ out ⊙ w` (h = 1e-6, abs 1e-8) for every
/// entry of q, k, v, n = 6, P ∈ {0, 3, 6}.
#[test]
fn prefix_lm_gradients_match_finite_differences() {
    let mut rng = seeded(82, 0);
    let (n, d) = (6, 3);
    let shape = Shape {
        batch: 1,
        heads: 1,
        q_len: n,
        kv_len: n,
        head_dim: d,
    };
    let mut draw = || {
        (0..n * d)
            .map(|_| rng.random::<f64>() * 2.0 - 1.0)
            .collect::<Vec<f64>>()
    };
    let (q, k, v, w) = (draw(), draw(), draw(), draw());
    let obj = |q: &[f64], k: &[f64], v: &[f64], p: usize| -> f64 {
        let f = prefix_lm::forward(q, k, v, shape, p, None).unwrap();
        f.out.iter().zip(&w).map(|(a, b)| a * b).sum()
    };
    for p in [0, 3, 6] {
        let f = prefix_lm::forward(&q, &k, &v, shape, p, None).unwrap();
        let g = prefix_lm::backward(&q, &k, &v, &f, &w, shape, p, None).unwrap();
        let h = 1e-6;
        for which in 0..3 {
            for i in 0..n * d {
                let mut xs = [q.clone(), k.clone(), v.clone()];
                xs[which][i] += h;
                let up = obj(&xs[0], &xs[1], &xs[2], p);
                xs[which][i] -= 2.0 * h;
                let dn = obj(&xs[0], &xs[1], &xs[2], p);
                let fd = (up - dn) / (2.0 * h);
                let an = [&g.dq, &g.dk, &g.dv][which][i];
                assert!(
                    (fd - an).abs() < 1e-8,
                    "P={p} which={which} i={i}: {fd} vs {an}"
                );
            }
        }
    }
}
