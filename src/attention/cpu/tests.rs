//! Kernel-level checks against the f64 oracle (`attention::reference`) on shapes that straddle the
//! tile sizes (`Br = 64`, `Bc ∈ {64, 128, 256}`, the 16-lane row passes) and the KV chunking of the
//! backward pass. The crate-wide conformance suite lives in `tests/attention`.

use super::backward::chunking;
use super::tiles::Tiles;
use crate::attention::{reference, Forward, Options, Shape};
use crate::float::Float;
use crate::rng::seeded;
use rand::Rng;

fn rel_frob<T: Float>(got: &[T], want: &[T]) -> f64 {
    assert_eq!(got.len(), want.len());
    let (mut num, mut den) = (0.0f64, 0.0f64);
    for (g, w) in got.iter().zip(want) {
        let (g, w) = (g.as_f64(), w.as_f64());
        assert!(g.is_finite() || g == w, "non-finite {g} vs {w}");
        if g.is_finite() {
            num += (g - w) * (g - w);
            den += w * w;
        }
    }
    if den == 0.0 {
        num.sqrt()
    } else {
        (num / den).sqrt()
    }
}

fn draw<T: Float>(len: usize, amp: f64, seed: u64, stream: u64) -> Vec<T> {
    let mut rng = seeded(seed, stream);
    (0..len)
        .map(|_| T::of(rng.random_range(-amp..amp)))
        .collect()
}

struct Case {
    shape: Shape,
    opts: Options,
}

fn case(
    b: usize,
    h: usize,
    n: usize,
    m: usize,
    d: usize,
    causal: bool,
    valid: Option<Vec<usize>>,
) -> Case {
    Case {
        shape: Shape {
            batch: b,
            heads: h,
            q_len: n,
            kv_len: m,
            head_dim: d,
        },
        opts: Options::new().causal(causal).kv_valid_len_opt(valid),
    }
}

/// Shapes around the tile edges: 1, 15/16/17, 63/64/65, 127/128/129, 255/256/257 in N and M;
/// causal with N < M and N > M; padding including 0 and a full-length entry; d in {1, 8, 16, 64, 80, 256}.
fn cases() -> Vec<Case> {
    let mut v = Vec::new();
    for &(n, m) in &[
        (1, 1),
        (1, 17),
        (17, 1),
        (15, 16),
        (16, 17),
        (63, 65),
        (64, 64),
        (65, 63),
        (129, 127),
        (128, 300),
        (257, 255),
        (70, 520),
    ] {
        for causal in [false, true] {
            v.push(case(1, 2, n, m, 16, causal, None));
        }
    }
    v.push(case(2, 1, 65, 129, 8, true, Some(vec![0, 100])));
    v.push(case(3, 2, 40, 300, 64, false, Some(vec![300, 1, 257])));
    v.push(case(2, 1, 300, 70, 64, true, Some(vec![70, 33])));
    v.push(case(1, 1, 33, 520, 1, true, None));
    v.push(case(1, 1, 70, 133, 80, true, None));
    v.push(case(1, 1, 70, 140, 256, false, Some(vec![139])));
    v.push(case(1, 3, 80, 0, 16, false, None));
    v.push(case(1, 1, 0, 10, 16, true, None));
    v
}

fn check_type<T: Float>(tol_out: f64, tol_grad: f64) {
    for (ci, c) in cases().into_iter().enumerate() {
        let s = c.shape;
        let seed = 100 + ci as u64;
        let q: Vec<T> = draw(s.q_elems(), 2.0, seed, 0);
        let k: Vec<T> = draw(s.kv_elems(), 2.0, seed, 1);
        let v: Vec<T> = draw(s.kv_elems(), 1.0, seed, 2);
        let d_out: Vec<T> = draw(s.q_elems(), 1.0, seed, 3);
        let fwd = super::forward(&q, &k, &v, s, &c.opts).unwrap();
        let want = reference::forward(&q, &k, &v, s, &c.opts).unwrap();
        let e_out = rel_frob(&fwd.out, &want.out);
        let e_lse = rel_frob(&fwd.lse, &want.lse);
        assert!(
            e_out <= tol_out,
            "{} case {ci} {s:?}: out err {e_out}",
            T::NAME
        );
        assert!(
            e_lse <= tol_out,
            "{} case {ci} {s:?}: lse err {e_lse}",
            T::NAME
        );
        for (g, w) in fwd.lse.iter().zip(&want.lse) {
            assert_eq!(*g == T::neg_infinity(), *w == T::neg_infinity());
        }
        let g = super::backward(&q, &k, &v, &fwd, &d_out, s, &c.opts).unwrap();
        let gw = reference::backward(&q, &k, &v, &want, &d_out, s, &c.opts).unwrap();
        for (name, got, want) in [
            ("dq", &g.dq, &gw.dq),
            ("dk", &g.dk, &gw.dk),
            ("dv", &g.dv, &gw.dv),
        ] {
            let e = rel_frob(got, want);
            assert!(
                e <= tol_grad,
                "{} case {ci} {s:?} {:?}: {name} err {e}",
                T::NAME,
                c.opts
            );
        }
    }
}

