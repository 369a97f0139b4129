//! The `attsvm` section of `attnmech reproduce`: local vs global token selection and Frobenius vs
//! nuclear rank (Tarzanagh et al. 2023).

use crate::attsvm::experiments::{
    a4_verdict, a5_verdict, local_convergence, rank_sweep, LocalConvergenceRun, A4_MEAN_CORR,
    A4_MIN_CORR, A4_RUNS, A5_DIMS, A5_DRAWS, A5_MIN_REDUCTION, A5_STRICT_FROM,
};
use crate::error::Result;
use crate::report::plot::Chart;
use crate::report::{Check, Context, Section, SectionReport};

/// The sections.
pub fn sections() -> Vec<Box<dyn Section>> {
    vec![Box::new(AttSvm)]
}

struct AttSvm;

impl Section for AttSvm {
    fn name(&self) -> &'static str {
        "attsvm"
    }
    fn title(&self) -> &'static str {
        "Transformers as SVMs: max-margin token selection (Tarzanagh et al. 2023)"
    }
    fn run(&self, ctx: &Context) -> Result<SectionReport> {
        let mut rep = SectionReport::default();
        // 1. local_converge.ipynb: the same 30 runs and bound as the test (cheap, so quick too).
        let runs = local_convergence(A4_RUNS, ctx.seed)?;
        let v = a4_verdict(&runs);
        let point = |(r, run): (usize, &LocalConvergenceRun)| (r as f64, run.corr);
        let glob: Vec<(f64, f64)> = runs
            .iter()
            .enumerate()
            .filter(|p| p.1.global)
            .map(point)
            .collect();
        let loc: Vec<(f64, f64)> = runs
            .iter()
            .enumerate()
            .filter(|p| !p.1.global)
            .map(point)
            .collect();
        let per_input_global: usize = runs.iter().map(|r| r.optimal_choices).sum();
        rep.figure(
            ctx,
            "attsvm_local_vs_global",
            &Chart::new("corr(W, W^mm_α) for the selection α = argmax attention (n=6,T=8,d=10)")
                .labels("run", "correlation")
                .points("α globally optimal", glob.clone())
                .points("α locally (not globally) optimal", loc.clone()),
            format!(
                "{A4_RUNS} runs: {} fully global selections, {} local; {:.0}% locally optimal; \
                 {:.0}% of per-input choices are the optimal token; min corr {:.4}, mean {:.4}. \
                 Spec reproduction: mean 0.9969, min 0.989, 70% global / 30% local, 30/30 locally optimal.",
                glob.len(),
                loc.len(),
                100.0 * v.locally_optimal,
                100.0 * per_input_global as f64 / (6 * A4_RUNS) as f64,
                v.min_corr,
                v.mean_corr,
            ),
        )?;
        rep.check(Check::at_least(
            "A4",
            "corr(W, W^mm_α) (mean over runs)",
            v.mean_corr,
            A4_MEAN_CORR,
        ));
        rep.check(Check::at_least(
            "A4",
            "corr(W, W^mm_α) (min over runs)",
            v.min_corr,
            A4_MIN_CORR,
        ));
        rep.check(Check::at_least(
            "A4",
            "fraction of selections that are locally optimal",
            v.locally_optimal,
            1.0,
        ));

        // 2. svm_rank: Frobenius vs nuclear rank against d (n = T = 5), the test's sweep and bound.
        let (dims, draws): (&[usize], usize) = if ctx.quick {
            (&[5, 10], 3)
        } else {
            (&A5_DIMS, A5_DRAWS)
        };
        let points = rank_sweep(dims, draws, ctx.seed)?;
        let v = a5_verdict(&points);
        let fro: Vec<(f64, f64)> = points
            .iter()
            .map(|p| (p.d as f64, p.mean_rank_fro()))
            .collect();
        let nuc: Vec<(f64, f64)> = points
            .iter()
            .map(|p| (p.d as f64, p.mean_rank_nuc()))
            .collect();
        let caption = format!(
            "Mean rank over {draws} draws per d (infeasible draws skipped). Frobenius: {}; nuclear: {}. \
             Spec reproduction (d = 2,3,5,10,20): Fro 2, 3, 4.8, 5, 5 vs nuclear 1.7, 2.3, 2.6, 2.7, 2.4.",
            fro.iter().map(|p| format!("{:.1}", p.1)).collect::<Vec<_>>().join(", "),
            nuc.iter().map(|p| format!("{:.1}", p.1)).collect::<Vec<_>>().join(", ")
        );
        rep.figure(
            ctx,
            "attsvm_rank",
            &Chart::new("rank of W^mm: Frobenius vs nuclear (n = T = 5)")
                .labels("d", "mean rank")
                .line("Frobenius", fro)
                .dashed("nuclear", nuc),
            caption,
        )?;
        rep.check(Check::at_most(
            "A5",
            "draws with rank(nuclear) > rank(Fro), rank(Fro) > n, ‖·‖_* larger, or ADMM not converged",
            (v.order_violations + v.not_converged) as f64,
            0.0,
        ));
        rep.check(Check::at_least(
            "A5",
            &format!("min over d ≥ {A5_STRICT_FROM} of mean rank(Fro) − mean rank(nuclear)"),
            v.min_reduction,
            A5_MIN_REDUCTION,
        ));
        if ctx.quick {
            rep.note("Quick mode: rank at d = 5, 10 with 3 draws (the test's sweep).");
        }
        Ok(rep)
    }
}
