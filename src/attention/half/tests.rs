//! bf16/f16 against the f64 oracle on the stored inputs, with bounds from the formats' unit
//! roundoff (argued in proofs-notes/attention.md), and a planted bf16 accumulation they reject.

use super::*;
use crate::attention::reference;
use rand::Rng;

fn draw<H: Half>(n: usize, seed: u64, stream: u64) -> (Vec<H>, Vec<f64>) {
    let mut rng = crate::rng::seeded(seed, stream);
    let x: Vec<f32> = (0..n).map(|_| rng.random_range(-1.0..1.0)).collect();
    let h = H::from_f32s(&x);
    let exact = H::to_f32s(&h).iter().map(|&v| v as f64).collect();
    (h, exact)
}

fn rel_err(got: &[f32], want: &[f64]) -> f64 {
    let num: f64 = got
        .iter()
        .zip(want)
        .map(|(g, w)| (*g as f64 - w).powi(2))
        .sum();
    let den: f64 = want.iter().map(|w| w * w).sum();
    (num / den).sqrt()
}

/// `f32` kernel error allowance: `c·u₃₂·√(M·d)` (c = 4 forward, 40 gradients: one more GEMM level
/// and the cancellation in `dP − D`), as for the `f32` kernels.
fn f32_allowance(c: f64, m: usize, d: usize) -> f64 {
    c * (f32::EPSILON as f64 / 2.0) * ((m * d) as f64).sqrt()
}

const SHAPE: Shape = Shape {
    batch: 1,
    heads: 2,
    q_len: 70,
    kv_len: 70,
    head_dim: 32,
};

struct Inputs<H> {
    q: Vec<H>,
    k: Vec<H>,
    v: Vec<H>,
    d_out: Vec<H>,
    exact: [Vec<f64>; 4],
}

fn inputs<H: Half>(seed: u64) -> Inputs<H> {
    let (q, q64) = draw::<H>(SHAPE.q_elems(), seed, 0);
    let (k, k64) = draw::<H>(SHAPE.kv_elems(), seed, 1);
    let (v, v64) = draw::<H>(SHAPE.kv_elems(), seed, 2);
    let (d_out, d64) = draw::<H>(SHAPE.q_elems(), seed, 3);
    Inputs {
        q,
        k,
        v,
        d_out,
        exact: [q64, k64, v64, d64],
    }
}

fn forward_error<H: Half>(x: &Inputs<H>, opts: &Options) -> f64 {
    let got = forward(&x.q, &x.k, &x.v, SHAPE, opts).unwrap();
    let [q, k, v, _] = &x.exact;
    let want = reference::forward(q, k, v, SHAPE, opts).unwrap();
    rel_err(&H::to_f32s(&got.out), &want.out)
}

fn check_forward_backward<H: Half>() {
    let u = H::UNIT_ROUNDOFF;
    for causal in [false, true] {
        let opts = Options::new().causal(causal);
        let x = inputs::<H>(1);
        let bound = u + 2.0 * f32_allowance(4.0, 70, 32);
        let e = forward_error(&x, &opts);
        assert!(e <= bound, "{} forward: {e:.2e} > {bound:.2e}", H::NAME);
        let g = backward(&x.q, &x.k, &x.v, &x.d_out, SHAPE, &opts).unwrap();
        let [q, k, v, d] = &x.exact;
        let fwd = reference::forward(q, k, v, SHAPE, &opts).unwrap();
        let want = reference::backward(q, k, v, &fwd, d, SHAPE, &opts).unwrap();
        let bound = u + 2.0 * f32_allowance(40.0, 70, 32);
        for (name, got, want) in [
            ("dq", &g.dq, &want.dq),
            ("dk", &g.dk, &want.dk),
            ("dv", &g.dv, &want.dv),
        ] {
            let e = rel_err(&H::to_f32s(got), want);
            assert!(e <= bound, "{} {name}: {e:.2e} > {bound:.2e}", H::NAME);
        }
    }
}

#[test]
fn bf16_forward_backward_within_unit_roundoff() {
    check_forward_backward::<bf16>();
}

#[test]
fn f16_forward_backward_within_unit_roundoff() {
    check_forward_backward::<f16>();
}

