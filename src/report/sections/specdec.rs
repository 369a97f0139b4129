//! The "specdec" section of the report: acceptance against 1 − TVD, E\[B\] against γ (exact, i.i.d.
//! formula, on-policy bound), the lossy trade-off, the output-law identity, the speed-up formula,
//! and the toy DistillSpec table.

use crate::error::Result;
use crate::report::plot::Chart;
use crate::report::{Check, Context, Section, SectionReport};
use crate::rng::seeded;
use crate::specdec::experiments::{
    ds12_speedup, ds12_verdict, ds13_distill, ds13_verdict, ds1_output_law, ds1_verdict,
    ds4_acceptance, ds4_verdict, ds6_block_bound, ds6_verdict, ds8_lossy_identity, ds8_verdict,
    ds9_monotone, ds9_verdict, lossy_random_pair, DS12_GAMMA_STAR, DS12_SPEEDUP, DS12_TOL,
    DS13_CONFIG, DS13_GAMMA, DS13_SEEDS, DS1_TOL, DS4_DRAWS, DS4_EXACT_TOL_PER_TOKEN, DS4_MAX_Z,
    DS4_PAIRS, DS6_A1_TOL, DS6_MAX_GAMMA, DS6_PAIRS, DS6_SLACK_TOL, DS8_PAIRS, DS8_TOL,
    DS8_WORKED_TOL, DS9_GRID, DS9_PAIRS,
};
use crate::specdec::stats::{
    acceptance_masses, expected_block_length, iid_expected_block, lossy_acceptance,
    on_policy_bound, on_policy_tvd, single_position_law, tvd,
};
use crate::specdec::toy::{HashedLm, TABLE_DIVERGENCES, TABLE_SOURCES};
use crate::specdec::verify::{ResidualMode, Standard};

/// The speculative-decoding / DistillSpec section.
pub struct SpecdecSection;

impl Section for SpecdecSection {
    fn name(&self) -> &'static str {
        "specdec"
    }
    fn title(&self) -> &'static str {
        "Speculative decoding and DistillSpec (Zhou et al. 2024)"
    }
    fn run(&self, ctx: &Context) -> Result<SectionReport> {
        let mut rep = SectionReport::default();
        acceptance_figure(ctx, &mut rep)?;
        law_checks(ctx, &mut rep)?;
        block_figure(ctx, &mut rep)?;
        lossy_figure(ctx, &mut rep)?;
        distill_table(ctx, &mut rep)?;
        Ok(rep)
    }
}

/// DS4: empirical acceptance of γ = 1 verification against 1 − TVD over random pairs
/// ([`ds4_acceptance`], judged by [`ds4_verdict`]).
fn acceptance_figure(ctx: &Context, rep: &mut SectionReport) -> Result<()> {
    let o = ds4_acceptance(ctx.seed)?;
    rep.check(Check::with(
        "DS4",
        &format!(
            "empirical acceptance = 1 - TVD (max |z| over {DS4_PAIRS} pairs, {DS4_DRAWS} draws \
             each); exact identity gap per token {:.1e} (<= {DS4_EXACT_TOL_PER_TOKEN:e})",
            o.exact_gap_per_token
        ),
        o.max_z,
        format!("<= {DS4_MAX_Z}"),
        ds4_verdict(&o),
    ));
    let worst_z = o.max_z;
    let chart = Chart::new("Acceptance rate vs 1 - TVD(p, q)")
        .labels("1 - TVD(p, q)", "empirical acceptance")
        .points("random pairs", o.points.clone())
        .dashed("y = x", vec![(0.0, 0.0), (1.0, 1.0)]);
    rep.figure(
        ctx,
        "specdec_acceptance",
        &chart,
        format!(
            "{DS4_PAIRS} random (p, q) pairs, {DS4_DRAWS} verifications each: the empirical \
             acceptance lies on 1 - TVD (largest deviation {worst_z:.2} binomial SE; the identity \
             is exact, [D])."
        ),
    )
}

