//! The `models` feature's speed, against PyTorch in the same run (`scripts/models_bench.sh`):
//! - `minilm/encode_32x128`: all-MiniLM-L6-v2 sentence embeddings for 32 sentences of 8..=128
//!   tokens, 2 threads (throughput in sentences);
//! - `small/train_step`: one step (forward, next-token loss, backward, clipping, AdamW) of the
//!   small decoder config on 16 × 64 tokens, 2 threads (throughput in tokens).
//!
//! Token ids and lengths come from closed formulas that `scripts/models_torch_bench.py` repeats.

use attnmech::models::train::{next_token_loss, train_step, AdamW};
use attnmech::models::{default_model_dir, Batch, Config, MiniLm, Transformer};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::time::Duration;

const THREADS: usize = 2;

/// Sentence `i` of the encode batch: `[CLS]`, formula ids, `[SEP]`; length `8 + 37·i mod 121`.
fn encode_batch() -> Batch {
    let seqs: Vec<Vec<usize>> = (0..32)
        .map(|i| {
            let len = 8 + (37 * i) % 121;
            let mut s = vec![101];
            s.extend((1..len - 1).map(|t| 1000 + (i * 7919 + t * 104_729) % 29_000));
            s.push(102);
            s
        })
        .collect();
    Batch::from_sequences(&seqs)
}

/// The training batch: 16 sequences of 64 ids below 1024.
fn train_batch() -> Batch {
    let seqs: Vec<Vec<usize>> = (0..16)
        .map(|i| (0..64).map(|t| (i * 7919 + t * 104_729) % 1024).collect())
        .collect();
    Batch::from_sequences(&seqs)
}

fn pool() -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(THREADS)
        .build()
        .expect("thread pool")
}

fn bench_encode(c: &mut Criterion) {
    let dir = default_model_dir();
    if !dir.join("model.safetensors").is_file() {
        println!(
            "SKIP: all-MiniLM-L6-v2 weights not found at {}; run scripts/fetch_minilm.sh",
            dir.display()
        );
        return;
    }
    let model = MiniLm::load(&dir).expect("loading all-MiniLM-L6-v2");
    let batch = encode_batch();
    let pool = pool();
    let mut g = c.benchmark_group("minilm");
    g.throughput(Throughput::Elements(batch.sequences() as u64));
    g.bench_function("encode_32x128", |b| {
        b.iter(|| pool.install(|| model.model.embed(&batch).unwrap()))
    });
    g.finish();
}

fn bench_train(c: &mut Criterion) {
    let config = Config::small(1024, 128, true);
    let mut model = Transformer::<f32>::init(config, 1).unwrap();
    let mut opt = AdamW::new(&model.params, 1e-4);
    let batch = train_batch();
    let d = model.config.hidden;
    let pool = pool();
    let mut g = c.benchmark_group("small");
    g.throughput(Throughput::Elements(batch.tokens() as u64));
    g.bench_function("train_step", |b| {
        b.iter(|| {
            pool.install(|| {
                train_step(&mut model, &mut opt, &batch, |h, p| {
                    next_token_loss(h, &batch, &p.embeddings.word, d)
                })
                .unwrap()
            })
        })
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(10);
    targets = bench_encode, bench_train
}
criterion_main!(benches);