/// A planted bug: accumulates `Σ_j P_ij v_j` in bf16 (every partial sum rounded), the error
/// that f32 accumulation exists to avoid: about `u·√M` relative, several times the bound.
fn bf16_accumulated_forward(x: &Inputs<bf16>) -> Vec<f32> {
    let [q, k, v, _] = &x.exact;
    let (n, m, d) = (SHAPE.q_len, SHAPE.kv_len, SHAPE.head_dim);
    let scale = 1.0 / (d as f64).sqrt();
    let mut out = vec![0.0f32; SHAPE.q_elems()];
    for h in 0..SHAPE.heads {
        for i in 0..n {
            let qi = &q[(h * n + i) * d..(h * n + i + 1) * d];
            let s: Vec<f64> = (0..m)
                .map(|j| scale * (0..d).map(|t| qi[t] * k[(h * m + j) * d + t]).sum::<f64>())
                .collect();
            let mx = s.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
            let e: Vec<f64> = s.iter().map(|x| (x - mx).exp()).collect();
            let sum: f64 = e.iter().sum();
            for t in 0..d {
                let mut acc = bf16::ZERO;
                for j in 0..m {
                    let term = e[j] / sum * v[(h * m + j) * d + t];
                    acc = bf16::from_f64(acc.to_f64() + term);
                }
                out[(h * n + i) * d + t] = acc.to_f32();
            }
        }
    }
    out
}

#[test]
fn bf16_accumulation_is_rejected() {
    let x = inputs::<bf16>(2);
    let [q, k, v, _] = &x.exact;
    let want = reference::forward(q, k, v, SHAPE, &Options::default()).unwrap();
    let bound = bf16::UNIT_ROUNDOFF + 2.0 * f32_allowance(4.0, 70, 32);
    let e = rel_err(&bf16_accumulated_forward(&x), &want.out);
    assert!(e > bound, "bf16 accumulation {e:.2e} within {bound:.2e}");
    // The same check passes the real kernel on the same inputs.
    assert!(forward_error(&x, &Options::default()) <= bound);
}

#[test]
fn bf16_decode_within_unit_roundoff_and_paged_agrees() {
    let shape = DecodeShape {
        batch: 2,
        heads: 4,
        kv_heads: 2,
        q_len: 2,
        kv_len: 300,
        head_dim: 16,
    };
    let opts = Options::new()
        .causal(true)
        .kv_valid_len_opt(Some(vec![300, 131]));
    let (q, q64) = draw::<bf16>(shape.q_elems().unwrap(), 3, 0);
    let (k, k64) = draw::<bf16>(shape.kv_elems().unwrap(), 3, 1);
    let (v, v64) = draw::<bf16>(shape.kv_elems().unwrap(), 3, 2);
    let got = decode(&q, &k, &v, shape, &opts).unwrap();
    let want = decode::decode(&q64, &k64, &v64, shape, &opts).unwrap();
    let e = rel_err(&bf16::to_f32s(&got.out), &want.out);
    let bound = bf16::UNIT_ROUNDOFF + 2.0 * f32_allowance(4.0, 300, 16);
    assert!(e <= bound, "decode {e:.2e} > {bound:.2e}");
    // The cache as 16-position blocks in order: block t of sequence b is block b·19 + t.
    let table: Vec<u32> = (0..2 * 19).collect();
    let mut kp = vec![bf16::ZERO; 2 * 19 * 16 * 2 * 16];
    let mut vp = kp.clone();
    kp[..k.len()].copy_from_slice(&k[..]);
    vp[..v.len()].copy_from_slice(&v[..]);
    // Sequence 1 starts at position 300 of the flat cache, not at block 19: move it.
    let row = 2 * 16;
    for j in 0..300 {
        let (src, dst) = ((300 + j) * row, (19 * 16 + j) * row);
        kp[dst..dst + row].copy_from_slice(&k[src..src + row]);
        vp[dst..dst + row].copy_from_slice(&v[src..src + row]);
    }
    let kv = PagedKv {
        k_blocks: &kp,
        v_blocks: &vp,
        block_size: 16,
        block_table: &table,
    };
    assert_eq!(decode_paged(&q, &kv, shape, &opts).unwrap(), got);
}
