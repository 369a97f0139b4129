//! Cascade deferral (spec section 4): CD1-CD4, CD8 identities, worked example, the CD5-CD7
//! trends on the tiny instances, kernels and bad input.

use attnmech::cascade::experiments::{
    cd4_experiment, cd4_verdict, cd5_experiment, cd5_verdict, cd6_experiment, cd6_verdict,
    cd7_experiment, cd7_verdict, Cd5Outcome, Cd7Outcome, CASCADE_SAMPLES,
};
use attnmech::cascade::instances::{curve_set, CurveInstance, InstanceKind};
use attnmech::cascade::{
    bayes_rule, budget_rule, confidence, deferral_curve, deferral_scores, diff01_targets,
    diffprob_targets, entropy, margin, oracle_curve, plugin_regret, random_curve, run_cascade,
    two_model_predict, FiniteCascade, PostHocDeferral, Score,
};
use attnmech::rng::seeded;
use attnmech::Error;
use rand::Rng;

/// A random finite problem: #X inputs, K classes, posteriors from normalised uniforms, model 1
/// and 2 predictions drawn at random; returns the problem and model 1's confidence per input.
fn random_problem(x: usize, k: usize, seed: u64) -> (FiniteCascade, Vec<f64>) {
    let mut rng = seeded(seed, 0);
    let mut pi: Vec<f64> = (0..x).map(|_| rng.random::<f64>() + 0.1).collect();
    let s: f64 = pi.iter().sum();
    pi.iter_mut().for_each(|p| *p /= s);
    let mut eta = Vec::new();
    for _ in 0..x {
        let row: Vec<f64> = (0..k).map(|_| rng.random::<f64>()).collect();
        let t: f64 = row.iter().sum();
        eta.extend(row.iter().map(|v| v / t));
    }
    let h1: Vec<usize> = (0..x).map(|_| rng.random_range(0..k)).collect();
    let h2: Vec<usize> = (0..x).map(|_| rng.random_range(0..k)).collect();
    let conf: Vec<f64> = (0..x).map(|_| rng.random::<f64>()).collect();
    (
        FiniteCascade::from_posteriors(pi, &eta, k, &h1, &h2).unwrap(),
        conf,
    )
}

/// CD1: on #X = 10, K = 4, the Bayes rule 1{g > c} attains the minimum of R_c over all 2^10
/// deterministic rules, c ∈ {0, 0.05, 0.2}, to 1e-12 (sums of 10 terms). Negative check: the
/// best rule that thresholds a confidence unrelated to η (all 11 thresholds) is strictly worse
/// for at least one c.
#[test]
fn cd1_bayes_rule_is_optimal_negative_confidence_loses() {
    let mut any_strict = false;
    for seed in 0..3 {
        let (p, conf) = random_problem(10, 4, seed);
        let g = p.gain();
        for c in [0.0, 0.05, 0.2] {
            let bayes = p.risk(&bayes_rule(&g, c), c).unwrap();
            let brute = (0u32..1 << 10)
                .map(|mask| {
                    let r: Vec<f64> = (0..10).map(|i| ((mask >> i) & 1) as f64).collect();
                    p.risk(&r, c).unwrap()
                })
                .fold(f64::INFINITY, f64::min);
            assert!(
                (bayes - brute).abs() < 1e-12,
                "seed {seed} c {c}: {bayes} vs {brute}"
            );
            let mut sorted = conf.clone();
            sorted.push(f64::INFINITY);
            let best_conf = sorted
                .iter()
                .map(|&t| {
                    let r: Vec<f64> = conf.iter().map(|&s| (s < t) as u8 as f64).collect();
                    p.risk(&r, c).unwrap()
                })
                .fold(f64::INFINITY, f64::min);
            assert!(best_conf >= bayes - 1e-12);
            any_strict |= best_conf > bayes + 1e-6;
        }
    }
    assert!(
        any_strict,
        "a rule ignoring eta was never worse than the Bayes rule"
    );
}

