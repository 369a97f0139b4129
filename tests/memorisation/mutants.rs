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
            let m = v.iter().sum::<f64>() / v.len() as f64;
            let sd = (v.iter().map(|t| (t - m).powi(2)).sum::<f64>() / (v.len() - 1) as f64).sqrt();
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
