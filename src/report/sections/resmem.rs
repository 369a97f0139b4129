//! The ResMem section of the report: test risk against `n` for the stylised regression problem.

use crate::error::Result;
use crate::report::plot::Chart;
use crate::report::{Check, Context, Section, SectionReport};
use crate::resmem::experiments::{
    memorisation_fits, rate_sweep, rm1_verdict, rm2_verdict, rm5_verdict, RM1_MAX_ERROR,
    RM2_LARGE_SIGMA_MIN_ERROR, RM2_MAX_ERROR, RM5_BASE_CHANGE, RM5_BASE_LEVEL, RM5_SIZES,
    RM5_SLOPE, RM5_TEST_POINTS,
};

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

        let fits = memorisation_fits(ctx.seed)?;
        rep.check(Check::with(
            "RM1",
            "k = 1 memorises every training label (max |f_RM - e_y|; accuracy must be 1)",
            fits.k1.0,
            format!("<= {RM1_MAX_ERROR:.1e} (2 eps)"),
            rm1_verdict(&fits),
        ));
        let rm2 = rm2_verdict(&fits);
        rep.check(Check::with(
            "RM2",
            "k = 10, sigma = 0.01 memorises (max |f_RM - e_y|; spec ~1e-15; accuracy must be 1)",
            rm2.small_sigma_error,
            format!("< {RM2_MAX_ERROR:e}"),
            rm2.small_sigma_error < RM2_MAX_ERROR && rm2.small_sigma_accuracy == 1.0,
        ));
        rep.check(Check::with(
            "RM2",
            "k = 10: training error decreasing as sigma = 1, 0.1, 0.01 falls (1 = yes)",
            f64::from(u8::from(rm2.decreasing)),
            "= 1".into(),
            rm2.decreasing,
        ));
        rep.check(Check::with(
            "RM2",
            "control: k = 2, sigma = 1e6 does not memorise (max |f_RM - e_y|)",
            rm2.large_sigma_error,
            format!("> {RM2_LARGE_SIGMA_MIN_ERROR}"),
            rm2.large_sigma_error > RM2_LARGE_SIGMA_MIN_ERROR,
        ));
        rep.value("rm2_sweep_sigma_err_acc", &fits.sigma_sweep);
        Ok(rep)
    }
}
