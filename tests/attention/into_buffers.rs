//! The `_into` entry points of the CPU kernels: every element of the caller's buffers is written
//! (buffers are poisoned with NaN first), the results are bitwise those of the allocating
//! versions, and buffers of the wrong length are an `Err`.

use super::suite::SEED;
use attnmech::attention::conformance::{round_to, Case};
use attnmech::attention::{backward, backward_into, forward, forward_into, Shape};
use attnmech::{Error, Float};

/// Causal N > M with a fully padded batch entry: rows that see no key and keys no query sees,
/// which a kernel that skips masked tiles would leave unwritten.
fn case() -> Case {
    let shape = Shape {
        batch: 3,
        heads: 2,
        q_len: 70,
        kv_len: 65,
        head_dim: 17,
    };
    Case::new(shape, SEED).causal(true).valid(vec![65, 0, 30])
}

fn poisoned_buffers_are_overwritten<T: Float>() {
    let c = case();
    let x = c.inputs();
    let (q, k, v, d_out) = (
        round_to::<T>(&x.q).0,
        round_to::<T>(&x.k).0,
        round_to::<T>(&x.v).0,
        round_to::<T>(&x.d_out).0,
    );
    let s = c.shape;
    let mut out = vec![T::nan(); s.q_elems()];
    let mut lse = vec![T::nan(); s.lse_elems()];
    forward_into(&q, &k, &v, s, &c.opts, &mut out, &mut lse).unwrap();
    let fwd = forward(&q, &k, &v, s, &c.opts).unwrap();
    let bits = |x: &[T]| x.iter().map(|v| v.as_f64().to_bits()).collect::<Vec<_>>();
    assert!(
        out.iter().all(|x| x.is_finite()),
        "{}: out left unwritten",
        T::NAME
    );
    assert!(
        lse.iter().all(|x| !x.is_nan()),
        "{}: lse left unwritten",
        T::NAME
    );
    assert_eq!(
        bits(&out),
        bits(&fwd.out),
        "{}: forward_into differs from forward",
        T::NAME
    );
    assert_eq!(bits(&lse), bits(&fwd.lse), "{}: lse differs", T::NAME);

    let mut dq = vec![T::nan(); s.q_elems()];
    let mut dk = vec![T::nan(); s.kv_elems()];
    let mut dv = vec![T::nan(); s.kv_elems()];
    backward_into(
        &q, &k, &v, &fwd, &d_out, s, &c.opts, &mut dq, &mut dk, &mut dv,
    )
    .unwrap();
    let g = backward(&q, &k, &v, &fwd, &d_out, s, &c.opts).unwrap();
    for (name, got, want) in [("dq", &dq, &g.dq), ("dk", &dk, &g.dk), ("dv", &dv, &g.dv)] {
        assert!(
            got.iter().all(|x| x.is_finite()),
            "{}: {name} left unwritten",
            T::NAME
        );
        assert_eq!(
            bits(got),
            bits(want),
            "{}: {name} of backward_into differs",
            T::NAME
        );
    }
}

/// Poisoned (NaN-filled) output buffers are fully overwritten, f32.
#[test]
fn poisoned_buffers_are_overwritten_f32() {
    poisoned_buffers_are_overwritten::<f32>();
}

/// Poisoned (NaN-filled) output buffers are fully overwritten, f64.
#[test]
fn poisoned_buffers_are_overwritten_f64() {
    poisoned_buffers_are_overwritten::<f64>();
}

/// Output buffers of the wrong length are `ShapeMismatch` naming the buffer.
#[test]
fn wrong_buffer_lengths_are_rejected() {
    let c = case();
    let x = c.inputs();
    let s = c.shape;
    let (q, k, v, d_out) = (&x.q, &x.k, &x.v, &x.d_out);
    let fwd = forward(q, k, v, s, &c.opts).unwrap();
    let mismatch = |what, expected: usize| Error::ShapeMismatch {
        what,
        expected,
        got: expected + 1,
    };
    let (nq, nk, nl) = (s.q_elems(), s.kv_elems(), s.lse_elems());
    let z = |n: usize| vec![0.0f64; n];
    assert_eq!(
        forward_into(q, k, v, s, &c.opts, &mut z(nq + 1), &mut z(nl)),
        Err(mismatch("out", nq))
    );
    assert_eq!(
        forward_into(q, k, v, s, &c.opts, &mut z(nq), &mut z(nl + 1)),
        Err(mismatch("lse", nl))
    );
    let bwd = |dq: usize, dk: usize, dv: usize| {
        backward_into(
            q,
            k,
            v,
            &fwd,
            d_out,
            s,
            &c.opts,
            &mut z(dq),
            &mut z(dk),
            &mut z(dv),
        )
    };
    assert_eq!(bwd(nq + 1, nk, nk), Err(mismatch("dq", nq)));
    assert_eq!(bwd(nq, nk + 1, nk), Err(mismatch("dk", nk)));
    assert_eq!(bwd(nq, nk, nk + 1), Err(mismatch("dv", nk)));
}

/// The forward's `P·V` overflow (issue 10 §3): with uniform weights over two keys whose values are
/// both `f32::MAX`, the exact output is `f32::MAX`, but the online softmax accumulates the
/// unnormalised sum `2·f32::MAX = +∞` before dividing by ℓ = 2. The kernel must refuse this with a
/// typed error naming `out` (as its backward does), never return `+∞`. Finite inputs throughout, so
/// the error can only come from the output check.
#[test]
fn forward_overflow_in_pv_is_an_error_naming_out() {
    use attnmech::attention::{self, Options, Shape};
    use attnmech::Error;
    let shape = Shape {
        batch: 1,
        heads: 1,
        q_len: 1,
        kv_len: 2,
        head_dim: 1,
    };
    let (q, k, v) = (vec![0.0f32], vec![0.0f32; 2], vec![f32::MAX; 2]);
    match attention::forward(&q, &k, &v, shape, &Options::new()) {
        Err(Error::NonFinite { what: "out", .. }) => {}
        other => panic!("expected NonFinite {{ what: \"out\" }}, got {other:?}"),
    }
    // One key at f32::MAX does not overflow: the same path returns the exact value.
    let one = Shape { kv_len: 1, ..shape };
    let f = attention::forward(&q, &k[..1], &v[..1], one, &Options::new()).unwrap();
    assert_eq!(f.out, vec![f32::MAX]);
}
