//! Throughput of the CPU attention kernels (f32, 2 rayon threads) in FlashAttention FLOPs, next to a
//! faer f32 GEMM measured in the same run, so the ratio to the GEMM ceiling can be read.
//!
//! `cargo bench --bench attention`. Criterion reports `Gelem/s`, which reads as GFLOP/s. At the end
//! a summary line per shape gives GFLOP/s (best of a few timed repetitions) and the ratio to the
//! GEMM rates measured just before it, against the targets of issue 2 §5; the issue-10 feature
//! shapes (GQA, `[B, S, H, D]`, varlen, window: `attention_features`, the PyTorch script's shapes)
//! follow with the same ratios, then the decode lines (KV-read rate / copy rate) and bf16 / f32.

// The raw faer calls here are the baselines the kernels are measured against.
#![allow(clippy::disallowed_methods)]

use attnmech::attention::{self, Forward, Grads, Options, Shape};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use faer::linalg::matmul::matmul;
use faer::{Accum, Mat, MatMut, MatRef, Par};
use rand::Rng;
use rayon::prelude::*;
use std::hint::black_box;
use std::time::{Duration, Instant};

mod attention_features;
use attention_features::feature_problems;

const THREADS: usize = 2;

/// (label, shape, causal)
fn shapes() -> Vec<(String, Shape, bool)> {
    let mk = |b, h, n, d| Shape {
        batch: b,
        heads: h,
        q_len: n,
        kv_len: n,
        head_dim: d,
    };
    let mut v = Vec::new();
    for &(b, h, n, d) in &[(1, 8, 1024, 64), (1, 8, 2048, 64)] {
        for causal in [false, true] {
            v.push((
                format!("b{b}_h{h}_n{n}_d{d}{}", if causal { "_causal" } else { "" }),
                mk(b, h, n, d),
                causal,
            ));
        }
    }
    v.push(("b4_h8_n256_d64".into(), mk(4, 8, 256, 64), false));
    v.push(("b64_h1_n64_d16".into(), mk(64, 1, 64, 16), false));
    v
}

/// Inputs and preallocated outputs of one shape.
struct Problem {
    shape: Shape,
    opts: Options,
    q: Vec<f32>,
    k: Vec<f32>,
    v: Vec<f32>,
    d_out: Vec<f32>,
    fwd: Forward<f32>,
    grads: Grads<f32>,
}

impl Problem {
    fn new(shape: Shape, causal: bool) -> Self {
        let mut rng = attnmech::rng::seeded(0, 0);
        let mut draw = |n| -> Vec<f32> { (0..n).map(|_| rng.random_range(-1.0..1.0)).collect() };
        Problem {
            shape,
            opts: Options::new().causal(causal),
            q: draw(shape.q_elems()),
            k: draw(shape.kv_elems()),
            v: draw(shape.kv_elems()),
            d_out: draw(shape.q_elems()),
            fwd: Forward {
                out: vec![0.0; shape.q_elems()],
                lse: vec![0.0; shape.lse_elems()],
            },
            grads: Grads {
                dq: vec![0.0; shape.q_elems()],
                dk: vec![0.0; shape.kv_elems()],
                dv: vec![0.0; shape.kv_elems()],
                d_sink: Vec::new(),
            },
        }
    }

    fn forward(&mut self) {
        attention::forward_into(
            black_box(&self.q),
            &self.k,
            &self.v,
            self.shape,
            &self.opts,
            &mut self.fwd.out,
            &mut self.fwd.lse,
        )
        .expect("valid inputs");
    }

    fn forward_backward(&mut self) {
        self.forward();
        let g = &mut self.grads;
        attention::backward_into(
            &self.q,
            &self.k,
            &self.v,
            &self.fwd,
            &self.d_out,
            self.shape,
            &self.opts,
            &mut g.dq,
            &mut g.dk,
            &mut g.dv,
        )
        .expect("valid inputs");
    }

    fn flops_forward(&self) -> f64 {
        self.shape.flops_forward(self.opts.is_causal())
    }

