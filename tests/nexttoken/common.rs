//! Shared fixtures: the spec's worked instances and the authors' random setting.

use attnmech::nexttoken::dataset::{Dataset, Embeddings, Sample};
use attnmech::nexttoken::generators::{instance, EmbeddingKind, Sizes, Structure};
use attnmech::qp::Mat;

/// Shorthand for a sample.
pub fn s(tokens: &[usize], label: usize) -> Sample {
    Sample {
        tokens: tokens.to_vec(),
        label,
    }
}

/// HT1: E = I_3, ([0,1,2], y=0) ×2, ([0,1,2], y=1).
pub fn ht1() -> Dataset {
    Dataset::new(
        Embeddings::identity(3),
        &[s(&[0, 1, 2], 0), s(&[0, 1, 2], 0), s(&[0, 1, 2], 1)],
    )
    .unwrap()
}

/// HT3: E = I_4 chain ([0,1,3], 0), ([1,2,3], 1), ([2,3], 2).
pub fn ht3() -> Dataset {
    Dataset::new(
        Embeddings::identity(4),
        &[s(&[0, 1, 3], 0), s(&[1, 2, 3], 1), s(&[2, 3], 2)],
    )
    .unwrap()
}

/// HT6: d = 1, E = [1,2,3]^T, ([0,1,2], 0), ([1,0], 1): graph-SVM infeasible.
pub fn ht6() -> Dataset {
    let e = Mat::from_rows(&[vec![1.0], vec![2.0], vec![3.0]]).unwrap();
    Dataset::new(
        Embeddings::new(e).unwrap(),
        &[s(&[0, 1, 2], 0), s(&[1, 0], 1)],
    )
    .unwrap()
}

/// The authors' global-convergence setting (n, T, K, d) = (6, 4, 6, 8), random unit embeddings,
/// at least one cyclic SCC.
pub fn authors_cyclic(seed: u64) -> Dataset {
    let mut rng = attnmech::rng::seeded(seed, 0);
    instance(
        &mut rng,
        Sizes {
            n: 6,
            t: 4,
            k: 6,
            d: 8,
        },
        EmbeddingKind::RandomUnit,
        Structure::Cyclic,
    )
    .unwrap()
}

/// Max |a − b| entrywise.
pub fn max_abs_diff(a: &Mat, b: &Mat) -> f64 {
    a.data
        .iter()
        .zip(&b.data)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
}
