//! The "pause" section of the report: the structural identities PT1–PT5 on a tiny attention LM and
//! the constructive capacity illustration.

use crate::error::Result;
use crate::pause::capacity::{lookup_sum, lookup_target};
use crate::pause::loss::masked_next_token_loss;
use crate::pause::sequence::{finetune_sequence, pretrain_sequence, Delay, DelayToken, Placement};
use crate::pause::tiny::TinyLm;
use crate::report::plot::Chart;
use crate::report::{Check, Context, Section, SectionReport};
use crate::rng::seeded;
use rand::Rng;
use statrs::distribution::{ChiSquared, ContinuousCDF};

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

/// PT2 (masked logits do not change loss or gradients) and PT4 (uniform insertion) measured.
fn identities(ctx: &Context, rep: &mut SectionReport) -> Result<()> {
    let (v, pause) = (12, 12);
    let m = TinyLm::random(v + 1, v, 16, 2, &mut seeded(ctx.seed, 601))?;
    let delay = Delay {
        count: 3,
        token: DelayToken::Pause(pause),
        placement: Placement::Append,
    };
    let s = finetune_sequence(&[1, 4, 2], &[3, 9], delay)?;
    let rows = s.tokens.len() - 1;
    let (logits, tape) = m.forward(&s.tokens, 0)?;
    let mut rng = seeded(ctx.seed, 602);
    let mut grads = Vec::new();
    let mut losses = Vec::new();
    for trial in 0..2 {
        let mut z = logits[..rows * v].to_vec();
        if trial == 1 {
            for (j, &on) in s.loss_mask.iter().enumerate() {
                if !on {
                    z[j * v..(j + 1) * v]
                        .iter_mut()
                        .for_each(|x| *x += 1e3 * rng.random::<f64>());
                }
            }
        }
        let mut dl = vec![0.0; rows * v];
        losses.push(masked_next_token_loss(&s, &z, v, &mut dl)?);
        dl.extend(std::iter::repeat_n(0.0, v));
        grads.push(m.backward(&tape, &dl)?.embed);
    }
    let max_diff = grads[0]
        .iter()
        .zip(&grads[1])
        .map(|(a, b)| (a - b).abs())
        .fold((losses[0] - losses[1]).abs(), f64::max);
    rep.check(Check::at_most(
        "PT2",
        "loss and gradients invariant to masked-position logits (max abs change)",
        max_diff,
        0.0,
    ));
    rep.check(Check::within(
        "PT3",
        "loss terms = T = 2 for the worked example",
        s.loss_terms() as f64,
        2.0,
        2.0,
    ));
    let n = if ctx.quick { 20_000 } else { 100_000 };
    let seq: Vec<usize> = (0..20).collect();
    let mut counts = std::collections::HashMap::<Vec<usize>, u64>::new();
    let mut rng = seeded(ctx.seed, 603);
    for _ in 0..n {
        *counts
            .entry(pretrain_sequence(&seq, 99, 0.1, &mut rng)?.slots)
            .or_default() += 1;
    }
    let e = n as f64 / 231.0;
    let stat: f64 = counts
        .values()
        .map(|&c| (c as f64 - e).powi(2) / e)
        .sum::<f64>()
        + (231 - counts.len()) as f64 * e;
    let pv = ChiSquared::new(230.0)
        .map_err(|e| crate::Error::InvalidArgument {
            what: "chi2",
            reason: e.to_string(),
        })?
        .sf(stat);
    rep.check(Check::at_least(
        "PT4",
        "pause slots uniform over the C(22,2) subsets (chi-square p)",
        pv,
        1e-3,
    ));
    let base = TinyLm::random(v, v, 16, 2, &mut rng)?.parameter_count();
    let with = TinyLm::random(v + 1, v, 16, 2, &mut rng)?.parameter_count();
    rep.check(Check::within(
        "PT5",
        "parameter overhead of <pause> = one embedding row (d = 16)",
        (with - base) as f64,
        16.0,
        16.0,
    ));
    Ok(())
}

/// The capacity illustration: error of the lookup-sum network against the number of pauses.
fn capacity(ctx: &Context, rep: &mut SectionReport) -> Result<()> {
    let inputs = 4;
    let mut rng = seeded(ctx.seed, 604);
    let mut chart = Chart::new("Capacity: K lookups need N + M >= K positions (N = 4 inputs)")
        .labels("pauses M", "|output - sum of K values|");
    let mut mismatches = 0;
    for k in [4usize, 6, 8, 10] {
        let values: Vec<f64> = (0..k).map(|_| 1.0 + rng.random::<f64>()).collect();
        let mut pts = Vec::new();
        for m in 0..=10 {
            let err = (lookup_sum(&values, inputs, m)? - lookup_target(&values)).abs();
            let correct = err <= 1e-12;
            if correct != (inputs + m >= k) {
                mismatches += 1;
            }
            pts.push((m as f64, err));
        }
        chart = chart.line(format!("K = {k}"), pts);
    }
    rep.check(Check::at_most(
        "PT-capacity",
        "hand-built 2-layer attention net correct iff N + M >= K (mismatches)",
        mismatches as f64,
        0.0,
    ));
    rep.figure(
        ctx,
        "pause_capacity",
        &chart,
        "Each position's layer-1 head performs one lookup; the last position sums them in layer 2. \
         The error drops to 0 (<= 1e-12) exactly at M = K - N; an illustration of the paper's \
         implementation-capacity argument [R], not a theorem check.",
    )
}
