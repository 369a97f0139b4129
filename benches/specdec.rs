//! Benches for issue 5: divergence + gradient kernels and the verification step at
//! [positions = 8, vocab = 32768 / 131072] in f32, as bytes moved per second beside a plain memory
//! copy of the same number of bytes measured in the same run; speculative-decoding steps per second
//! on the toy models.
//!
//! Bytes moved: divergence+grad reads teacher log-probs and logits and writes the gradient
//! (3 · P · V · 4 bytes); the verifier reads `2γ + 1 = 15` rows (`γ = 7`, P = 8 target rows).
//! A copy of `n` bytes moves `2n` (read + write); the baseline copies half the kernel's bytes.
//! After criterion's own report a best-of-15 timing prints the kernel/copy ratios; it counts
//! on-CPU time (`/proc/thread-self/schedstat`) so time-slicing on a loaded machine does not skew
//! the long kernel runs against the short copy.

use attnmech::distill::{divergence_and_grad, Divergence};
use attnmech::rng::seeded;
use attnmech::specdec::toy::{cos_draft, sin_target, MarkovLm};
use attnmech::specdec::{speculative_decode, verify, SpecConfig, Standard};
use criterion::{criterion_group, BenchmarkId, Criterion, Throughput};
use rand::Rng;
use std::hint::black_box;
use std::time::{Duration, Instant};

const POSITIONS: usize = 8;
const VOCABS: [usize; 2] = [32768, 131072];
const DIVS: [Divergence; 4] = [
    Divergence::ForwardKl,
    Divergence::ReverseKl,
    Divergence::Jsd { beta: 0.5 },
    Divergence::Tvd,
];

struct Inputs {
    lp: Vec<f32>,
    z: Vec<f32>,
    grad: Vec<f32>,
    q: Vec<f32>,
    p: Vec<f32>,
    drafts: Vec<usize>,
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

fn inputs(v: usize) -> Inputs {
    let mut rng = seeded(5, 0);
    let n = POSITIONS * v;
    let tz: Vec<f32> = (0..n).map(|_| 4.0 * rng.random::<f32>()).collect();
    let z: Vec<f32> = (0..n).map(|_| 4.0 * rng.random::<f32>()).collect();
    let lp = log_softmax_rows(&tz, v);
    let p: Vec<f32> = lp.iter().map(|x| x.exp()).collect();
    let q: Vec<f32> = log_softmax_rows(&z, v)[..(POSITIONS - 1) * v]
        .iter()
        .map(|x| x.exp())
        .collect();
    let drafts = (0..POSITIONS - 1).map(|i| (i * 7919) % v).collect();
    Inputs {
        lp,
        z,
        grad: vec![0.0; n],
        q,
        p,
        drafts,
    }
}

fn kernels(c: &mut Criterion) {
    for v in VOCABS {
        let mut x = inputs(v);
        let bytes = (3 * POSITIONS * v * 4) as u64;
        let mut g = c.benchmark_group(format!("divergence_f32_p{POSITIONS}_v{v}"));
        g.sample_size(10)
            .measurement_time(Duration::from_millis(800))
            .warm_up_time(Duration::from_millis(200));
        g.throughput(Throughput::Bytes(bytes));
        let src: Vec<f32> = x.lp.iter().chain(&x.z[..x.z.len() / 2]).copied().collect();
        let mut dst = vec![0.0f32; src.len()];
        g.bench_function("memcpy_same_bytes", |b| {
            b.iter(|| dst.copy_from_slice(black_box(&src)))
        });
        for div in DIVS {
            g.bench_function(BenchmarkId::new("loss_and_grad", div.name()), |b| {
                b.iter(|| {
                    divergence_and_grad(div, black_box(&x.lp), black_box(&x.z), v, 1.0, &mut x.grad)
                        .unwrap()
                })
            });
        }
        g.finish();
        let mut g = c.benchmark_group(format!("verify_f32_gamma7_v{v}"));
        g.sample_size(10)
            .measurement_time(Duration::from_millis(800))
            .warm_up_time(Duration::from_millis(200));
        g.throughput(Throughput::Bytes((15 * v * 4) as u64));
        let mut rng = seeded(6, 0);
        g.bench_function("verify", |b| {
            b.iter(|| {
                verify(
                    &Standard::EXACT,
                    &x.drafts,
                    black_box(&x.q),
                    black_box(&x.p),
                    v,
                    &mut rng,
                )
                .unwrap()
            })
        });
        g.finish();
    }
}

fn decoding(c: &mut Criterion) {
    let mut g = c.benchmark_group("speculative_decoding_toy");
    g.sample_size(10)
        .measurement_time(Duration::from_millis(800))
        .warm_up_time(Duration::from_millis(200));
    let mut rng = seeded(7, 0);
    let cfg = SpecConfig {
        gamma: 4,
        temperature: 1.0,
    };
    g.bench_function("sin_cos_v3_64_tokens", |b| {
        b.iter(|| {
            speculative_decode(sin_target, cos_draft, &[], 3, 64, cfg, &mut rng)
                .unwrap()
                .accepted_per_step
                .len()
        })
    });
    let target = MarkovLm::random(8, 2, 2.0, &mut rng);
    let draft = MarkovLm::random(8, 1, 1.0, &mut rng);
    g.bench_function("markov_v8_64_tokens", |b| {
        b.iter(|| {
            speculative_decode(
                |c: &[usize]| target.dist(c),
                |c: &[usize]| draft.dist(c),
                &[],
                8,
                64,
                cfg,
                &mut rng,
            )
            .unwrap()
            .accepted_per_step
            .len()
        })
    });
    g.finish();
}

/// Seconds this thread has spent on a CPU (Linux `/proc/thread-self/schedstat`, first field in
/// ns), so that time-slicing on a shared machine does not count; `None` elsewhere.
fn on_cpu_seconds() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    Some(s.split_whitespace().next()?.parse::<f64>().ok()? * 1e-9)
}

