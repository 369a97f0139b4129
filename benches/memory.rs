//! Benches for issue 6 (cascades, ResMem, memorisation).
//!
//! - `knn_f32`: exact 10-NN of 64 and 256 queries among n = 100k reference points in d = 128 (f32)
//!   by the blocked-GEMM brute force on 1 and 2 rayon threads (the search splits the points as well
//!   as the queries, so the 2-thread/1-thread ratio is the scaling of a small batch), against the
//!   GEMM ceiling: faer's GEMM of the 256-query shape (`[256, 128] x [128, 100k]`, `Par::Seq`)
//!   alone, so the 1-thread ratio is per-core efficiency.
//!   Throughput is in FLOP (`2 n d` per query), so `elem/s` reads as FLOP/s and
//!   queries/s = FLOP/s / (2 n d).
//! - `memorisation_estimate`: the hard-label estimator over a `2000 x 50000` membership and
//!   correctness matrix (throughput in matrix entries).

// The raw faer calls here are the baselines the kernels are measured against.
#![allow(clippy::disallowed_methods)]

use attnmech::memorisation::{memorisation_estimate, sample_membership};
use attnmech::resmem::knn::{BruteForce, NeighbourIndex};
use attnmech::rng::seeded;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use faer::linalg::matmul::matmul;
use faer::{Accum, Mat, MatRef, Par};
use rand::Rng;
use std::hint::black_box;
use std::time::Duration;

fn knn(c: &mut Criterion) {
    let (n, d, nq, k) = (100_000usize, 128usize, 256usize, 10usize);
    let mut rng = seeded(0, 0);
    let points: Vec<f32> = (0..n * d).map(|_| rng.random::<f32>() - 0.5).collect();
    let queries: Vec<f32> = (0..nq * d).map(|_| rng.random::<f32>() - 0.5).collect();
    let index = BruteForce::new(points.clone(), d).expect("index");
    let mut g = c.benchmark_group("knn_f32");
    g.sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    for batch in [64usize, 256] {
        g.throughput(Throughput::Elements((2 * n * d * batch) as u64));
        for threads in [1usize, 2] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .expect("pool");
            let id = format!("n{n}_d{d}_q{batch}_k{k}_t{threads}");
            let q = &queries[..batch * d];
            g.bench_function(BenchmarkId::new("bruteforce_blocked_gemm", &id), |b| {
                b.iter(|| {
                    pool.install(|| black_box(index.search(black_box(q), k).expect("search")))
                })
            });
        }
    }
    g.throughput(Throughput::Elements((2 * n * d * nq) as u64));
    let id = format!("n{n}_d{d}_q{nq}_k{k}");
    let mut out = Mat::<f32>::zeros(nq, n);
    let lhs = MatRef::from_row_major_slice(&queries, nq, d);
    let rhs = MatRef::from_row_major_slice(&points, n, d);
    g.bench_function(BenchmarkId::new("gemm_ceiling", &id), |b| {
        b.iter(|| {
            matmul(
                out.as_mut(),
                Accum::Replace,
                lhs,
                rhs.transpose(),
                1.0f32,
                Par::Seq,
            );
            black_box(&out);
        })
    });
    g.finish();
}

fn memorisation(c: &mut Criterion) {
    let (runs, n) = (2000usize, 50_000usize);
    let membership = sample_membership(n, n * 7 / 10, runs, 1).expect("membership");
    let mut rng = seeded(1, 1);
    let correctness: Vec<u8> = (0..runs * n)
        .map(|_| (rng.random::<f32>() < 0.8) as u8)
        .collect();
    let mut g = c.benchmark_group("memorisation_estimate");
    g.sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3))
        .throughput(Throughput::Elements((runs * n) as u64));
    g.bench_function(BenchmarkId::new("hard", format!("K{runs}_n{n}")), |b| {
        b.iter(|| {
            black_box(memorisation_estimate(&membership, &correctness, runs).expect("estimate"))
        })
    });
    g.finish();
}

criterion_group!(benches, knn, memorisation);
criterion_main!(benches);
