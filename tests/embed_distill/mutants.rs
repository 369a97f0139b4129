//! Checks added by the mutation campaign (issue 13, `proofs-notes/MUTANTS.md`).

use attnmech::embed_distill::scoring::DualPoolingCrossEncoder;

/// `DualPoolingCrossEncoder::random` documents weights `N(0, 1/k)`. At k = 64 the 3·4096
/// projection entries have sample standard deviation 1/8 within 5% (the standard error of a
/// sample SD over 12288 normal draws is 0.64%, so 5% is about 8 SE) and mean within 4 SE of 0.
/// Kills `scoring.rs: replace * with / in DualPoolingCrossEncoder::random` (`s / z`, a
/// heavy-tailed law), which no ED claim sees because they hold for any weights.
#[test]
fn random_cross_encoder_weights_have_the_documented_scale() {
    let k = 64;
    let enc = DualPoolingCrossEncoder::random(k, 3).unwrap();
    let (q, kk, v) = enc.projections();
    let mut xs = Vec::new();
    for m in [q, kk, v] {
        for i in 0..k {
            for j in 0..k {
                xs.push(m[(i, j)]);
            }
        }
    }
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let sd = (xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
    let target = 1.0 / (k as f64).sqrt();
    assert!((sd / target - 1.0).abs() <= 0.05, "sd {sd} vs {target}");
    assert!(mean.abs() <= 4.0 * target / n.sqrt(), "mean {mean}");
}