    fn flops_forward_backward(&self) -> f64 {
        self.flops_forward() + self.shape.flops_backward(self.opts.is_causal())
    }
}

/// Square `n × n` f32 GEMM with `Par::rayon(THREADS)`: `2n³` FLOPs.
struct SquareGemm {
    a: Mat<f32>,
    b: Mat<f32>,
    c: Mat<f32>,
}

impl SquareGemm {
    fn new(n: usize) -> Self {
        SquareGemm {
            a: Mat::from_fn(n, n, |i, j| ((i * 7 + j * 3) % 17) as f32 / 17.0),
            b: Mat::from_fn(n, n, |i, j| ((i * 5 + j * 11) % 13) as f32 / 13.0),
            c: Mat::zeros(n, n),
        }
    }
    fn run(&mut self) {
        matmul(
            self.c.as_mut(),
            Accum::Replace,
            self.a.as_ref(),
            self.b.as_ref(),
            1.0,
            Par::rayon(THREADS),
        );
    }
    fn flops(&self) -> f64 {
        2.0 * (self.a.nrows() as f64).powi(3)
    }
}

/// Attention-shaped tile GEMMs: `count` independent `(64 × 64)·(64 × 256)ᵀ` products in parallel
/// over rayon, `Par::Seq` each (the shape and parallel layout of the forward kernel's `QKᵀ`).
struct TileGemms {
    a: Vec<f32>,
    b: Vec<f32>,
    c: Vec<f32>,
    count: usize,
}

impl TileGemms {
    const M: usize = 64;
    const K: usize = 64;
    const N: usize = 256;
    fn new(count: usize) -> Self {
        TileGemms {
            a: (0..count * Self::M * Self::K)
                .map(|i| (i % 31) as f32 / 31.0)
                .collect(),
            b: (0..count * Self::N * Self::K)
                .map(|i| (i % 29) as f32 / 29.0)
                .collect(),
            c: vec![0.0; count * Self::M * Self::N],
            count,
        }
    }
    fn run(&mut self) {
        let (m, k, n) = (Self::M, Self::K, Self::N);
        self.c
            .par_chunks_mut(m * n)
            .zip(self.a.par_chunks(m * k))
            .zip(self.b.par_chunks(n * k))
            .for_each(|((c, a), b)| {
                matmul(
                    MatMut::from_row_major_slice_mut(c, m, n),
                    Accum::Replace,
                    MatRef::from_row_major_slice(a, m, k),
                    MatRef::from_row_major_slice(b, n, k).transpose(),
                    1.0,
                    Par::Seq,
                );
            });
    }
    fn flops(&self) -> f64 {
        2.0 * (self.count * Self::M * Self::K * Self::N) as f64
    }
}

fn configure<'a>(
    c: &'a mut Criterion,
    name: &str,
) -> criterion::BenchmarkGroup<'a, criterion::measurement::WallTime> {
    let mut g = c.benchmark_group(name);
    g.sample_size(10)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(2));
    g
}

fn init_pool() {
    // Ignore the error if a global pool exists already (several groups in one process).
    let _ = rayon::ThreadPoolBuilder::new()
        .num_threads(THREADS)
        .build_global();
}

fn bench_gemm(c: &mut Criterion) {
    init_pool();
    let mut g = configure(c, "gemm_f32");
    let mut sq = SquareGemm::new(1024);
    g.throughput(Throughput::Elements(sq.flops() as u64));
    g.bench_function("square_n1024_rayon2", |b| b.iter(|| sq.run()));
    let mut tiles = TileGemms::new(256);
    g.throughput(Throughput::Elements(tiles.flops() as u64));
    g.bench_function("tiles_64x64x256_x256", |b| b.iter(|| tiles.run()));
    g.finish();
}

