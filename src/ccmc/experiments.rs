//! Experiment drivers shared by the theorem checks and the report (all seeded).

use super::data::{mean_kl, sample_teacher, uniform_prompts};
use super::kernel::Wbar;
use super::mle::{fit, gauge_free_sq_error, MleOptions};
use super::sampling::Generator;
use crate::error::Result;
use crate::rng::seeded;

/// One teacher–student replicate's outcome.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TeacherStudentRun {
    /// Training prompts `n`.
    pub n: usize,
    /// Mean excess KL on the test prompts.
    pub excess_kl: f64,
    /// Gauge-free squared parameter error (centred columns over `V_j`).
    pub param_sq_error: f64,
}

/// Teacher–student replicates (spec A6): teacher `W̄⋆ ~ N(0, scale²)` drawn once from `seed`,
/// uniform prompts of length `len`, for each `n` in `ns` and replicate `r < reps` an independent
/// training set (stream `1000 + r·64 + index`), MLE with a `1e-9` ridge guard, excess KL on a common
/// test set of `test_size` prompts. Returns `runs[i][r]` for `ns[i]`.
pub fn teacher_student(
    vocab: usize,
    len: usize,
    scale: f64,
    ns: &[usize],
    reps: usize,
    test_size: usize,
    seed: u64,
) -> Result<Vec<Vec<TeacherStudentRun>>> {
    let teacher = Wbar::gaussian(vocab, scale, &mut seeded(seed, 0))?;
    let test = uniform_prompts(test_size, len, vocab, &mut seeded(seed, 1));
    let opts = MleOptions {
        ridge: 1e-9,
        ..Default::default()
    };
    ns.iter()
        .enumerate()
        .map(|(i, &n)| {
            (0..reps)
                .map(|r| {
                    let mut rng = seeded(seed, 1000 + (r as u64) * 64 + i as u64);
                    let data = sample_teacher(&teacher, n, len, &mut rng)?;
                    let f = fit(&data, &opts)?;
                    Ok(TeacherStudentRun {
                        n,
                        excess_kl: mean_kl(&teacher, &f.wbar, &test)?,
                        param_sq_error: gauge_free_sq_error(&f.wbar, &teacher, &f.support)?,
                    })
                })
                .collect()
        })
        .collect()
}

/// One growing-context trajectory: counts `m_k(t)` recorded at the given (increasing) step numbers.
pub fn count_history(
    wbar: &Wbar,
    prompt: &[usize],
    checkpoints: &[u64],
    seed: u64,
) -> Result<Vec<Vec<u64>>> {
    let mut g = Generator::new(wbar, prompt, None)?;
    let mut rng = seeded(seed, 7);
    let mut out = Vec::with_capacity(checkpoints.len());
    for &c in checkpoints {
        while g.steps() < c {
            g.step(&mut rng);
        }
        out.push(g.counts().to_vec());
    }
    Ok(out)
}

/// Least-squares slope of `y` on `x`.
pub fn ls_slope(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len() as f64;
    let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let sxy: f64 = x.iter().zip(y).map(|(a, b)| (a - mx) * (b - my)).sum();
    let sxx: f64 = x.iter().map(|a| (a - mx).powi(2)).sum();
    sxy / sxx
}

/// The spec's winner-takes-all instance (A8): `K = 5`, `W̄` diagonal 1, off-diagonal `U[−½, ½]`
/// (25 uniform draws from `rng`, row-major), so every token is self-dominant.
pub fn diag_dominant(rng: &mut impl rand::Rng) -> Result<Wbar> {
    let off: Vec<f64> = (0..25).map(|_| rng.random_range(-0.5..0.5)).collect();
    Wbar::from_fn(5, |k, j| if k == j { 1.0 } else { off[k * 5 + j] })
}

/// A7.4 protocol: trajectories (the spec: ≥ 8).
pub const A7_4_RUNS: usize = 8;
/// A7.4 protocol: growing-context steps per trajectory.
pub const A7_4_STEPS: u64 = 100_000;
/// A7.4: a trajectory has collapsed when its most frequent token holds at least this fraction.
pub const A7_4_MIN_FRACTION: f64 = 0.85;
/// A7.4: collapsed trajectories required out of [`A7_4_RUNS`].
pub const A7_4_MIN_COLLAPSED: usize = 7;

/// Spec A7.4 dynamics: `runs` growing-context trajectories of `steps` steps; trajectory `r` on its
/// own A8 instance and random prompt permutation (stream `seeded(seed, 0xA740 + r)`), generated
/// from stream `(seed ^ 0xA74, 7)` offset by `r`. Returns each trajectory's winner fraction
/// (the most frequent token's share of the context at the end).
pub fn winner_fractions(runs: usize, steps: u64, seed: u64) -> Result<Vec<f64>> {
    use rand::seq::SliceRandom;
    (0..runs as u64)
        .map(|r| {
            let mut rng = seeded(seed, 0xA740 + r);
            let wbar = diag_dominant(&mut rng)?;
            let mut prompt: Vec<usize> = (0..5).collect();
            prompt.shuffle(&mut rng);
            let h = count_history(&wbar, &prompt, &[steps], (seed ^ 0xA74) + r)?;
            let last = &h[0];
            let total: u64 = last.iter().sum();
            Ok(last.iter().copied().max().unwrap_or(0) as f64 / total.max(1) as f64)
        })
        .collect()
}

/// A7.4's bound: the number of trajectories with winner fraction ≥ [`A7_4_MIN_FRACTION`], and
/// whether it reaches [`A7_4_MIN_COLLAPSED`].
pub fn a7_4_verdict(fractions: &[f64]) -> (usize, bool) {
    let collapsed = fractions
        .iter()
        .filter(|&&f| f >= A7_4_MIN_FRACTION)
        .count();
    (collapsed, collapsed >= A7_4_MIN_COLLAPSED)
}
