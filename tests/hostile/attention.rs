//! Hostile inputs for `attention` (see `tests/hostile/mod.rs` for the classes of bad input):
//! dense and view forward/backward (CPU tiled and reference), the `_into` variants, decode
//! (contiguous and paged, f32 and bf16), `merge`, the `half` entry points and the view
//! constructors. The overflow cases run in the release test binary too (`overflow-checks = false`),
//! where a wrapped product would otherwise build a wrong object.

use ::half::bf16;
use attnmech::attention::decode::{self, DecodeShape, PagedKv, Partial};
use attnmech::attention::{
    self, half, reference, AttentionKernel, CpuTiled, Dims, Forward, Options, Reference, Shape,
    Strides, View, ViewMut, MAX_BATCH_HEADS,
};
use attnmech::Error;

fn shape(batch: usize, heads: usize, q_len: usize, kv_len: usize, head_dim: usize) -> Shape {
    Shape {
        batch,
        heads,
        q_len,
        kv_len,
        head_dim,
    }
}

const SMALL: Shape = Shape {
    batch: 1,
    heads: 2,
    q_len: 3,
    kv_len: 4,
    head_dim: 8,
};

fn inputs(s: Shape) -> (Vec<f32>, Vec<f32>, Vec<f32>) {
    let q = (0..s.q_elems()).map(|i| (i as f32 * 0.37).sin()).collect();
    let k = (0..s.kv_elems()).map(|i| (i as f32 * 0.11).cos()).collect();
    let v = (0..s.kv_elems()).map(|i| (i as f32 * 0.23).sin()).collect();
    (q, k, v)
}

/// Shapes whose element count overflows `usize`, with empty buffers.
fn overflowing() -> Vec<Shape> {
    vec![
        shape(1 << 31, 1 << 31, 1 << 31, 1, 64),
        shape(usize::MAX, 2, 1, 1, 1),
        shape(1, 1, usize::MAX / 2 + 1, 1, 2),
        shape(2, 2, 1, usize::MAX / 3, 2),
    ]
}

fn is_overflow<T: std::fmt::Debug>(r: &Result<T, Error>) -> bool {
    matches!(r, Err(Error::Overflow { .. }))
}

#[test]
fn forward_and_backward_reject_overflowing_shapes_with_empty_buffers() {
    let fwd = Forward::<f32> {
        out: vec![],
        lse: vec![],
    };
    for s in overflowing() {
        let o = Options::default();
        let r = attention::forward::<f32>(&[], &[], &[], s, &o);
        assert!(is_overflow(&r), "forward {s:?}: {r:?}");
        let r = attention::backward::<f32>(&[], &[], &[], &fwd, &[], s, &o);
        assert!(is_overflow(&r), "backward {s:?}: {r:?}");
        let r = reference::forward::<f64>(&[], &[], &[], s, &o);
        assert!(is_overflow(&r), "reference forward {s:?}: {r:?}");
        let fwd64 = Forward::<f64> {
            out: vec![],
            lse: vec![],
        };
        let r = reference::backward::<f64>(&[], &[], &[], &fwd64, &[], s, &o);
        assert!(is_overflow(&r), "reference backward {s:?}: {r:?}");
        let r = attention::forward_into::<f32>(&[], &[], &[], s, &o, &mut [], &mut []);
        assert!(is_overflow(&r), "forward_into {s:?}: {r:?}");
        let r = attention::backward_into::<f32>(
            &[],
            &[],
            &[],
            &fwd,
            &[],
            s,
            &o,
            &mut [],
            &mut [],
            &mut [],
        );
        assert!(is_overflow(&r), "backward_into {s:?}: {r:?}");
        let r = half::forward::<bf16>(&[], &[], &[], s, &o);
        assert!(is_overflow(&r), "half forward {s:?}: {r:?}");
        let r = half::backward::<bf16>(&[], &[], &[], &[], s, &o);
        assert!(is_overflow(&r), "half backward {s:?}: {r:?}");
    }
}

