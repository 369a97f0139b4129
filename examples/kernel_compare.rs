//! Timings of the issue-16 kernels for `scripts/compare_kernels.py`: prints one
//! `RESULT <kernel> <shape> threads=<t> seconds=<best> bytes=<moved>` line per measurement (best
//! of several runs, fresh thread pool per thread count). One-thread runs count on-CPU time of the
//! pool's worker (`/proc/thread-self/schedstat`, Linux), so time-slicing on a loaded machine does
//! not skew long kernels against the short copy; two-thread runs count wall time.
//!
//! Run: `cargo run --release --example kernel_compare` (the script does this).

// Times faer's bare factorisation as a baseline beside ours.
#![allow(clippy::disallowed_methods)]

use attnmech::distill::{divergence_and_grad, Divergence};
use attnmech::resmem::knn::{BruteForce, NeighbourIndex};
use attnmech::rng::seeded;
use attnmech::specdec::{verify, Standard};
use attnmech::supervision::GramFactor;
use faer::dyn_stack::{MemBuffer, MemStack};
use faer::linalg::cholesky::llt::factor::{cholesky_in_place, cholesky_in_place_scratch};
use faer::{Mat, Par};
use rand::Rng;
use std::hint::black_box;
use std::time::Instant;

/// Seconds this thread has spent on a CPU, where Linux reports it.
fn on_cpu_seconds() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    Some(s.split_whitespace().next()?.parse::<f64>().ok()? * 1e-9)
}

/// Best of `reps` runs of `f`: `(wall seconds, on-CPU seconds)`, the second only on a one-thread
/// pool (call inside its `install`, so the work runs on the measuring thread) and 0 otherwise.
fn best(reps: usize, mut f: impl FnMut()) -> Timing {
    let single = rayon::current_num_threads() == 1;
    f();
    let mut wall = f64::INFINITY;
    for _ in 0..reps {
        let t = Instant::now();
        f();
        wall = wall.min(t.elapsed().as_secs_f64());
    }
    // The on-CPU counter advances at scheduler ticks (milliseconds), so one short call reads 0 or
    // a whole tick: average it over enough calls to span at least `CPU_SPAN` seconds of wall time.
    const CPU_SPAN: f64 = 0.3;
    let mut cpu = 0.0;
    if let (true, Some(c0)) = (single, on_cpu_seconds()) {
        let (start, mut calls) = (Instant::now(), 0u32);
        while calls < reps as u32 || start.elapsed().as_secs_f64() < CPU_SPAN {
            f();
            calls += 1;
        }
        if let Some(c1) = on_cpu_seconds() {
            cpu = (c1 - c0) / f64::from(calls);
        }
    }
    Timing { wall, cpu }
}

struct Timing {
    wall: f64,
    cpu: f64,
}

impl std::fmt::Display for Timing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "seconds={:e} cpu_seconds={:e}", self.wall, self.cpu)
    }
}

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("pool")
}

fn log_softmax_rows(z: &[f32], v: usize) -> Vec<f32> {
    z.chunks(v)
        .flat_map(|r| {
            let m = r.iter().cloned().fold(f32::NEG_INFINITY, f32::max);
            let l = m + r.iter().map(|x| ((x - m) as f64).exp()).sum::<f64>().ln() as f32;
            r.iter().map(move |x| x - l).collect::<Vec<_>>()
        })
        .collect()
}

fn divergences(positions: usize, v: usize) {
    let mut rng = seeded(16, v as u64);
    let n = positions * v;
    let tz: Vec<f32> = (0..n).map(|_| 4.0 * rng.random::<f32>()).collect();
    let z: Vec<f32> = (0..n).map(|_| 4.0 * rng.random::<f32>()).collect();
    let lp = log_softmax_rows(&tz, v);
    let mut g = vec![0.0f32; n];
    let shape = format!("p{positions}_v{v}");
    let bytes = 3 * n * 4;
    for threads in [1, 2] {
        let pl = pool(threads);
        // Copy of the same bytes (half read, half written), split over the same threads.
        let src: Vec<f32> = lp.iter().chain(&z[..n / 2]).copied().collect();
        let mut dst = vec![0.0f32; src.len()];
        let t = pl.install(|| {
            best(30, || {
                use rayon::prelude::*;
                let chunk = src.len().div_ceil(threads);
                dst.par_chunks_mut(chunk)
                    .zip(src.par_chunks(chunk))
                    .for_each(|(d, s)| d.copy_from_slice(black_box(s)));
            })
        });
        println!("RESULT copy {shape} threads={threads} {t} bytes={bytes}");
        for div in [
            Divergence::ForwardKl,
            Divergence::ReverseKl,
            Divergence::Jsd { beta: 0.5 },
            Divergence::Tvd,
        ] {
            let t = pl.install(|| {
                best(20, || {
                    divergence_and_grad(div, black_box(&lp), black_box(&z), v, 1.0, &mut g)
                        .expect("divergence");
                })
            });
            println!(
                "RESULT {} {shape} threads={threads} {t} bytes={bytes}",
                div.name()
            );
        }
        // Verifier: gamma = positions - 1 drafts, reads 2 gamma + 1 rows.
        let p: Vec<f32> = lp.iter().map(|x| x.exp()).collect();
        let q: Vec<f32> = log_softmax_rows(&z, v)[..(positions - 1) * v]
            .iter()
            .map(|x| x.exp())
            .collect();
        let drafts: Vec<usize> = (0..positions - 1).map(|i| (i * 7919) % v).collect();
        let mut vr = seeded(6, 0);
        let t = pl.install(|| {
            best(20, || {
                verify(
                    &Standard::EXACT,
                    &drafts,
                    black_box(&q),
                    black_box(&p),
                    v,
                    &mut vr,
                )
                .expect("verify");
            })
        });
        let vbytes = (2 * positions - 1) * v * 4;
        println!("RESULT verify {shape} threads={threads} {t} bytes={vbytes}");
    }
}

