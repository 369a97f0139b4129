//! The `attsvm` section of `attnmech reproduce`: local vs global token selection and Frobenius vs
//! nuclear rank (Tarzanagh et al. 2023).

use crate::attsvm::generators::random_problem;
use crate::attsvm::model::{argmax, attention, ngd, Form, Loss};
use crate::attsvm::svm::{att_svm, att_svm_nuclear, is_locally_optimal};
use crate::error::{Error, Result};
use crate::qp::Mat;
use crate::report::plot::Chart;
use crate::report::{Check, Context, Section, SectionReport};

/// The sections.
pub fn sections() -> Vec<Box<dyn Section>> {
    vec![Box::new(AttSvm)]
}

struct AttSvm;

fn all_corrs_mean(a: &[(f64, f64)], b: &[(f64, f64)]) -> f64 {
    let n = (a.len() + b.len()).max(1) as f64;
    a.iter().chain(b).map(|p| p.1).sum::<f64>() / n
}

impl Section for AttSvm {
    fn name(&self) -> &'static str {
        "attsvm"
    }
    fn title(&self) -> &'static str {
        "Transformers as SVMs: max-margin token selection (Tarzanagh et al. 2023)"
    }
    fn run(&self, ctx: &Context) -> Result<SectionReport> {
        let mut rep = SectionReport::default();
        // 1. local_converge.ipynb: n=6, T=8, d=10, NGD η=0.1, 2000 steps, logistic.
        let runs = if ctx.quick { 6 } else { 30 };
        let (mut glob, mut loc) = (Vec::new(), Vec::new());
        let mut all_local_opt = 0usize;
        let mut per_input_global = 0usize;
        for r in 0..runs as u64 {
            let mut rng = crate::rng::seeded(ctx.seed, 100 + r);
            let p = random_problem(&mut rng, 6, 8, 10)?;
            let w = ngd(
                &p,
                &Mat::zeros(10, 10),
                Loss::Logistic,
                0.1,
                2000,
                Form::Stable,
            )?;
            let alpha = (0..6)
                .map(|i| Ok(argmax(&attention(&p, &w, i)?)))
                .collect::<Result<Vec<usize>>>()?;
            all_local_opt += is_locally_optimal(&p, &alpha)? as usize;
            let opt = p.optimal_alpha();
            per_input_global += alpha.iter().zip(&opt).filter(|(a, b)| a == b).count();
            let c = w.corr(&att_svm(&p, &alpha)?.w);
            if alpha == opt {
                glob.push((r as f64, c));
            } else {
                loc.push((r as f64, c));
            }
        }
        let cmin = glob
            .iter()
            .chain(&loc)
            .map(|p| p.1)
            .fold(f64::INFINITY, f64::min);
        rep.figure(
            ctx,
            "attsvm_local_vs_global",
            &Chart::new("corr(W, W^mm_α) for the selection α = argmax attention (n=6,T=8,d=10)")
                .labels("run", "correlation")
                .points("α globally optimal", glob.clone())
                .points("α locally (not globally) optimal", loc.clone()),
            format!(
                "{runs} runs: {} fully global selections, {} local; {all_local_opt}/{runs} selections \
                 locally optimal; {:.0}% of per-input choices are the optimal token; min corr {cmin:.4}, mean {:.4}. \
                 Spec reproduction: mean 0.9969, min 0.989, 70% global / 30% local, 30/30 locally optimal.",
                glob.len(),
                loc.len(),
                100.0 * per_input_global as f64 / (6 * runs) as f64,
                all_corrs_mean(&glob, &loc)
            ),
        )?;
        let all: Vec<f64> = glob.iter().chain(&loc).map(|p| p.1).collect();
        let cmean = all.iter().sum::<f64>() / all.len() as f64;
        rep.check(Check::at_least(
            "A4",
            "corr(W, W^mm_α) (mean over runs)",
            cmean,
            0.99,
        ));
        rep.check(Check::at_least(
            "A4",
            "corr(W, W^mm_α) (min over runs)",
            cmin,
            0.9,
        ));
        rep.check(Check::at_least(
            "A4",
            "fraction of selections that are locally optimal",
            all_local_opt as f64 / runs as f64,
            1.0,
        ));

        // 2. svm_rank: Frobenius vs nuclear rank against d (n = T = 5).
        let ds: Vec<usize> = if ctx.quick {
            vec![3, 5, 10]
        } else {
            vec![2, 3, 5, 10, 20]
        };
        let draws = if ctx.quick { 2 } else { 15 };
        let (mut fro, mut nuc) = (Vec::new(), Vec::new());
        for &d in &ds {
            let (mut rf, mut rn, mut cnt) = (0.0, 0.0, 0.0);
            for k in 0..draws as u64 {
                let mut rng = crate::rng::seeded(ctx.seed, 1000 + 100 * d as u64 + k);
                let p = random_problem(&mut rng, 5, 5, d)?;
                let alpha = p.optimal_alpha();
                let f = match att_svm(&p, &alpha) {
                    Ok(f) => f.w,
                    Err(Error::Infeasible { .. }) => continue,
                    Err(e) => return Err(e),
                };
                let n = match att_svm_nuclear(&p, &alpha, 1e-7, 20_000) {
                    Ok(n) => n,
                    Err(Error::NotConverged { .. }) => continue,
                    Err(e) => return Err(e),
                };
                rf += f.rank(1e-6)? as f64;
                rn += n.rank(1e-6)? as f64;
                cnt += 1.0;
            }
            if cnt > 0.0 {
                fro.push((d as f64, rf / cnt));
                nuc.push((d as f64, rn / cnt));
            }
        }
        let caption = format!(
            "Mean rank over {draws} draws per d (infeasible draws skipped). Frobenius: {}; nuclear: {}. \
             Spec reproduction (d = 2,3,5,10,20): Fro 2, 3, 4.8, 5, 5 vs nuclear 1.7, 2.3, 2.6, 2.7, 2.4.",
            fro.iter().map(|p| format!("{:.1}", p.1)).collect::<Vec<_>>().join(", "),
            nuc.iter().map(|p| format!("{:.1}", p.1)).collect::<Vec<_>>().join(", ")
        );
        let worst = fro
            .iter()
            .zip(&nuc)
            .map(|(f, n)| n.1 - f.1)
            .fold(f64::NEG_INFINITY, f64::max);
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
            "max over d of mean rank(nuclear) − mean rank(Fro)",
            worst,
            0.0,
        ));
        if ctx.quick {
            rep.note("Quick mode: 6 local-convergence runs (authors 30–100); rank at d = 3, 5, 10 with 2 draws.");
        }
        Ok(rep)
    }
}