fn bench_attention(c: &mut Criterion) {
    init_pool();
    for (pass, both) in [("forward", false), ("forward_backward", true)] {
        let mut g = configure(c, &format!("attention_f32_{pass}"));
        for (label, shape, causal) in shapes() {
            let mut p = Problem::new(shape, causal);
            let flops = if both {
                p.flops_forward_backward()
            } else {
                p.flops_forward()
            };
            g.throughput(Throughput::Elements(flops as u64));
            g.bench_function(BenchmarkId::new("cpu_tiled", &label), |b| {
                b.iter(|| {
                    if both {
                        p.forward_backward()
                    } else {
                        p.forward()
                    }
                })
            });
        }
        g.finish();
    }
}

/// CPU time consumed so far by all threads of this process, in ns (Linux `schedstat`; 0 elsewhere).
/// On a shared machine, FLOPs per CPU-second are far steadier than FLOPs per wall-second.
fn process_cpu_ns() -> u64 {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return 0;
    };
    tasks
        .flatten()
        .filter_map(|t| std::fs::read_to_string(t.path().join("schedstat")).ok())
        .filter_map(|s| s.split_whitespace().next()?.parse::<u64>().ok())
        .sum()
}

/// Rates of one kernel: best wall-clock GFLOP/s, and GFLOP per CPU-second × `THREADS` (the rate
/// the threads would reach if they had their cores to themselves).
#[derive(Clone, Copy)]
struct Rate {
    wall: f64,
    cpu: f64,
}

/// Times `f` and `g` alternately (after one warm-up call each) for at least 3 rounds and about
/// `budget`, so both see the same load on a shared machine; returns their rates.
fn measure_pair(
    flops: (f64, f64),
    budget: Duration,
    mut f: impl FnMut(),
    mut g: impl FnMut(),
) -> (Rate, Rate) {
    f();
    g();
    let start = Instant::now();
    let (mut best, mut cpu, mut reps) = ([f64::INFINITY; 2], [0u64; 2], 0u32);
    while reps < 3 || (start.elapsed() < budget && reps < 200) {
        for (which, run) in [&mut f as &mut dyn FnMut(), &mut g].into_iter().enumerate() {
            let (t, c) = (Instant::now(), process_cpu_ns());
            run();
            best[which] = best[which].min(t.elapsed().as_secs_f64());
            cpu[which] += process_cpu_ns() - c;
        }
        reps += 1;
    }
    let rate = |which: usize, flops: f64| Rate {
        wall: flops / best[which] / 1e9,
        cpu: if cpu[which] > 0 {
            flops * reps as f64 / (cpu[which] as f64 * 1e-9) / 1e9 * THREADS as f64
        } else {
            f64::NAN
        },
    };
    (rate(0, flops.0), rate(1, flops.1))
}

/// One line per shape: GFLOP/s and the ratio to faer's square GEMM timed alternately with it
/// (wall-clock best and per CPU-second), next to the targets of issue 2 §5.
fn summary(_: &mut Criterion) {
    if std::env::var_os("ATTNMECH_BENCH_NO_SUMMARY").is_some() {
        return;
    }
    init_pool();
    let budget = Duration::from_millis(1500);
    let mut sq = SquareGemm::new(1024);
    let sq_flops = sq.flops();
    let mut tiles = TileGemms::new(256);
    let tile_flops = tiles.flops();
    let (gemm_sq, gemm_tiles) =
        measure_pair((sq_flops, tile_flops), budget, || sq.run(), || tiles.run());
    eprintln!(
        "\n=== attention f32 summary, {THREADS} rayon threads; GFLOP/s as wall-clock best | per CPU-second x{THREADS} ===\n\
         faer GEMM square n=1024 Par::rayon({THREADS}): {:.1} | {:.1};  64x64x256 tile GEMMs Par::Seq in parallel: {:.1} | {:.1}\n\
         (ratios: attention / square GEMM, the two timed alternately)",
        gemm_sq.wall, gemm_sq.cpu, gemm_tiles.wall, gemm_tiles.cpu
    );
    eprintln!(
        "{:<36} {:>13} {:>13}   {:>13} {:>13}",
        "shape", "fwd GF/s", "fwd/GEMM", "f+b GF/s", "f+b/GEMM"
    );
    for (label, shape, causal) in shapes() {
        let mut p = Problem::new(shape, causal);
        let target = if label == "b64_h1_n64_d16" {
            "target fwd >= 20, f+b >= 10 GFLOP/s"
        } else if !causal && shape.q_len >= 1024 {
            "target fwd >= 0.75x, f+b >= 0.6x GEMM"
        } else {
            ""
        };
        let flops = (p.flops_forward(), p.flops_forward_backward());
        let run = |both: bool| {
            if both {
                p.forward_backward()
            } else {
                p.forward()
            }
        };
        gemm_ratio_line(&label, flops, budget, &mut sq, run, target);
    }
    // The issue-10 feature shapes (the PyTorch script's), FLOPs of visible (query, key) pairs only,
    // against the same GEMM.
    for mut p in feature_problems() {
        let f = p.flops_forward();
        let label = p.label;
        let run = |both: bool| {
            if both {
                p.forward_backward()
            } else {
                p.forward()
            }
        };
        gemm_ratio_line(label, (f, 3.5 * f), budget, &mut sq, run, "");
    }
}

