//! The MM6 and MM8 experiments on the random-feature mixture toy (spec 2(c)) and their bounds,
//! shared by the theorem checks (`tests/memorisation/toy.rs`) and the report (claims
//! `memorisation.MM6`, `memorisation.MM8` in [`crate::claims`]).

use super::estimator::MemEstimate;
use super::subsets::{sample_membership, subset_size};
use super::toy::{distillation_experiment, size_sweep, MixtureToy};
use super::trajectory::{shape_counts, Shape, DEFAULT_SLACK};
use crate::error::Result;

/// Toy protocol (spec 2(c)): subsampling runs `K` of the test and the `--quick` report.
pub const TOY_RUNS_QUICK: usize = 200;
/// Toy protocol: runs of the full report (a tighter estimate of the same quantities).
pub const TOY_RUNS_FULL: usize = 1000;
/// Toy protocol: random-feature widths `p`.
pub const TOY_WIDTHS: [usize; 5] = [10, 30, 100, 300, 1000];
/// Toy protocol: the ridge of the width sweep (min-norm least squares).
pub const TOY_RIDGE: f64 = 1e-6;
/// MM8 protocol: student width.
pub const MM8_STUDENT_WIDTH: usize = 100;
/// MM8 protocol: the regularised teacher (width, ridge).
pub const MM8_TEACHER: (usize, f64) = (1000, 1.0);
/// MM8 negative control: the teacher that interpolates the noisy labels (width, ridge).
pub const MM8_INTERPOLATING_TEACHER: (usize, f64) = (1000, 1e-6);

/// The toy (n = 200, d = 10, C = 3, 10% flipped; stream `seed`) and its `runs` training subsets
/// of size `round(0.7 n)` (stream `seed ^ 0x746f79`).
pub fn toy_setup(runs: usize, seed: u64) -> Result<(MixtureToy, Vec<u8>)> {
    let toy = MixtureToy::new(200, 10, 3, 0.1, seed);
    let membership = sample_membership(toy.n, subset_size(toy.n, 0.7), runs, seed ^ 0x746f79)?;
    Ok((toy, membership))
}

/// MM6: a shape class counts when it holds at least this share of the examples (spec).
pub const MM6_MIN_SHARE: f64 = 0.05;
/// MM6: shape classes that must count (spec: "≥ 2 shape classes each hold ≥ 5%").
pub const MM6_MIN_CLASSES: usize = 2;

/// What MM6 measured (MM7 reads the same sweep).
#[derive(Clone, Debug)]
pub struct Mm6Outcome {
    /// Examples.
    pub n: usize,
    /// The estimate at each width of [`TOY_WIDTHS`].
    pub estimates: Vec<MemEstimate>,
    /// Each example's trajectory shape (slack [`DEFAULT_SLACK`]).
    pub shapes: Vec<Shape>,
    /// Examples per shape, in [`Shape::ALL`] order.
    pub counts: [usize; 4],
    /// `(width, mean mem)`.
    pub means: Vec<(f64, f64)>,
}

/// MM6: memorisation of every example at each width (stream `seed` for the features) and the
/// trajectory shapes.
pub fn mm6_trajectories(
    toy: &MixtureToy,
    membership: &[u8],
    runs: usize,
    seed: u64,
) -> Result<Mm6Outcome> {
    let estimates = size_sweep(toy, &TOY_WIDTHS, membership, runs, TOY_RIDGE, seed)?;
    let mems: Vec<Vec<f64>> = estimates.iter().map(|e| e.mem().to_vec()).collect();
    let (shapes, counts) = shape_counts(&mems, DEFAULT_SLACK)?;
    let means = TOY_WIDTHS
        .iter()
        .zip(&mems)
        .map(|(&p, v)| (p as f64, v.iter().sum::<f64>() / v.len().max(1) as f64))
        .collect();
    Ok(Mm6Outcome {
        n: toy.n,
        estimates,
        shapes,
        counts,
        means,
    })
}

