//! Seeded conformance cases: shapes, options and input data.

use crate::attention::{Options, Shape};
use crate::rng::seeded;
use rand::Rng;
use rand_distr::{Distribution, StandardNormal};
use std::fmt;

/// Head dimensions every kernel must support (the FlashAttention set up to 256).
pub const HEAD_DIMS: &[usize] = &[1, 8, 16, 64, 80, 128, 256];
/// Odd head dimensions: no SIMD lane count divides them, so remainder loops get exercised.
pub const ODD_HEAD_DIMS: &[usize] = &[3, 5, 17, 33];
/// Sequence lengths straddling the likely tile sizes (Br, Bc ∈ {16, 32, 64, 128}).
pub const TILE_EDGE_LENGTHS: &[usize] = &[1, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129];

/// How the inputs of a case are drawn.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Data {
    /// `q, k ~ amplitude·N(0, 1)`, `v, d_out ~ N(0, 1)`. With the default scale the scores have
    /// standard deviation about `amplitude²`, so the amplitude sets how peaked the softmax is.
    Gaussian {
        /// Standard deviation of the entries of `q` and `k`.
        amplitude: f64,
    },
    /// `q, k` uniform integers in `[-max, max]`, `v, d_out ~ N(0, 1)`. With `max ≤ 128`,
    /// `head_dim ≤ 16` and a power-of-two scale every score is exact in f32, so large scores
    /// (|S| ~ 1e4) test only the overflow handling of the softmax, not the dot products.
    Integers {
        /// Largest magnitude.
        max: i32,
    },
    /// Every entry of `q` is `q` and every entry of `k` is `k`: all scores of a row are equal
    /// (`scale·d·q·k`), so the softmax is uniform however large the scores are.
    Constant {
        /// Value of every entry of `q`.
        q: f64,
        /// Value of every entry of `k`.
        k: f64,
    },
}

/// Memory layout a case hands to the kernel (the oracle always gets dense `[B, H, S, D]`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// `[B, H, S, D]`.
    Bhsd,
    /// `[B, S, H, D]` (FlashAttention's).
    Bshd,
}

/// One conformance case: a shape, options, and how to draw the inputs.
#[derive(Clone, Debug)]
pub struct Case {
    /// The call's shape (`heads` = query heads, `head_dim` = q/k head dim; under varlen `batch`
    /// is 1 and the lengths are the packed totals).
    pub shape: Shape,
    /// KV heads (divides `shape.heads`).
    pub kv_heads: usize,
    /// Value head dim.
    pub v_dim: usize,
    /// Layout handed to the kernel.
    pub layout: Layout,
    /// The call's options.
    pub opts: Options,
    /// How the inputs are drawn.
    pub data: Data,
    /// Seed of the input draw (stream 0 of [`crate::rng::seeded`]).
    pub seed: u64,
}

/// The inputs of one case, in f64 (a kernel in `T` gets them rounded to `T`), dense.
#[derive(Clone, Debug)]
pub struct Inputs {
    /// `[B, H, N, d]`.
    pub q: Vec<f64>,
    /// `[B, H_kv, M, d]`.
    pub k: Vec<f64>,
    /// `[B, H_kv, M, d_v]`.
    pub v: Vec<f64>,
    /// Upstream gradient `[B, H, N, d_v]`.
    pub d_out: Vec<f64>,
}

