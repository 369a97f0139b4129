//! Benches for `attnmech::ccmc` and `attnmech::prompt_attention`.
//!
//! - `ccmc_mle`: one full MLE fit (K = 32, n = 100k prompts of length 64), next to one NLL pass over
//!   the same data as the in-run baseline (fit time / NLL time = effective data passes).
//! - `ccmc_generate`: tokens per second of one growing-context trajectory (incremental counts: the
//!   cost per token is O(K) whatever the context length).
//! - `prompt_attention_train`: full-batch training steps per second (n = 1000, T = 20, d = 16) for
//!   prompt-attention and self-attention.

use attnmech::ccmc::data::sample_teacher;
use attnmech::ccmc::kernel::Wbar;
use attnmech::ccmc::mle::{fit, nll, MleOptions};
use attnmech::ccmc::sampling::Generator;
use attnmech::prompt_attention::data::{Irrelevant, MixtureConfig};
use attnmech::prompt_attention::models::{Model, Params};
use attnmech::prompt_attention::train::{train, Loss, Optimizer};
use attnmech::rng::seeded;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::hint::black_box;
use std::time::Duration;

fn mle(c: &mut Criterion) {
    let (kk, n, len) = (32usize, 100_000usize, 64usize);
    let teacher = Wbar::gaussian(kk, 1.0, &mut seeded(0, 0)).unwrap();
    let data = sample_teacher(&teacher, n, len, &mut seeded(0, 1)).unwrap();
    let mut g = c.benchmark_group("ccmc_mle");
    g.sample_size(10)
        .measurement_time(Duration::from_secs(5))
        .warm_up_time(Duration::from_secs(1))
        .throughput(Throughput::Elements(n as u64));
    let opts = MleOptions {
        ridge: 1e-9,
        ..Default::default()
    };
    g.bench_function("fit_k32_n100k_l64", |b| {
        b.iter(|| black_box(fit(black_box(&data), &opts).unwrap()))
    });
    g.bench_function("nll_pass_k32_n100k_l64", |b| {
        b.iter(|| black_box(nll(black_box(&teacher), &data).unwrap()))
    });
    g.finish();
}

fn generation(c: &mut Criterion) {
    let kk = 32;
    let wbar = Wbar::gaussian(kk, 1.0, &mut seeded(0, 2)).unwrap();
    let prompt: Vec<usize> = (0..kk).collect();
    let steps = 100_000u64;
    let mut g = c.benchmark_group("ccmc_generate");
    g.sample_size(10)
        .measurement_time(Duration::from_secs(3))
        .throughput(Throughput::Elements(steps));
    g.bench_function("growing_context_k32_100k_tokens", |b| {
        b.iter(|| {
            let mut gen = Generator::new(&wbar, &prompt, None).unwrap();
            let mut rng = seeded(0, 3);
            for _ in 0..steps {
                black_box(gen.step(&mut rng));
            }
        })
    });
    g.finish();
}

fn prompt_training(c: &mut Criterion) {
    let cfg = MixtureConfig {
        tokens: 20,
        dim: 16,
        relevant: 4,
        sigma: 0.3,
        irrelevant: Irrelevant {
            delta: 0.5,
            beta: 0.5,
            rho: 1.0,
        },
        noise_perp: false,
    };
    let data = cfg.sample(1000, &mut seeded(0, 4)).unwrap();
    let steps = 5;
    let mut g = c.benchmark_group("prompt_attention_train");
    g.sample_size(10)
        .measurement_time(Duration::from_secs(3))
        .throughput(Throughput::Elements(steps as u64));
    for model in [
        Model::PromptSoftmax,
        Model::SelfSoftmax,
        Model::PromptLinear,
    ] {
        g.bench_function(format!("{model:?}_n1000_t20_d16"), |b| {
            b.iter(|| {
                let (p, _) = train(
                    model,
                    Params::zeros(16),
                    &data,
                    Loss::Logistic,
                    Optimizer::Adam { lr: 0.05 },
                    steps,
                )
                .unwrap();
                black_box(p)
            })
        });
    }
    g.finish();
}

criterion_group!(benches, mle, generation, prompt_training);
criterion_main!(benches);
