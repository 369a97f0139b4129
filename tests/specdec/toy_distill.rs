//! The toy DistillSpec (order-2 Markov target, order-1 draft, V = 8, sequences of 6, exact block
//! statistics at γ = 4): DS13 and DS14 as the trends the spec allows, DS15 recorded only.

use attnmech::specdec::experiments::{ds13_distill, ds13_verdict};
use attnmech::specdec::toy::{TABLE_DIVERGENCES, TABLE_SOURCES};

/// Mean and standard error over seeds.
fn mean_se(xs: &[f64]) -> (f64, f64) {
    let (m, sd) = crate::stats::mean_and_sd(xs);
    (m, sd / (xs.len() as f64).sqrt())
}

/// DS13 [E]: distillation raises acceptance over the undistilled draft: for every (divergence,
/// source) the mean over 5 seeds of the on-policy acceptance exceeds the initial draft's mean.
///
/// DS14 [E], the spec's protocol (restored by issue 13): on-policy data is not worse than fixed
/// data by more than 2 SE (paired over 5 seeds) in the exact expected block length E[B] (K1.3), for
/// every divergence. Also asserted, as a separate [E] check (not the spec's metric): the same in
/// the mean on-policy acceptance `(1/γ) Σ_j (1 − ε_j)`. At 800 steps, γ = 5 the spec's E[B] form
/// was not reproduced for FKL (see proofs-notes/distillspec_trends.md). DS15: ranking printed only.
#[test]
fn ds13_ds14_ds15_toy_distillspec_trends() {
    let o = ds13_distill(0).unwrap();
    let runs = &o.runs;
    let init_acc = o.init_acceptance;
    let ncell = TABLE_DIVERGENCES.len() * TABLE_SOURCES.len();
    for c in 0..ncell {
        let acc = mean_se(&runs.iter().map(|r| r.1[c].acceptance).collect::<Vec<_>>()).0;
        let eb = mean_se(&runs.iter().map(|r| r.1[c].block).collect::<Vec<_>>()).0;
        let cell = &runs[0].1[c];
        eprintln!(
            "DS13/15 {:>6} {:>9}: acceptance {acc:.4} E[B] {eb:.4} (init {init_acc:.4})",
            cell.divergence, cell.source
        );
        assert!(
            acc > init_acc,
            "DS13: {} {} did not raise acceptance",
            cell.divergence,
            cell.source
        );
    }
    assert!(ds13_verdict(&o));
    let nsrc = TABLE_SOURCES.len();
    for d in 0..TABLE_DIVERGENCES.len() {
        let (on, fixed) = (d * nsrc + 2, d * nsrc);
        let acc = mean_se(
            &runs
                .iter()
                .map(|r| r.1[on].acceptance - r.1[fixed].acceptance)
                .collect::<Vec<_>>(),
        );
        let eb = mean_se(
            &runs
                .iter()
                .map(|r| r.1[on].block - r.1[fixed].block)
                .collect::<Vec<_>>(),
        );
        let name = &runs[0].1[fixed].divergence;
        eprintln!(
            "DS14 {name}: on-policy − fixed: acceptance {:.4} ± {:.4}, E[B] {:.4} ± {:.4}",
            acc.0, acc.1, eb.0, eb.1
        );
        assert!(eb.0 >= -2.0 * eb.1, "DS14 (E[B], spec) violated for {name}");
        assert!(
            acc.0 >= -2.0 * acc.1,
            "DS14 (acceptance) violated for {name}"
        );
    }
}