impl Case {
    /// A case with Gaussian data of amplitude 1 and no options.
    pub fn new(shape: Shape, seed: u64) -> Self {
        Case {
            shape,
            kv_heads: shape.heads,
            v_dim: shape.head_dim,
            layout: Layout::Bhsd,
            opts: Options::default(),
            data: Data::Gaussian { amplitude: 1.0 },
            seed,
        }
    }
    /// Sets the causal flag.
    pub fn causal(mut self, causal: bool) -> Self {
        self.opts = self.opts.causal(causal);
        self
    }
    /// Sets the per-batch valid key counts.
    pub fn valid(mut self, valid: Vec<usize>) -> Self {
        self.opts = self.opts.kv_valid_len(valid);
        self
    }
    /// Sets an explicit scale.
    pub fn scale(mut self, scale: f64) -> Self {
        self.opts = self.opts.scale(scale);
        self
    }
    /// Changes the options with `f`.
    pub fn with(mut self, f: impl FnOnce(Options) -> Options) -> Self {
        self.opts = f(self.opts);
        self
    }
    /// Sets the KV head count (GQA / MQA).
    pub fn kv_heads(mut self, kv_heads: usize) -> Self {
        self.kv_heads = kv_heads;
        self
    }
    /// Sets the value head dim.
    pub fn v_dim(mut self, v_dim: usize) -> Self {
        self.v_dim = v_dim;
        self
    }
    /// Sets the layout handed to the kernel.
    pub fn layout(mut self, layout: Layout) -> Self {
        self.layout = layout;
        self
    }
    /// Element counts `(q, k, v, d_out)`.
    pub fn elems(&self) -> (usize, usize, usize, usize) {
        let s = self.shape;
        (
            s.batch * s.heads * s.q_len * s.head_dim,
            s.batch * self.kv_heads * s.kv_len * s.head_dim,
            s.batch * self.kv_heads * s.kv_len * self.v_dim,
            s.batch * s.heads * s.q_len * self.v_dim,
        )
    }
    /// Sets the data kind.
    pub fn data(mut self, data: Data) -> Self {
        self.data = data;
        self
    }
    /// `B·H·N·M·d`, the work of one GEMM of the case (used to keep suites fast).
    pub fn work(&self) -> usize {
        let s = self.shape;
        s.batch * s.heads * s.q_len * s.kv_len * s.head_dim
    }

    /// Draws the inputs (deterministic in `seed`).
    pub fn inputs(&self) -> Inputs {
        let mut rng = seeded(self.seed, 0);
        let (nq, nk, nv, no) = self.elems();
        let mut normal = |n: usize, a: f64| -> Vec<f64> {
            (0..n)
                .map(|_| a * Distribution::<f64>::sample(&StandardNormal, &mut rng))
                .collect::<Vec<f64>>()
        };
        let (q, k) = match self.data {
            Data::Gaussian { amplitude } => (normal(nq, amplitude), normal(nk, amplitude)),
            Data::Integers { .. } | Data::Constant { .. } => (Vec::new(), Vec::new()),
        };
        let v = normal(nv, 1.0);
        let d_out = normal(no, 1.0);
        let (q, k) = match self.data {
            Data::Gaussian { .. } => (q, k),
            Data::Integers { max } => {
                let mut rng = seeded(self.seed, 1);
                let mut ints = |n: usize| -> Vec<f64> {
                    (0..n)
                        .map(|_| rng.random_range(-max..=max) as f64)
                        .collect()
                };
                (ints(nq), ints(nk))
            }
            Data::Constant { q, k } => (vec![q; nq], vec![k; nk]),
        };
        Inputs { q, k, v, d_out }
    }
}

impl fmt::Display for Case {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.shape;
        write!(
            f,
            "B={} H={} H_kv={} N={} M={} d={} d_v={} {:?} {} data={:?} seed={}",
            s.batch,
            s.heads,
            self.kv_heads,
            s.q_len,
            s.kv_len,
            s.head_dim,
            self.v_dim,
            self.layout,
            self.opts,
            self.data,
            self.seed
        )
    }
}

fn shape(batch: usize, heads: usize, q_len: usize, kv_len: usize, head_dim: usize) -> Shape {
    Shape {
        batch,
        heads,
        q_len,
        kv_len,
        head_dim,
    }
}

/// Every head dimension of [`HEAD_DIMS`] and [`ODD_HEAD_DIMS`], with `q_len ≠ kv_len` both ways,
/// causal and not.
pub fn head_dim_cases(seed: u64) -> Vec<Case> {
    HEAD_DIMS
        .iter()
        .chain(ODD_HEAD_DIMS)
        .enumerate()
        .flat_map(|(i, &d)| {
            let s = seed.wrapping_add(100 + 2 * i as u64);
            [
                Case::new(shape(1, 2, 33, 65, d), s).causal(i % 2 == 0),
                Case::new(shape(1, 1, 65, 33, d), s + 1).causal(i % 2 == 1),
            ]
        })
        .collect()
}

