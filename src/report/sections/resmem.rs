//! The ResMem section of the report: test risk against `n` for the stylised regression problem.

use crate::error::Result;
use crate::report::plot::Chart;
use crate::report::{Check, Context, Section, SectionReport};
use crate::resmem::experiments::{
    rate_sweep, rm5_verdict, RM5_BASE_CHANGE, RM5_BASE_LEVEL, RM5_SIZES, RM5_SLOPE, RM5_TEST_POINTS,
};
use crate::resmem::toy::ClassificationInstance;

/// Section `resmem`.
pub struct ResMemSection;

impl Section for ResMemSection {
    fn name(&self) -> &'static str {
        "resmem"
    }
    fn title(&self) -> &'static str {
        "ResMem: residual memorisation by soft k-NN (Yang et al. 2023)"
    }
    fn run(&self, ctx: &Context) -> Result<SectionReport> {
        let mut rep = SectionReport::default();
        // Quick mode runs the test's sweep; full mode adds sizes and test points.
        let sizes: Vec<usize> = if ctx.quick {
            RM5_SIZES.to_vec()
        } else {
            vec![250, 500, 1000, 2000, 4000, 8000, 16000, 32000]
        };
        let n_test = if ctx.quick { RM5_TEST_POINTS } else { 8000 };
        let risks = rate_sweep(&sizes, n_test, ctx.seed)?;
        let rm: Vec<(f64, f64)> = risks.iter().map(|r| (r.n as f64, r.resmem_mse)).collect();
        let base: Vec<(f64, f64)> = risks.iter().map(|r| (r.n as f64, r.base_mse)).collect();
        let v = rm5_verdict(&risks);
        rep.check(Check::within(
            "RM5",
            "ResMem test MSE decays at the k-NN rate n^{-2/d} (d=3, theory 0.67)",
            v.slope,
            RM5_SLOPE.0,
            RM5_SLOPE.1,
        ));
        rep.check(Check::at_most(
            "RM5-base",
            "capacity-limited base risk stays flat in n (relative change; spec < 1%)",
            v.base_change,
            RM5_BASE_CHANGE,
        ));
        rep.check(Check::within(
            "RM5-base",
            "capacity-limited base risk level (max over n; spec 0.740)",
            v.base_range.1,
            RM5_BASE_LEVEL.0,
            RM5_BASE_LEVEL.1,
        ));
        let theory: Vec<(f64, f64)> = rm
            .iter()
            .map(|&(n, _)| (n, rm[0].1 * (n / rm[0].0).powf(-2.0 / 3.0)))
            .collect();
        let chart = Chart::new("ResMem: test risk against n (d = 3, 1-NN memory)")
            .labels("training points n", "test MSE")
            .log_x()
            .log_y()
            .line("ResMem", rm.clone())
            .line("base (projected LS)", base.clone())
            .dashed("n^{-2/3} (theory)", theory);
        rep.figure(
            ctx,
            "resmem_rate",
            &chart,
            format!(
                "Test MSE against n on log-log axes. Measured: base {:.3} (spec 0.740), ResMem {:.2e} at n={} \
                 (spec 1.7e-3 at 16000); fitted slope {:.2} (spec 0.72, theory 2/d = 0.67).",
                base.last().map_or(f64::NAN, |b| b.1),
                rm.last().map_or(f64::NAN, |r| r.1),
                rm.last().map_or(0.0, |r| r.0),
                v.slope,
            ),
        )?;
        rep.value("rate", &rm);
        rep.value("base", &base);
        rep.value("slope", v.slope);

        let inst = ClassificationInstance::new(ctx.seed)?;
        let mut sweep = Vec::new();
        for sigma in [1.0, 0.1, 0.01] {
            let (err, acc) = inst.train_fit(10, sigma)?;
            sweep.push((sigma, err, acc));
        }
        let (err1, _) = inst.train_fit(1, 1.0)?;
        rep.check(Check::at_most(
            "RM1",
            "k = 1 memorises every training label (max |f_RM - e_y|)",
            err1,
            1e-12,
        ));
        rep.check(Check::at_most(
            "RM2",
            "k = 10, sigma = 0.01 memorises (max |f_RM - e_y|; spec ~1e-15)",
            sweep[2].1,
            1e-9,
        ));
        rep.value("rm2_sweep_sigma_err_acc", &sweep);
        Ok(rep)
    }
}