/// Claim (AK1–AK4, AK6): the tiled f32 kernels match the f64 oracle. Tolerances: out/lse 1e-5,
/// gradients 1e-4 relative Frobenius — f32 rounding (6e-8) amplified by sums of up to ~500 terms
/// and, for gradients, the cancellation in `dP − D`.
#[test]
fn matches_reference_f32() {
    check_type::<f32>(1e-5, 1e-4);
}

/// Claim: the f64 kernels match the f64 oracle to 1e-12 (a few hundred ulp of 2.2e-16 for sums of
/// ≤ 520 terms of O(1) values, plus the ≤ 2 ulp `exp`).
#[test]
fn matches_reference_f64() {
    check_type::<f64>(1e-12, 1e-12);
}

/// Claim (AK5): rows that see no key (causal with N > M, padding to 0) give out 0, lse −∞ and zero
/// gradients, never NaN; scores of magnitude ~1e4 stay finite and match the oracle.
#[test]
fn masked_rows_and_large_scores() {
    let c = case(2, 1, 70, 20, 16, true, Some(vec![20, 0]));
    let s = c.shape;
    let q: Vec<f32> = draw(s.q_elems(), 1.0, 5, 0);
    let k: Vec<f32> = draw(s.kv_elems(), 1.0, 5, 1);
    let v: Vec<f32> = draw(s.kv_elems(), 1.0, 5, 2);
    let d_out: Vec<f32> = draw(s.q_elems(), 1.0, 5, 3);
    let fwd = super::forward(&q, &k, &v, s, &c.opts).unwrap();
    let g = super::backward(&q, &k, &v, &fwd, &d_out, s, &c.opts).unwrap();
    for i in 0..70 {
        for b in 0..2 {
            let row = b * 70 + i;
            let masked = b == 1 || i < 50;
            if masked {
                assert_eq!(fwd.lse[row], f32::NEG_INFINITY);
                assert!(fwd.out[row * 16..(row + 1) * 16].iter().all(|&x| x == 0.0));
                assert!(g.dq[row * 16..(row + 1) * 16].iter().all(|&x| x == 0.0));
            } else {
                assert!(fwd.lse[row].is_finite());
            }
        }
    }
    assert!(g.dk[20 * 16..].iter().all(|&x| x == 0.0));
    assert!(g.dq.iter().chain(&g.dk).chain(&g.dv).all(|x| x.is_finite()));

    // |scores| ~ 1e4: q, k entries ~ 25, d = 16, scale 1/4.
    let c = case(1, 1, 33, 70, 16, false, None);
    let s = c.shape;
    let q: Vec<f32> = draw(s.q_elems(), 50.0, 6, 0);
    let k: Vec<f32> = draw(s.kv_elems(), 50.0, 6, 1);
    let v: Vec<f32> = draw(s.kv_elems(), 1.0, 6, 2);
    let fwd = super::forward(&q, &k, &v, s, &c.opts).unwrap();
    let want = reference::forward(&q, &k, &v, s, &c.opts).unwrap();
    assert!(want.lse.iter().any(|x| x.abs() > 1e3));
    assert!(fwd.out.iter().chain(&fwd.lse).all(|x| x.is_finite()));
    assert!(rel_frob(&fwd.out, &want.out) <= 1e-4);
    assert!(rel_frob(&fwd.lse, &want.lse) <= 1e-6);
}