/// Times `run(false)` (forward, `flops.0`) and `run(true)` (forward + backward, `flops.1`), each
/// alternately with the square GEMM, and prints their GFLOP/s and ratios to the GEMM.
fn gemm_ratio_line(
    label: &str,
    flops: (f64, f64),
    budget: Duration,
    sq: &mut SquareGemm,
    mut run: impl FnMut(bool),
    target: &str,
) {
    let sq_flops = sq.flops();
    let (fwd, g1) = measure_pair((flops.0, sq_flops), budget, || run(false), || sq.run());
    let (both, g2) = measure_pair((flops.1, sq_flops), budget, || run(true), || sq.run());
    eprintln!(
        "{label:<36} {:>6.1}|{:<6.1} {:>6.2}|{:<6.2}   {:>6.1}|{:<6.1} {:>6.2}|{:<6.2} {target}",
        fwd.wall,
        fwd.cpu,
        fwd.wall / g1.wall,
        fwd.cpu / g1.cpu,
        both.wall,
        both.cpu,
        both.wall / g2.wall,
        both.cpu / g2.cpu,
    );
}

fn bench_features(c: &mut Criterion) {
    init_pool();
    for (pass, both) in [("forward", false), ("forward_backward", true)] {
        let mut g = configure(c, &format!("attention_f32_features_{pass}"));
        for mut p in feature_problems() {
            let f = p.flops_forward();
            let flops = if both { 3.5 * f } else { f };
            g.throughput(Throughput::Elements(flops as u64));
            g.bench_function(BenchmarkId::new("cpu_tiled", p.label), |b| {
                b.iter(|| {
                    if both {
                        p.forward_backward()
                    } else {
                        p.forward()
                    }
                })
            });
        }
        g.finish();
    }
}

criterion_group!(
    benches,
    bench_gemm,
    bench_attention,
    bench_features,
    summary
);
criterion_main!(benches, decode_benches);

// ---------------------------------------------------------------------------------------------
// Decode (flash-decoding against a KV cache) and bf16 storage (issue 10 §4).
//
// `cargo bench --bench attention -- decode` runs the criterion group; the summary lines (KV-read
// GB/s against a memory copy timed alternately with it, bf16 against f32 forward) print at the end
// unless `ATTNMECH_BENCH_NO_DECODE_SUMMARY` is set. `ATTNMECH_BENCH_NO_SUMMARY=1` skips the dense
// summary above, so the decode numbers alone take a few seconds.

use attnmech::attention::decode::{self, DecodeShape, PagedKv};
use half::bf16;

/// vLLM's default block size.
const BLOCK: usize = 16;

/// One decode problem in f32, with its cache both contiguous and paged (blocks in a scrambled
/// order, as a long-running server's pool would be).
struct DecodeProblem {
    shape: DecodeShape,
    q: Vec<f32>,
    k: Vec<f32>,
    v: Vec<f32>,
    k_blocks: Vec<f32>,
    v_blocks: Vec<f32>,
    table: Vec<u32>,
}

