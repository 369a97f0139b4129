//! Decode against the f64 oracle (on the gathered, head-expanded cache), split against unsplit,
//! thread-count invariance, the merge's algebra with a planted lse-blind merge the checks reject,
//! the paged cache against the contiguous one, and the typed errors.

use super::*;
use crate::attention::{reference, Shape};
use crate::float::Float;
use rand::Rng;

fn draw(n: usize, seed: u64, stream: u64) -> Vec<f64> {
    let mut rng = crate::rng::seeded(seed, stream);
    (0..n).map(|_| rng.random_range(-1.0..1.0)).collect()
}

fn cast<T: Float>(x: &[f64]) -> Vec<T> {
    x.iter().map(|&v| T::of(v)).collect()
}

/// Inputs of one decode case, drawn in f64.
struct Case {
    shape: DecodeShape,
    opts: Options,
    q: Vec<f64>,
    k: Vec<f64>,
    v: Vec<f64>,
}

impl Case {
    fn new(shape: DecodeShape, causal: bool, lens: Option<Vec<usize>>, seed: u64) -> Self {
        Case {
            shape,
            opts: Options::new().causal(causal).kv_valid_len_opt(lens),
            q: draw(shape.q_elems().unwrap(), seed, 0),
            k: draw(shape.kv_elems().unwrap(), seed, 1),
            v: draw(shape.kv_elems().unwrap(), seed, 2),
        }
    }

    fn run<T: Float + Stored<T>>(&self) -> Forward<T> {
        let (q, k, v) = (cast::<T>(&self.q), cast::<T>(&self.k), cast::<T>(&self.v));
        decode(&q, &k, &v, self.shape, &self.opts).unwrap()
    }

    /// The oracle: per sequence, the cache gathered to `[1, heads, len, d]` with each query head
    /// reading its kv head, through `reference::forward` (causal alignment to `len` is then the
    /// oracle's own bottom-right alignment). Inputs rounded to `T` first.
    fn oracle<T: Float>(&self) -> Forward<f64> {
        let DecodeShape {
            batch,
            heads,
            kv_heads,
            q_len: n,
            kv_len: m,
            head_dim: d,
        } = self.shape;
        let round = |x: &[f64]| -> Vec<f64> { x.iter().map(|&v| T::of(v).as_f64()).collect() };
        let (q, k, v) = (round(&self.q), round(&self.k), round(&self.v));
        let mut out = Vec::new();
        let mut lse = Vec::new();
        for b in 0..batch {
            let len = self.opts.get_kv_valid_len().map_or(m, |l| l[b]);
            let gather = |x: &[f64]| -> Vec<f64> {
                let mut g = Vec::with_capacity(heads * len * d);
                for h in 0..heads {
                    let kvh = h / (heads / kv_heads);
                    for j in 0..len {
                        let o = ((b * m + j) * kv_heads + kvh) * d;
                        g.extend_from_slice(&x[o..o + d]);
                    }
                }
                g
            };
            let shape = Shape {
                batch: 1,
                heads,
                q_len: n,
                kv_len: len,
                head_dim: d,
            };
            let opts = Options::new()
                .causal(self.opts.is_causal())
                .scale_opt(self.opts.get_scale());
            let qb = &q[b * heads * n * d..(b + 1) * heads * n * d];
            let f = reference::forward(qb, &gather(&k), &gather(&v), shape, &opts).unwrap();
            out.extend(f.out);
            lse.extend(f.lse);
        }
        Forward { out, lse }
    }

    /// `4·u·√(M·d)`: rounding in a length-`d` dot and a length-`M` convex sum grows like
    /// `u·√d` and `u·√M` (random walks); their product bounds the compound with room for the
    /// 2-ulp `exp` and the merge. `u` is the unit roundoff of `T`, not a property of the kernel.
    fn tolerance<T: Float>(&self) -> f64 {
        4.0 * (T::EPS / 2.0) * ((self.shape.kv_len.max(1) * self.shape.head_dim) as f64).sqrt()
    }
}

/// Relative Frobenius error of `got` against `want`.
fn rel_err<T: Float>(got: &[T], want: &[f64]) -> f64 {
    let num: f64 = got
        .iter()
        .zip(want)
        .map(|(g, w)| (g.as_f64() - w).powi(2))
        .sum();
    let den: f64 = want.iter().map(|w| w * w).sum();
    (num / den.max(f64::MIN_POSITIVE)).sqrt()
}

