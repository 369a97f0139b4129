//! The memorisation section of the report: estimator against the exact 1-NN values, and the
//! random-feature toy's trajectories across widths and its distillation effect.

use crate::error::Result;
use crate::memorisation::estimator::memorisation_estimate;
use crate::memorisation::exact::{distance_orders, exact_1nn_memorisation, one_nn_correctness};
use crate::memorisation::subsets::{sample_membership, subset_size};
use crate::memorisation::toy::{distillation_experiment, one_nn_instance, size_sweep, MixtureToy};
use crate::memorisation::trajectory::{shape_counts, Shape, DEFAULT_SLACK};
use crate::report::plot::Chart;
use crate::report::{Check, Context, Section, SectionReport};

/// Section `memorisation`.
pub struct MemorisationSection;

fn mean(v: impl Iterator<Item = f64>) -> f64 {
    let (s, c) = v.fold((0.0, 0usize), |(s, c), x| (s + x, c + 1));
    s / c.max(1) as f64
}

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
        let (n, m, runs) = (40, 28, 4000);
        let (x, labels, flipped) = one_nn_instance(n, ctx.seed);
        let exact = exact_1nn_memorisation(&x, &labels, 2, m)?;
        let membership = sample_membership(n, m, runs, ctx.seed ^ 0x6d6d)?;
        let orders = distance_orders(&x, &x, 2)?;
        let c = one_nn_correctness(&orders, &labels, &labels, &membership, runs)?;
        let est = memorisation_estimate(&membership, &c, runs)?;
        let max_err = (0..n)
            .map(|i| (est.mem[i] - exact[i]).abs())
            .fold(0.0, f64::max);
        let max_z = (0..n)
            .map(|i| {
                (est.mem[i] - exact[i]).abs() / est.se[i].max(3.0 / est.k_out[i].max(1) as f64)
            })
            .fold(0.0, f64::max);
        rep.check(Check::at_most(
            "MM2",
            "1-NN: max |estimate - exact| over 40 points (K = 4000; spec 0.024)",
            max_err,
            0.06,
        ));
        rep.check(Check::at_most(
            "MM2-z",
            "1-NN: max |z| of the estimator",
            max_z,
            4.0,
        ));
        let bars: Vec<(f64, f64, f64)> = (0..n)
            .map(|i| (exact[i], est.mem[i], 2.0 * est.se[i]))
            .collect();
        let chart = Chart::new("1-NN memorisation: subsampling estimate vs exact")
            .labels(
                "exact mem (subset combinatorics)",
                "estimate ± 2 SE (K = 4000)",
            )
            .error_bars("estimate", bars)
            .dashed("y = x", vec![(0.0, 0.0), (1.0, 1.0)]);
        let flipped_mean = mean((0..n).filter(|&i| flipped[i]).map(|i| exact[i]));
        let clean_mean = mean((0..n).filter(|&i| !flipped[i]).map(|i| exact[i]));
        rep.figure(
            ctx,
            "memorisation_1nn",
            &chart,
            format!(
                "Estimator against exact 1-NN memorisation, n = 40, m = 28. Max |error| {max_err:.3} (spec 0.024); \
                 exact mean mem flipped {flipped_mean:.2} vs clean {clean_mean:.2} (spec 0.98 vs 0.06)."
            ),
        )?;

        // MM6-MM8 on the random-feature toy.
        let toy = MixtureToy::new(200, 10, 3, 0.1, ctx.seed);
        let runs = if ctx.quick { 200 } else { 1000 };
        let membership =
            sample_membership(toy.n, subset_size(toy.n, 0.7), runs, ctx.seed ^ 0x746f79)?;
        let widths = [10usize, 30, 100, 300, 1000];
        let est = size_sweep(&toy, &widths, &membership, runs, 1e-6, ctx.seed)?;
        let mems: Vec<Vec<f64>> = est.iter().map(|e| e.mem.clone()).collect();
        let means: Vec<(f64, f64)> = widths
            .iter()
            .zip(&mems)
            .map(|(&p, v)| (p as f64, mean(v.iter().copied())))
            .collect();
        let (_, counts) = shape_counts(&mems, DEFAULT_SLACK)?;
        let big = counts
            .iter()
            .filter(|&&c| c as f64 >= 0.05 * toy.n as f64)
            .count();
        rep.check(Check::at_least(
            "MM6",
            "shape classes holding >= 5% of examples",
            big as f64,
            2.0,
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
        let (hard, soft, agree) =
            distillation_experiment(&toy, &membership, runs, 100, (1000, 1.0), ctx.seed)?;
        let sel =
            |v: &[f64], f: bool| mean((0..toy.n).filter(|&i| toy.flipped[i] == f).map(|i| v[i]));
        let (hm, sm) = (
            mean(hard.mem.iter().copied()),
            mean(soft.mem.iter().copied()),
        );
        let noisy_drop = sel(&hard.mem, true) - sel(&soft.mem, true);
        let clean_drop = sel(&hard.mem, false) - sel(&soft.mem, false);
        rep.check(Check::at_least(
            "MM8",
            "distillation lowers mean mem at width 100 (one-hot minus distilled)",
            hm - sm,
            1e-9,
        ));
        rep.check(Check::at_least(
            "MM8-noisy",
            "drop on flipped-label examples minus drop on clean ones",
            noisy_drop - clean_drop,
            1e-9,
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