/// Best of `reps` timings of `f`: on-CPU time where the OS reports it, wall time otherwise.
fn best(reps: usize, mut f: impl FnMut()) -> f64 {
    (0..reps)
        .map(|_| {
            let (c0, t) = (on_cpu_seconds(), Instant::now());
            f();
            match (c0, on_cpu_seconds()) {
                (Some(a), Some(b)) if b > a => b - a,
                _ => t.elapsed().as_secs_f64(),
            }
        })
        .fold(f64::INFINITY, f64::min)
}

/// Kernel bandwidth over copy bandwidth for the same bytes, measured back to back.
fn ratios() {
    // The kernels run their rows on rayon's pool: one worker, entered here, so the measuring
    // thread is the one doing the work and its on-CPU time is the kernel's.
    rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("pool")
        .install(ratios_on_one_thread)
}

fn ratios_on_one_thread() {
    println!(
        "\nbytes/s ratio against a memcpy of the same bytes (best of 15, on-CPU time, 1 thread):"
    );
    for v in VOCABS {
        let mut x = inputs(v);
        let src: Vec<f32> = x.lp.iter().chain(&x.z[..x.z.len() / 2]).copied().collect();
        let mut dst = vec![0.0f32; src.len()];
        let copy = best(15, || dst.copy_from_slice(black_box(&src)));
        let bytes = (3 * POSITIONS * v * 4) as f64;
        println!("  v={v}: memcpy {:.2} GB/s", bytes / copy / 1e9);
        for div in DIVS {
            let t = best(15, || {
                divergence_and_grad(div, black_box(&x.lp), black_box(&x.z), v, 1.0, &mut x.grad)
                    .unwrap();
            });
            println!(
                "  v={v} {:>7}: {:.2} GB/s, ratio {:.2}",
                div.name(),
                bytes / t / 1e9,
                copy / t
            );
        }
        let vbytes = (15 * v * 4) as f64;
        let vsrc = vec![0.0f32; 15 * v / 2];
        let mut vdst = vec![0.0f32; vsrc.len()];
        let vcopy = best(15, || vdst.copy_from_slice(black_box(&vsrc)));
        let mut rng = seeded(6, 0);
        let t = best(15, || {
            verify(
                &Standard::EXACT,
                &x.drafts,
                black_box(&x.q),
                black_box(&x.p),
                v,
                &mut rng,
            )
            .unwrap();
        });
        println!(
            "  v={v}  verify: {:.2} GB/s, ratio {:.2}",
            vbytes / t / 1e9,
            vcopy / t
        );
    }
}

criterion_group!(benches, kernels, decoding);

fn main() {
    benches();
    criterion::Criterion::default()
        .configure_from_args()
        .final_summary();
    ratios();
}
