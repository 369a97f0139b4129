//! The `nexttoken` section of `attnmech reproduce`: paper 1's experiments at the authors' sizes.

use crate::error::Result;
use crate::nexttoken::experiment::Draw;
use crate::nexttoken::experiments::{
    authors_setting, c2_verdict, c3_verdict, c4_verdict, c6_verdict, hard_retrieval, loss_limit,
    regularization_path, Protocol, C2_LAMBDA, C2_MAX_GAP, C2_MAX_SFIN_ERROR, C3_GD_STEPS,
    C3_MAX_SFIN_ERROR_GD, C3_MAX_SFIN_ERROR_NGD, C3_MAX_SVM_VIOLATION, C3_MIN_CORR,
    C3_PROJECTION_SLACK, C3_SPEC_MIN_CORR, C4_MAX_ACYCLIC_GAP, C4_MIN_MASS, C4_MIN_UNSEEN_MASS,
    C6_HT1_STEPS, C6_HT3_STEPS, C6_MAX_ACYCLIC_LOSS, C6_MAX_GAP,
};
use crate::report::plot::Chart;
use crate::report::{Check, Context, Section, SectionReport};

/// The sections.
pub fn sections() -> Vec<Box<dyn Section>> {
    vec![Box::new(NextToken)]
}

struct NextToken;

/// Per recorded step: (step, min, mean, max) of `f` over draws.
fn band(
    draws: &[Draw],
    f: impl Fn(&crate::nexttoken::experiment::Record) -> f64,
) -> Vec<(f64, f64, f64, f64)> {
    let len = draws.iter().map(|d| d.records.len()).min().unwrap_or(0);
    (0..len)
        .map(|r| {
            let vals: Vec<f64> = draws.iter().map(|d| f(&d.records[r])).collect();
            let lo = vals.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = vals.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let mean = vals.iter().sum::<f64>() / vals.len() as f64;
            (draws[0].records[r].step as f64, lo, mean, hi)
        })
        .collect()
}

fn finals(draws: &[Draw], f: impl Fn(&crate::nexttoken::experiment::Record) -> f64) -> (f64, f64) {
    let v: Vec<f64> = draws
        .iter()
        .filter_map(|d| d.records.last().map(&f))
        .collect();
    (
        v.iter().copied().fold(f64::INFINITY, f64::min),
        v.iter().copied().fold(f64::NEG_INFINITY, f64::max),
    )
}

fn band_chart(title: &str, y: &str, b: &[(f64, f64, f64, f64)], log_y: bool) -> Chart {
    let mut c = Chart::new(title)
        .labels("NGD step", y)
        .band(
            "min–max over draws",
            b.iter().map(|p| (p.0, p.1, p.3)).collect(),
        )
        .line("mean", b.iter().map(|p| (p.0, p.2)).collect());
    if log_y {
        c = c.log_y();
    }
    c
}