/// DS1 (enumerator and shipped sampler, [`ds1_output_law`] / [`ds1_verdict`]) and DS12
/// ([`ds12_speedup`] / [`ds12_verdict`]).
fn law_checks(ctx: &Context, rep: &mut SectionReport) -> Result<()> {
    let ds1 = ds1_output_law(ctx.seed, &|_, t| Box::new(t))?;
    rep.check(Check::with(
        "DS1",
        &format!(
            "SD output law = target law: enumerator (V=3, L=4, gamma in {{1,2,3,5}}, T in {{1, .5, \
             2}}; 4 hashed pairs with zeros) and the shipped sampler by grid enumeration ({} \
             paths, max gap {:.1e}); measured: the larger gap",
            ds1.shipped_paths, ds1.shipped
        ),
        ds1.enumerated.max(ds1.shipped),
        format!("<= {DS1_TOL:e}"),
        ds1_verdict(&ds1),
    ));
    let ds12 = ds12_speedup()?;
    let passed = ds12_verdict(&ds12);
    rep.check(Check {
        // enough digits to tell the measured value within 1e-5 of 1.94846
        digits: 7,
        ..Check::with(
            "DS12",
            "S(alpha=.7, gamma=3, c=.1) = 1.94846",
            ds12.speedup,
            format!("within {DS12_TOL:e} of {DS12_SPEEDUP}"),
            passed,
        )
    });
    rep.check(Check::with(
        "DS12",
        &format!(
            "gamma* for (alpha, c) = (.6,.05), (.8,.05), (.9,.1) is 4, 8, 10 (measured {:?}); \
             i.i.d. E[B] at alpha = 1, gamma = 5 is 6",
            ds12.gamma_star
        ),
        ds12.gamma_star[2] as f64,
        format!("exactly {DS12_GAMMA_STAR:?}"),
        passed,
    ));
    rep.value("ds1_max_abs_diff", ds1.enumerated.max(ds1.shipped));
    rep.value("ds12_speedup", ds12.speedup);
    rep.value("ds12_gamma_star", ds12.gamma_star);
    Ok(())
}

/// E\[B\] against γ: exact, i.i.d. formula at the first-position acceptance, on-policy bound (DS6).
fn block_figure(ctx: &Context, rep: &mut SectionReport) -> Result<()> {
    let max_gamma = if ctx.quick { 5 } else { 7 };
    let p = HashedLm {
        seed: ctx.seed,
        vocab: 4,
        scale: 1.0,
        zero_prob: 0.0,
    };
    let q = HashedLm {
        seed: ctx.seed.wrapping_add(1),
        vocab: 4,
        scale: 1.0,
        zero_prob: 0.0,
    };
    let mut t = |c: &[usize]| p.dist(c);
    let mut d = |c: &[usize]| q.dist(c);
    let (mut exact, mut iid, mut bound) = (Vec::new(), Vec::new(), Vec::new());
    let mut min_slack = f64::INFINITY;
    let masses = acceptance_masses(&mut t, &mut d, &[0], max_gamma)?;
    let eps = on_policy_tvd(&mut t, &mut d, &[0], max_gamma)?;
    let alpha = masses[1];
    for g in 1..=max_gamma {
        let eb = expected_block_length(&masses[..=g])?;
        let b = on_policy_bound(&eps[..g])?;
        min_slack = min_slack.min(eb - b);
        exact.push((g as f64, eb));
        iid.push((g as f64, iid_expected_block(alpha, g)?));
        bound.push((g as f64, b));
    }
    // DS6 is judged on the spec's 12 random pairs ([`ds6_block_bound`], [`ds6_verdict`]); the
    // pair above is the figure only.
    let ds6 = ds6_block_bound(ctx.seed)?;
    let passed = ds6_verdict(&ds6);
    rep.check(Check::with(
        "DS6",
        &format!(
            "E[B] >= on-policy TVD bound (min slack over {DS6_PAIRS} random pairs, gamma <= \
             {DS6_MAX_GAMMA})"
        ),
        ds6.min_slack,
        format!(">= -{DS6_SLACK_TOL:e}"),
        passed,
    ));
    rep.check(Check::with(
        "DS6",
        "A_1 = 1 - eps_1 (max abs diff)",
        ds6.a1_gap,
        format!("<= {DS6_A1_TOL:e}"),
        passed,
    ));
    let last = exact.last().map_or(0.0, |x| x.1);
    let chart = Chart::new("Expected tokens per target call E[B] vs gamma")
        .labels("gamma", "E[B]")
        .line("exact (A_i recursion)", exact)
        .dashed(format!("i.i.d. formula, alpha = A_1 = {alpha:.3}"), iid)
        .dashed("on-policy TVD bound", bound);
    rep.figure(
        ctx,
        "specdec_block_length",
        &chart,
        format!(
            "Random context-dependent target/draft (V = 4): exact E[B] reaches {last:.3} at gamma = \
             {max_gamma}; the on-policy TVD bound stays below it (min slack {min_slack:.2e}). The i.i.d. \
             formula uses the first-position acceptance only."
        ),
    )
}

