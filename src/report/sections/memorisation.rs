//! The memorisation section of the report: estimator against the exact 1-NN values, and the
//! random-feature toy's trajectories across widths and its distillation effect.

use crate::error::Result;
use crate::memorisation::experiments::{
    mm2_verdict, one_nn_memorisation, MM2_M, MM2_MAX_ERROR, MM2_N, MM2_RUNS,
};
use crate::memorisation::toy_experiments::{
    mm6_trajectories, mm6_verdict, mm8_distillation, mm8_verdict, toy_setup, MM6_MIN_CLASSES,
    MM6_MIN_SHARE, MM8_TEACHER, TOY_RUNS_FULL, TOY_RUNS_QUICK, TOY_WIDTHS,
};
use crate::memorisation::trajectory::Shape;
use crate::report::plot::Chart;
use crate::report::{Check, Context, Section, SectionReport};

/// Section `memorisation`.
pub struct MemorisationSection;

impl Section for MemorisationSection {
    fn name(&self) -> &'static str {
        "memorisation"
    }
    fn title(&self) -> &'static str {
        "What do larger classifiers memorise? Feldman scores across sizes (Lukasik et al. 2023)"
    }
    fn run(&self, ctx: &Context) -> Result<SectionReport> {
        let mut rep = SectionReport::default();
        // MM2: estimator vs exact 1-NN memorisation.
        let (n, m, runs) = (MM2_N, MM2_M, MM2_RUNS);
        let mm2 = one_nn_memorisation(n, m, runs, ctx.seed)?;
        let v = mm2_verdict(&mm2);
        let (exact, est) = (&mm2.exact, &mm2.estimate);
        rep.check(Check::at_most(
            "MM2",
            "1-NN: max |estimate - exact| over 40 points (K = 4000; spec 0.024)",
            v.max_error,
            MM2_MAX_ERROR,
        ));
        rep.check(Check::at_most(
            "MM2-z",
            "1-NN: max over points of 4·|estimate − exact| / (4 SE, rule of three at 0/1 rates)",
            v.max_z,
            4.0,
        ));
        rep.check(Check::at_least(
            "MM2",
            "1-NN: mean exact mem of flipped points − 0.8 and 0.3 − mean of clean points (min)",
            (v.flipped_mean - 0.8).min(0.3 - v.clean_mean),
            0.0,
        ));
        let bars: Vec<(f64, f64, f64)> = (0..n)
            .map(|i| (exact[i], est.mem()[i], 2.0 * est.se()[i]))
            .collect();
        let chart = Chart::new("1-NN memorisation: subsampling estimate vs exact")
            .labels(
                "exact mem (subset combinatorics)",
                "estimate ± 2 SE (K = 4000)",
            )
            .error_bars("estimate", bars)
            .dashed("y = x", vec![(0.0, 0.0), (1.0, 1.0)]);
        let (max_err, flipped_mean, clean_mean) = (v.max_error, v.flipped_mean, v.clean_mean);
        rep.figure(
            ctx,
            "memorisation_1nn",
            &chart,
            format!(
                "Estimator against exact 1-NN memorisation, n = 40, m = 28. Max |error| {max_err:.3} (spec 0.024); \
                 exact mean mem flipped {flipped_mean:.2} vs clean {clean_mean:.2} (spec 0.98 vs 0.06)."
            ),
        )?;

        // MM6-MM8 on the random-feature toy: the experiments and bounds of
        // `memorisation::toy_experiments`.
        let runs = if ctx.quick {
            TOY_RUNS_QUICK
        } else {
            TOY_RUNS_FULL
        };
        let (toy, membership) = toy_setup(runs, ctx.seed)?;
        let widths = TOY_WIDTHS;
        let mm6 = mm6_trajectories(&toy, &membership, runs, ctx.seed)?;
        let (means, counts) = (mm6.means.clone(), mm6.counts);
        let (big, mm6_ok) = mm6_verdict(&mm6);
        rep.check(Check::with(
            "MM6",
            &format!("shape classes holding >= {MM6_MIN_SHARE} of examples"),
            big as f64,
            format!(">= {MM6_MIN_CLASSES}"),
            mm6_ok,
        ));
        let names: Vec<String> = Shape::ALL.iter().map(|s| format!("{s:?}")).collect();
        let count_bars: Vec<(String, f64)> = names
            .iter()
            .zip(&counts)
            .map(|(name, &c)| (name.clone(), c as f64))
            .collect();
        let chart = Chart::new("Memorisation trajectory shapes across widths")
            .labels("trajectory shape", "examples")
            .bars("examples", count_bars);
        rep.figure(
            ctx,
            "memorisation_shapes",
            &chart,
            format!(
                "Trajectory shapes over widths {widths:?} (K = {runs}, δ = 0.1): {} = {:?} \
                 (spec toy: 5 decreasing, 96 cap, 42 increasing, 57 flat; paper: most decrease at scale).",
                names.join("/"),
                counts
            ),
        )?;
        let chart = Chart::new("Mean memorisation against width")
            .labels("random features p", "mean mem")
            .log_x()
            .line("mean mem", means.clone());
        rep.figure(
            ctx,
            "memorisation_by_width",
            &chart,
            format!(
                "Mean memorisation by width {:?} (spec toy: 0.05, 0.10, 0.33, 0.30, 0.23; peak near p ≈ m = 140).",
                means.iter().map(|m| (m.1 * 1000.0).round() / 1000.0).collect::<Vec<_>>()
            ),
        )?;
        let mm8 = mm8_distillation(&toy, &membership, runs, MM8_TEACHER, ctx.seed)?;
        let v8 = mm8_verdict(&mm8);
        let (hm, sm, agree) = (mm8.one_hot, mm8.distilled, mm8.teacher_agreement);
        let noisy_drop = mm8.noisy_one_hot - mm8.noisy_distilled;
        let clean_drop = mm8.clean_one_hot - mm8.clean_distilled;
        rep.check(Check::with(
            "MM8",
            "distillation lowers mean mem at width 100 (one-hot minus distilled)",
            hm - sm,
            "> 0".into(),
            v8.lowers,
        ));
        rep.check(Check::with(
            "MM8-noisy",
            "drop on flipped-label examples minus drop on clean ones",
            mm8.noisy_minus_clean_drop(),
            "> 0".into(),
            v8.more_on_noisy,
        ));
        rep.note(format!(
            "MM8: teacher agreement {agree:.2} (spec 0.91); mem {hm:.3} -> {sm:.3} (spec 0.326 -> 0.051); \
             drop noisy {noisy_drop:.3}, clean {clean_drop:.3}."
        ));
        rep.value("mm2_max_err", max_err);
        rep.value("mean_mem_by_width", &means);
        rep.value("shape_counts_dec_cap_inc_other", counts);
        rep.value("mm8_one_hot_vs_distilled", (hm, sm));
        Ok(rep)
    }
}