impl DecodeProblem {
    fn new(batch: usize) -> Self {
        let shape = DecodeShape {
            batch,
            heads: 32,
            kv_heads: 8,
            q_len: 1,
            kv_len: 4096,
            head_dim: 128,
        };
        let mut rng = attnmech::rng::seeded(1, 0);
        let mut draw = |n| -> Vec<f32> { (0..n).map(|_| rng.random_range(-1.0..1.0)).collect() };
        let q = draw(shape.q_elems().unwrap());
        let k = draw(shape.kv_elems().unwrap());
        let v = draw(shape.kv_elems().unwrap());
        let per_seq = shape.kv_len / BLOCK;
        let blocks = batch * per_seq;
        // Block i of the flat cache goes to pool slot (i·p) mod blocks, p coprime with blocks.
        let p = (1..)
            .map(|x| 2 * x + 1)
            .find(|p| gcd(*p, blocks) == 1 && *p > 100)
            .unwrap();
        let table: Vec<u32> = (0..blocks).map(|i| ((i * p) % blocks) as u32).collect();
        let len = BLOCK * shape.kv_heads * shape.head_dim;
        let (mut k_blocks, mut v_blocks) = (vec![0.0; k.len()], vec![0.0; v.len()]);
        for (i, &slot) in table.iter().enumerate() {
            let s = slot as usize;
            k_blocks[s * len..(s + 1) * len].copy_from_slice(&k[i * len..(i + 1) * len]);
            v_blocks[s * len..(s + 1) * len].copy_from_slice(&v[i * len..(i + 1) * len]);
        }
        DecodeProblem {
            shape,
            q,
            k,
            v,
            k_blocks,
            v_blocks,
            table,
        }
    }
    fn kv_bytes(&self) -> f64 {
        (2 * self.k.len() * std::mem::size_of::<f32>()) as f64
    }
    fn contiguous(&self) -> attention::Forward<f32> {
        decode::decode(
            black_box(&self.q),
            &self.k,
            &self.v,
            self.shape,
            &Options::default(),
        )
        .expect("valid inputs")
    }
    fn paged(&self) -> attention::Forward<f32> {
        let kv = PagedKv {
            k_blocks: &self.k_blocks,
            v_blocks: &self.v_blocks,
            block_size: BLOCK,
            block_table: &self.table,
        };
        decode::decode_paged(black_box(&self.q), &kv, self.shape, &Options::default())
            .expect("valid inputs")
    }
}