fn knn() {
    let (n, d, k) = (100_000usize, 128usize, 10usize);
    let mut rng = seeded(0, 0);
    let points: Vec<f32> = (0..n * d).map(|_| rng.random::<f32>() - 0.5).collect();
    let index = BruteForce::new(points, d).expect("index");
    for nq in [64usize, 256] {
        let queries: Vec<f32> = (0..nq * d).map(|_| rng.random::<f32>() - 0.5).collect();
        for threads in [1, 2] {
            let t = pool(threads).install(|| {
                best(5, || {
                    black_box(index.search(black_box(&queries), k).expect("search"));
                })
            });
            println!("RESULT knn n{n}_d{d}_q{nq}_k{k} threads={threads} {t} bytes=0");
        }
    }
}

fn cholesky() {
    let (n, c) = (4096usize, 10usize);
    let mut rng = seeded(3, 0);
    let x = Mat::<f64>::from_fn(n, 64, |_, _| rng.random::<f64>() - 0.5);
    let mut k = &x * x.transpose();
    for i in 0..n {
        k[(i, i)] += n as f64 * 1e-3;
    }
    let y = Mat::<f64>::from_fn(n, c, |_, _| rng.random::<f64>());
    for threads in [1, 2] {
        let par = if threads == 1 {
            Par::Seq
        } else {
            Par::rayon(threads)
        };
        let pl = pool(threads);
        // faer's bare factorisation of a lower-triangle copy (the limit of anything built on it).
        let mut mem = MemBuffer::new(cholesky_in_place_scratch::<f64>(n, par, Default::default()));
        let mut l = Mat::<f64>::zeros(n, n);
        let t_llt = pl.install(|| {
            best(3, || {
                l.copy_from_triangular_lower(k.as_ref());
                cholesky_in_place(
                    l.as_mut(),
                    Default::default(),
                    par,
                    MemStack::new(&mut mem),
                    Default::default(),
                )
                .expect("spd");
            })
        });
        println!("RESULT faer_llt n{n} threads={threads} {t_llt} bytes=0");
        let mut f = None;
        let t_factor = pl.install(|| {
            best(3, || {
                f = Some(GramFactor::with_par(k.as_ref(), 0.0, par).expect("spd"));
            })
        });
        println!("RESULT sc_factor n{n} threads={threads} {t_factor} bytes=0");
        let f = f.expect("factor");
        let t_solve =
            pl.install(|| best(3, || drop(black_box(f.solve(y.as_ref()).expect("solve")))));
        println!("RESULT sc_solve n{n}_c{c} threads={threads} {t_solve} bytes=0");
        println!(
            "RESULT sc_factor_solve n{n}_c{c} threads={threads} seconds={:e} cpu_seconds={:e} bytes=0",
            t_factor.wall + t_solve.wall,
            t_factor.cpu + t_solve.cpu
        );
    }
}

fn main() {
    let only = std::env::args().nth(1).unwrap_or_default();
    if only.is_empty() || only == "divergence" {
        // Two shapes that fit the 32 MiB L3 of the machine we measure on (the copy they are
        // compared with runs at cache bandwidth), and one of about 100 MB that does not.
        for (positions, v) in [(8, 32000), (8, 131072), (64, 131072)] {
            divergences(positions, v);
        }
    }
    if only.is_empty() || only == "knn" {
        knn();
    }
    if only.is_empty() || only == "cholesky" {
        cholesky();
    }
}