/// AK6: lengths straddling the tile sizes, square causal and rectangular non-causal.
pub fn tile_edge_cases(seed: u64) -> Vec<Case> {
    TILE_EDGE_LENGTHS
        .iter()
        .enumerate()
        .flat_map(|(i, &n)| {
            let s = seed.wrapping_add(200 + 3 * i as u64);
            let other = TILE_EDGE_LENGTHS[TILE_EDGE_LENGTHS.len() - 1 - i];
            [
                Case::new(shape(1, 1, n, n, 16), s).causal(true),
                Case::new(shape(1, 1, n, other, 8), s + 1),
                Case::new(shape(1, 1, n, 64, 8), s + 2).causal(true),
            ]
        })
        .collect()
}

/// AK4: bottom-right causal alignment with `q_len < kv_len`, `q_len > kv_len` (rows that see no
/// key), single-query decoding against a cache, and a single key.
pub fn causal_cases(seed: u64) -> Vec<Case> {
    let s = seed.wrapping_add(300);
    vec![
        Case::new(shape(1, 2, 5, 70, 16), s).causal(true),
        Case::new(shape(1, 2, 70, 5, 16), s + 1).causal(true),
        Case::new(shape(1, 1, 1, 129, 64), s + 2).causal(true),
        Case::new(shape(1, 1, 129, 1, 8), s + 3).causal(true),
        Case::new(shape(2, 2, 65, 129, 32), s + 4).causal(true),
        Case::new(shape(2, 2, 129, 65, 32), s + 5).causal(true),
        Case::new(shape(1, 1, 64, 64, 64), s + 6).causal(true),
    ]
}

/// AK5 and padding: `kv_valid_len` of 0 (every row empty), full, partial, combined with causal;
/// and the empty extents `q_len = 0` and `kv_len = 0`.
pub fn masking_cases(seed: u64) -> Vec<Case> {
    let s = seed.wrapping_add(400);
    vec![
        Case::new(shape(3, 2, 33, 65, 16), s).valid(vec![0, 65, 17]),
        Case::new(shape(3, 2, 33, 65, 16), s + 1)
            .valid(vec![0, 65, 17])
            .causal(true),
        Case::new(shape(2, 1, 17, 17, 8), s + 2).valid(vec![17, 1]),
        Case::new(shape(2, 2, 65, 31, 16), s + 3)
            .valid(vec![31, 7])
            .causal(true),
        Case::new(shape(1, 1, 16, 16, 4), s + 4).valid(vec![0]),
        Case::new(shape(1, 1, 0, 5, 4), s + 5),
        Case::new(shape(1, 2, 3, 0, 4), s + 6),
        Case::new(shape(1, 2, 3, 0, 4), s + 7).causal(true),
    ]
}

/// Batch and heads above one, explicit scales, peaked softmax.
pub fn batch_head_cases(seed: u64) -> Vec<Case> {
    let s = seed.wrapping_add(500);
    vec![
        Case::new(shape(3, 4, 17, 31, 8), s),
        Case::new(shape(2, 3, 64, 64, 64), s + 1).causal(true),
        Case::new(shape(2, 2, 33, 33, 16), s + 2).scale(0.3),
        Case::new(shape(1, 3, 40, 50, 24), s + 3)
            .scale(1.0)
            .data(Data::Gaussian { amplitude: 0.5 }),
        Case::new(shape(2, 2, 48, 80, 32), s + 4).data(Data::Gaussian { amplitude: 2.0 }),
    ]
}

