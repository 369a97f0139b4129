//! Wall-clock timer for `scripts/attention_vs_torch.py`: prints one `RESULT` line per issue-10
//! shape (median of 7 timed runs after 2 warm-ups, 2 rayon threads), on exactly the shapes the
//! script times in PyTorch (see its docstring).
//!
//! `cargo run --release --example attention_bench`
//!
//! Line format: `RESULT shape=NAME fwd_ms=X [fwdbwd_ms=Y] [kv_gbs=A copy_gbs=B]`. The decode lines
//! also carry the KV-cache read rate and the rate of a 2-thread copy of a buffer of the same size,
//! timed alternately with the decode in the same run (issue 10 §4: decode reads at >= 0.7x copy),
//! and the mean CPU time of one decode call (`cpu_ms`, all threads). An optional argument keeps
//! the groups whose name contains it (`features`, `decode`, `bf16`).

use attnmech::attention::decode::{self, DecodeShape, PagedKv};
use attnmech::attention::{self, Options, Shape};
use half::bf16;
use rand::Rng;
use rayon::prelude::*;
use std::hint::black_box;
use std::time::Instant;

// The feature shapes, shared with the criterion bench (which also uses their FLOP counts).
#[allow(dead_code)]
#[path = "../benches/attention_features/mod.rs"]
mod attention_features;

fn random(n: usize, seed: u64) -> Vec<f32> {
    let mut rng = attnmech::rng::seeded(seed, 0);
    (0..n).map(|_| rng.random_range(-1.0..1.0)).collect()
}

fn elapsed_ms(f: &mut impl FnMut()) -> f64 {
    let s = Instant::now();
    f();
    s.elapsed().as_secs_f64() * 1e3
}

/// Median wall-clock milliseconds of `f`.
fn median_ms(mut f: impl FnMut()) -> f64 {
    median_pair_ms(&mut f, &mut || {}).0
}

/// Median milliseconds of `f` and of `g`, timed alternately (so both see the same machine load).
fn median_pair_ms(f: &mut impl FnMut(), g: &mut impl FnMut()) -> (f64, f64) {
    let (t, _) = median_pair_ms_cpu(f, g);
    t
}

/// [`median_pair_ms`], and the mean CPU milliseconds (all threads) of one timed call of `f`.
fn median_pair_ms_cpu(f: &mut impl FnMut(), g: &mut impl FnMut()) -> ((f64, f64), f64) {
    for _ in 0..2 {
        f();
        g();
    }
    let mut cpu = 0.0;
    let (mut tf, mut tg): (Vec<f64>, Vec<f64>) = (0..7)
        .map(|_| {
            let c = process_cpu_ms();
            let t = elapsed_ms(f);
            cpu += process_cpu_ms() - c;
            (t, elapsed_ms(g))
        })
        .unzip();
    tf.sort_by(f64::total_cmp);
    tg.sort_by(f64::total_cmp);
    ((tf[3], tg[3]), cpu / 7.0)
}

/// CPU time consumed so far by all threads of this process, in ms (Linux `schedstat`; 0
/// elsewhere). On a shared machine it is far steadier than wall-clock time.
fn process_cpu_ms() -> f64 {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return 0.0;
    };
    let ns: u64 = tasks
        .flatten()
        .filter_map(|t| std::fs::read_to_string(t.path().join("schedstat")).ok())
        .filter_map(|s| s.split_whitespace().next()?.parse::<u64>().ok())
        .sum();
    ns as f64 * 1e-6
}

fn feature_results() {
    for mut p in attention_features::feature_problems() {
        let fwd = median_ms(|| p.forward());
        let both = median_ms(|| p.forward_backward());
        println!(
            "RESULT shape={} fwd_ms={fwd:.4} fwdbwd_ms={both:.4}",
            p.label
        );
    }
}

/// `dst ← src` in two parallel halves: the memory-copy rate the decode is compared with, in
/// bytes of `src` per second (memcpy's convention).
struct Copy {
    src: Vec<f32>,
    dst: Vec<f32>,
}

