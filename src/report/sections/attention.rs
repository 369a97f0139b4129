//! The attention kernels' section of `attnmech reproduce`: agreement with the f64 reference across
//! the conformance cases (AK1–AK6), and a throughput-vs-N figure for forward and backward, f32 and
//! f64, counted in FlashAttention FLOPs (AK7). Timings are recorded as values and drawn, never
//! judged as pass/fail.

use crate::attention::conformance::{self, Case, Summary};
use crate::attention::{AttentionKernel, CpuTiled, Forward, Options, Shape};
use crate::error::Result;
use crate::float::Float;
use crate::report::plot::Chart;
use crate::report::{Check, Context, Section, SectionReport};
use std::time::{Duration, Instant};

/// This module's sections of the `attnmech reproduce` report.
pub fn report_sections() -> Vec<Box<dyn Section>> {
    vec![Box::new(AttentionSection)]
}

/// The kernels judged by the section (a CUDA kernel joins this list when available).
fn kernels() -> Vec<Box<dyn AttentionKernel>> {
    vec![Box::new(CpuTiled)]
}

struct AttentionSection;

impl Section for AttentionSection {
    fn name(&self) -> &'static str {
        "attention"
    }
    fn title(&self) -> &'static str {
        "Attention kernels: agreement with the f64 reference, throughput against N"
    }
    fn run(&self, ctx: &Context) -> Result<SectionReport> {
        let mut r = SectionReport::default();
        let cases = if ctx.quick {
            conformance::quick_cases(ctx.seed)
        } else {
            conformance::standard_cases(ctx.seed)
        };
        r.value("conformance.cases", cases.len());
        let kernels = kernels();
        let bar = ctx.progress(kernels.len() as u64, "attention: conformance per kernel");
        for kernel in kernels {
            conformance_checks(&mut r, kernel.as_ref(), &cases);
            bar.inc(1);
        }
        bar.finish_and_clear();
        throughput(&mut r, ctx)?;
        Ok(r)
    }
}

/// AK1–AK3 (and the exact AK5 values, which `measure` enforces) for one kernel, judged by the
/// tests' bound ([`conformance::verdict`]).
fn conformance_checks(r: &mut SectionReport, kernel: &dyn AttentionKernel, cases: &[Case]) {
    let name = kernel.name();
    let summaries: Vec<Summary> = match conformance::measure(kernel, cases) {
        Ok(s) => s,
        Err(e) => {
            r.check(Check::with(
                "AK5",
                &format!("{name}: every case runs, no NaN, empty rows give out 0 / lse -inf"),
                f64::NAN,
                "no failure".into(),
                false,
            ));
            r.note(format!("{name}: {e}"));
            return;
        }
    };
    for s in &summaries {
        let key = format!("conformance.{}.{}", s.kernel, s.dtype);
        for (field, x) in s.max.fields() {
            r.value(&format!("{key}.max_rel_err.{field}"), x);
        }
        r.value(&format!("{key}.max_error_over_bound"), s.max_ratio);
        let n = s.cases;
        let v = conformance::verdict(s);
        r.check(Check::with(
            "AK1",
            &format!(
                "{name} {}: output O, max relative Frobenius error vs the f64 oracle over {n} \
                 cases (each case within its bound: 2u|lse| where |lse| is large)",
                s.dtype
            ),
            s.max.out,
            format!(
                "<= {:.0e} per case (worst error/bound {:.2})",
                s.tol.forward, s.field_ratio[0]
            ),
            v.out,
        ));
        r.check(Check::with(
            "AK2",
            &format!(
                "{name} {}: lse, max relative error vs the oracle over {n} cases",
                s.dtype
            ),
            s.max.lse,
            format!(
                "<= {:.0e} per case (worst error/bound {:.2})",
                s.tol.forward, s.field_ratio[1]
            ),
            v.lse,
        ));
        r.check(Check::with(
            "AK3",
            &format!(
                "{name} {}: dQ/dK/dV (max relative error {:.2e}) within the per-case bound ({:.0e}, \
                 looser only where |lse| is large); measured = max error/bound",
                s.dtype,
                s.max.grad_max(),
                s.tol.grad
            ),
            s.field_ratio[2..].iter().copied().fold(0.0, f64::max),
            "<= 1".into(),
            v.grads,
        ));
        for v in &s.violations {
            r.note(v.clone());
        }
    }
    r.note(format!(
        "{name}: {} cases (head_dim in {{1,8,16,64,80,128,256}} and odd ones, lengths around tile \
         edges, q_len != kv_len, causal, padding incl. 0 and full, |scores| ~ 1e4); the exact \
         values of empty rows (out 0, lse -inf, zero gradients) are enforced case by case.",
        cases.len()
    ));
}

/// Best wall time of `reps` runs of `f` (at least one), stopping early once `budget` is spent.
fn best_of(reps: usize, budget: Duration, mut f: impl FnMut()) -> f64 {
    let start = Instant::now();
    let mut best = f64::INFINITY;
    for _ in 0..reps.max(1) {
        let t = Instant::now();
        f();
        best = best.min(t.elapsed().as_secs_f64());
        if start.elapsed() > budget {
            break;
        }
    }
    best
}