/// Scores of magnitude ~1e4 (exact in f32), equal scores of ±1e4, with causal and padding:
/// the softmax must subtract the running maximum, or `exp` overflows to `inf` (and `inf/inf` is NaN).
pub fn extreme_cases(seed: u64) -> Vec<Case> {
    let s = seed.wrapping_add(600);
    let ints = Data::Integers { max: 128 };
    vec![
        Case::new(shape(1, 2, 33, 65, 16), s).data(ints).scale(0.25),
        Case::new(shape(2, 1, 65, 33, 16), s + 1)
            .data(ints)
            .scale(0.25)
            .causal(true)
            .valid(vec![33, 20]),
        Case::new(shape(1, 1, 17, 129, 16), s + 2)
            .data(Data::Constant { q: 50.0, k: 50.0 })
            .scale(0.25),
        Case::new(shape(1, 1, 17, 129, 16), s + 3)
            .data(Data::Constant { q: 50.0, k: -50.0 })
            .scale(0.25)
            .causal(true),
    ]
}

/// `count` random cases: lengths from [`TILE_EDGE_LENGTHS`] and small values, every head
/// dimension, random batch/heads/causal/padding/scale/amplitude, redrawn until
/// `work() ≤ max_work`.
pub fn random_cases(seed: u64, count: usize, max_work: usize) -> Vec<Case> {
    let mut rng = seeded(seed, 7);
    let lengths: Vec<usize> = TILE_EDGE_LENGTHS.iter().copied().chain(2..9).collect();
    let dims: Vec<usize> = HEAD_DIMS.iter().chain(ODD_HEAD_DIMS).copied().collect();
    let pick = |rng: &mut crate::rng::Rng, xs: &[usize]| xs[rng.random_range(0..xs.len())];
    let mut out = Vec::with_capacity(count);
    while out.len() < count {
        let sh = shape(
            rng.random_range(1..=3),
            rng.random_range(1..=3),
            pick(&mut rng, &lengths),
            pick(&mut rng, &lengths),
            pick(&mut rng, &dims),
        );
        let mut case = Case::new(sh, seed.wrapping_add(1000 + out.len() as u64))
            .causal(rng.random_bool(0.5))
            .data(Data::Gaussian {
                amplitude: [0.5, 1.0, 1.5][rng.random_range(0..3)],
            });
        if case.work() > max_work {
            continue;
        }
        if rng.random_bool(0.4) {
            let valid = (0..sh.batch)
                .map(|_| match rng.random_range(0..4) {
                    0 => 0,
                    1 => sh.kv_len,
                    _ => rng.random_range(0..=sh.kv_len),
                })
                .collect();
            case = case.valid(valid);
        }
        if rng.random_bool(0.25) {
            case = case.scale(rng.random_range(0.05..0.6));
        }
        out.push(case);
    }
    out
}

/// The suite every kernel runs: head dims, tile edges, causal alignment, masking, batch/heads,
/// extremes, and 24 random cases. About 100 cases; reference + CPU kernels run it in well under a
/// second per dtype.
pub fn standard_cases(seed: u64) -> Vec<Case> {
    let mut all = head_dim_cases(seed);
    all.extend(tile_edge_cases(seed));
    all.extend(causal_cases(seed));
    all.extend(masking_cases(seed));
    all.extend(batch_head_cases(seed));
    all.extend(extreme_cases(seed));
    all.extend(random_cases(seed, 24, 1 << 19));
    all.extend(feature_cases(seed));
    all.extend(random_feature_cases(seed, 24, 1 << 18));
    all
}

/// A smaller suite for the quick report: every family of [`standard_cases`] but fewer members.
pub fn quick_cases(seed: u64) -> Vec<Case> {
    let mut all: Vec<Case> = head_dim_cases(seed).into_iter().step_by(3).collect();
    all.extend(tile_edge_cases(seed).into_iter().step_by(4));
    all.extend(causal_cases(seed));
    all.extend(masking_cases(seed));
    all.extend(extreme_cases(seed));
    all.extend(random_cases(seed, 6, 1 << 17));
    all.extend(feature_cases(seed).into_iter().step_by(3));
    all
}

/// Per-head values `a, a·r, a·r², …` (ALiBi-like slopes, or sink logits when `a` may be large).
fn per_head(heads: usize, a: f64, r: f64) -> Vec<f64> {
    (0..heads).map(|h| a * r.powi(h as i32)).collect()
}