/// Budget form: the knapsack rule defers exactly mass b, and among rules with rate b it has the
/// highest accuracy (checked against all deterministic rules whose rate is exactly b, and a tie
/// split at the boundary).
#[test]
fn budget_rule_is_a_fractional_knapsack() {
    let (p, _) = random_problem(8, 3, 7);
    let g = p.gain();
    for mask in 0u32..1 << 8 {
        let r: Vec<f64> = (0..8).map(|i| ((mask >> i) & 1) as f64).collect();
        let (acc, rate) = p.accuracy_and_rate(&r).unwrap();
        let kr = budget_rule(&g, p.pi(), rate).unwrap();
        let (kacc, krate) = p.accuracy_and_rate(&kr).unwrap();
        assert!((krate - rate).abs() < 1e-12);
        assert!(kacc >= acc - 1e-12);
    }
    // Ties: two inputs with equal gain share the boundary budget equally per unit mass.
    let r = budget_rule(&[0.3, 0.1, 0.1], &[0.2, 0.4, 0.4], 0.6).unwrap();
    assert!(
        r[0] == 1.0 && (r[1] - 0.5).abs() < 1e-15 && r[1] == r[2],
        "{r:?}"
    );
}

/// CD2: plug-in regret R_c(1{ĝ>c}) - R_c(r*) equals E[|g-c| 1{mismatch}] (1e-12) and is at most
/// E|ĝ-g| (rounding slack 1e-12), over noisy estimates of several scales.
#[test]
fn cd2_plugin_regret_identity_and_bound() {
    let (p, _) = random_problem(50, 5, 3);
    let g = p.gain();
    let mut rng = seeded(3, 1);
    for scale in [0.01, 0.1, 0.5] {
        let gh: Vec<f64> = g
            .iter()
            .map(|x| x + scale * (rng.random::<f64>() - 0.5))
            .collect();
        for c in [0.0, 0.05, 0.2] {
            let r = plugin_regret(&p, &gh, c).unwrap();
            assert!((r.regret - r.mismatch_cost).abs() < 1e-12, "{r:?}");
            assert!(r.regret >= -1e-12 && r.regret <= r.bound + 1e-12, "{r:?}");
        }
    }
}

/// CD3: curve endpoints are acc(h1) and acc(h2) (1e-12); the oracle (realised-gain) curve lies
/// pointwise above the curves of confidence, random scores and the reversed oracle.
#[test]
fn cd3_endpoints_and_oracle_envelope() {
    let inst = CurveInstance::new(InstanceKind::Specialist, 2000, 5);
    let n = inst.c1.len() as f64;
    let (a1, a2) = (
        inst.c1.iter().sum::<f64>() / n,
        inst.c2.iter().sum::<f64>() / n,
    );
    let oracle = oracle_curve(&inst.c1, &inst.c2).unwrap();
    let mut rng = seeded(5, 2);
    let random_scores: Vec<f64> = (0..inst.c1.len()).map(|_| rng.random::<f64>()).collect();
    let neg_s1: Vec<f64> = inst.s1.iter().map(|s| -s).collect();
    let reversed: Vec<f64> = inst.c1.iter().zip(&inst.c2).map(|(a, b)| a - b).collect();
    for score in [&neg_s1, &random_scores, &reversed, &inst.gain] {
        let cv = deferral_curve(&inst.c1, &inst.c2, score).unwrap();
        assert!((cv.accuracy()[0] - a1).abs() < 1e-12);
        assert!((cv.accuracy().last().unwrap() - a2).abs() < 1e-12);
        for (o, v) in oracle.accuracy().iter().zip(cv.accuracy()) {
            assert!(*o >= v - 1e-12);
        }
    }
    let rc = random_curve(&inst.c1, &inst.c2).unwrap();
    assert!((rc.area() - (a1 + a2) / 2.0).abs() < 1e-12);
}