impl Copy {
    fn new(floats: usize) -> Self {
        Copy {
            src: random(floats, 99),
            dst: vec![1.0; floats],
        }
    }
    fn run(&mut self) {
        let piece = self.src.len().div_ceil(2);
        self.dst
            .par_chunks_mut(piece)
            .zip(self.src.par_chunks(piece))
            .for_each(|(d, s)| d.copy_from_slice(s));
        black_box(&self.dst);
    }
}

fn decode_results(batch: usize) {
    let shape = DecodeShape {
        batch,
        heads: 32,
        kv_heads: 8,
        q_len: 1,
        kv_len: 4096,
        head_dim: 128,
    };
    let q = random(shape.q_elems().unwrap(), 1);
    let k = random(shape.kv_elems().unwrap(), 2);
    let v = random(shape.kv_elems().unwrap(), 3);
    let opts = Options::default();
    let kv_bytes = (2 * k.len() * 4) as f64;
    let mut copy = Copy::new(2 * k.len());
    let gbs = |ms: f64| kv_bytes / (ms * 1e-3) / 1e9;
    let mut line = |kind: &str, f: &mut dyn FnMut()| {
        let ((ms, copy_ms), cpu_ms) = median_pair_ms_cpu(&mut || f(), &mut || copy.run());
        println!(
            "RESULT shape=decode_b{batch}_{kind} fwd_ms={ms:.4} kv_gbs={:.2} copy_gbs={:.2} cpu_ms={cpu_ms:.3}",
            gbs(ms),
            gbs(copy_ms)
        );
    };
    line("contiguous", &mut || {
        black_box(decode::decode(black_box(&q), &k, &v, shape, &opts).unwrap());
    });
    // Blocks of 16 in the flat order of the contiguous cache, with a table naming them in reverse
    // pool order, so consecutive blocks of a sequence are not adjacent in memory.
    let blocks = batch * 4096 / 16;
    let table: Vec<u32> = (0..blocks as u32).rev().collect();
    let len = 16 * 8 * 128;
    let (mut kp, mut vp) = (vec![0.0f32; k.len()], vec![0.0f32; v.len()]);
    for (i, &s) in table.iter().enumerate() {
        let s = s as usize;
        kp[s * len..(s + 1) * len].copy_from_slice(&k[i * len..(i + 1) * len]);
        vp[s * len..(s + 1) * len].copy_from_slice(&v[i * len..(i + 1) * len]);
    }
    let kv = PagedKv {
        k_blocks: &kp,
        v_blocks: &vp,
        block_size: 16,
        block_table: &table,
    };
    line("paged", &mut || {
        black_box(decode::decode_paged(black_box(&q), &kv, shape, &opts).unwrap());
    });
}

fn bf16_results() {
    let shape = Shape {
        batch: 1,
        heads: 8,
        q_len: 2048,
        kv_len: 2048,
        head_dim: 128,
    };
    let to = |x: Vec<f32>| x.into_iter().map(bf16::from_f32).collect::<Vec<_>>();
    let q = to(random(shape.q_elems(), 4));
    let k = to(random(shape.kv_elems(), 5));
    let v = to(random(shape.kv_elems(), 6));
    let d_out = to(random(shape.q_elems(), 7));
    let opts = Options::default();
    let fwd = median_ms(|| {
        black_box(attention::half::forward(&q, &k, &v, shape, &opts).unwrap());
    });
    let both = median_ms(|| {
        black_box(attention::half::forward(&q, &k, &v, shape, &opts).unwrap());
        black_box(attention::half::backward(&q, &k, &v, &d_out, shape, &opts).unwrap());
    });
    println!("RESULT shape=bf16_b1_h8_n2048_d128 fwd_ms={fwd:.4} fwdbwd_ms={both:.4}");
}

fn main() {
    // 2 threads, as PyTorch in the script; `RAYON_NUM_THREADS` overrides (1 for CPU-time checks).
    let threads = std::env::var("RAYON_NUM_THREADS")
        .ok()
        .and_then(|t| t.parse().ok())
        .unwrap_or(2);
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build_global()
        .expect("first pool");
    let only = std::env::args().nth(1);
    let run = |name: &str| only.as_deref().is_none_or(|o| name.contains(o));
    if run("features") {
        feature_results();
    }
    if run("decode") {
        decode_results(1);
        decode_results(8);
    }
    if run("bf16") {
        bf16_results();
    }
}