#[test]
fn forward_and_backward_reject_huge_shapes_with_empty_buffers_before_allocating() {
    // 2^35 f32 elements (128 GiB) per buffer: a length error, never an allocation.
    let s = shape(1 << 10, 1 << 5, 1 << 10, 1 << 10, 1 << 10);
    let fwd = Forward::<f32> {
        out: vec![],
        lse: vec![],
    };
    let o = Options::default();
    let r = attention::forward::<f32>(&[], &[], &[], s, &o);
    assert!(
        matches!(r, Err(Error::ShapeMismatch { what: "q", .. })),
        "{r:?}"
    );
    let r = attention::backward::<f32>(&[], &[], &[], &fwd, &[], s, &o);
    assert!(
        matches!(r, Err(Error::ShapeMismatch { what: "q", .. })),
        "{r:?}"
    );
    let r = half::backward::<bf16>(&[], &[], &[], &[], s, &o);
    assert!(
        matches!(r, Err(Error::ShapeMismatch { what: "q", .. })),
        "{r:?}"
    );
}

#[test]
fn forward_and_backward_cap_sequence_heads_of_empty_sequences() {
    // No input element bounds the work of empty sequences: the (sequence, head) count is capped.
    let s = shape(1 << 20, 1 << 20, 0, 0, 1);
    let o = Options::default();
    let r = attention::forward::<f32>(&[], &[], &[], s, &o);
    assert!(
        matches!(r, Err(Error::TooLarge { cap, .. }) if cap == MAX_BATCH_HEADS),
        "{r:?}"
    );
    let fwd = Forward::<f32> {
        out: vec![],
        lse: vec![],
    };
    let r = attention::backward::<f32>(&[], &[], &[], &fwd, &[], s, &o);
    assert!(matches!(r, Err(Error::TooLarge { .. })), "{r:?}");
    // Empty sequences under the cap are a documented finite (empty) result.
    let s = shape(4, 2, 0, 0, 8);
    let f = attention::forward::<f32>(&[], &[], &[], s, &o).unwrap();
    assert!(f.out.is_empty() && f.lse.is_empty());
    let g = attention::backward::<f32>(&[], &[], &[], &f, &[], s, &o).unwrap();
    assert!(g.dq.is_empty() && g.dk.is_empty() && g.dv.is_empty());
}

#[test]
fn zero_stride_views_that_ask_for_huge_outputs_are_errors_not_aborts() {
    // A stride-0 query view addresses 2^61 rows of a one-element buffer: valid to read, but the
    // output `[1, 2^61, 1, 16]` (value head dim 16) does not fit usize. The allocating trait
    // methods must say so before allocating.
    let x = [0.5f32; 16];
    let zero = Strides {
        batch: 0,
        seq: 0,
        heads: 0,
    };
    let dims = |seq, dim| Dims {
        batch: 1,
        seq,
        heads: 1,
        dim,
    };
    let q = View::strided("q", &x[..1], dims(1 << 61, 1), zero).unwrap();
    let k = View::strided("k", &x[..1], dims(1, 1), zero).unwrap();
    let v = View::strided("v", &x, dims(1, 16), zero).unwrap();
    for kernel in [&CpuTiled as &dyn AttentionKernel, &Reference] {
        let r = kernel.forward(q, k, v, &Options::default());
        assert!(is_overflow(&r), "{}: {r:?}", kernel.name());
        let fwd = Forward {
            out: vec![],
            lse: vec![],
        };
        let r = kernel.backward(q, k, v, &fwd, v, &Options::default());
        assert!(is_overflow(&r), "{}: {r:?}", kernel.name());
    }
}

