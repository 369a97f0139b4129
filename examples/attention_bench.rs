//! Wall-clock timer for `scripts/attention_vs_torch.py`: prints one `RESULT` line per issue-10
//! shape this branch implements (median of 7 timed runs after 2 warm-ups, 2 rayon threads).
//!
//! `cargo run --release --example attention_bench`

use attnmech::attention::decode::{self, DecodeShape, PagedKv};
use attnmech::attention::{self, Options, Shape};
use half::bf16;
use rand::Rng;
use std::time::Instant;

fn random(n: usize, seed: u64) -> Vec<f32> {
    let mut rng = attnmech::rng::seeded(seed, 0);
    (0..n).map(|_| rng.random_range(-1.0..1.0)).collect()
}

/// Median wall-clock milliseconds of `f`.
fn median_ms(mut f: impl FnMut()) -> f64 {
    f();
    f();
    let mut t: Vec<f64> = (0..7)
        .map(|_| {
            let s = Instant::now();
            f();
            s.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    t.sort_by(f64::total_cmp);
    t[3]
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
    let ms = median_ms(|| {
        std::hint::black_box(decode::decode(&q, &k, &v, shape, &opts).unwrap());
    });
    println!("RESULT shape=decode_b{batch}_contiguous fwd_ms={ms:.4}");
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
    let ms = median_ms(|| {
        std::hint::black_box(decode::decode_paged(&q, &kv, shape, &opts).unwrap());
    });
    println!("RESULT shape=decode_b{batch}_paged fwd_ms={ms:.4}");
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
        std::hint::black_box(attention::half::forward(&q, &k, &v, shape, &opts).unwrap());
    });
    let both = median_ms(|| {
        std::hint::black_box(attention::half::forward(&q, &k, &v, shape, &opts).unwrap());
        std::hint::black_box(attention::half::backward(&q, &k, &v, &d_out, shape, &opts).unwrap());
    });
    println!("RESULT shape=bf16_b1_h8_n2048_d128 fwd_ms={fwd:.4} fwdbwd_ms={both:.4}");
}

fn main() {
    rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build_global()
        .expect("first pool");
    decode_results(1);
    decode_results(8);
    bf16_results();
}