/// CD4: when g is a strictly decreasing function of s1 (instance A), the confidence curve equals
/// the expected-gain (optimal) curve exactly: both scores induce the same order. Spec: AUDC 0.6980
/// for both, random 0.6598, acc@20% 0.6260 (n = 20000, another RNG: asserted within 0.01). The
/// experiment and bound the report uses ([`cd4_experiment`], [`cd4_verdict`]); the curves are
/// also compared with `assert_eq` on a fresh draw of the instance.
#[test]
fn cd4_confidence_optimal_when_gain_monotone() {
    let o = cd4_experiment(0).unwrap();
    eprintln!(
        "CD4 max diff {:e}, AUDC conf {:.4} random {:.4} acc@20% {:.4}",
        o.max_diff,
        o.audc,
        o.set.random.area(),
        o.acc_at_20
    );
    assert!(
        cd4_verdict(&o),
        "CD4: max diff {}, AUDC {}, acc@20% {}",
        o.max_diff,
        o.audc,
        o.acc_at_20
    );
    assert_eq!(o.set.confidence, o.set.expected_gain);
    // negative control: on the specialist instance (g not monotone in s1) the same verdict fails
    let mut wrong = o.clone();
    wrong.set = curve_set(InstanceKind::Specialist, CASCADE_SAMPLES, 0).unwrap();
    wrong.max_diff = wrong
        .set
        .confidence
        .accuracy()
        .iter()
        .zip(wrong.set.expected_gain.accuracy())
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max);
    assert!(!cd4_verdict(&wrong));
}

/// `curve_set` fits the post-hoc rule on the first half and draws every curve on the held-out
/// second half only: `n − ⌊n/2⌋` evaluation samples, so `n − ⌊n/2⌋ + 1` rates per curve, from 0 to
/// 1 (issue 13: the mutant that evaluated on `n % 2..n`, i.e. on the fit half too, survived every
/// CD check).
#[test]
fn curve_set_evaluates_on_the_held_out_half() {
    for n in [100usize, 101] {
        let set = curve_set(InstanceKind::Specialist, n, 5).unwrap();
        for curve in [
            &set.confidence,
            &set.posthoc,
            &set.expected_gain,
            &set.oracle,
            &set.random,
        ] {
            assert_eq!(curve.rates().len(), n - n / 2 + 1, "n = {n}");
            assert_eq!(curve.rates().first(), Some(&0.0));
            assert_eq!(curve.rates().last(), Some(&1.0));
        }
    }
}

/// CD5 [E]: with a specialist model 2, confidence deferral falls short of the expected-gain
/// order by a margin (spec: AUDC 0.5135 vs 0.5776; asserted gap > 0.03 at n = 20000, where the
/// AUDC standard error is ~0.003): [`cd5_experiment`], [`cd5_verdict`], as the report.
#[test]
fn cd5_specialist_breaks_confidence() {
    let o = cd5_experiment(0).unwrap();
    let set = &o.set;
    eprintln!(
        "CD5 AUDC conf {:.4} expected-gain {:.4} post-hoc {:.4} random {:.4}",
        set.confidence.area(),
        set.expected_gain.area(),
        set.posthoc.area(),
        set.random.area()
    );
    assert!(cd5_verdict(&o), "CD5 gap {}", o.gap);
    // negative control: instance A (confidence optimal) has no gap
    let a = cd4_experiment(0).unwrap().set;
    let no_gap = Cd5Outcome {
        gap: a.expected_gain.area() - a.confidence.area(),
        set: a,
    };
    assert!(!cd5_verdict(&no_gap));
}

/// CD6 [E]: label noise: deferring the noisy low-confidence points gains nothing (the first 10%
/// of the confidence curve stays within 0.01 of acc1), and the post-hoc Diff-01 rule recovers
/// part of the gap to the expected-gain order: conf + 0.005 < post-hoc <= expected-gain + 0.01
/// ([`cd6_experiment`], [`cd6_verdict`], as the report).
#[test]
fn cd6_label_noise_posthoc_recovers() {
    let o = cd6_experiment(0).unwrap();
    eprintln!(
        "CD6 AUDC conf {:.4} post-hoc {:.4} expected-gain {:.4}; conf gain over first 10%: {:.4}",
        o.set.confidence.area(),
        o.set.posthoc.area(),
        o.set.expected_gain.area(),
        o.flat
    );
    assert!(
        cd6_verdict(&o),
        "CD6: {:?}",
        (o.flat, o.posthoc_gain, o.posthoc_over_optimum)
    );
}