impl Section for NextToken {
    fn name(&self) -> &'static str {
        "nexttoken"
    }
    fn title(&self) -> &'static str {
        "Mechanics of next-token prediction: token-priority graphs, graph-SVM and W^fin (Li et al. 2024)"
    }
    fn run(&self, ctx: &Context) -> Result<SectionReport> {
        let mut rep = SectionReport::default();
        let protocol = if ctx.quick {
            Protocol::quick()
        } else {
            Protocol::full()
        };
        let draws_n = protocol.draws;

        // 1. Global convergence, authors' setting (C3, C4).
        let authors = authors_setting(&protocol, ctx.seed)?;
        let draws = &authors.draws;
        let c3 = c3_verdict(&authors);
        let corr = band(draws, |r| r.corr);
        let (cmin, cmax) = finals(draws, |r| r.corr);
        let (pmin, _) = finals(draws, |r| r.proj_corr);
        rep.figure(
            ctx,
            "nexttoken_corr",
            &band_chart(
                "corr(W(τ), W^svm), (n,T,K,d)=(6,4,6,8), NGD η=0.01",
                "correlation",
                &corr,
                false,
            ),
            format!(
                "Correlation of W(τ) with the graph-SVM direction over {draws_n} draws. Final: \
                 {cmin:.4}–{cmax:.4} (projected corr ≥ {pmin:.4}); authors: 0.976–0.993 over 10 \
                 draws, an independent re-implementation 0.966–0.994."
            ),
        )?;
        rep.check(Check::at_least(
            "C3",
            "final corr(W, W^svm) (min over draws)",
            c3.min_corr,
            C3_MIN_CORR,
        ));
        rep.check(Check::at_least(
            "C3",
            "final corr(W, W^svm), the spec's bound (min over draws)",
            c3.min_corr,
            C3_SPEC_MIN_CORR,
        ));
        rep.check(Check::at_least(
            "C3",
            "projected corr ≥ corr − 1e-3 (min over draws of the difference + 1e-3)",
            c3.min_projection_gain + C3_PROJECTION_SLACK,
            0.0,
        ));
        rep.check(Check::at_least(
            "C3",
            "corr(W, W^fin + R W^svm) ≥ corr − 1e-3 (min over draws of the difference + 1e-3)",
            c3.min_decomposition_gain + C3_PROJECTION_SLACK,
            0.0,
        ));
        rep.check(Check::at_most(
            "C3",
            "graph-SVM constraint violation of the W^svm measured against (max over draws)",
            c3.max_svm_violation,
            C3_MAX_SVM_VIOLATION,
        ));

        let mass = band(draws, |r| r.top_scc_mass);
        let step2000 = mass
            .iter()
            .find(|p| p.0 >= 2000.0)
            .map_or(f64::NAN, |p| p.1);
        let retrieval = hard_retrieval(&protocol, ctx.seed)?;
        let c4 = c4_verdict(&authors, &retrieval);
        rep.figure(
            ctx,
            "nexttoken_top_scc_mass",
            &band_chart("attention mass on the top SCC (authors' attn_probs)", "mass", &mass, false),
            format!(
                "Per-sample largest SCC mass, averaged over samples. At step 2000: ≥ {step2000:.4}; \
                 final ≥ {:.5}, smallest per-sample label-SCC mass {:.5} (‖W^svm‖ per draw \
                 {:.2?}). Authors: 0.4 → ≈1.0 by ~2000 steps; spec min-over-samples after 4000 \
                 steps 0.996–0.9998.",
                c4.min_top_mass,
                c4.min_label_mass,
                draws.iter().map(|d| d.svm_norm).collect::<Vec<_>>()
            ),
        )?;
        rep.check(Check::at_least(
            "C4",
            "final top-SCC mass (min over draws)",
            c4.min_top_mass,
            C4_MIN_MASS,
        ));
        rep.check(Check::at_least(
            "C4",
            "final label-SCC mass (min over samples and draws)",
            c4.min_label_mass,
            C4_MIN_MASS,
        ));

        let sfe = band(draws, |r| r.sfin_error.max(1e-16));
        let peak = sfe.iter().map(|p| p.2).fold(0.0, f64::max);
        rep.figure(
            ctx,
            "nexttoken_sfin_error",
            &band_chart("‖Π_Sfin W(τ) − W^fin‖_F", "S_fin error", &sfe, true),
            format!(
                "Distance of the S_fin component to W^fin (computed from data by Newton on S_fin). \
                 Mean peak {peak:.3}, final ≤ {:.2e} (plain GD η = 1, {C3_GD_STEPS} steps: ≤ \
                 {:.2e}). Authors' norm_diff: peak 0.29 at ~250 steps, plateau ≈ 0.005 \
                 (normalized-GD floor, pitfall P3).",
                c3.max_sfin_error_ngd, c3.max_sfin_error_gd
            ),
        )?;
        rep.check(Check::at_most(
            "C3",
            "final S_fin error, NGD (max over draws)",
            c3.max_sfin_error_ngd,
            C3_MAX_SFIN_ERROR_NGD,
        ));
        rep.check(Check::at_most(
            "C3",
            "S_fin error, plain GD η = 1 from the same init (max over draws)",
            c3.max_sfin_error_gd,
            C3_MAX_SFIN_ERROR_GD,
        ));
        rep.value(
            "authors_setting_draws",
            draws.iter().map(|d| d.records.last()).collect::<Vec<_>>(),
        );

        // 2. Regularisation path (C2) on the first draws' instances; the figure shows the first.
        let paths = regularization_path(&protocol, ctx.seed)?;
        let c2 = c2_verdict(&paths);
        if let Some(path) = paths.first() {
            let gap: Vec<(f64, f64)> = path.norms.iter().copied().zip(path.gaps.clone()).collect();
            let err: Vec<(f64, f64)> = path
                .norms
                .iter()
                .zip(&path.sfin_errors)
                .map(|(&n, &e)| (n, e.max(1e-16)))
                .collect();
            let at8 = path
                .lambdas
                .iter()
                .position(|&l| l == C2_LAMBDA)
                .unwrap_or(0);
            rep.figure(
                ctx,
                "nexttoken_regularization_path",
                &Chart::new("ridge path W_λ (damped Newton)")
                    .labels("‖W_λ‖_F", "1 − corr / S_fin error")
                    .log_x()
                    .log_y()
                    .line("1 − corr(W_λ, W^svm)", gap.clone())
                    .dashed("‖Π_Sfin W_λ − W^fin‖", err.clone()),
                format!(
                    "λ = {:.0e} … {:.0e}. At λ = 1e-8: ‖W_λ‖ = {:.1}, 1 − corr = {:.2e}, S_fin \
                     error = {:.2e} (‖W^svm‖ = {:.2}, ‖W^fin‖ = {:.2}, dim S_fin = {}). Spec \
                     reference instance: ‖W_λ‖ = 33.1, 1 − corr = 1.3e-3, S_fin error 7.7e-7.",
                    path.lambdas.first().copied().unwrap_or(f64::NAN),
                    path.lambdas.last().copied().unwrap_or(f64::NAN),
                    gap[at8].0,
                    gap[at8].1,
                    err[at8].1,
                    path.svm_norm,
                    path.fin_norm,
                    path.sfin_dim
                ),
            )?;
        }
        rep.check(Check::with(
            "C2",
            &format!(
                "1 − corr(W_λ, W^svm) at λ = 1e-8 (max over {} instances)",
                paths.len()
            ),
            c2.gap,
            format!("< {C2_MAX_GAP:e}"),
            c2.gap < C2_MAX_GAP,
        ));
        rep.check(Check::with(
            "C2",
            &format!(
                "S_fin error at λ = 1e-8 (max over {} instances)",
                paths.len()
            ),
            c2.sfin_error,
            format!("< {C2_MAX_SFIN_ERROR:e}"),
            c2.sfin_error < C2_MAX_SFIN_ERROR,
        ));
        rep.check(Check::with(
            "C2",
            "1 − corr decreasing and ‖W_λ‖ increasing as λ falls, every instance (1 = yes)",
            f64::from(u8::from(c2.monotone)),
            "= 1".into(),
            c2.monotone,
        ));
        rep.value("regularization_paths", &paths);

        // 3. Acyclic data (C4): 1 − attention mass decays log-linearly.
        let one_minus = band(&retrieval.acyclic, |r| (1.0 - r.top_scc_mass).max(1e-16));
        rep.figure(
            ctx,
            "nexttoken_acyclic_mass",
            &band_chart(
                "acyclic (4,6,8,8): 1 − attention on the top SCC",
                "1 − mass",
                &one_minus,
                true,
            ),
            format!(
                "Final 1 − mass of the worst sample ≤ {:.2e}; authors ≈ 7e-5 at 4000 steps \
                 (log-linear decay). Unseen HT3 prompt [0, 2, 3]: mass {:.5} on token 0.",
                c4.max_acyclic_gap, c4.unseen_mass
            ),
        )?;
        rep.check(Check::at_most(
            "C4",
            "acyclic: final 1 − mass of the worst sample (max over draws)",
            c4.max_acyclic_gap,
            C4_MAX_ACYCLIC_GAP,
        ));
        rep.check(Check::with(
            "C4",
            "unseen HT3 prompt [0,2,3]: attention on the dominating token 0",
            c4.unseen_mass,
            format!("> {C4_MIN_UNSEEN_MASS}"),
            c4.unseen_mass > C4_MIN_UNSEEN_MASS,
        ));

        // 4. Loss limit (C6) with plain GD on HT1 and HT3.
        let limit = loss_limit()?;
        let c6 = c6_verdict(&limit);
        rep.check(Check::with(
            "C6",
            &format!("HT1: L(W({C6_HT1_STEPS})) − L_red(W^fin) (limit 0.636514)"),
            c6.ht1_gap,
            format!("in (−1e-12, {C6_MAX_GAP:e}]"),
            c6.ht1_ok,
        ));
        rep.check(Check::at_most(
            "C6",
            &format!("HT3 (acyclic): L(W({C6_HT3_STEPS})) (limit 0)"),
            limit.ht3_loss,
            C6_MAX_ACYCLIC_LOSS,
        ));
        rep.value("ht1_limit_loss", limit.ht1_limit);
        if ctx.quick {
            rep.note("Quick mode: 4 draws (authors 10), 2 acyclic, ridge path λ = 1e-2 … 1e-8.");
        }
        Ok(rep)
    }
}