/// Checks `got` against the oracle: `−∞` rows exactly, `out` and `lse` within `tol`.
fn check<T: Float>(
    got: &Forward<T>,
    want: &Forward<f64>,
    tol: f64,
) -> std::result::Result<(), String> {
    for (i, (g, w)) in got.lse.iter().zip(&want.lse).enumerate() {
        if (*w == f64::NEG_INFINITY) != (*g == T::neg_infinity()) {
            return Err(format!("lse[{i}] = {g}, oracle {w}"));
        }
    }
    let finite: Vec<(f64, f64)> = got
        .lse
        .iter()
        .zip(&want.lse)
        .filter(|(_, w)| w.is_finite())
        .map(|(g, w)| (g.as_f64(), *w))
        .collect();
    let lse_err = {
        let num: f64 = finite.iter().map(|(g, w)| (g - w).powi(2)).sum();
        let den: f64 = finite.iter().map(|(_, w)| w * w).sum();
        (num / den.max(finite.len() as f64)).sqrt()
    };
    let out_err = rel_err(&got.out, &want.out);
    if out_err > tol || lse_err > tol || !out_err.is_finite() {
        return Err(format!(
            "out error {out_err:.2e}, lse error {lse_err:.2e}, bound {tol:.2e}"
        ));
    }
    Ok(())
}

fn shape(
    batch: usize,
    heads: usize,
    kv_heads: usize,
    q_len: usize,
    kv_len: usize,
    d: usize,
) -> DecodeShape {
    DecodeShape {
        batch,
        heads,
        kv_heads,
        q_len,
        kv_len,
        head_dim: d,
    }
}

/// Chunk edges (255/256/257, three chunks), GQA 4 and MQA, causal few-query rows that see no key,
/// empty and short sequences.
fn cases() -> Vec<Case> {
    vec![
        Case::new(shape(2, 8, 2, 1, 600, 64), false, Some(vec![600, 300]), 1),
        Case::new(shape(1, 4, 1, 3, 257, 32), true, None, 2),
        Case::new(shape(3, 2, 2, 4, 513, 16), true, Some(vec![0, 2, 513]), 3),
        Case::new(shape(1, 6, 3, 16, 255, 8), true, None, 4),
        Case::new(shape(2, 1, 1, 2, 256, 5), false, Some(vec![256, 1]), 5),
        // GQA 7: query rows of a kv head in blocks of 4 and 3; d = 20 has a lane tail.
        Case::new(shape(1, 14, 2, 1, 300, 20), false, Some(vec![299]), 6),
    ]
}

#[test]
fn decode_matches_oracle() {
    for (i, c) in cases().iter().enumerate() {
        check(&c.run::<f64>(), &c.oracle::<f64>(), c.tolerance::<f64>())
            .unwrap_or_else(|e| panic!("case {i} f64: {e}"));
        check(&c.run::<f32>(), &c.oracle::<f32>(), c.tolerance::<f32>())
            .unwrap_or_else(|e| panic!("case {i} f32: {e}"));
    }
}

#[test]
fn split_matches_unsplit() {
    for c in cases() {
        let split = c.run::<f64>();
        let unsplit =
            decode_chunked(&c.q, &c.k, &c.v, c.shape, &c.opts, c.shape.kv_len.max(1)).unwrap();
        check(&split, &unsplit, c.tolerance::<f64>()).unwrap();
    }
}

#[test]
fn same_bits_for_any_thread_count() {
    let c = &cases()[0];
    let runs: Vec<Forward<f32>> = [1, 2, 3]
        .iter()
        .map(|&t| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(t)
                .build()
                .unwrap();
            pool.install(|| c.run::<f32>())
        })
        .collect();
    for r in &runs[1..] {
        let bits = |x: &[f32]| x.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&r.out), bits(&runs[0].out));
        assert_eq!(bits(&r.lse), bits(&runs[0].lse));
    }
}

