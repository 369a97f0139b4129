//! Checks added by the mutation campaign (issue 13, `proofs-notes/MUTANTS.md`).

use attnmech::memorisation::estimator::memorisation_estimate;
use rand::Rng;

/// The hard-label estimator processes columns in chunks of 16384 in parallel; every earlier test
/// used fewer examples, so only the first chunk's offsets were ever run. Here n = 16384 + 37
/// examples (two chunks) and the counts are compared with a plain per-column count: `k_in`,
/// `k_out` exactly, `p_in`, `p_out` as the same quotients (to 1e-15). Kills `estimator.rs:
/// replace + with - in memorisation_estimate` (the row offset `r·n − j0` in the second chunk).
#[test]
fn estimate_matches_a_plain_count_across_column_chunks() {
    let (runs, n) = (6usize, 16_384 + 37);
    let mut rng = attnmech::rng::seeded(5, 0);
    let membership: Vec<u8> = (0..runs * n).map(|_| rng.random_range(0..2u8)).collect();
    let correctness: Vec<u8> = (0..runs * n).map(|_| rng.random_range(0..2u8)).collect();
    let est = memorisation_estimate(&membership, &correctness, runs).unwrap();
    for j in 0..n {
        let (mut k_in, mut in_ok, mut out_ok) = (0u32, 0u32, 0u32);
        for r in 0..runs {
            let (m, c) = (membership[r * n + j], correctness[r * n + j]);
            k_in += u32::from(m);
            in_ok += u32::from(m & c);
            out_ok += u32::from((1 - m) & c);
        }
        let k_out = runs as u32 - k_in;
        assert_eq!((est.k_in()[j], est.k_out()[j]), (k_in, k_out), "column {j}");
        if k_in > 0 {
            assert!((est.p_in()[j] - f64::from(in_ok) / f64::from(k_in)).abs() <= 1e-15);
        }
        if k_out > 0 {
            assert!((est.p_out()[j] - f64::from(out_ok) / f64::from(k_out)).abs() <= 1e-15);
        }
    }
}

/// MM2's 1-NN instance as documented: label `i mod 3`, and every tenth label (i ≡ 0 mod 10)
/// moved to the next class `(i mod 3 + 1) mod 3`, so each flagged point really is mislabelled.
/// A planted `(y − 1) mod 3` flip would wrap at y = 0 to `usize::MAX mod 3 = 0` and leave a
/// third of the flagged points with their own label, which MM2 cannot see because its separation
/// bound is a known non-reproduction (CLAIMS.md). (The mutant that prompted this check, `c.0 − a`
/// in the noise, is equivalent in law; see MUTANTS.md.)
#[test]
fn one_nn_instance_flips_every_tenth_label_to_the_next_class() {
    use attnmech::memorisation::toy::one_nn_instance;
    let n = 60;
    let (x, labels, flipped) = one_nn_instance(n, 3);
    assert_eq!((x.len(), labels.len(), flipped.len()), (2 * n, n, n));
    for i in 0..n {
        assert_eq!(flipped[i], i % 10 == 0, "flag of point {i}");
        let want = if flipped[i] { (i % 3 + 1) % 3 } else { i % 3 };
        assert_eq!(labels[i], want, "label of point {i}");
    }
}

/// MM2's 1-NN instance puts each point at its class centre plus unit Gaussian noise: over
/// n = 300 points (100 per centre) each coordinate's sample mean is within 0.5 of the centre
/// (5 SE) and its sample SD within [0.7, 1.3] (the SD of 100 normal draws has SE 0.07, so ±0.3 is
/// over 4 SE). Kills `toy.rs: replace + with * in one_nn_instance` (`c.0 · a`: the first
/// coordinate collapses to 0 around (0, 0) and spreads 6× around (6, 0)).
#[test]
fn one_nn_instance_points_are_centres_plus_unit_noise() {
    use attnmech::memorisation::toy::one_nn_instance;
    let n = 300;
    let (x, _, _) = one_nn_instance(n, 4);
    let centres = [(0.0, 0.0), (6.0, 0.0), (0.0, 6.0)];
    for (c, &(cx, cy)) in centres.iter().enumerate() {
        for (coord, centre) in [(0usize, cx), (1, cy)] {
            let v: Vec<f64> = (0..n)
                .filter(|i| i % 3 == c)
                .map(|i| x[2 * i + coord])
                .collect();
            let (m, sd) = crate::stats::mean_and_sd(&v);
            assert!(
                (m - centre).abs() <= 0.5,
                "centre {c} coord {coord}: mean {m}"
            );
            assert!(
                (0.7..=1.3).contains(&sd),
                "centre {c} coord {coord}: sd {sd}"
            );
        }
    }
}