#[test]
fn view_constructors_reject_overflow_and_out_of_bounds() {
    let x = [0.0f32; 8];
    let r = View::bhsd("x", &x, usize::MAX, 2, 1, 1);
    assert!(matches!(r, Err(Error::Overflow { what: "x" })), "{r:?}");
    let r = View::bshd("x", &x, 1, usize::MAX, 3, 1);
    assert!(matches!(r, Err(Error::Overflow { what: "x" })), "{r:?}");
    let r = View::packed_qkv(&x, 0, 1, 1, usize::MAX / 2, 1);
    assert!(matches!(r, Err(Error::Overflow { .. })), "{r:?}");
    let r = View::packed_qkv(&x, 3, 1, 1, 1, 1);
    assert!(matches!(r, Err(Error::InvalidArgument { .. })), "{r:?}");
    let dims = Dims {
        batch: 3,
        seq: 2,
        heads: 1,
        dim: 2,
    };
    let r = View::strided(
        "x",
        &x,
        dims,
        Strides {
            batch: usize::MAX / 2,
            seq: 2,
            heads: 0,
        },
    );
    assert!(matches!(r, Err(Error::Overflow { what: "x" })), "{r:?}");
    let r = View::strided(
        "x",
        &x,
        dims,
        Strides {
            batch: 4,
            seq: 2,
            heads: 0,
        },
    );
    assert!(matches!(r, Err(Error::InvalidArgument { .. })), "{r:?}");
    let mut y = [0.0f32; 8];
    let r = ViewMut::bhsd("y", &mut y, usize::MAX, usize::MAX, 1, 1);
    assert!(matches!(r, Err(Error::Overflow { what: "y" })), "{r:?}");
    // Saturating strides: never a wrap, whatever the extents.
    let huge = Dims {
        batch: 2,
        seq: usize::MAX,
        heads: usize::MAX,
        dim: 2,
    };
    assert_eq!(Strides::bhsd(huge).batch, usize::MAX);
    assert_eq!(Strides::bshd(huge).seq, usize::MAX);
    assert_eq!(shape(usize::MAX, 2, 1, 1, 1).q_elems(), usize::MAX);
}

#[test]
fn forward_rejects_non_finite_inputs_and_options() {
    let s = SMALL;
    let (q, k, v) = inputs(s);
    for bad in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY] {
        let mut qb = q.clone();
        qb[5] = bad;
        let r = attention::forward(&qb, &k, &v, s, &Options::default());
        assert_eq!(
            r.unwrap_err(),
            Error::NonFinite {
                what: "q",
                index: 5
            }
        );
        let mut vb = v.clone();
        vb[9] = bad;
        let r = attention::forward(&q, &k, &vb, s, &Options::default());
        assert_eq!(
            r.unwrap_err(),
            Error::NonFinite {
                what: "v",
                index: 9
            }
        );
    }
    for scale in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        let r = attention::forward(&q, &k, &v, s, &Options::new().scale(scale));
        assert!(
            matches!(
                r,
                Err(Error::NonFinite {
                    what: "options.scale",
                    ..
                })
            ),
            "{r:?}"
        );
    }
    for cap in [f64::NAN, 0.0, -1.0, f64::INFINITY] {
        let r = attention::forward(&q, &k, &v, s, &Options::new().softcap(cap));
        assert!(
            matches!(
                r,
                Err(Error::InvalidArgument {
                    what: "options.softcap",
                    ..
                })
            ),
            "{r:?}"
        );
    }
    let r = attention::forward(&q, &k, &v, s, &Options::new().alibi(vec![f64::NAN, 1.0]));
    assert!(
        matches!(
            r,
            Err(Error::NonFinite {
                what: "options.alibi",
                ..
            })
        ),
        "{r:?}"
    );
    let r = attention::forward(&q, &k, &v, s, &Options::new().sinks(vec![0.0]));
    assert!(
        matches!(
            r,
            Err(Error::ShapeMismatch {
                what: "options.sinks",
                ..
            })
        ),
        "{r:?}"
    );
    let r = attention::forward(&q, &k, &v, s, &Options::new().window(-2, 0));
    assert!(matches!(r, Err(Error::InvalidArgument { .. })), "{r:?}");
    let r = attention::forward(&q, &k, &v, s, &Options::new().kv_valid_len(vec![5]));
    assert!(matches!(r, Err(Error::OutOfRange { .. })), "{r:?}");
    let r = attention::forward(
        &q,
        &k,
        &v,
        s,
        &Options::new().varlen(vec![0, 3], vec![0, 5]),
    );
    assert!(matches!(r, Err(Error::InvalidArgument { .. })), "{r:?}");
    // Finite inputs whose scores overflow f32: a typed error, never +inf out.
    let (big_q, big_k) = (vec![f32::MAX; q.len()], vec![f32::MAX; k.len()]);
    let r = attention::forward(&big_q, &big_k, &v, s, &Options::default());
    assert!(matches!(r, Err(Error::NonFinite { .. })), "{r:?}");
    // Subnormal and zero scales are finite: a documented finite result (uniform attention).
    for scale in [0.0, f64::MIN_POSITIVE / 4.0, -1.0] {
        let f = attention::forward(&q, &k, &v, s, &Options::new().scale(scale)).unwrap();
        assert!(f.out.iter().chain(&f.lse).all(|x| x.is_finite()));
    }
}