/// Lossy SD: acceptance gain against quality loss TV(P_eps, p) (DS8 [`ds8_lossy_identity`] /
/// [`ds8_verdict`], DS9 [`ds9_monotone`] / [`ds9_verdict`]).
fn lossy_figure(ctx: &Context, rep: &mut SectionReport) -> Result<()> {
    let ds8 = ds8_lossy_identity(ctx.seed)?;
    rep.check(Check::with(
        "DS8",
        &format!(
            "TV(P_eps, p) = beta_eps - beta_1 (max abs gap, {DS8_PAIRS} pairs x 20 eps); worked \
             example error {:.1e} (<= {DS8_WORKED_TOL:e})",
            ds8.worked
        ),
        ds8.max_gap,
        format!("<= {DS8_TOL:e}"),
        ds8_verdict(&ds8),
    ));
    let ds9 = ds9_monotone(ctx.seed)?;
    rep.check(Check::with(
        "DS9",
        &format!(
            "beta_eps and TV(P_eps, p) non-increasing in eps (violations, {DS9_PAIRS} pairs x \
             {DS9_GRID} eps, residual (p-q)+; (p-eps q)+: {})",
            ds9.p_minus_eps_q
        ),
        ds9.p_minus_q as f64,
        "= 0 (both residual modes)".into(),
        ds9_verdict(&ds9),
    ));
    let grid: Vec<f64> = (1..=20).map(|k| k as f64 / 20.0).collect();
    let curve = |p: &[f64], q: &[f64], base: f64| -> Result<Vec<(f64, f64)>> {
        grid.iter()
            .map(|&eps| -> Result<(f64, f64)> {
                let law = single_position_law(&Standard::lossy(eps, ResidualMode::PMinusQ)?, p, q)?;
                Ok((tvd(&law, p)?, lossy_acceptance(p, q, eps)? - base))
            })
            .collect()
    };
    let (p, q) = (vec![0.5, 0.3, 0.2], vec![0.2, 0.5, 0.3]);
    let worked = curve(&p, &q, 0.7)?;
    let tv08 = ds8.tv_at_08;
    rep.value("ds8_tv_eps0.8", tv08);
    let mut chart = Chart::new("Lossy SD: acceptance gain vs quality loss")
        .labels(
            "quality loss TV(P_eps, p)",
            "acceptance gain beta_eps - beta_1",
        )
        .line("worked example p=[.5,.3,.2], q=[.2,.5,.3]", worked);
    let mut rng = seeded(ctx.seed, 502);
    for i in 0..3 {
        let (p, q) = lossy_random_pair(&mut rng);
        let base = lossy_acceptance(&p, &q, 1.0)?;
        chart = chart.points(format!("random pair {i}"), curve(&p, &q, base)?);
    }
    chart = chart.dashed("gain = loss", vec![(0.0, 0.0), (0.5, 0.5)]);
    let worst_gap = ds8.max_gap;
    rep.figure(
        ctx,
        "specdec_lossy",
        &chart,
        format!(
            "Lenience eps from 1 to 0.05: every point lies on gain = loss (max gap {worst_gap:.1e} over \
             {DS8_PAIRS} pairs x 20 eps); worked example TV at eps = 0.8 is {tv08:.4} (spec: 0.125)."
        ),
    )
}

