//! The cascade section of the report: deferral curves on the spec's tiny instances.

use crate::cascade::experiments::{
    cd4_experiment, cd4_verdict, cd5_experiment, cd5_verdict, cd6_experiment, cd6_verdict,
    cd7_experiment, cd7_verdict, CD4_ACC_AT_20, CD4_AUDC, CD4_VALUE_TOL, CD5_MIN_GAP, CD6_MAX_FLAT,
    CD6_MAX_OVER_OPTIMUM, CD6_MIN_GAIN, CD7_MIN_LOW_GAIN,
};
use crate::cascade::instances::CurveSet;
use crate::error::Result;
use crate::report::plot::Chart;
use crate::report::{Check, Context, Section, SectionReport};

/// Section `cascade`.
pub struct CascadeSection;

fn draw(
    rep: &mut SectionReport,
    ctx: &Context,
    stem: &str,
    title: &str,
    set: &CurveSet,
    spec: &str,
) -> Result<()> {
    let chart = Chart::new(title)
        .labels("deferral rate", "cascade accuracy")
        .line("confidence", set.confidence.points(200))
        .line("post-hoc (Diff-01 ridge)", set.posthoc.points(200))
        .line("oracle (expected gain)", set.expected_gain.points(200))
        .dashed("oracle (realised gain)", set.oracle.points(200))
        .dashed("random", set.random.points(2));
    rep.figure(
        ctx,
        stem,
        &chart,
        format!(
            "{title}. AUDC: confidence {:.4}, post-hoc {:.4}, expected-gain oracle {:.4}, random {:.4}; \
             acc@20%: confidence {:.3}, expected-gain {:.3}. {spec}",
            set.confidence.area(),
            set.posthoc.area(),
            set.expected_gain.area(),
            set.random.area(),
            set.confidence.at(0.2),
            set.expected_gain.at(0.2),
        ),
    )
}

impl Section for CascadeSection {
    fn name(&self) -> &'static str {
        "cascade"
    }
    fn title(&self) -> &'static str {
        "When does confidence-based cascade deferral suffice? (Jitkrittum et al. 2023)"
    }
    fn run(&self, ctx: &Context) -> Result<SectionReport> {
        let mut rep = SectionReport::default();
        // Each curve is drawn on the held-out half of CASCADE_SAMPLES: the spec's n = 20000.
        let cd4 = cd4_experiment(ctx.seed)?;
        let cd5 = cd5_experiment(ctx.seed)?;
        let cd6 = cd6_experiment(ctx.seed)?;
        let cd7 = cd7_experiment(ctx.seed)?;
        rep.check(Check::with(
            "CD4",
            &format!(
                "A: confidence curve = expected-gain curve (max pointwise difference); AUDC {:.4}, \
                 acc@20% {:.4} within {CD4_VALUE_TOL} of {CD4_AUDC} / {CD4_ACC_AT_20}",
                cd4.audc, cd4.acc_at_20
            ),
            cd4.max_diff,
            format!("= 0, values within {CD4_VALUE_TOL}"),
            cd4_verdict(&cd4),
        ));
        rep.check(Check::with(
            "CD5",
            "B (specialist): expected-gain AUDC minus confidence AUDC",
            cd5.gap,
            format!("> {CD5_MIN_GAP}"),
            cd5_verdict(&cd5),
        ));
        rep.check(Check::with(
            "CD6",
            &format!(
                "label noise: post-hoc AUDC minus confidence AUDC; confidence gain over the first \
                 10% {:.4} (< {CD6_MAX_FLAT}), post-hoc minus expected-gain AUDC {:.4} (<= \
                 {CD6_MAX_OVER_OPTIMUM})",
                cd6.flat, cd6.posthoc_over_optimum
            ),
            cd6.posthoc_gain,
            format!("> {CD6_MIN_GAIN}"),
            cd6_verdict(&cd6),
        ));
        rep.check(Check::with(
            "CD7",
            &format!(
                "B: mean post-hoc minus confidence accuracy over rates [0, 0.3]; over [0.7, 1]: \
                 {:.4} (must be lower)",
                cd7.high_gain
            ),
            cd7.low_gain,
            format!("> {CD7_MIN_LOW_GAIN} and > the [0.7, 1] gain"),
            cd7_verdict(&cd7),
        ));
        let (a, b, noise) = (&cd4.set, &cd5.set, &cd6.set);
        draw(
            &mut rep,
            ctx,
            "cascade_a",
            "Instance A: confidence suffices",
            a,
            "Spec: AUDC conf = oracle 0.6980, random 0.6598; acc@20% 0.6260.",
        )?;
        draw(
            &mut rep,
            ctx,
            "cascade_b",
            "Instance B: specialist model 2",
            b,
            "Spec: AUDC conf 0.5135 vs oracle 0.5776, random 0.4392; acc@20% 0.572 vs 0.658.",
        )?;
        draw(
            &mut rep,
            ctx,
            "cascade_noise",
            "Label noise at low confidence",
            noise,
            "Post-hoc should recover part of the gap (paper: qualitative).",
        )?;
        for (name, s) in [("A", a), ("B", b), ("noise", noise)] {
            rep.value(
                &format!("audc_{name}"),
                [
                    s.confidence.area(),
                    s.posthoc.area(),
                    s.expected_gain.area(),
                    s.oracle.area(),
                    s.random.area(),
                ],
            );
        }
        rep.note("AUDC values listed as [confidence, post-hoc, expected-gain oracle, realised oracle, random].");
        Ok(rep)
    }
}