#[test]
fn backward_rejects_wrong_lengths_and_non_finite_saved_results() {
    let s = SMALL;
    let (q, k, v) = inputs(s);
    let o = Options::default();
    let fwd = attention::forward(&q, &k, &v, s, &o).unwrap();
    let d_out = vec![1.0f32; q.len()];
    let short = Forward {
        out: fwd.out[1..].to_vec(),
        lse: fwd.lse.clone(),
    };
    let r = attention::backward(&q, &k, &v, &short, &d_out, s, &o);
    assert!(
        matches!(
            r,
            Err(Error::ShapeMismatch {
                what: "fwd.out",
                ..
            })
        ),
        "{r:?}"
    );
    let r = attention::backward(&q, &k, &v, &fwd, &d_out[1..], s, &o);
    assert!(
        matches!(r, Err(Error::ShapeMismatch { what: "d_out", .. })),
        "{r:?}"
    );
    let mut bad = fwd.clone();
    bad.lse[1] = f32::NAN;
    let r = attention::backward(&q, &k, &v, &bad, &d_out, s, &o);
    assert_eq!(
        r.unwrap_err(),
        Error::NonFinite {
            what: "fwd.lse",
            index: 1
        }
    );
    let mut bad = fwd.clone();
    bad.lse[0] = f32::INFINITY;
    let r = attention::backward(&q, &k, &v, &bad, &d_out, s, &o);
    assert!(
        matches!(
            r,
            Err(Error::NonFinite {
                what: "fwd.lse",
                ..
            })
        ),
        "{r:?}"
    );
    let mut dob = d_out.clone();
    dob[2] = f32::NEG_INFINITY;
    let r = attention::backward(&q, &k, &v, &fwd, &dob, s, &o);
    assert!(
        matches!(r, Err(Error::NonFinite { what: "d_out", .. })),
        "{r:?}"
    );
    let mut kb = k.clone();
    kb[0] = f32::NAN;
    let r = attention::backward(&q, &kb, &v, &fwd, &d_out, s, &o);
    assert!(
        matches!(r, Err(Error::NonFinite { what: "k", .. })),
        "{r:?}"
    );
    let (mut dq, mut dk, mut dv) = (vec![0.0; q.len()], vec![0.0; k.len()], vec![0.0; 1]);
    let r = attention::backward_into(&q, &k, &v, &fwd, &d_out, s, &o, &mut dq, &mut dk, &mut dv);
    assert!(
        matches!(r, Err(Error::ShapeMismatch { what: "dv", .. })),
        "{r:?}"
    );
}

fn dshape(batch: usize, heads: usize, kv_heads: usize, q_len: usize, kv_len: usize) -> DecodeShape {
    DecodeShape {
        batch,
        heads,
        kv_heads,
        q_len,
        kv_len,
        head_dim: 4,
    }
}