/// Claim: the bits do not depend on the thread count. Runs forward and backward in 1-, 2- and
/// 3-thread rayon pools (shapes that create several Q tiles and several KV chunks, so the dQ
/// reduction is exercised) and compares every bit. Negative check: the chunking is a function of
/// the shape alone.
#[test]
fn deterministic_across_thread_counts() {
    let c = case(1, 2, 200, 600, 32, true, None);
    let s = c.shape;
    let (_, chunks) = chunking(s.batch_heads(), s.kv_len, Tiles::backward(s).bc);
    assert!(chunks > 1, "the test must exercise the dQ reduction");
    let q: Vec<f32> = draw(s.q_elems(), 1.0, 9, 0);
    let k: Vec<f32> = draw(s.kv_elems(), 1.0, 9, 1);
    let v: Vec<f32> = draw(s.kv_elems(), 1.0, 9, 2);
    let d_out: Vec<f32> = draw(s.q_elems(), 1.0, 9, 3);
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            let fwd = super::forward(&q, &k, &v, s, &c.opts).unwrap();
            let g = super::backward(&q, &k, &v, &fwd, &d_out, s, &c.opts).unwrap();
            (fwd, g)
        })
    };
    let bits = |x: &[f32]| x.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
    let (f1, g1) = run(1);
    for threads in [2, 3] {
        let (f, g) = run(threads);
        assert_eq!(bits(&f1.out), bits(&f.out), "{threads} threads");
        assert_eq!(bits(&f1.lse), bits(&f.lse), "{threads} threads");
        assert_eq!(bits(&g1.dq), bits(&g.dq), "{threads} threads");
        assert_eq!(bits(&g1.dk), bits(&g.dk), "{threads} threads");
        assert_eq!(bits(&g1.dv), bits(&g.dv), "{threads} threads");
    }
}

/// The `_into` variants and the error paths: wrong buffer lengths are `Err`, and a saved `lse`
/// of `−∞` on a row that does see keys gives zero gradients, not NaN.
#[test]
fn into_variants_and_errors() {
    let c = case(1, 1, 5, 7, 4, false, None);
    let s = c.shape;
    let q: Vec<f64> = draw(s.q_elems(), 1.0, 1, 0);
    let k: Vec<f64> = draw(s.kv_elems(), 1.0, 1, 1);
    let mut out = vec![0.0; s.q_elems()];
    let mut lse = vec![0.0; s.lse_elems() + 1];
    assert!(super::forward_into(&q, &k, &k, s, &c.opts, &mut out, &mut lse).is_err());
    let mut lse = vec![0.0; s.lse_elems()];
    super::forward_into(&q, &k, &k, s, &c.opts, &mut out, &mut lse).unwrap();
    let fwd = Forward {
        out: out.clone(),
        lse: vec![f64::NEG_INFINITY; s.lse_elems()],
    };
    let g = super::backward(&q, &k, &k, &fwd, &q, s, &c.opts).unwrap();
    assert!(g.dq.iter().chain(&g.dk).chain(&g.dv).all(|&x| x == 0.0));
    let mut short = vec![0.0; 3];
    let (mut dk, mut dv) = (vec![0.0; s.kv_elems()], vec![0.0; s.kv_elems()]);
    assert!(
        super::backward_into(&q, &k, &k, &fwd, &q, s, &c.opts, &mut short, &mut dk, &mut dv)
            .is_err()
    );
}

/// Finite inputs whose scores overflow f32 (entries 1e20: q·k ~ 1e40) are an `Err` naming the
/// first overflowing row, never NaN output; the same values in f64 (where 1e40 is finite) give a
/// finite result; gradients that overflow f32 are an `Err` too.
#[test]
fn overflowing_scores_are_errors() {
    use crate::error::Error;
    let c = case(1, 1, 3, 4, 2, false, None);
    let s = c.shape;
    let mut q = vec![0.5f32; s.q_elems()];
    q[2] = 1e20; // row 1
    q[4] = 1e20; // row 2
    let k = vec![1e20f32; s.kv_elems()];
    let v = vec![1.0f32; s.kv_elems()];
    match super::forward(&q, &k, &v, s, &c.opts) {
        Err(Error::NonFinite {
            what: "scores",
            index: 1,
        }) => {}
        other => panic!("expected a scores overflow at row 1, got {other:?}"),
    }
    let q64: Vec<f64> = q.iter().map(|&x| x as f64).collect();
    let k64: Vec<f64> = k.iter().map(|&x| x as f64).collect();
    let v64: Vec<f64> = v.iter().map(|&x| x as f64).collect();
    let f = super::forward(&q64, &k64, &v64, s, &c.opts).unwrap();
    assert!(f.out.iter().all(|x| x.is_finite()));
    // Backward: moderate scores, but d_out ~1e38 makes dP·P overflow in f32.
    let q = vec![0.5f32; s.q_elems()];
    let k = vec![0.5f32; s.kv_elems()];
    let v = vec![1e30f32; s.kv_elems()];
    let fwd = super::forward(&q, &k, &v, s, &c.opts).unwrap();
    let d_out = vec![1e38f32; s.q_elems()];
    assert!(matches!(
        super::backward(&q, &k, &v, &fwd, &d_out, s, &c.opts),
        Err(Error::NonFinite { .. })
    ));
}
