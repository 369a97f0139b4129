//! Checks added by the mutation campaign (issue 13, `proofs-notes/MUTANTS.md`).

use attnmech::prompt_attention::data::MixtureConfig;
use attnmech::rng::seeded;

/// `MixtureConfig::sample_into` (one sample into a caller's buffer) draws the same law as
/// `sample`: from equal generator states both produce bit-identical inputs and labels, and over
/// 40 draws both labels occur. Kills `data.rs: replace MixtureConfig::sample_into -> Result<f64>
/// with Ok(-1.0)` (no other check called it).
#[test]
fn sample_into_draws_what_sample_draws() {
    let cfg = MixtureConfig::linpa_blind(0.1);
    let s = cfg.tokens * cfg.dim;
    let (mut a, mut b) = (seeded(11, 0), seeded(11, 0));
    let mut x = vec![0.0; s];
    let mut labels = Vec::new();
    for _ in 0..40 {
        let y = cfg.sample_into(&mut x, &mut a).unwrap();
        let ds = cfg.sample(1, &mut b).unwrap();
        assert_eq!(y.to_bits(), ds.y()[0].to_bits());
        assert!(x
            .iter()
            .zip(ds.x())
            .all(|(p, q)| p.to_bits() == q.to_bits()));
        labels.push(y);
    }
    assert!(labels.contains(&1.0) && labels.contains(&-1.0));
}
