//! Shared fixtures: the spec's worked instances and the authors' random setting.

use attnmech::nexttoken::dataset::{Dataset, Sample};
use attnmech::nexttoken::generators::torch_init;
use attnmech::nexttoken::model::GradientForm;
use attnmech::nexttoken::optim::{descend, Step};
use attnmech::qp::Mat;

/// Final iterate of `steps` stable-gradient descent steps from `w0`.
pub fn train(ds: &Dataset, w0: &Mat, step: Step, steps: usize) -> Mat {
    descend(ds, w0, step, GradientForm::Stable, steps, |_, _| {})
        .unwrap()
        .w
}

/// The torch-style initialisation for draw `seed`.
pub fn init(seed: u64, d: usize) -> Mat {
    torch_init(&mut attnmech::rng::seeded(seed, 2), d)
}

/// Shorthand for a sample.
pub fn s(tokens: &[usize], label: usize) -> Sample {
    Sample {
        tokens: tokens.to_vec(),
        label,
    }
}

pub use attnmech::nexttoken::worked::{ht1, ht3, ht6};

/// The authors' global-convergence setting (n, T, K, d) = (6, 4, 6, 8), random unit embeddings,
/// at least one cyclic SCC.
pub fn authors_cyclic(seed: u64) -> Dataset {
    let mut rng = attnmech::rng::seeded(seed, 0);
    attnmech::nexttoken::generators::authors_cyclic(&mut rng).unwrap()
}

/// Max |a − b| entrywise.
pub fn max_abs_diff(a: &Mat, b: &Mat) -> f64 {
    a.data()
        .iter()
        .zip(b.data())
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
}