/// CD7 [E]: post-hoc deferral improves most at low deferral rates: on the specialist instance its
/// mean accuracy gain over confidence on rates [0, 0.3] exceeds that on [0.7, 1] and 0.02
/// ([`cd7_experiment`], [`cd7_verdict`], as the report).
#[test]
fn cd7_posthoc_helps_most_at_low_rates() {
    let o = cd7_experiment(0).unwrap();
    eprintln!(
        "CD7 post-hoc minus confidence: rates<=0.3 {:.4}, rates>=0.7 {:.4}",
        o.low_gain, o.high_gain
    );
    assert!(cd7_verdict(&o), "CD7: {o:?}");
    // negative control: the gains swapped (helps most at high rates) fail the same verdict
    let swapped = Cd7Outcome {
        low_gain: o.high_gain,
        high_gain: o.low_gain,
    };
    assert!(!cd7_verdict(&swapped));
}

/// CD8: cost accounting: a two-model cascade costs cost1 + rate·cost2 per example; a three-stage
/// one Σ_s cost_s · P(reach s) (1e-12), and reach rates are non-increasing.
#[test]
fn cd8_cost_accounting() {
    let mut rng = seeded(8, 0);
    let (n, c) = (500, 4);
    let mut draw = || -> Vec<f64> {
        (0..n)
            .flat_map(|_| {
                let row: Vec<f64> = (0..c).map(|_| rng.random::<f64>().powi(3)).collect();
                let s: f64 = row.iter().sum();
                row.into_iter().map(move |v| v / s)
            })
            .collect()
    };
    let (p1, p2, p3) = (draw(), draw(), draw());
    let two = run_cascade(&[&p1, &p2], c, &[0.6]).unwrap();
    let rate = two.reach_rate(1);
    assert!((two.expected_cost(&[1.0, 10.0]).unwrap() - (1.0 + rate * 10.0)).abs() < 1e-12);
    let defer: Vec<bool> = two.stage().iter().map(|&s| s == 1).collect();
    assert_eq!(
        two_model_predict(&p1, &p2, c, &defer).unwrap(),
        two.predictions()
    );
    let three = run_cascade(&[&p1, &p2, &p3], c, &[0.6, 0.5]).unwrap();
    let (r1, r2) = (three.reach_rate(1), three.reach_rate(2));
    assert!(r2 <= r1 && r1 <= 1.0);
    assert!(
        (three.expected_cost(&[1.0, 4.0, 16.0]).unwrap() - (1.0 + 4.0 * r1 + 16.0 * r2)).abs()
            < 1e-12
    );
}

/// Worked example 4(e): π = [0.5, 0.3, 0.2], acc1 = [0.9, 0.6, 0.3], acc2 = [0.95, 0.9, 0.35]:
/// g = [0.05, 0.3, 0.05]; c = 0 ⇒ r* = [1, 1, 1], accuracy 0.815, rate 1, risk 0.185; c = 0.05 ⇒
/// ties g = c do not defer: r* = [0, 1, 0].
#[test]
fn worked_example() {
    let p = FiniteCascade::new(
        vec![0.5, 0.3, 0.2],
        vec![0.9, 0.6, 0.3],
        vec![0.95, 0.9, 0.35],
    )
    .unwrap();
    let g = p.gain();
    let r = bayes_rule(&g, 0.0);
    assert_eq!(r, vec![1.0, 1.0, 1.0]);
    let (acc, rate) = p.accuracy_and_rate(&r).unwrap();
    assert!((acc - 0.815).abs() < 1e-12 && rate == 1.0);
    assert!((p.risk(&r, 0.0).unwrap() - 0.185).abs() < 1e-12);
    let g_exact = [0.05, 0.3, 0.05];
    assert_eq!(bayes_rule(&g_exact, 0.05), vec![0.0, 1.0, 0.0]);
}