/// The standard error's in-sample term. In the 1-NN instances of MM2–MM4 and of the SE check in
/// `checks.rs`, a training point always classifies itself, so `p_in = 1` and the term
/// `p_in(1 − p_in)/K_in` is 0: none of them can see it. Here the correctness flags are Bernoulli
/// with interior rates in both arms (`a_i` in the subset, `b_i` out of it), and the estimator's
/// spread over R = 300 independent replicates of K = 200 runs is measured against the mean of
/// `SE_i²` by the same measurement and bands as `mm_standard_error_matches_simulated_spread`
/// (pooled variance ratio in [0.85, 1.15]: its relative sd over these 5 points is
/// `≈ sqrt(2/(5·299)) ≈ 0.037`, so 4 sd; per-point sd ratio in [0.7, 1.3], > 7 sd). Kills
/// `estimator.rs: replace / with % in finish` (`p_in(1 − p_in) % K_in`, i.e. the `/K_in`
/// dropped: the in-sample term about `K_in ≈ 120` times too large).
#[test]
fn standard_error_matches_spread_with_interior_in_sample_rates() {
    use super::checks::{spread_against_se, within_se_bands};
    use attnmech::memorisation::sample_membership;
    let (n, m, runs, reps) = (5, 3, 200, 300);
    let a = [0.5, 0.7, 0.9, 0.6, 0.4];
    let b = [0.2, 0.5, 0.1, 0.3, 0.6];
    let mut rng = attnmech::rng::seeded(68, 0);
    let replicates = (0..reps).map(|r| {
        let membership = sample_membership(n, m, runs, 9_000 + r as u64).unwrap();
        let c: Vec<u8> = membership
            .iter()
            .enumerate()
            .map(|(idx, &inside)| {
                let rate = if inside == 1 { a[idx % n] } else { b[idx % n] };
                u8::from(rng.random::<f64>() < rate)
            })
            .collect();
        memorisation_estimate(&membership, &c, runs).unwrap()
    });
    let (pooled, ratios) = spread_against_se(replicates, |est, i| est.se()[i]);
    assert_eq!(ratios.len(), n, "every point has interior rates");
    assert!(
        within_se_bands(pooled, &ratios, "interior rates"),
        "{pooled} {ratios:?}"
    );
}

/// The input-loss curvature is Hutchinson's estimate of `‖H‖_F²`: for the quadratic loss
/// `½ xᵀAx` each probe gives `‖Av‖²` exactly (a linear gradient's difference quotient), whose
/// mean over Rademacher `v` is `‖A‖_F²`. With the non-diagonal `A = [[2, 1], [1, 3]]` the
/// probes give 25 (`v = ±(1, 1)`) or 5 (`v = ±(1, −1)`), mean 15, sd 10; at R = 4000 probes the
/// SE is 0.16 and the tolerance 4 SE = 0.63 (fixed seed). `proxies` uses a diagonal A, for which
/// every probe gives the same value, so it cannot tell random probes from a fixed direction.
/// Kills `proxies.rs: delete - in input_loss_curvature` (every probe `+h·(1, …, 1)`: 25).
#[test]
fn input_loss_curvature_is_hutchinsons_frobenius_estimate() {
    use attnmech::memorisation::input_loss_curvature;
    let grad = |x: &[f64]| vec![2.0 * x[0] + x[1], x[0] + 3.0 * x[1]];
    let v = input_loss_curvature(grad, &[0.3, -0.2], 1e-3, 4000, 5).unwrap();
    assert!((v - 15.0).abs() <= 0.63, "{v}");
}

/// The trajectory rule is symmetric: `t` is decreasing exactly when `−t` is increasing (and caps
/// map to neither), also when a step equals the slack exactly, where both rules are strict
/// (`every step > −δ` / `< δ`). Exactly representable values (quarters) make the boundary exact.
/// Kills `trajectory.rs: replace > with >= in classify_trajectory` (`step ≤ δ` in the decreasing
/// rule only: `[0, 0.25, −1]` at δ = 0.25 became decreasing while its mirror is not increasing).
#[test]
fn trajectory_rule_is_symmetric_under_negation_at_the_slack_boundary() {
    use attnmech::memorisation::{classify_trajectory, Shape};
    let delta = 0.25;
    let cases: [&[f64]; 6] = [
        &[0.0, -0.25, 1.0],
        &[0.0, 0.25, -1.0],
        &[0.0, -0.5, 1.0],
        &[0.0, 0.5, 1.0],
        &[1.0, 0.75, 0.5, 0.0],
        &[0.0, 0.25],
    ];
    for t in cases {
        let neg: Vec<f64> = t.iter().map(|x| -x).collect();
        let (s, m) = (
            classify_trajectory(t, delta).unwrap(),
            classify_trajectory(&neg, delta).unwrap(),
        );
        assert_eq!(
            s == Shape::Increasing,
            m == Shape::Decreasing,
            "{t:?}: {s:?} vs {m:?}"
        );
        assert_eq!(
            s == Shape::Decreasing,
            m == Shape::Increasing,
            "{t:?}: {s:?} vs {m:?}"
        );
    }
    assert_eq!(
        classify_trajectory(&[0.0, 0.25, -1.0], delta).unwrap(),
        Shape::Other
    );
}
