//! The "pause" section of the report: the structural identities PT1–PT5 on a tiny attention LM and
//! the constructive capacity illustration.

use crate::error::Result;
use crate::pause::experiments::{
    capacity_grid, capacity_verdict, pt2_masked_invariance, pt2_verdict, pt3_loss_terms,
    pt3_verdict, pt4_insertion, pt4_verdict, pt5_parameter_overhead, pt5_verdict,
    CAPACITY_EXACT_TOL, CAPACITY_GRID, CAPACITY_MIN_MISS, PT2_FD_TOL, PT4_MIN_P, PT4_SEQUENCES,
};
use crate::report::plot::Chart;
use crate::report::{Check, Context, Section, SectionReport};

/// The pause-token section.
pub struct PauseSection;

impl Section for PauseSection {
    fn name(&self) -> &'static str {
        "pause"
    }
    fn title(&self) -> &'static str {
        "Pause tokens (Goyal et al. 2024)"
    }
    fn run(&self, ctx: &Context) -> Result<SectionReport> {
        let mut rep = SectionReport::default();
        identities(ctx, &mut rep)?;
        capacity(ctx, &mut rep)?;
        rep.note(
            "PT7 (PausePT_PauseFT gains on 8/9 tasks at 1B, e.g. SQuAD EM 36.4 -> 55.9 [P]) needs \
             pretraining at scale and is documented only.",
        );
        Ok(rep)
    }
}

/// PT2–PT5: the experiments and bounds of [`crate::pause::experiments`].
fn identities(ctx: &Context, rep: &mut SectionReport) -> Result<()> {
    let pt2 = pt2_masked_invariance(ctx.seed)?;
    rep.check(Check::with(
        "PT2",
        "loss and gradients invariant to masked-position logits (entries changed, 3 prefix lengths)",
        pt2.changed_entries as f64,
        format!(
            "= 0; masked logit gradient and differences = 0; pause-row FD error < {PT2_FD_TOL:e} \
             (measured {:.1e})",
            pt2.embed_fd_error
        ),
        pt2_verdict(&pt2),
    ));
    rep.value("pt2", pt2);
    let pt3 = pt3_loss_terms()?;
    rep.check(Check::with(
        "PT3",
        &format!(
            "fine-tuning sequences (of {}) whose loss-term count is not T or that target <pause>",
            pt3.cases
        ),
        (pt3.wrong_terms + pt3.pause_targets) as f64,
        "= 0".into(),
        pt3_verdict(&pt3),
    ));
    let pt4 = pt4_insertion(ctx.seed)?;
    rep.check(Check::with(
        "PT4",
        &format!(
            "pause slots uniform over the C(22,2) subsets, {PT4_SEQUENCES} sequences (chi-square p; \
             structural failures {}, subsets seen {})",
            pt4.structural_failures, pt4.subsets_seen
        ),
        pt4.p_value,
        format!(">= {PT4_MIN_P:e}, no structural failure, all 231 seen"),
        pt4_verdict(&pt4),
    ));
    rep.value("pt4", pt4);
    let pt5 = pt5_parameter_overhead(ctx.seed)?;
    rep.check(Check::with(
        "PT5",
        &format!(
            "parameter overhead of <pause> = one embedding row (d = {}); with an output column {}",
            pt5.d, pt5.input_and_output
        ),
        pt5.input_row as f64,
        format!("= {} and {} with the output column", pt5.d, 2 * pt5.d),
        pt5_verdict(&pt5),
    ));
    Ok(())
}

/// The capacity illustration: error of the lookup-sum network against the number of pauses
/// ([`capacity_grid`]; the figure shows its N = 4 cells).
fn capacity(ctx: &Context, rep: &mut SectionReport) -> Result<()> {
    let inputs = 4;
    let cells = capacity_grid(ctx.seed)?;
    let (mismatches, ok) = capacity_verdict(&cells);
    rep.check(Check::with(
        "PT-capacity",
        &format!(
            "hand-built 2-layer attention net correct iff N + M >= K (mismatches over K <= {}, \
             N <= {}, M <= {})",
            CAPACITY_GRID.0, CAPACITY_GRID.1, CAPACITY_GRID.2
        ),
        mismatches as f64,
        format!("= 0 (exact: <= {CAPACITY_EXACT_TOL:e}; short: >= {CAPACITY_MIN_MISS})"),
        ok,
    ));
    let mut chart = Chart::new("Capacity: K lookups need N + M >= K positions (N = 4 inputs)")
        .labels("pauses M", "|output - sum of K values|");
    for k in [4usize, 6, 8, 10] {
        let pts: Vec<(f64, f64)> = cells
            .iter()
            .filter(|c| c.k == k && c.n == inputs)
            .map(|c| (c.m as f64, c.error))
            .collect();
        chart = chart.line(format!("K = {k}"), pts);
    }
    rep.figure(
        ctx,
        "pause_capacity",
        &chart,
        "Each position's layer-1 head performs one lookup; the last position sums them in layer 2. \
         The error drops to 0 (<= 1e-12) exactly at M = K - N; an illustration of the paper's \
         implementation-capacity argument [R], not a theorem check.",
    )
}