/// GFLOP/s of forward and backward at `shape` (non-causal), dtype `T`.
fn rates<T: Float>(shape: Shape, seed: u64, reps: usize, budget: Duration) -> Result<(f64, f64)> {
    let x = Case::new(shape, seed).inputs();
    let cast = |x: &[f64]| x.iter().map(|&v| T::of(v)).collect::<Vec<T>>();
    let (q, k, v, d_out) = (cast(&x.q), cast(&x.k), cast(&x.v), cast(&x.d_out));
    let opts = Options::default();
    let mut fwd = Forward {
        out: vec![T::zero(); shape.q_elems()],
        lse: vec![T::zero(); shape.lse_elems()],
    };
    crate::attention::forward_into(&q, &k, &v, shape, &opts, &mut fwd.out, &mut fwd.lse)?;
    let t_fwd = best_of(reps, budget, || {
        let _ =
            crate::attention::forward_into(&q, &k, &v, shape, &opts, &mut fwd.out, &mut fwd.lse);
    });
    let (mut dq, mut dk, mut dv) = (
        vec![T::zero(); q.len()],
        vec![T::zero(); k.len()],
        vec![T::zero(); k.len()],
    );
    let t_bwd = best_of(reps, budget, || {
        let _ = crate::attention::backward_into(
            &q, &k, &v, &fwd, &d_out, shape, &opts, &mut dq, &mut dk, &mut dv,
        );
    });
    Ok((
        shape.flops_forward(false) / t_fwd / 1e9,
        shape.flops_backward(false) / t_bwd / 1e9,
    ))
}

/// The throughput figure: CPU kernel, B = 1, H = 4, d = 64, non-causal, N = M on a log axis.
fn throughput(r: &mut SectionReport, ctx: &Context) -> Result<()> {
    let (ns, reps, budget): (&[usize], usize, Duration) = if ctx.quick {
        (&[32, 64, 128, 256], 3, Duration::from_secs(2))
    } else {
        (&[64, 128, 256, 512, 1024, 2048], 3, Duration::from_secs(40))
    };
    let start = Instant::now();
    let threads = rayon::current_num_threads();
    r.value("throughput.threads", threads);
    let mut series: [Vec<(f64, f64)>; 4] = Default::default();
    // (N, seconds) of the previous point: the next one costs about (N'/N)² times as much.
    let mut previous: Option<(usize, f64)> = None;
    let bar = ctx.progress(ns.len() as u64, "attention: throughput per N");
    for &n in ns {
        bar.inc(1);
        let predicted = previous.map_or(0.0, |(p, t)| t * (n as f64 / p as f64).powi(2));
        if start.elapsed().as_secs_f64() + predicted > budget.as_secs_f64() {
            r.note(format!(
                "throughput: stopped before N = {n} (predicted {predicted:.1} s would exceed the \
                 {budget:?} budget)"
            ));
            break;
        }
        let point = Instant::now();
        let shape = Shape {
            batch: 1,
            heads: 4,
            q_len: n,
            kv_len: n,
            head_dim: 64,
        };
        let per_point = budget / (4 * ns.len() as u32);
        let (f32_fwd, f32_bwd) = rates::<f32>(shape, ctx.seed, reps, per_point)?;
        let (f64_fwd, f64_bwd) = rates::<f64>(shape, ctx.seed, reps, per_point)?;
        for (i, (name, g)) in [
            ("f32.fwd", f32_fwd),
            ("f32.bwd", f32_bwd),
            ("f64.fwd", f64_fwd),
            ("f64.bwd", f64_bwd),
        ]
        .into_iter()
        .enumerate()
        {
            r.value(&format!("throughput.cpu.{name}.n{n}.gflops"), g);
            series[i].push((n as f64, g));
        }
        previous = Some((n, point.elapsed().as_secs_f64()));
    }
    bar.finish_and_clear();
    let last = |s: &[(f64, f64)]| s.last().map_or(f64::NAN, |p| p.1);
    let n_max = series[0].last().map_or(0.0, |p| p.0);
    let chart = Chart::new("CPU attention throughput (B=1, H=4, d=64, non-causal)")
        .labels(
            "sequence length N = M",
            "GFLOP/s (FlashAttention convention)",
        )
        .log_x()
        .line("forward f32", series[0].clone())
        .line("backward f32", series[1].clone())
        .dashed("forward f64", series[2].clone())
        .dashed("backward f64", series[3].clone());
    let caption = format!(
        "Throughput of the CPU tiled kernels on {threads} rayon thread(s), FLOPs counted as \
         forward 4·B·H·N·M·d and backward 2.5× forward (exp work not counted), best of {reps} runs. \
         At N = {n_max}: forward f32 {:.1}, backward f32 {:.1}, forward f64 {:.1}, backward f64 \
         {:.1} GFLOP/s. For scale: faer's f32 GEMM reached about 150–165 GFLOP/s per core (f64 \
         about 75) on the development machines (spec §7).",
        last(&series[0]),
        last(&series[1]),
        last(&series[2]),
        last(&series[3]),
    );
    r.figure(ctx, "attention_throughput", &chart, caption)?;
    r.value("throughput.seconds", start.elapsed().as_secs_f64());
    Ok(())
}
