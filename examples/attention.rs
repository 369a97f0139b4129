//! A tour of the attention API: `cargo run --release --example attention`.
//!
//! 1. dense forward/backward on `[batch, heads, seq, head_dim]` buffers;
//! 2. decode with grouped-query heads against a contiguous `[batch, kv_len, kv_heads, d]` cache;
//! 3. the same decode through a paged cache (vLLM-style block table);
//! 4. `merge`: combining results over disjoint key ranges through their log-sum-exps (how
//!    flash-decoding and ring attention combine work done on different threads or machines);
//! 5. bf16 storage with f32 accumulation.

use attnmech::attention::decode::{self, merge, DecodeShape, PagedKv, Partial};
use attnmech::attention::{self, Options, Shape};
use half::bf16;
use rand::Rng;

fn random(n: usize, seed: u64) -> Vec<f32> {
    let mut rng = attnmech::rng::seeded(seed, 0);
    (0..n).map(|_| rng.random_range(-1.0..1.0)).collect()
}

fn max_abs_diff(a: &[f32], b: &[f32]) -> f32 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
}

fn main() -> attnmech::error::Result<()> {
    // 1. Dense attention. Buffers are row-major [batch, heads, seq, head_dim]; `lse` is the
    //    per-row log-sum-exp, all the backward needs besides the inputs.
    let shape = Shape {
        batch: 1,
        heads: 4,
        q_len: 128,
        kv_len: 128,
        head_dim: 64,
    };
    let (q, k, v) = (
        random(shape.q_elems(), 1),
        random(shape.kv_elems(), 2),
        random(shape.kv_elems(), 3),
    );
    let causal = Options::new().causal(true) // bottom-right aligned
   ;
    let fwd = attention::forward(&q, &k, &v, shape, &causal)?;
    let d_out = random(shape.q_elems(), 4);
    let grads = attention::backward(&q, &k, &v, &fwd, &d_out, shape, &causal)?;
    println!(
        "dense: out[0..3] = {:?}, |dq| = {:.3}",
        &fwd.out[..3],
        grads.dq.iter().map(|x| x * x).sum::<f32>().sqrt()
    );

    // 2. Decode: one new query per sequence against a KV cache in the layout caches append to,
    //    [batch, kv_len, kv_heads, head_dim]. 32 query heads share 8 kv heads (GQA): query head h
    //    reads kv head h / 4, and the kernel reads each cached row once for its 4 query heads.
    //    `kv_valid_len` gives each sequence's length; positions past it are never read.
    let ds = DecodeShape {
        batch: 2,
        heads: 32,
        kv_heads: 8,
        q_len: 1,
        kv_len: 1000,
        head_dim: 64,
    };
    let dq = random(ds.q_elems().unwrap(), 5);
    let (kc, vc) = (
        random(ds.kv_elems().unwrap(), 6),
        random(ds.kv_elems().unwrap(), 7),
    );
    let lens = Options::new().kv_valid_len(vec![1000, 613]);
    let dec = decode::decode(&dq, &kc, &vc, ds, &lens)?;
    println!("decode: out is [2, 32, 1, 64] = {} values", dec.out.len());

    // 3. The same cache in a paged pool: blocks of 16 positions, [num_blocks, 16, kv_heads, d],
    //    and a block table [batch, ceil(kv_len / 16)] naming each sequence's blocks in order.
    //    Here sequence b's block t is stored at pool slot 2·t + b (interleaved, as a server's pool
    //    would be). The result has the same bits as the contiguous decode.
    let block = 16;
    let per_seq = ds.kv_len.div_ceil(block);
    let row = ds.kv_heads * ds.head_dim;
    let mut kp = vec![0.0f32; 2 * per_seq * block * row];
    let mut vp = kp.clone();
    let mut table = vec![0u32; 2 * per_seq];
    for b in 0..2 {
        for t in 0..per_seq {
            let slot = 2 * t + b;
            table[b * per_seq + t] = slot as u32;
            for j in t * block..((t + 1) * block).min(ds.kv_len) {
                let (src, dst) = ((b * ds.kv_len + j) * row, (slot * block + j % block) * row);
                kp[dst..dst + row].copy_from_slice(&kc[src..src + row]);
                vp[dst..dst + row].copy_from_slice(&vc[src..src + row]);
            }
        }
    }
    let paged = PagedKv {
        k_blocks: &kp,
        v_blocks: &vp,
        block_size: block,
        block_table: &table,
    };
    let pdec = decode::decode_paged(&dq, &paged, ds, &lens)?;
    println!("paged decode == contiguous decode: {}", pdec == dec);

    // 4. Merge: decode sequence 0 against keys 0..400 and 400..1000 separately (as two threads or
    //    two machines would), then merge the partial (out, lse) pairs. The weights come from the
    //    lse; a partial that saw no key has lse = -inf and weight exactly 0.
    let one = DecodeShape {
        batch: 1,
        kv_len: 400,
        ..ds
    };
    let q0 = &dq[..ds.heads * ds.head_dim];
    let first = decode::decode(
        q0,
        &kc[..400 * row],
        &vc[..400 * row],
        one,
        &Options::default(),
    )?;
    let rest = DecodeShape { kv_len: 600, ..one };
    let second = decode::decode(
        q0,
        &kc[400 * row..1000 * row],
        &vc[400 * row..1000 * row],
        rest,
        &Options::default(),
    )?;
    let merged = merge(&[
        Partial {
            out: &first.out,
            lse: &first.lse,
        },
        Partial {
            out: &second.out,
            lse: &second.lse,
        },
    ])?;
    println!(
        "merge of two key ranges vs one pass: max |diff| = {:.1e}",
        max_abs_diff(&merged.out, &dec.out[..q0.len()])
    );

    // 5. bf16 storage, f32 accumulation: inputs widened exactly, the f32 kernel, outputs rounded
    //    to nearest; lse stays f32.
    let to_bf16 = |x: &[f32]| x.iter().map(|&v| bf16::from_f32(v)).collect::<Vec<_>>();
    let (qh, kh, vh) = (to_bf16(&q), to_bf16(&k), to_bf16(&v));
    let h = attention::half::forward(&qh, &kh, &vh, shape, &causal)?;
    let back: Vec<f32> = h.out.iter().map(|x| x.to_f32()).collect();
    println!(
        "bf16 forward vs f32: max |diff| = {:.1e} (bf16 unit roundoff 3.9e-3, relative)",
        max_abs_diff(&back, &fwd.out)
    );
    let hd = attention::half::decode(&to_bf16(&dq), &to_bf16(&kc), &to_bf16(&vc), ds, &lens)?;
    println!("bf16 decode: {} outputs, lse in f32", hd.out.len());
    Ok(())
}
