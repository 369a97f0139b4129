//! The `embed_distill` section of the report: score gap against embedding mismatch with the bound,
//! and the spec's tiny instance (score-only KD vs KD + embedding matching).

use crate::embed_distill::bound::{score_gap_and_bound, score_gap_radius_bound};
use crate::embed_distill::student::{run_asymmetric, AsymmetricConfig};
use crate::error::Result;
use crate::report::plot::Chart;
use crate::report::{Check, Context, Section, SectionReport};
use crate::rng::seeded;
use rand_distr::{Distribution, StandardNormal};

/// This module's sections of the `attnmech reproduce` report.
pub fn report_sections() -> Vec<Box<dyn Section>> {
    vec![Box::new(EmbedDistillSection)]
}

struct EmbedDistillSection;

impl Section for EmbedDistillSection {
    fn name(&self) -> &'static str {
        "embed_distill"
    }
    fn title(&self) -> &'static str {
        "EmbedDistill (Kim et al., ICML 2023)"
    }
    fn run(&self, ctx: &Context) -> Result<SectionReport> {
        let mut rep = SectionReport::default();
        let students = tiny_instance(ctx, &mut rep)?;
        gap_figure(ctx, &mut rep, &students)?;
        Ok(rep)
    }
}

/// ED7 on spec 7(c); returns (n_train, λ, mean query mismatch, mean |gap|) per trained student.
fn tiny_instance(ctx: &Context, rep: &mut SectionReport) -> Result<Vec<(usize, f64, f64, f64)>> {
    let mut out = Vec::new();
    let steps = if ctx.quick { 1000 } else { 3000 };
    for n_train in [20, 100] {
        let cfg = AsymmetricConfig {
            n_train,
            steps,
            seed: ctx.seed,
            ..Default::default()
        };
        let plain = run_asymmetric(&cfg, 0.0)?;
        let matched = run_asymmetric(&cfg, 1.0)?;
        rep.check(Check::at_least(
            "ED7",
            &format!("n_train = {n_train}: top-1 agreement with matching minus score-only (not worse by > 0.01)"),
            matched.top1_agreement - plain.top1_agreement,
            -0.01,
        ));
        rep.value(&format!("ed7_n{n_train}_score_only"), plain);
        rep.value(&format!("ed7_n{n_train}_matched"), matched);
        rep.note(format!(
            "ED7, n_train = {n_train} ({steps} GD steps): top-1 agreement {:.3} score-only vs {:.3} with L2 matching; \
             mean |score gap| {:.3} vs {:.3}. Spec run (other RNG): n = 20: 0.538 vs 0.566, gap 0.785 vs 0.730; \
             n = 100: 0.714 vs 0.718, gap 0.570 vs 0.544.",
            plain.top1_agreement, matched.top1_agreement, plain.mean_abs_gap, matched.mean_abs_gap
        ));
        out.push((n_train, 0.0, plain.mean_query_mismatch, plain.mean_abs_gap));
        out.push((
            n_train,
            1.0,
            matched.mean_query_mismatch,
            matched.mean_abs_gap,
        ));
    }
    Ok(out)
}

/// ED1/ED2: random teacher embeddings perturbed at scales 1e-3..1, gap against mismatch.
fn gap_figure(
    ctx: &Context,
    rep: &mut SectionReport,
    students: &[(usize, f64, f64, f64)],
) -> Result<()> {
    let cases = if ctx.quick { 400 } else { 4000 };
    let k = 8;
    let mut rng = seeded(ctx.seed, 0xed1);
    let mut draw = |s: f64| -> Vec<f64> {
        (0..k)
            .map(|_| s * Distribution::<f64>::sample(&StandardNormal, &mut rng))
            .collect()
    };
    let mut raw = Vec::with_capacity(cases);
    for c in 0..cases {
        let eps = 10f64.powf(-3.0 + 3.0 * c as f64 / cases as f64);
        let (q_t, d_t) = (draw(1.0 / (k as f64).sqrt()), draw(1.0 / (k as f64).sqrt()));
        let q_s: Vec<f64> = q_t
            .iter()
            .zip(draw(eps / (k as f64).sqrt()))
            .map(|(a, b)| a + b)
            .collect();
        let d_s: Vec<f64> = d_t
            .iter()
            .zip(draw(eps / (k as f64).sqrt()))
            .map(|(a, b)| a + b)
            .collect();
        raw.push((q_t, d_t, q_s, d_s));
    }
    let norm = |v: &[f64]| v.iter().map(|x| x * x).sum::<f64>().sqrt();
    let radius = raw
        .iter()
        .flat_map(|(a, b, c, d)| [norm(a), norm(b), norm(c), norm(d)])
        .fold(0.0, f64::max);
    let (mut worst_ed1, mut worst_ed2) = (f64::NEG_INFINITY, 0.0f64);
    let mut pts = Vec::with_capacity(cases);
    let mut bound_pts = Vec::with_capacity(cases);
    for (q_t, d_t, q_s, d_s) in &raw {
        let (gap, bound) = score_gap_and_bound(q_t, d_t, q_s, d_s)?;
        let rb = score_gap_radius_bound(radius, q_t, d_t, q_s, d_s)?;
        worst_ed1 = worst_ed1.max(gap.abs() - bound);
        worst_ed2 = worst_ed2.max(gap.abs() / rb);
        let mismatch = rb / radius;
        pts.push((mismatch, gap.abs()));
        bound_pts.push((mismatch, bound));
    }
    rep.check(Check::at_most(
        "ED1",
        "max over random cases of |gap| - (||dq|| ||d_t|| + ||q_s|| ||dd||)",
        worst_ed1,
        1e-12,
    ));
    rep.check(Check::at_most(
        "ED2",
        "max |gap| / (R (||dq|| + ||dd||))",
        worst_ed2,
        1.0 + 1e-12,
    ));
    let (lo, hi) = pts.iter().fold((f64::INFINITY, 0.0f64), |(l, h), p| {
        (l.min(p.0), h.max(p.0))
    });
    let mut chart = Chart::new("Score gap against embedding mismatch")
        .labels(
            "embedding mismatch ||dq|| + ||dd||",
            "|<q_t,d_t> - <q_s,d_s>|",
        )
        .log_x()
        .log_y()
        .points("random perturbations", pts)
        .points("per-case bound ||dq|| ||d_t|| + ||q_s|| ||dd||", bound_pts)
        .dashed(
            format!("R (||dq|| + ||dd||), R = {radius:.2}"),
            vec![(lo, radius * lo), (hi, radius * hi)],
        );
    let trained: Vec<(f64, f64)> = students.iter().map(|s| (s.2, s.3)).collect();
    chart = chart.points("trained asymmetric students (mean over held-out)", trained);
    rep.value("ed1_worst_slack", worst_ed1);
    rep.value("ed2_worst_ratio", worst_ed2);
    rep.figure(
        ctx,
        "embed_distill_gap_vs_mismatch",
        &chart,
        format!(
            "{cases} random k = {k} teacher embeddings perturbed at scales 1e-3..1: every |score gap| lies under the \
             per-case bound (worst slack {worst_ed1:.2e}) and under R times the mismatch (worst ratio {worst_ed2:.3}). \
             The four trained asymmetric students of the tiny instance sit at their mean query mismatch and mean \
             |gap|. The paper bounds the teacher-student generalisation gap through this mechanism [P; exact theorem R]."
        ),
    )?;
    Ok(())
}
