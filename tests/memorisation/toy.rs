//! The random-feature mixture toy (spec 2(c)): trajectory shapes (MM6), proxies (MM7),
//! distillation (MM8).

use attnmech::memorisation::toy_experiments::*;
use attnmech::memorisation::{shape_counts, spearman};

/// MM6/MM7 on the toy at K = 200 runs, widths {10, 30, 100, 300, 1000}, ridge 1e-6: the
/// experiment and MM6 bound the `--quick` report runs, at its default seed.
/// MM6 [E]: at least two shape classes each hold >= 5% of examples.
/// MM7 [E]: hold-out accuracy correlates with mem at each size (recorded), yet the shape of the
/// proxy trajectory (1 - p_out) agrees with mem's on fewer than all examples.
#[test]
fn mm6_mm7_trajectories_and_proxies() {
    let (toy, membership) = toy_setup(TOY_RUNS_QUICK, 0).unwrap();
    let o = mm6_trajectories(&toy, &membership, TOY_RUNS_QUICK, 0).unwrap();
    let means: Vec<f64> = o.means.iter().map(|m| m.1).collect();
    eprintln!(
        "MM6 mean mem by width {means:.3?}; counts [dec, cap, inc, other] {:?}",
        o.counts
    );
    let (big, ok) = mm6_verdict(&o);
    assert!(ok, "{big}: {:?}", o.counts);
    // Planted bug: every example in one shape class (e.g. a classifier that ignores size).
    let one_class = Mm6Outcome {
        counts: [o.n, 0, 0, 0],
        ..o.clone()
    };
    assert!(!mm6_verdict(&one_class).1);
    let mems: Vec<Vec<f64>> = o.estimates.iter().map(|e| e.mem().to_vec()).collect();
    let proxies: Vec<Vec<f64>> = o
        .estimates
        .iter()
        .map(|e| e.p_out().iter().map(|p| 1.0 - p).collect())
        .collect();
    let rhos: Vec<f64> = mems
        .iter()
        .zip(&proxies)
        .map(|(a, b)| spearman(a, b).unwrap())
        .collect();
    let (pshapes, _) = shape_counts(&proxies, 0.1).unwrap();
    let agree = o
        .shapes
        .iter()
        .zip(&pshapes)
        .filter(|(a, b)| a == b)
        .count() as f64
        / toy.n as f64;
    eprintln!("MM7 spearman(1-p_out, mem) by width {rhos:.3?}; shape agreement {agree:.3}");
    assert!(agree < 1.0);
}

/// MM8 [E]: distillation from a regularised teacher (width 1000, ridge 1.0) at student width
/// 100 lowers mean memorisation, and the drop on flipped-label examples exceeds the drop on
/// clean ones (spec: 0.326 → 0.051; noisy 0.77 → 0.00, clean 0.28 → 0.06). The experiment and
/// bound the `--quick` report runs, at its default seed.
#[test]
fn mm8_distillation_lowers_memorisation() {
    let (toy, membership) = toy_setup(TOY_RUNS_QUICK, 0).unwrap();
    let o = mm8_distillation(&toy, &membership, TOY_RUNS_QUICK, MM8_TEACHER, 0).unwrap();
    eprintln!("MM8 {o:?}");
    let v = mm8_verdict(&o);
    assert!(v.holds(), "{v:?} {o:?}");
}

/// MM8 negative check (spec caveat): a teacher that interpolates the noisy labels (width 1000,
/// ridge 1e-6) passes them on, so distillation no longer removes the memorisation of flipped
/// examples: their mem stays above 0.5 (one-hot level ~0.7), unlike the regularised teacher's ~0,
/// and the MM8 verdict (the same function the report uses) fails.
#[test]
fn mm8_negative_interpolating_teacher() {
    let (toy, membership) = toy_setup(TOY_RUNS_QUICK, 0).unwrap();
    let o = mm8_distillation(
        &toy,
        &membership,
        TOY_RUNS_QUICK,
        MM8_INTERPOLATING_TEACHER,
        0,
    )
    .unwrap();
    eprintln!("MM8-neg {o:?}; verdict {:?}", mm8_verdict(&o));
    assert!(o.noisy_distilled > MM8_NEGATIVE_MIN_NOISY, "{o:?}");
    // The claim's own bound rejects it: the distilled student is the one-hot student.
    assert!(!mm8_verdict(&o).holds(), "{o:?}");
}