/// MM6's bound: the number of shape classes holding ≥ [`MM6_MIN_SHARE`] of the examples, and
/// whether it reaches [`MM6_MIN_CLASSES`].
pub fn mm6_verdict(o: &Mm6Outcome) -> (usize, bool) {
    let big = o
        .counts
        .iter()
        .filter(|&&c| c as f64 >= MM6_MIN_SHARE * o.n as f64)
        .count();
    (big, big >= MM6_MIN_CLASSES)
}

/// What MM8 measured: mean memorisation of the one-hot and the distilled student.
#[derive(Clone, Copy, Debug, serde::Serialize)]
pub struct Mm8Outcome {
    /// Teacher's agreement with the given labels (spec 0.91).
    pub teacher_agreement: f64,
    /// Mean mem, one-hot student (spec 0.326).
    pub one_hot: f64,
    /// Mean mem, distilled student (spec 0.051).
    pub distilled: f64,
    /// Mean mem over flipped-label examples, one-hot student (spec 0.77).
    pub noisy_one_hot: f64,
    /// The same, distilled (spec 0.00).
    pub noisy_distilled: f64,
    /// Mean mem over clean examples, one-hot student (spec 0.28).
    pub clean_one_hot: f64,
    /// The same, distilled (spec 0.06).
    pub clean_distilled: f64,
}

impl Mm8Outcome {
    /// Drop on flipped-label examples minus drop on clean ones.
    pub fn noisy_minus_clean_drop(&self) -> f64 {
        (self.noisy_one_hot - self.noisy_distilled) - (self.clean_one_hot - self.clean_distilled)
    }
}

/// MM8: students of width [`MM8_STUDENT_WIDTH`] trained on the one-hot labels and distilled from
/// `teacher` (width, ridge) — [`MM8_TEACHER`] for the claim, [`MM8_INTERPOLATING_TEACHER`] for
/// the negative control.
pub fn mm8_distillation(
    toy: &MixtureToy,
    membership: &[u8],
    runs: usize,
    teacher: (usize, f64),
    seed: u64,
) -> Result<Mm8Outcome> {
    let (hard, soft, teacher_agreement) =
        distillation_experiment(toy, membership, runs, MM8_STUDENT_WIDTH, teacher, seed)?;
    let mean = |v: &[f64], f: Option<bool>| {
        let (s, c) = (0..toy.n)
            .filter(|&i| f.is_none_or(|f| toy.flipped[i] == f))
            .fold((0.0, 0usize), |(s, c), i| (s + v[i], c + 1));
        s / c.max(1) as f64
    };
    let (h, s) = (hard.mem(), soft.mem());
    Ok(Mm8Outcome {
        teacher_agreement,
        one_hot: mean(h, None),
        distilled: mean(s, None),
        noisy_one_hot: mean(h, Some(true)),
        noisy_distilled: mean(s, Some(true)),
        clean_one_hot: mean(h, Some(false)),
        clean_distilled: mean(s, Some(false)),
    })
}

/// MM8's bound, part by part (the spec's two assertions).
#[derive(Clone, Copy, Debug, serde::Serialize)]
pub struct Mm8Verdict {
    /// Mean mem of the distilled student < that of the one-hot student.
    pub lowers: bool,
    /// The drop on flipped-label examples exceeds the drop on clean ones.
    pub more_on_noisy: bool,
}

impl Mm8Verdict {
    /// Both parts hold.
    pub fn holds(&self) -> bool {
        self.lowers && self.more_on_noisy
    }
}

/// MM8's bound (strict inequalities, as the spec states them; NaN fails).
pub fn mm8_verdict(o: &Mm8Outcome) -> Mm8Verdict {
    Mm8Verdict {
        lowers: o.distilled < o.one_hot,
        more_on_noisy: o.noisy_minus_clean_drop() > 0.0,
    }
}

/// MM8 negative control (spec caveat): a teacher that interpolates the noisy labels passes them
/// on, so the distilled student keeps memorising the flipped examples: their mean mem stays above
/// this (one-hot level ≈ 0.7, regularised teacher ≈ 0).
pub const MM8_NEGATIVE_MIN_NOISY: f64 = 0.5;
