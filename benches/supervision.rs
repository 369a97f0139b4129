//! Benches for issue 6's supervision-complexity and EmbedDistill kernels.
//!
//! - `supervision_complexity/n4096`: `SC = ‖L⁻¹Y‖²_F` (Cholesky + triangular solve with C = 10
//!   right-hand sides + validation) against faer's bare Cholesky of the same 4096 × 4096 NTK Gram
//!   in the same run, both sequential. Throughput is `n³/3` flops (the Cholesky's), so the ratio of
//!   the two elem/s figures is the overhead of everything SC adds. Read the ratio, not the absolute
//!   numbers.
//! - `embed_distill/*`: softmax-CE + margin-MSE loss and gradient over a batch of queries × L
//!   candidates (elements = scores processed), and one asymmetric-student gradient (flops of its
//!   four GEMMs), against a faer GEMM with the same flop count.
//!
//! Run: `cargo bench --bench supervision` (about a minute; `-- supervision_complexity` for one group).

// The raw faer calls here are the baselines the kernels are measured against.
#![allow(clippy::disallowed_methods)]

use attnmech::embed_distill::{margin_mse, softmax_ce, AsymmetricTrainer};
use attnmech::rng::seeded;
use attnmech::supervision::{relu_ntk_gram, teacher_probabilities, GramFactor};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use faer::dyn_stack::{MemBuffer, MemStack};
use faer::linalg::cholesky::llt::factor::{cholesky_in_place, cholesky_in_place_scratch};
use faer::{Accum, Mat, Par};
use rand_distr::{Distribution, StandardNormal};
use std::hint::black_box;
use std::time::Duration;

fn gaussian(rows: usize, cols: usize, seed: u64) -> Mat<f64> {
    let mut rng = seeded(seed, 0);
    Mat::from_fn(rows, cols, |_, _| {
        Distribution::<f64>::sample(&StandardNormal, &mut rng)
    })
}

fn supervision_complexity(c: &mut Criterion) {
    let n = 4096;
    let mut x = gaussian(n, 32, 1);
    for i in 0..n {
        let r = x.row(i).norm_l2();
        for j in 0..32 {
            x[(i, j)] /= r;
        }
    }
    let k = relu_ntk_gram(x.as_ref()).expect("gram");
    let y = teacher_probabilities(gaussian(n, 10, 2).as_ref(), 1.0).expect("targets");
    let mut g = c.benchmark_group("supervision_complexity");
    g.sample_size(10)
        .measurement_time(Duration::from_secs(20))
        .warm_up_time(Duration::from_secs(1));
    g.throughput(Throughput::Elements((n as u64).pow(3) / 3));
    g.bench_function(
        BenchmarkId::new("faer_cholesky_seq", format!("n{n}")),
        |b| {
            let mut mem = MemBuffer::new(cholesky_in_place_scratch::<f64>(
                n,
                Par::Seq,
                Default::default(),
            ));
            let mut l = Mat::<f64>::zeros(n, n);
            b.iter(|| {
                l.copy_from_triangular_lower(k.as_ref());
                let stack = MemStack::new(&mut mem);
                cholesky_in_place(
                    l.as_mut(),
                    Default::default(),
                    Par::Seq,
                    stack,
                    Default::default(),
                )
                .expect("spd");
                black_box(&l);
            })
        },
    );
    g.bench_function(BenchmarkId::new("sc_seq", format!("n{n}_c10")), |b| {
        b.iter(|| {
            let f = GramFactor::new(black_box(k.as_ref()), 0.0).expect("spd");
            black_box(f.complexity(y.as_ref()).expect("sc"))
        })
    });
    g.finish();
}

fn embed_distill(c: &mut Criterion) {
    let (queries, l) = (1024, 64);
    let s_s = gaussian(queries, l, 3);
    let s_t = gaussian(queries, l, 4);
    let rows: Vec<(Vec<f64>, Vec<f64>)> = (0..queries)
        .map(|i| {
            (
                (0..l).map(|j| s_s[(i, j)]).collect(),
                (0..l).map(|j| s_t[(i, j)]).collect(),
            )
        })
        .collect();
    let mut g = c.benchmark_group("embed_distill");
    g.sample_size(10)
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_secs(1));
    g.throughput(Throughput::Elements((queries * l) as u64));
    g.bench_function(
        BenchmarkId::new("softmax_ce_plus_margin_mse", format!("q{queries}_l{l}")),
        |b| {
            b.iter(|| {
                let mut acc = 0.0;
                for (ss, st) in &rows {
                    acc += softmax_ce(ss, st, 1.0, 2.0).expect("ce").loss;
                    acc += margin_mse(ss, st, 0).expect("mm").loss;
                }
                black_box(acc)
            })
        },
    );
    // Asymmetric student: n queries, d_in inputs, k-dim embeddings, L documents.
    let (n, d_in, k, docs) = (2048, 256, 128, 512);
    // Scaled so scores are O(1), as in a trained model: unscaled Gaussians give scores in the
    // hundreds whose softmax tails land in the subnormal range and time libm's slow path instead.
    let x = gaussian(n, d_in, 5);
    let q_t = gaussian(n, k, 6) * faer::Scale(1.0 / (k as f64).sqrt());
    let d = gaussian(docs, k, 7) * faer::Scale(1.0 / (k as f64).sqrt());
    let b0 = gaussian(k, d_in, 8) * faer::Scale(1.0 / (d_in as f64).sqrt());
    let trainer = AsymmetricTrainer::new(x.as_ref(), q_t.as_ref(), d.as_ref(), 1.0, 1.0, 1.0)
        .expect("trainer");
    let flops = 2 * (2 * n * d_in * k + 2 * n * k * docs);
    g.throughput(Throughput::Elements(flops as u64));
    g.bench_function(
        BenchmarkId::new(
            "asymmetric_student_gradient",
            format!("n{n}_d{d_in}_k{k}_l{docs}"),
        ),
        |b| b.iter(|| black_box(trainer.gradient(black_box(b0.as_ref())).unwrap())),
    );
    // The GEMM ceiling: one n × docs × k product repeated to the same flop count.
    let mut out = Mat::<f64>::zeros(n, docs);
    g.bench_function(
        BenchmarkId::new("faer_gemm_same_flops", format!("n{n}_d{d_in}_k{k}_l{docs}")),
        |b| {
            b.iter(|| {
                for _ in 0..2 {
                    faer::linalg::matmul::matmul(
                        out.as_mut(),
                        Accum::Replace,
                        q_t.as_ref(),
                        d.transpose(),
                        1.0,
                        Par::Seq,
                    );
                }
                let mut small = Mat::<f64>::zeros(n, k);
                for _ in 0..2 {
                    faer::linalg::matmul::matmul(
                        small.as_mut(),
                        Accum::Replace,
                        x.as_ref(),
                        b0.transpose(),
                        1.0,
                        Par::Seq,
                    );
                }
                black_box(out.norm_max() + small.norm_max())
            })
        },
    );
    g.finish();
}

criterion_group!(benches, supervision_complexity, embed_distill);
criterion_main!(benches);
