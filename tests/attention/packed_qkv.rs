//! Packed QKV (`[B, S, 3, H, D]`, taken with no copy through `View::packed_qkv`) through the CPU
//! kernel, forward and backward, against the f64 oracle on dense `[B, H, S, D]` copies of the same
//! values (so the packed addressing is checked independently of the kernel's own strides).
//!
//! Claim: the three slot views address q, k and v of each token, and the kernel reads them at
//! their strides. Measured: relative Frobenius error of out, lse, dq, dk, dv against the oracle,
//! held to the conformance tolerances (f64 1e-12; f32 1e-5 for out and lse, 1e-4 for gradients).
//! Shape: 70 tokens (past the 64-row tile edge), 3 heads, d = 8, causal, batch 2.

use attnmech::attention::{
    AttentionKernel, CpuTiled, Forward, Grads, GradsMut, Options, Reference, View, ViewMut,
};
use attnmech::Float;
use rand::Rng;

const B: usize = 2;
const S: usize = 70;
const H: usize = 3;
const D: usize = 8;

/// Element `(b, s, which, h, t)` of the packed buffer.
fn packed_at(b: usize, s: usize, which: usize, h: usize, t: usize) -> usize {
    (((b * S + s) * 3 + which) * H + h) * D + t
}

/// Slot `which` of `packed` copied into a dense `[B, H, S, D]` buffer.
fn dense_copy<T: Copy>(packed: &[T], which: usize) -> Vec<T> {
    let mut out = Vec::with_capacity(B * H * S * D);
    for b in 0..B {
        for h in 0..H {
            for s in 0..S {
                for t in 0..D {
                    out.push(packed[packed_at(b, s, which, h, t)]);
                }
            }
        }
    }
    out
}

fn rel(got: &[f64], want: &[f64]) -> f64 {
    let num: f64 = got.iter().zip(want).map(|(a, b)| (a - b) * (a - b)).sum();
    let den: f64 = want.iter().map(|b| b * b).sum();
    (num / den.max(1e-300)).sqrt()
}

/// Forward and backward of the CPU kernel on packed views, in dtype `T`.
fn cpu_on_packed<T: Float>(packed: &[T], d_out: &[T], opts: &Options) -> (Forward<T>, Grads<T>) {
    let slot = |which| View::packed_qkv(packed, which, B, S, H, D).unwrap();
    let fwd = CpuTiled.forward(slot(0), slot(1), slot(2), opts).unwrap();
    let (mut dq, mut dk, mut dv) = (
        vec![T::nan(); B * H * S * D],
        vec![T::nan(); B * H * S * D],
        vec![T::nan(); B * H * S * D],
    );
    let grads = GradsMut {
        dq: ViewMut::bhsd("dq", &mut dq, B, H, S, D).unwrap(),
        dk: ViewMut::bhsd("dk", &mut dk, B, H, S, D).unwrap(),
        dv: ViewMut::bhsd("dv", &mut dv, B, H, S, D).unwrap(),
        d_sink: &mut [],
    };
    let dense = |x| View::bhsd("x", x, B, H, S, D).unwrap();
    CpuTiled
        .backward_into(
            slot(0),
            slot(1),
            slot(2),
            dense(&fwd.out),
            &fwd.lse,
            dense(d_out),
            opts,
            grads,
        )
        .unwrap();
    let g = Grads {
        dq,
        dk,
        dv,
        d_sink: vec![],
    };
    (fwd, g)
}

fn packed_qkv_matches_the_oracle<T: Float>(tol_out: f64, tol_grad: f64) {
    let mut rng = attnmech::rng::seeded(0x9AC4ED, 0);
    let packed64: Vec<f64> = (0..3 * B * S * H * D)
        .map(|_| rng.random_range(-1.0..1.0))
        .collect();
    let d_out64: Vec<f64> = (0..B * H * S * D)
        .map(|_| rng.random_range(-1.0..1.0))
        .collect();
    // The oracle sees exactly the values the kernel sees (rounded to T).
    let packed: Vec<T> = packed64.iter().map(|&x| T::of(x)).collect();
    let d_out: Vec<T> = d_out64.iter().map(|&x| T::of(x)).collect();
    let as64 = |x: &[T]| x.iter().map(|v| v.as_f64()).collect::<Vec<_>>();
    let (packed64, d_out64) = (as64(&packed), as64(&d_out));
    let opts = Options::new().causal(true);
    let (fwd, g) = cpu_on_packed(&packed, &d_out, &opts);

    let [q, k, v] = [0, 1, 2].map(|w| dense_copy(&packed64, w));
    let dense = |x| View::bhsd("x", x, B, H, S, D).unwrap();
    let want = Reference
        .forward(dense(&q), dense(&k), dense(&v), &opts)
        .unwrap();
    let want_g = Reference
        .backward(
            dense(&q),
            dense(&k),
            dense(&v),
            &want,
            dense(&d_out64),
            &opts,
        )
        .unwrap();
    for (what, got, exp, tol) in [
        ("out", &fwd.out, &want.out, tol_out),
        ("lse", &fwd.lse, &want.lse, tol_out),
        ("dq", &g.dq, &want_g.dq, tol_grad),
        ("dk", &g.dk, &want_g.dk, tol_grad),
        ("dv", &g.dv, &want_g.dv, tol_grad),
    ] {
        let e = rel(&as64(got), exp);
        assert!(
            e <= tol,
            "{}: {what} relative error {e:e} > {tol:e}",
            T::NAME
        );
    }
}

#[test]
fn packed_qkv_forward_backward_match_oracle_f64() {
    packed_qkv_matches_the_oracle::<f64>(1e-12, 1e-12);
}

#[test]
fn packed_qkv_forward_backward_match_oracle_f32() {
    packed_qkv_matches_the_oracle::<f32>(1e-5, 1e-4);
}

/// Negative control: reading the k slot as v (a packed-slot mix-up) is far outside the tolerance,
/// so the check above can fail.
#[test]
fn packed_qkv_slot_mix_up_is_detected() {
    let mut rng = attnmech::rng::seeded(0x9AC4ED, 1);
    let packed: Vec<f64> = (0..3 * B * S * H * D)
        .map(|_| rng.random_range(-1.0..1.0))
        .collect();
    let slot = |which| View::packed_qkv(&packed, which, B, S, H, D).unwrap();
    let opts = Options::new().causal(true);
    let wrong = CpuTiled.forward(slot(0), slot(1), slot(1), &opts).unwrap();
    let [q, k, v] = [0, 1, 2].map(|w| dense_copy(&packed, w));
    let dense = |x| View::bhsd("x", x, B, H, S, D).unwrap();
    let want = Reference
        .forward(dense(&q), dense(&k), dense(&v), &opts)
        .unwrap();
    assert!(rel(&wrong.out, &want.out) > 1e-2);
}