/// Claim: every SIMD level gives the same bits (the lane arrays fix the order of operations).
/// Measured: bitwise equality of out and lse at each level this CPU has, on every case, f32 and
/// f64.
#[test]
fn simd_levels_agree_bitwise() {
    fn at<T: Float + Stored<T>>(c: &Case, lvl: crate::simd::Level) -> Forward<T> {
        let (q, k, v) = (cast::<T>(&c.q), cast::<T>(&c.k), cast::<T>(&c.v));
        let plan = DecodePlan::new(c.shape, &c.opts).unwrap();
        let cache = Cache {
            k: &k[..],
            v: &v[..],
            kv_heads: c.shape.kv_heads,
            d: c.shape.head_dim,
            addressing: Addressing::Contiguous {
                kv_len: c.shape.kv_len,
            },
            names: ("k_cache", "v_cache"),
        };
        kernel::run_at(lvl, &q, &cache, &plan, CHUNK).unwrap()
    }
    fn bits<T: Float>(f: &Forward<T>) -> Vec<u64> {
        f.out
            .iter()
            .chain(&f.lse)
            .map(|x| x.as_f64().to_bits())
            .collect()
    }
    for (i, c) in cases().iter().enumerate() {
        let levels = crate::attention::cpu::test_levels();
        let want32 = bits(&at::<f32>(c, levels[0]));
        let want64 = bits(&at::<f64>(c, levels[0]));
        for &lvl in &levels[1..] {
            assert_eq!(bits(&at::<f32>(c, lvl)), want32, "case {i} f32 {lvl:?}");
            assert_eq!(bits(&at::<f64>(c, lvl)), want64, "case {i} f64 {lvl:?}");
        }
    }
}

