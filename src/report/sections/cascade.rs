//! The cascade section of the report: deferral curves on the spec's tiny instances.

use crate::cascade::instances::{curve_set, CurveSet, InstanceKind};
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
        // Each curve is drawn on the held-out half, so 40000 samples give the spec's n = 20000.
        let n = 40000;
        let a = curve_set(InstanceKind::ConfidenceSuffices, n, ctx.seed)?;
        let b = curve_set(InstanceKind::Specialist, n, ctx.seed)?;
        let noise = curve_set(InstanceKind::LabelNoise, n, ctx.seed)?;
        let diff = a
            .confidence
            .accuracy()
            .iter()
            .zip(a.expected_gain.accuracy())
            .map(|(x, y)| (x - y).abs())
            .fold(0.0, f64::max);
        rep.check(Check::at_most(
            "CD4",
            "A: confidence curve = expected-gain curve (max pointwise difference)",
            diff,
            0.0,
        ));
        rep.check(Check::at_least(
            "CD5",
            "B (specialist): expected-gain AUDC minus confidence AUDC",
            b.expected_gain.area() - b.confidence.area(),
            0.03,
        ));
        rep.check(Check::at_least(
            "CD6",
            "label noise: post-hoc AUDC minus confidence AUDC",
            noise.posthoc.area() - noise.confidence.area(),
            0.005,
        ));
        rep.check(Check::at_least(
            "CD7",
            "B: post-hoc minus confidence accuracy at 10% deferral",
            b.posthoc.at(0.1) - b.confidence.at(0.1),
            0.0,
        ));
        draw(
            &mut rep,
            ctx,
            "cascade_a",
            "Instance A: confidence suffices",
            &a,
            "Spec: AUDC conf = oracle 0.6980, random 0.6598; acc@20% 0.6260.",
        )?;
        draw(
            &mut rep,
            ctx,
            "cascade_b",
            "Instance B: specialist model 2",
            &b,
            "Spec: AUDC conf 0.5135 vs oracle 0.5776, random 0.4392; acc@20% 0.572 vs 0.658.",
        )?;
        draw(
            &mut rep,
            ctx,
            "cascade_noise",
            "Label noise at low confidence",
            &noise,
            "Post-hoc should recover part of the gap (paper: qualitative).",
        )?;
        for (name, s) in [("A", &a), ("B", &b), ("noise", &noise)] {
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