/// The toy DistillSpec table (DS13–DS15).
fn distill_table(ctx: &Context, rep: &mut SectionReport) -> Result<()> {
    let ds13 = ds13_distill(ctx.seed)?;
    let (seeds, steps, gamma) = (DS13_SEEDS, DS13_CONFIG.steps, DS13_GAMMA);
    let runs = &ds13.runs;
    let n = seeds as f64;
    let init_acc = runs.iter().map(|r| r.0 .0).sum::<f64>() / n;
    let init_eb = runs.iter().map(|r| r.0 .1).sum::<f64>() / n;
    let mut table = Vec::new();
    let mut series: Vec<Vec<(String, f64)>> = vec![Vec::new(); TABLE_SOURCES.len()];
    let mut min_acc = f64::INFINITY;
    for (di, div) in TABLE_DIVERGENCES.iter().enumerate() {
        for (si, src) in TABLE_SOURCES.iter().enumerate() {
            let c = di * TABLE_SOURCES.len() + si;
            let acc = runs.iter().map(|r| r.1[c].acceptance).sum::<f64>() / n;
            let eb = runs.iter().map(|r| r.1[c].block).sum::<f64>() / n;
            min_acc = min_acc.min(acc);
            series[si].push((div.name().to_string(), eb));
            table.push(serde_json::json!({
                "divergence": div.name(), "source": src.name(), "acceptance": acc, "expected_block": eb
            }));
            rep.note(format!(
                "DistillSpec toy: {:>6} on {:>9} data -> acceptance {acc:.4}, E[B] {eb:.4}",
                div.name(),
                src.name()
            ));
        }
    }
    rep.value("distill_table", &table);
    rep.value(
        "distill_init",
        serde_json::json!({"acceptance": init_acc, "expected_block": init_eb}),
    );
    rep.check(Check::with(
        "DS13",
        &format!(
            "distillation raises acceptance over the undistilled draft (min over cells - init, \
             {seeds} seeds x {steps} steps) [E]"
        ),
        min_acc - init_acc,
        "> 0 in every cell".into(),
        ds13_verdict(&ds13),
    ));
    rep.note(format!(
        "Undistilled draft: acceptance {init_acc:.4}, E[B] {init_eb:.4} (gamma = {gamma}, {seeds} seed(s), \
         {steps} Adam steps). DS14/DS15 are trends: no single winner is asserted; the spec's on-policy \
         E[B] advantage is not robust on this toy (see proofs-notes/distillspec_trends.md)."
    ));
    let mut chart = Chart::new("Toy DistillSpec: exact E[B] by divergence and data source")
        .labels("divergence", "E[B] (gamma = 4)");
    for (si, s) in series.into_iter().enumerate() {
        chart = chart.bars(TABLE_SOURCES[si].name(), s);
    }
    // Across the whole categorical axis (categories sit at 0, 1, ...).
    let right = TABLE_DIVERGENCES.len() as f64 - 0.5;
    chart = chart.dashed("undistilled", vec![(-0.5, init_eb), (right, init_eb)]);
    rep.figure(
        ctx,
        "specdec_distill",
        &chart,
        format!(
            "Order-2 Markov target, order-1 draft, V = 8: every divergence and source lifts acceptance \
             from {init_acc:.3} to >= {min_acc:.3} (spec's KD toy: 0.25 -> 0.77-0.86, a different model \
             family); paper reports 10-45% speed-ups over standard SD [P]."
        ),
    )
}