/// Packed sequences of the given `(q_len, kv_len)` pairs: `(cu_seqlens_q, cu_seqlens_k)`.
fn cu_seqlens(lens: &[(usize, usize)]) -> (Vec<usize>, Vec<usize>) {
    let mut q = vec![0];
    let mut k = vec![0];
    for &(n, m) in lens {
        q.push(q.last().copied().unwrap_or(0) + n);
        k.push(k.last().copied().unwrap_or(0) + m);
    }
    (q, k)
}

/// A varlen case: one batch-1 view holding the packed sequences `lens`.
fn varlen_case(heads: usize, d: usize, lens: &[(usize, usize)], seed: u64) -> Case {
    let (cq, ck) = cu_seqlens(lens);
    let sh = shape(1, heads, cq[cq.len() - 1], ck[ck.len() - 1], d);
    Case::new(sh, seed).with(|o| o.varlen(cq, ck))
}

/// The features of issue 10, one family each, at shapes around the tile edges: GQA ratios 1, 2, 8
/// and MQA; sliding windows narrower than a tile and wider than the sequence (with and without
/// causal, N < M and N > M); soft-cap near saturation; ALiBi; sinks (also on rows that see no
/// key); varlen with empty and length-1 sequences; `d_v ≠ d` (incl. 192/128); head dim 256; the
/// `[B, S, H, D]` layout.
pub fn feature_cases(seed: u64) -> Vec<Case> {
    let s = seed.wrapping_add(700);
    let g = |amp| Data::Gaussian { amplitude: amp };
    vec![
        // GQA / MQA
        Case::new(shape(2, 4, 33, 65, 16), s)
            .kv_heads(2)
            .causal(true),
        Case::new(shape(1, 8, 17, 70, 8), s + 1).kv_heads(1),
        Case::new(shape(1, 8, 65, 65, 8), s + 2)
            .kv_heads(4)
            .causal(true),
        Case::new(shape(1, 2, 1, 129, 16), s + 3)
            .kv_heads(1)
            .causal(true),
        // sliding windows (FlashAttention convention, relative to the bottom-right diagonal)
        Case::new(shape(1, 2, 65, 65, 16), s + 4).with(|o| o.window(3, 0)),
        Case::new(shape(1, 1, 129, 200, 8), s + 5).with(|o| o.window(5, 2)),
        Case::new(shape(1, 2, 70, 33, 8), s + 6).with(|o| o.window(200, 300)),
        Case::new(shape(1, 1, 70, 33, 8), s + 7).with(|o| o.window(-1, 4)),
        Case::new(shape(2, 1, 33, 70, 8), s + 8)
            .with(|o| o.window(7, -1).causal(true))
            .valid(vec![70, 20]),
        Case::new(shape(1, 1, 40, 40, 8), s + 9).with(|o| o.window(0, 0)),
        // soft-cap, near saturation (|s| ≫ c) and mild
        Case::new(shape(1, 2, 33, 65, 16), s + 10)
            .data(g(3.0))
            .with(|o| o.softcap(1.0)),
        Case::new(shape(1, 2, 65, 33, 16), s + 11).with(|o| o.softcap(30.0).causal(true)),
        // ALiBi
        Case::new(shape(1, 4, 33, 65, 8), s + 12).with(|o| o.alibi(per_head(4, 0.5, 0.5))),
        Case::new(shape(1, 2, 65, 65, 8), s + 13)
            .with(|o| o.alibi(per_head(2, 0.25, 0.5)).causal(true).softcap(5.0)),
        // sinks (rows with no key keep out = 0, lse = σ)
        Case::new(shape(1, 2, 40, 17, 8), s + 14).with(|o| o.sinks(vec![0.5, -1.0]).causal(true)),
        Case::new(shape(2, 2, 33, 65, 8), s + 15)
            .kv_heads(1)
            .with(|o| o.sinks(vec![2.0, 0.0]).window(9, 0)),
        // varlen: empty and length-1 sequences, own causal alignment
        varlen_case(2, 8, &[(0, 5), (1, 1), (17, 33), (65, 40), (3, 0)], s + 16).causal(true),
        varlen_case(4, 16, &[(33, 33), (1, 70), (0, 0), (20, 20)], s + 17).kv_heads(2),
        varlen_case(2, 8, &[(16, 16), (17, 17)], s + 18)
            .with(|o| o.window(4, 0).sinks(vec![0.3, 0.1])),
        // value head dim ≠ q/k head dim
        Case::new(shape(1, 2, 33, 40, 24), s + 19)
            .v_dim(16)
            .causal(true),
        Case::new(shape(1, 1, 17, 17, 192), s + 20).v_dim(128),
        Case::new(shape(1, 1, 65, 70, 256), s + 21).with(|o| o.window(30, 0)),
        // [B, S, H, D] strided layout, with GQA
        Case::new(shape(2, 4, 33, 65, 16), s + 22)
            .layout(Layout::Bshd)
            .kv_heads(2)
            .causal(true),
        Case::new(shape(1, 3, 17, 17, 8), s + 23)
            .layout(Layout::Bshd)
            .v_dim(5)
            .with(|o| o.softcap(2.0)),
    ]
}