type MergeFn = fn(&[Partial<'_, f64>]) -> Result<Forward<f64>>;

/// A planted bug: averages the partial outputs as if every partial held the same softmax mass.
fn merge_ignoring_lse(partials: &[Partial<'_, f64>]) -> Result<Forward<f64>> {
    let n = partials.len() as f64;
    let mut out = vec![0.0; partials[0].out.len()];
    for p in partials {
        for (o, x) in out.iter_mut().zip(p.out) {
            *o += x / n;
        }
    }
    let lse = (0..partials[0].lse.len())
        .map(|r| {
            partials
                .iter()
                .map(|p| p.lse[r])
                .fold(f64::NEG_INFINITY, f64::max)
        })
        .collect();
    Ok(Forward { out, lse })
}

/// Splits one sequence's cache into uneven key ranges, decodes each alone, merges with `merge_fn`
/// and compares with the oracle over all keys.
fn merge_agrees_with_unsplit(merge_fn: MergeFn) -> std::result::Result<(), String> {
    let full = Case::new(shape(1, 4, 2, 2, 300, 16), false, None, 7);
    let (kvh, d) = (full.shape.kv_heads, full.shape.head_dim);
    let ranges = [(0, 100), (100, 107), (107, 300)];
    let parts: Vec<Forward<f64>> = ranges
        .iter()
        .map(|&(a, b)| {
            let sh = DecodeShape {
                kv_len: b - a,
                ..full.shape
            };
            let (k, v) = (
                &full.k[a * kvh * d..b * kvh * d],
                &full.v[a * kvh * d..b * kvh * d],
            );
            decode(&full.q, k, v, sh, &full.opts).unwrap()
        })
        .collect();
    let partials: Vec<Partial<'_, f64>> = parts
        .iter()
        .map(|f| Partial {
            out: &f.out,
            lse: &f.lse,
        })
        .collect();
    let merged = merge_fn(&partials).map_err(|e| e.to_string())?;
    check(&merged, &full.oracle::<f64>(), full.tolerance::<f64>())
}

#[test]
fn merge_of_key_ranges_matches_oracle() {
    merge_agrees_with_unsplit(merge).unwrap();
}

#[test]
fn merge_that_ignores_lse_is_rejected() {
    assert!(merge_agrees_with_unsplit(merge_ignoring_lse).is_err());
}

fn random_partial(rows: usize, d: usize, seed: u64) -> (Vec<f64>, Vec<f64>) {
    let out = draw(rows * d, seed, 0);
    let mut lse: Vec<f64> = draw(rows, seed, 1).iter().map(|x| 5.0 * x).collect();
    lse[seed as usize % rows] = f64::NEG_INFINITY; // one row with no key in each partial
    (out, lse)
}

#[test]
fn merge_is_associative() {
    let (rows, d) = (5, 7);
    let [a, b, c] = [11, 12, 13].map(|s| random_partial(rows, d, s));
    fn p(x: &(Vec<f64>, Vec<f64>)) -> Partial<'_, f64> {
        Partial {
            out: &x.0,
            lse: &x.1,
        }
    }
    let ab = merge(&[p(&a), p(&b)]).unwrap();
    let bc = merge(&[p(&b), p(&c)]).unwrap();
    let left = merge(&[
        Partial {
            out: &ab.out,
            lse: &ab.lse,
        },
        p(&c),
    ])
    .unwrap();
    let right = merge(&[
        p(&a),
        Partial {
            out: &bc.out,
            lse: &bc.lse,
        },
    ])
    .unwrap();
    let all = merge(&[p(&a), p(&b), p(&c)]).unwrap();
    // A few roundings per merge, each of relative size u = 1.1e-16.
    for other in [&right, &all] {
        assert!(rel_err(&left.out, &other.out) < 1e-14);
        assert!(rel_err(&left.lse, &other.lse) < 1e-14);
    }
}

#[test]
fn merge_skips_empty_partials_exactly() {
    let (out, lse) = random_partial(3, 4, 21);
    let lse: Vec<f64> = lse
        .iter()
        .map(|x| if x.is_finite() { *x } else { 0.5 })
        .collect();
    let garbage = vec![1e300; 12];
    let empty = vec![f64::NEG_INFINITY; 3];
    let m = merge(&[
        Partial {
            out: &garbage,
            lse: &empty,
        },
        Partial {
            out: &out,
            lse: &lse,
        },
    ])
    .unwrap();
    assert_eq!(m.out, out);
    assert_eq!(m.lse, lse);
    let none = merge(&[Partial {
        out: &garbage,
        lse: &empty,
    }])
    .unwrap();
    assert!(none.out.iter().all(|&x| x == 0.0));
    assert!(none.lse.iter().all(|&x| x == f64::NEG_INFINITY));
}

#[test]
fn merge_rejects_bad_partials() {
    let (out, lse) = random_partial(3, 4, 31);
    let mut nan = lse.clone();
    nan[1] = f64::NAN;
    assert!(merge::<f64>(&[]).is_err());
    assert!(merge(&[Partial {
        out: &out,
        lse: &nan
    }])
    .is_err());
    assert!(merge(&[Partial {
        out: &out[..11],
        lse: &lse
    }])
    .is_err());
}

/// The case's cache scattered into a pool of shuffled blocks, with its table.
fn paged(c: &Case, block_size: usize) -> (Vec<f64>, Vec<f64>, Vec<u32>) {
    let DecodeShape {
        batch,
        kv_heads,
        kv_len,
        head_dim: d,
        ..
    } = c.shape;
    let per_seq = kv_len.div_ceil(block_size);
    // A few unused blocks; coprime with 7 so `i ↦ (7i + 2) mod num_blocks` is a bijection.
    let num_blocks = (batch * per_seq + 3..).find(|n| n % 7 != 0).unwrap();
    let row = kv_heads * d;
    // Block of (b, t): distinct pool blocks in a scrambled order.
    let table: Vec<u32> = (0..batch * per_seq)
        .map(|i| ((i * 7 + 2) % num_blocks) as u32)
        .collect();
    let mut kp = vec![f64::NAN; num_blocks * block_size * row]; // unused slots poison the result
    let mut vp = kp.clone();
    for b in 0..batch {
        for j in 0..kv_len {
            let blk = table[b * per_seq + j / block_size] as usize;
            let dst = (blk * block_size + j % block_size) * row;
            let src = (b * kv_len + j) * row;
            kp[dst..dst + row].copy_from_slice(&c.k[src..src + row]);
            vp[dst..dst + row].copy_from_slice(&c.v[src..src + row]);
        }
    }
    (kp, vp, table)
}

#[test]
fn paged_matches_contiguous_bitwise_and_oracle() {
    for c in cases() {
        let contiguous = c.run::<f64>();
        for block_size in [16, 48] {
            let (kp, vp, table) = paged(&c, block_size);
            let kv = PagedKv {
                k_blocks: &kp,
                v_blocks: &vp,
                block_size,
                block_table: &table,
            };
            let got = decode_paged(&c.q, &kv, c.shape, &c.opts).unwrap();
            assert_eq!(got, contiguous, "block size {block_size}");
            check(&got, &c.oracle::<f64>(), c.tolerance::<f64>()).unwrap();
        }
    }
}

#[test]
fn paged_table_is_validated_before_work() {
    let c = Case::new(shape(2, 2, 1, 1, 40, 4), false, Some(vec![40, 10]), 9);
    let (kp, vp, mut table) = paged(&c, 16);
    let kv = |t: &[u32], bs: usize, k: &[f64]| -> Result<Forward<f64>> {
        let kv = PagedKv {
            k_blocks: k,
            v_blocks: &vp[..k.len()],
            block_size: bs,
            block_table: t,
        };
        decode_paged(&c.q, &kv, c.shape, &c.opts)
    };
    assert!(kv(&table, 16, &kp).is_ok());
    // Sequence 1 (length 10) reads only its first block: a bad id after it is never read.
    table[5] = 999;
    assert!(kv(&table, 16, &kp).is_ok());
    table[3] = 999;
    assert!(matches!(
        kv(&table, 16, &kp),
        Err(Error::OutOfRange {
            what: "paged.block_table",
            index: 3,
            value: 999,
            ..
        })
    ));
    assert!(matches!(
        kv(&table[..5], 16, &kp),
        Err(Error::ShapeMismatch { .. })
    ));
    assert!(matches!(
        kv(&table, 0, &kp),
        Err(Error::InvalidArgument { .. })
    ));
    assert!(matches!(
        kv(&table, 16, &kp[..kp.len() - 1]),
        Err(Error::ShapeMismatch { .. })
    ));
}

#[test]
fn non_finite_inputs_are_named() {
    let c = Case::new(shape(2, 4, 2, 1, 300, 8), false, Some(vec![300, 200]), 10);
    let sh = c.shape;
    let run = |q: &[f32], k: &[f32], v: &[f32]| decode(q, k, v, sh, &c.opts);
    let (q, k, v) = (cast::<f32>(&c.q), cast::<f32>(&c.k), cast::<f32>(&c.v));
    // Position 250 of sequence 1 is past its length 200: never read.
    let past = ((300 + 250) * 2 + 1) * 8 + 3;
    let inside = ((300 + 150) * 2 + 1) * 8 + 3;
    for (bad, want) in [
        (f32::NAN, true),
        (f32::INFINITY, true),
        (f32::NEG_INFINITY, true),
    ] {
        let mut k2 = k.clone();
        k2[past] = bad;
        assert!(run(&q, &k2, &v).is_ok());
        k2[inside] = bad;
        assert_eq!(
            run(&q, &k2, &v).unwrap_err(),
            Error::NonFinite {
                what: "k_cache",
                index: inside
            },
            "{bad}"
        );
        let mut v2 = v.clone();
        v2[inside] = bad;
        assert_eq!(
            run(&q, &k, &v2).unwrap_err(),
            Error::NonFinite {
                what: "v_cache",
                index: inside
            }
        );
        let mut q2 = q.clone();
        q2[5] = bad;
        assert_eq!(want, run(&q2, &k, &v).is_err());
    }
    // Finite inputs whose scores overflow f32.
    let big: Vec<f32> = k.iter().map(|x| x * 1e37).collect();
    let qb: Vec<f32> = q.iter().map(|x| x * 1e37).collect();
    assert!(matches!(
        run(&qb, &big, &v),
        Err(Error::NonFinite { what: "scores", .. })
    ));
}

#[test]
fn bad_shapes_are_rejected() {
    let c = Case::new(shape(1, 4, 2, 1, 10, 4), false, None, 11);
    let run = |sh: DecodeShape, opts: &Options| decode(&c.q, &c.k, &c.v, sh, opts);
    assert!(run(c.shape, &c.opts).is_ok());
    assert!(run(
        DecodeShape {
            kv_heads: 3,
            ..c.shape
        },
        &c.opts
    )
    .is_err());
    assert!(run(
        DecodeShape {
            kv_heads: 0,
            ..c.shape
        },
        &c.opts
    )
    .is_err());
    assert!(run(
        DecodeShape {
            kv_len: 9,
            ..c.shape
        },
        &c.opts
    )
    .is_err());
    let long = Options::new().kv_valid_len(vec![11]);
    assert!(run(c.shape, &long).is_err());
    let huge = DecodeShape {
        kv_len: usize::MAX / 2,
        ..c.shape
    };
    assert!(run(huge, &c.opts).is_err());
}