/// Scores: confidence, margin, entropy on known vectors; deferral scores order (higher defers).
#[test]
fn scores() {
    let p = [0.5, 0.3, 0.2];
    assert_eq!(confidence(&p), 0.5);
    assert!((margin(&p) - 0.2).abs() < 1e-15);
    let h = -(0.5f64 * 0.5f64.ln() + 0.3 * 0.3f64.ln() + 0.2 * 0.2f64.ln());
    assert!((entropy(&p) - h).abs() < 1e-15);
    assert_eq!(entropy(&[1.0, 0.0]), 0.0);
    let probs = [0.9, 0.1, 0.6, 0.4];
    for s in [Score::Confidence, Score::Margin, Score::Entropy] {
        let d = deferral_scores(&probs, 2, s).unwrap();
        assert!(d[1] > d[0], "{s:?}: the less confident row defers first");
    }
}

/// Post-hoc on an exactly linear target: the ridge rule with tiny λ recovers ĝ = top1 to 1e-6;
/// Diff-01 / Diff-Prob targets on a hand example.
#[test]
fn posthoc_fits_and_targets() {
    let mut rng = seeded(9, 0);
    let (n, c) = (200, 3);
    let mut p1 = Vec::new();
    for _ in 0..n {
        let row: Vec<f64> = (0..c).map(|_| rng.random::<f64>() + 0.05).collect();
        let s: f64 = row.iter().sum();
        p1.extend(row.iter().map(|v| v / s));
    }
    let target: Vec<f64> = p1.chunks_exact(c).map(confidence).collect();
    let rule = PostHocDeferral::fit(&p1, c, &target, 1e-10).unwrap();
    for (a, b) in rule.predict(&p1).unwrap().iter().zip(&target) {
        assert!((a - b).abs() < 1e-6);
    }
    assert_eq!(
        diff01_targets(&[1.0, 0.0, 1.0], &[1.0, 1.0, 0.0]).unwrap(),
        vec![0.0, 1.0, -1.0]
    );
    let d = diffprob_targets(&[0.7, 0.3, 0.2, 0.8], &[0.4, 0.6, 0.5, 0.5], &[1, 0], 2).unwrap();
    assert!((d[0] - 0.3).abs() < 1e-15 && (d[1] - 0.3).abs() < 1e-15);
}

/// Bad input: rows that are not distributions, mismatched lengths, labels out of range, budgets
/// outside [0, 1], wrong threshold count.
#[test]
fn bad_input_is_an_error() {
    assert!(matches!(
        deferral_scores(&[0.5, 0.6], 2, Score::Confidence),
        Err(Error::InvalidArgument { .. })
    ));
    assert!(deferral_scores(&[1.2, -0.2], 2, Score::Confidence).is_err());
    assert!(deferral_scores(&[0.5, 0.5, 0.1], 2, Score::Confidence).is_err());
    assert!(deferral_scores(&[f64::NAN, 0.5], 2, Score::Confidence).is_err());
    assert!(FiniteCascade::new(vec![0.5, 0.6], vec![0.1, 0.2], vec![0.3, 0.4]).is_err());
    assert!(FiniteCascade::new(vec![0.5, 0.5], vec![0.1], vec![0.3, 0.4]).is_err());
    assert!(FiniteCascade::new(vec![0.5, 0.5], vec![0.1, 1.1], vec![0.3, 0.4]).is_err());
    assert!(FiniteCascade::from_posteriors(vec![1.0], &[0.5, 0.5], 2, &[2], &[0]).is_err());
    assert!(budget_rule(&[0.1], &[1.0], 1.5).is_err());
    assert!(deferral_curve(&[1.0, 0.0], &[1.0], &[0.0, 0.1]).is_err());
    assert!(run_cascade(&[&[0.5, 0.5], &[0.5, 0.5]], 2, &[]).is_err());
    assert!(diffprob_targets(&[0.5, 0.5], &[0.5, 0.5], &[2], 2).is_err());
}