/// `count` random combinations of the features of [`feature_cases`]: lengths near tile edges,
/// GQA ratios 1/2/8/MQA, windows, soft-cap, ALiBi, sinks, padding, varlen, `d_v ≠ d`, layouts;
/// redrawn until `work() ≤ max_work`.
pub fn random_feature_cases(seed: u64, count: usize, max_work: usize) -> Vec<Case> {
    let mut rng = seeded(seed, 9);
    let lengths: Vec<usize> = TILE_EDGE_LENGTHS.iter().copied().chain(0..6).collect();
    let dims = [1usize, 3, 8, 16, 17, 33, 64];
    let pick = |rng: &mut crate::rng::Rng, xs: &[usize]| xs[rng.random_range(0..xs.len())];
    let mut out = Vec::with_capacity(count);
    while out.len() < count {
        let (ratio, kv_heads) =
            [(1, 1), (1, 2), (2, 1), (2, 2), (8, 1), (4, 1)][rng.random_range(0..6)];
        let heads = ratio * kv_heads;
        let d = pick(&mut rng, &dims);
        let seed_i = seed.wrapping_add(2000 + out.len() as u64);
        let mut case = if rng.random_bool(0.25) {
            let seqs = rng.random_range(1..=4);
            let lens: Vec<(usize, usize)> = (0..seqs)
                .map(|_| (pick(&mut rng, &lengths), pick(&mut rng, &lengths)))
                .collect();
            varlen_case(heads, d, &lens, seed_i)
        } else {
            let sh = shape(
                rng.random_range(1..=2),
                heads,
                pick(&mut rng, &lengths),
                pick(&mut rng, &lengths),
                d,
            );
            let mut c = Case::new(sh, seed_i);
            if rng.random_bool(0.3) {
                let valid = (0..sh.batch)
                    .map(|_| rng.random_range(0..=sh.kv_len))
                    .collect();
                c = c.valid(valid);
            }
            if rng.random_bool(0.2) {
                c = c.layout(Layout::Bshd);
            }
            c
        };
        case = case.kv_heads(kv_heads).causal(rng.random_bool(0.5));
        if rng.random_bool(0.4) {
            let side = |rng: &mut crate::rng::Rng| -> isize {
                [-1isize, 0, 1, 3, 17, 70, 300][rng.random_range(0..7)]
            };
            let (l, r) = (side(&mut rng), side(&mut rng));
            case = case.with(|o| o.window(l, r));
        }
        if rng.random_bool(0.3) {
            let cap = [0.5, 2.0, 20.0][rng.random_range(0..3)];
            case = case.with(|o| o.softcap(cap));
        }
        if rng.random_bool(0.3) {
            case = case.with(|o| o.alibi(per_head(heads, 0.5, 0.5)));
        }
        if rng.random_bool(0.3) {
            let sinks = per_head(heads, rng.random_range(-2.0..2.0), 0.7);
            case = case.with(|o| o.sinks(sinks));
        }
        if rng.random_bool(0.2) {
            case = case.v_dim(pick(&mut rng, &dims));
        }
        let work = case.work() * case.kv_heads.max(1) / case.kv_heads.max(1);
        if work > max_work {
            continue;
        }
        out.push(case);
    }
    out
}