#[test]
fn decode_rejects_overflow_bad_heads_lengths_and_non_finite() {
    let o = Options::default();
    for s in [
        dshape(usize::MAX, 2, 1, 1, 1),
        dshape(1, 1 << 40, 1, 1 << 30, 1),
        dshape(2, 2, 2, 1, usize::MAX / 2),
    ] {
        let r = decode::decode::<f32>(&[], &[], &[], s, &o);
        assert!(is_overflow(&r), "{s:?}: {r:?}");
        let r = half::decode::<bf16>(&[], &[], &[], s, &o);
        assert!(is_overflow(&r), "{s:?}: {r:?}");
    }
    let s = dshape(2, 4, 2, 1, 5);
    let q = vec![0.1f32; s.q_elems().unwrap()];
    let kv = vec![0.2f32; s.kv_elems().unwrap()];
    let r = decode::decode(&q, &kv, &kv, dshape(2, 4, 3, 1, 5), &o);
    assert!(
        matches!(
            r,
            Err(Error::InvalidArgument {
                what: "shape.kv_heads",
                ..
            })
        ),
        "{r:?}"
    );
    let r = decode::decode(&q, &kv, &kv, dshape(2, 4, 0, 1, 5), &o);
    assert!(
        matches!(
            r,
            Err(Error::InvalidArgument {
                what: "shape.kv_heads",
                ..
            })
        ),
        "{r:?}"
    );
    let r = decode::decode(&q, &kv[1..], &kv, s, &o);
    assert!(
        matches!(
            r,
            Err(Error::ShapeMismatch {
                what: "k_cache",
                ..
            })
        ),
        "{r:?}"
    );
    let r = decode::decode(&q, &kv, &kv, s, &Options::new().kv_valid_len(vec![6, 1]));
    assert!(matches!(r, Err(Error::OutOfRange { .. })), "{r:?}");
    let r = decode::decode(&q, &kv, &kv, s, &Options::new().softcap(1.0));
    assert!(
        matches!(
            r,
            Err(Error::InvalidArgument {
                what: "options",
                ..
            })
        ),
        "{r:?}"
    );
    let r = decode::decode(&q, &kv, &kv, s, &Options::new().scale(f64::NAN));
    assert!(matches!(r, Err(Error::NonFinite { .. })), "{r:?}");
    let mut qb = q.clone();
    qb[3] = f32::NAN;
    assert_eq!(
        decode::decode(&qb, &kv, &kv, s, &o).unwrap_err(),
        Error::NonFinite {
            what: "q",
            index: 3
        }
    );
    // A non-finite value read by a row is named; one beyond the sequence's length is not read.
    let mut vb = kv.clone();
    vb[9] = f32::INFINITY;
    assert_eq!(
        decode::decode(&q, &kv, &vb, s, &o).unwrap_err(),
        Error::NonFinite {
            what: "v_cache",
            index: 9
        }
    );
    let lens = Options::new().kv_valid_len(vec![1, 5]);
    let f = decode::decode(&q, &kv, &vb, s, &lens).unwrap();
    assert!(f.out.iter().all(|x| x.is_finite()));
}

