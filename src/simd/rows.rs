//! Generic row reductions over the crate's one SIMD dispatch (same bits at every level).

use super::dispatched;
use crate::float::Float;

/// f64 accumulator lanes: two AVX-512 (four AVX2) registers, so the adds of a row overlap.
const LANES: usize = 16;

/// Sum of a probability row and whether every entry is a probability.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct ProbabilityRow {
    /// `Σ x` in f64 (lanes in a fixed order, so the same bits at every level).
    pub sum: f64,
    /// `true` when every entry is finite and `≥ 0`.
    pub valid: bool,
}

#[inline(always)]
fn probability_row_body<T: Float>(row: &[T], out: &mut ProbabilityRow) {
    let (zero, hi) = (T::zero(), T::max_value());
    let mut acc = [0.0f64; LANES];
    let mut bad = [false; LANES];
    let mut chunks = row.chunks_exact(LANES);
    for c in &mut chunks {
        for k in 0..LANES {
            acc[k] += c[k].as_f64();
            // NaN fails both comparisons.
            bad[k] |= !(c[k] >= zero && c[k] <= hi);
        }
    }
    for (k, &x) in chunks.remainder().iter().enumerate() {
        acc[k] += x.as_f64();
        bad[k] |= !(x >= zero && x <= hi);
    }
    let mut sum = 0.0f64;
    let mut any_bad = false;
    for k in 0..LANES {
        sum += acc[k];
        any_bad |= bad[k];
    }
    *out = ProbabilityRow {
        sum,
        valid: !any_bad,
    };
}

dispatched!(
    /// See `probability_row_body`.
    fn probability_row_dispatched(row: &[T], out: &mut ProbabilityRow) => probability_row_body
);

/// [`ProbabilityRow`] of `row` at the crate's SIMD level ([`super::level`]).
pub(crate) fn probability_row<T: Float>(row: &[T]) -> ProbabilityRow {
    let mut out = ProbabilityRow::default();
    probability_row_dispatched(super::level(), row, &mut out);
    out
}

/// Every level this CPU runs, lowest first (for tests comparing the levels' bits).
#[cfg(test)]
pub(crate) fn available_levels() -> Vec<super::Level> {
    use super::{detect, Level};
    let best = detect();
    [Level::Scalar, Level::Avx2, Level::Avx512]
        .into_iter()
        .filter(|&l| match l {
            Level::Scalar => true,
            Level::Avx2 => best != Level::Scalar,
            Level::Avx512 => best == Level::Avx512,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::seeded;
    use rand::Rng;

    /// Claim: every level gives the same bits, and the sum matches a plain f64 sum to rounding.
    #[test]
    fn levels_agree_bitwise() {
        let mut rng = seeded(16, 1);
        let levels = available_levels();
        for &n in &[1usize, 15, 16, 17, 33, 1000] {
            let mut row: Vec<f32> = (0..n).map(|_| rng.random::<f32>()).collect();
            let plain: f64 = row.iter().map(|&x| x as f64).sum();
            let outs: Vec<ProbabilityRow> = levels
                .iter()
                .map(|&l| {
                    let mut o = ProbabilityRow::default();
                    probability_row_dispatched(l, &row, &mut o);
                    o
                })
                .collect();
            assert!(outs
                .iter()
                .all(|o| o.valid && o.sum.to_bits() == outs[0].sum.to_bits()));
            assert!((outs[0].sum - plain).abs() <= 1e-12 * plain);
            for bad in [-1e-30f32, f32::NAN, f32::INFINITY] {
                row[n / 2] = bad;
                for &l in &levels {
                    let mut o = ProbabilityRow::default();
                    probability_row_dispatched(l, &row, &mut o);
                    assert!(!o.valid, "{bad} at level {l:?}");
                }
            }
        }
    }
}