fn gcd(a: usize, b: usize) -> usize {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

/// `dst ← src` in `THREADS` parallel pieces: the memory-copy ceiling, counted as bytes of `src`
/// per second (memcpy's convention; STREAM counts read + write, twice that).
struct Copy {
    src: Vec<f32>,
    dst: Vec<f32>,
}

impl Copy {
    fn new(bytes: f64) -> Self {
        let n = (bytes / 4.0) as usize;
        Copy {
            src: (0..n).map(|i| i as f32).collect(),
            dst: vec![0.0; n],
        }
    }
    fn bytes(&self) -> f64 {
        (self.src.len() * 4) as f64
    }
    fn run(&mut self) {
        let piece = self.src.len().div_ceil(THREADS);
        self.dst
            .par_chunks_mut(piece)
            .zip(self.src.par_chunks(piece))
            .for_each(|(d, s)| d.copy_from_slice(s));
        black_box(&self.dst);
    }
}

/// bf16 and f32 inputs of the dense forward at (1, 8, 2048, 128).
struct Bf16Problem {
    shape: Shape,
    q: Vec<bf16>,
    k: Vec<bf16>,
    v: Vec<bf16>,
}

impl Bf16Problem {
    const SHAPE: Shape = Shape {
        batch: 1,
        heads: 8,
        q_len: 2048,
        kv_len: 2048,
        head_dim: 128,
    };
    /// The f32 problem's inputs rounded to bf16.
    fn new(f32: &Problem) -> Self {
        let to = |x: &[f32]| x.iter().map(|&v| bf16::from_f32(v)).collect();
        Bf16Problem {
            shape: f32.shape,
            q: to(&f32.q),
            k: to(&f32.k),
            v: to(&f32.v),
        }
    }
    fn forward(&self) {
        black_box(
            attention::half::forward(
                black_box(&self.q),
                &self.k,
                &self.v,
                self.shape,
                &Options::default(),
            )
            .expect("valid inputs"),
        );
    }
}

fn bench_decode(c: &mut Criterion) {
    init_pool();
    let mut g = configure(c, "decode_f32");
    for batch in [1, 8] {
        let p = DecodeProblem::new(batch);
        g.throughput(Throughput::Bytes(p.kv_bytes() as u64));
        let label = format!("b{batch}_h32_kv8_q1_m4096_d128");
        g.bench_function(BenchmarkId::new("contiguous", &label), |b| {
            b.iter(|| p.contiguous())
        });
        g.bench_function(BenchmarkId::new("paged16", &label), |b| {
            b.iter(|| p.paged())
        });
    }
    g.finish();
    let mut g = configure(c, "decode_bf16_forward");
    let p = Bf16Problem::new(&Problem::new(Bf16Problem::SHAPE, false));
    g.throughput(Throughput::Elements(p.shape.flops_forward(false) as u64));
    g.bench_function("b1_h8_n2048_d128", |b| b.iter(|| p.forward()));
    g.finish();
}

/// KV-read GB/s of each decode shape against the copy bandwidth timed alternately with it, and
/// bf16 against f32 forward, with the targets of issue 10 §4.
fn decode_summary(_: &mut Criterion) {
    if std::env::var_os("ATTNMECH_BENCH_NO_DECODE_SUMMARY").is_some() {
        return;
    }
    init_pool();
    let budget = Duration::from_millis(1500);
    eprintln!(
        "\n=== decode f32, {THREADS} rayon threads: KV-cache GB/s read, wall-clock best | per CPU-second x{THREADS} ===\n\
         (copy: a {THREADS}-thread copy_from_slice of the same size, timed alternately; bytes copied per second)"
    );
    eprintln!(
        "{:<34} {:>15} {:>15} {:>13}",
        "shape", "decode GB/s", "copy GB/s", "ratio"
    );
    for batch in [1, 8] {
        let p = DecodeProblem::new(batch);
        let mut copy = Copy::new(p.kv_bytes());
        let cb = copy.bytes();
        for (kind, paged) in [("contiguous", false), ("paged16", true)] {
            let (dec, cp) = measure_pair(
                (p.kv_bytes(), cb),
                budget,
                || {
                    black_box(if paged { p.paged() } else { p.contiguous() });
                },
                || copy.run(),
            );
            eprintln!(
                "{:<34} {:>7.2}|{:<7.2} {:>7.2}|{:<7.2} {:>6.2}|{:<6.2} target >= 0.7x copy",
                format!("b{batch}_h32_kv8_q1_m4096_d128 {kind}"),
                dec.wall,
                dec.cpu,
                cp.wall,
                cp.cpu,
                dec.wall / cp.wall,
                dec.cpu / cp.cpu
            );
        }
    }
    let mut f32p = Problem::new(Bf16Problem::SHAPE, false);
    let p = Bf16Problem::new(&f32p);
    let flops = p.shape.flops_forward(false);
    let (h, f) = measure_pair((flops, flops), budget, || p.forward(), || f32p.forward());
    eprintln!(
        "bf16 forward b1_h8_n2048_d128: {:.1}|{:.1} GFLOP/s, f32 {:.1}|{:.1}, ratio {:.2}|{:.2} target >= 0.8x",
        h.wall, h.cpu, f.wall, f.cpu, h.wall / f.wall, h.cpu / f.cpu
    );
}

criterion_group!(decode_benches, bench_decode, decode_summary);