#[test]
fn decode_paged_rejects_bad_blocks_tables_and_overflow() {
    let s = dshape(2, 2, 1, 1, 6);
    let o = Options::default();
    let q = vec![0.1f32; s.q_elems().unwrap()];
    let block = 2 * s.kv_heads * s.head_dim;
    let pool = vec![0.3f32; 6 * block];
    let table: Vec<u32> = (0..6).collect();
    let paged = |k: &'static [f32], bs: usize, t: &'static [u32]| PagedKv {
        k_blocks: k,
        v_blocks: k,
        block_size: bs,
        block_table: t,
    };
    let pool: &'static [f32] = Box::leak(pool.into_boxed_slice());
    let table: &'static [u32] = Box::leak(table.into_boxed_slice());
    let r = decode::decode_paged(&q, &paged(pool, 0, table), s, &o);
    assert!(
        matches!(
            r,
            Err(Error::InvalidArgument {
                what: "paged.block_size",
                ..
            })
        ),
        "{r:?}"
    );
    let r = decode::decode_paged(&q, &paged(pool, usize::MAX, table), s, &o);
    assert!(is_overflow(&r), "{r:?}");
    let r = decode::decode_paged(&q, &paged(&pool[1..], 2, table), s, &o);
    assert!(
        matches!(
            r,
            Err(Error::ShapeMismatch {
                what: "paged.k_blocks",
                ..
            })
        ),
        "{r:?}"
    );
    let r = decode::decode_paged(&q, &paged(pool, 2, &table[1..]), s, &o);
    assert!(
        matches!(
            r,
            Err(Error::ShapeMismatch {
                what: "paged.block_table",
                ..
            })
        ),
        "{r:?}"
    );
    let bad: &'static [u32] = Box::leak(vec![0, 1, 2, 3, 4, 99].into_boxed_slice());
    let r = decode::decode_paged(&q, &paged(pool, 2, bad), s, &o);
    assert!(
        matches!(
            r,
            Err(Error::OutOfRange {
                what: "paged.block_table",
                ..
            })
        ),
        "{r:?}"
    );
    let ok = decode::decode_paged(&q, &paged(pool, 2, table), s, &o).unwrap();
    assert!(ok.out.iter().all(|x| x.is_finite()));
}

#[test]
fn merge_rejects_empty_mismatched_and_non_finite_partials() {
    let r = decode::merge::<f32>(&[]);
    assert!(matches!(r, Err(Error::Empty { .. })), "{r:?}");
    let (o1, l1) = (vec![1.0f32; 4], vec![0.0f32; 2]);
    let (o2, l2) = (vec![1.0f32; 3], vec![0.0f32; 2]);
    let p = |out: &'static [f32], lse: &'static [f32]| Partial { out, lse };
    let leak = |x: Vec<f32>| -> &'static [f32] { Box::leak(x.into_boxed_slice()) };
    let r = decode::merge(&[p(leak(o1.clone()), leak(l1.clone())), p(leak(o2), leak(l2))]);
    assert!(
        matches!(
            r,
            Err(Error::ShapeMismatch {
                what: "partials.out",
                ..
            })
        ),
        "{r:?}"
    );
    let r = decode::merge(&[p(leak(o1.clone()), leak(vec![0.0, f32::NAN]))]);
    assert!(
        matches!(
            r,
            Err(Error::NonFinite {
                what: "partials.lse",
                index: 1
            })
        ),
        "{r:?}"
    );
    let r = decode::merge(&[p(leak(o1.clone()), leak(vec![0.0, f32::INFINITY]))]);
    assert!(
        matches!(
            r,
            Err(Error::NonFinite {
                what: "partials.lse",
                ..
            })
        ),
        "{r:?}"
    );
    let r = decode::merge(&[p(leak(vec![1.0, f32::NAN, 0.0, 0.0]), leak(l1.clone()))]);
    assert!(
        matches!(
            r,
            Err(Error::NonFinite {
                what: "partials.out",
                ..
            })
        ),
        "{r:?}"
    );
    // All partials of a row empty (−∞): documented finite result o = 0, L = −∞.
    let m = decode::merge(&[p(leak(o1), leak(vec![f32::NEG_INFINITY; 2]))]).unwrap();
    assert!(m.out.iter().all(|&x| x == 0.0));
    assert!(m.lse.iter().all(|&x| x == f32::NEG_INFINITY));
    // Zero rows: an empty result.
    let m = decode::merge::<f32>(&[p(leak(vec![]), leak(vec![]))]).unwrap();
    assert!(m.out.is_empty() && m.lse.is_empty());
}
