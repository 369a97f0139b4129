//! Benches for `attnmech::nexttoken`: GD steps/s on the authors' setting (6, 4, 6, 8) and on
//! (1024, 32, 64, 64); graph-SVM and W^fin solve times; the authors' whole experiment (10 draws ×
//! 4000 normalized-GD steps + graph-SVM + W^fin per draw, target < 1 s on one core); `analyze` on
//! one-hot data at 300, 1000, 3000 samples of 100 tokens.
//!
//! Throughput is in FLOP/s of one loss-and-gradient evaluation (`Throughput::Elements(flops)`), and
//! the big GD step is compared in the same run against one faer GEMM of the same `K × d × d` size.

use attnmech::nexttoken::experiment::{run, Settings};
use attnmech::nexttoken::finite::w_fin;
use attnmech::nexttoken::generators::{instance, torch_init, EmbeddingKind, Sizes, Structure};
use attnmech::nexttoken::graph::build_graphs;
use attnmech::nexttoken::model::{loss_and_grad, GradientForm};
use attnmech::nexttoken::svm::graph_svm;
use attnmech::nexttoken::Dataset;
use attnmech::qp::Mat;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use std::hint::black_box;
use std::time::Duration;

fn draw(sizes: Sizes, structure: Structure) -> Dataset {
    let mut rng = attnmech::rng::seeded(0, 0);
    instance(&mut rng, sizes, EmbeddingKind::RandomUnit, structure).expect("instance")
}

/// FLOPs of one loss-and-gradient: two GEMMs for S = E W Eᵀ, two for Eᵀ G E, and O(n T) work.
fn step_flops(s: Sizes) -> u64 {
    let (k, d) = (s.k as u64, s.d as u64);
    2 * (k * d * d + k * k * d) * 2 + 10 * (s.n * s.t) as u64
}

fn gd_steps(c: &mut Criterion) {
    let mut g = c.benchmark_group("nexttoken_gd_step");
    g.sample_size(10)
        .measurement_time(Duration::from_secs(2))
        .warm_up_time(Duration::from_millis(300));
    for sizes in [
        Sizes {
            n: 6,
            t: 4,
            k: 6,
            d: 8,
        },
        Sizes {
            n: 1024,
            t: 32,
            k: 64,
            d: 64,
        },
    ] {
        let ds = draw(sizes, Structure::Any);
        let w = torch_init(&mut attnmech::rng::seeded(0, 1), sizes.d);
        let id = format!("n{}_T{}_K{}_d{}", sizes.n, sizes.t, sizes.k, sizes.d);
        g.throughput(Throughput::Elements(step_flops(sizes)));
        g.bench_with_input(BenchmarkId::new("loss_and_grad", &id), &ds, |b, ds| {
            b.iter(|| black_box(loss_and_grad(ds, black_box(&w), GradientForm::Stable)))
        });
        // Same-run yardstick: one faer GEMM K × d × d.
        let e = ds.embeddings().matrix().clone();
        let mut out = Mat::zeros(sizes.k, sizes.d);
        g.throughput(Throughput::Elements(
            2 * (sizes.k * sizes.d * sizes.d) as u64,
        ));
        g.bench_function(BenchmarkId::new("faer_gemm_KxdXd", &id), |b| {
            b.iter(|| {
                attnmech::qp::mat::gemm_into(&mut out, black_box(&e), black_box(&w), 1.0, false)
                    .unwrap();
                black_box(&out);
            })
        });
    }
    g.finish();
}

fn solvers(c: &mut Criterion) {
    let mut g = c.benchmark_group("nexttoken_solvers");
    g.sample_size(10)
        .measurement_time(Duration::from_secs(2))
        .warm_up_time(Duration::from_millis(300));
    let ds = draw(
        Sizes {
            n: 6,
            t: 4,
            k: 6,
            d: 8,
        },
        Structure::Cyclic,
    );
    let graphs = build_graphs(&ds);
    g.bench_function("graph_svm_n6T4K6d8", |b| {
        b.iter(|| black_box(graph_svm(&ds, &graphs).expect("svm")))
    });
    g.bench_function("w_fin_newton_n6T4K6d8", |b| {
        b.iter(|| black_box(w_fin(&ds, &graphs).expect("wfin")))
    });
    g.finish();
}

fn whole_experiment(c: &mut Criterion) {
    let mut g = c.benchmark_group("nexttoken_authors_experiment");
    g.sample_size(10)
        .measurement_time(Duration::from_secs(5))
        .warm_up_time(Duration::from_millis(500));
    // Only the final metrics are recorded, as in a timing run of the authors' notebook.
    let settings = Settings {
        record_every: 0,
        ..Settings::authors()
    };
    g.bench_function("10_draws_x_4000_ngd_steps", |b| {
        b.iter(|| black_box(run(&settings, 0, 10).expect("experiment")))
    });
    g.finish();
}

/// `attnmech analyze` on one-hot data (`K = 1000`, `T = 100` distinct tokens per sample, labels
/// from the sequence, as `scripts/gen_analyze.py` writes): linear in `n` once the per-query
/// programs are small. Throughput in input tokens. The 10⁴-sample target is timed with the release
/// binary (README), not here, to keep the bench short.
fn analyze_sizes(c: &mut Criterion) {
    use attnmech::nexttoken::analyze::{analyze, AnalyzeInput};
    use attnmech::nexttoken::generators::samples;
    let mut g = c.benchmark_group("nexttoken_analyze");
    g.sample_size(10)
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_millis(500));
    for n in [300, 1000, 3000] {
        let (t, k) = (100, 1000);
        let input = AnalyzeInput {
            vocab: k,
            embeddings: None,
            samples: samples(&mut attnmech::rng::seeded(0, n as u64), n, t, k).unwrap(),
            prompts: Vec::new(),
        };
        g.throughput(Throughput::Elements((n * t) as u64));
        g.bench_with_input(
            BenchmarkId::new("one_hot_K1000_T100", n),
            &input,
            |b, input| b.iter(|| black_box(analyze(input).expect("analyze"))),
        );
    }
    g.finish();
}

criterion_group!(benches, gd_steps, solvers, whole_experiment, analyze_sizes);
criterion_main!(benches);