/// The plug-in regret identity `R_c(1{ĝ > c}) − R_c(r*) = E[|g − c|·1{(g > c) ≠ (ĝ > c)}]` holds
/// at a tie `ĝ = c` too, when both sides read the tie the way [`bayes_rule`] does (`ĝ = c` keeps
/// model 1). Two inputs of mass ½, gains 0.3 and −0.2, estimates 0.1 (= c, a tie) and −0.2: the
/// estimate keeps input 0 although deferring it gains 0.3 − 0.1, so regret = mismatch = 0.1.
/// Kills `bayes.rs: replace > with >= in plugin_regret` (the mismatch reading the tie as a
/// deferral and reporting 0).
#[test]
fn plugin_regret_identity_holds_at_a_tie() {
    let problem = FiniteCascade::new(vec![0.5, 0.5], vec![0.5, 0.7], vec![0.8, 0.5]).unwrap();
    let g = problem.gain();
    assert!(
        (g[0] - 0.3).abs() < 1e-15 && (g[1] + 0.2).abs() < 1e-15,
        "{g:?}"
    );
    let r = plugin_regret(&problem, &[0.1, g[1]], 0.1).unwrap();
    assert!((r.regret - 0.1).abs() < 1e-12, "{r:?}");
    assert!((r.mismatch_cost - r.regret).abs() < 1e-12, "{r:?}");
}

/// CD7 measures the mean post-hoc-minus-confidence accuracy over the 31 rates
/// `lo + (hi − lo)·j/30`, j = 0…30, of [0, 0.3] and [0.7, 1] on instance B (the spec's grid):
/// recomputed here from the same curve set, equal to rounding. Kills `experiments.rs: replace /
/// with % in cd7_experiment` (rates `lo + (hi − lo)·(j mod 30)`, clamped to 1 for most j), which
/// still passes CD7's ordering.
#[test]
fn cd7_gains_are_means_over_the_spec_grid() {
    let o = cd7_experiment(0).unwrap();
    let set = curve_set(InstanceKind::Specialist, CASCADE_SAMPLES, 0).unwrap();
    let mean = |lo: f64, hi: f64| {
        let rates: Vec<f64> = (0..=30).map(|j| lo + (hi - lo) * j as f64 / 30.0).collect();
        rates
            .iter()
            .map(|&r| set.posthoc.at(r) - set.confidence.at(r))
            .sum::<f64>()
            / rates.len() as f64
    };
    assert!((o.low_gain - mean(0.0, 0.3)).abs() < 1e-12, "{o:?}");
    assert!((o.high_gain - mean(0.7, 1.0)).abs() < 1e-12, "{o:?}");
}

/// `from_posteriors` reads each model's accuracy off the posterior row of its own input:
/// `acc_m(x) = η(x, h_m(x))` in the row-major `[X, C]` matrix, exactly (a copy). The CD1–CD4
/// identities hold for any accuracies, so they cannot see which entry was read. Kills `bayes.rs:
/// replace * with + in FiniteCascade::from_posteriors` (`η[x + C + y]`, another input's row).
#[test]
fn from_posteriors_reads_each_inputs_own_posterior_row() {
    let (x, k) = (5, 3);
    let eta: Vec<f64> = (0..x)
        .flat_map(|i| {
            let row = [1.0 + i as f64, 2.0, 3.0 + 2.0 * i as f64];
            let s: f64 = row.iter().sum();
            row.map(|v| v / s)
        })
        .collect();
    let h1 = [0, 1, 2, 0, 2];
    let h2 = [2, 2, 1, 1, 0];
    let p = FiniteCascade::from_posteriors(vec![0.2; x], &eta, k, &h1, &h2).unwrap();
    for i in 0..x {
        assert_eq!(p.acc1()[i], eta[i * k + h1[i]], "acc1 at input {i}");
        assert_eq!(p.acc2()[i], eta[i * k + h2[i]], "acc2 at input {i}");
    }
}
