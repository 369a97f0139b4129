//! Feldman's memorisation score and its subsampling estimators (Feldman & Zhang 2020; the
//! official `mnist_infl_mem.py` conventions).
//!
//! Inputs are `[K, n]` row-major matrices over `K` runs: membership `M_ki = 1{i ∈ S_k}` and
//! correctness `C_ki = 1{h_k(x_i) = y_i}` (bytes 0/1) or soft correctness `p_k(y_i | x_i)`.
//!
//! `mem̂_i = Σ_k C_ki M_ki / max(Σ_k M_ki, 1e-10) - Σ_k C_ki (1-M_ki) / max(Σ_k (1-M_ki), 1e-10)`,
//! `SE_i = sqrt(p_in(1-p_in)/K_in + p_out(1-p_out)/K_out)`.
//! The estimator targets the size-`m` version of `mem` (`m = |S_k|`), not the size-`n` one.

use crate::error::{check_finite, check_len, check_nonempty, Error, Result};
use crate::linalg::gemm_into_unchecked as gemm_into;
use faer::Mat;
use rayon::prelude::*;

/// The floor the official code puts under run counts, so an example that is never (or always)
/// held out gives a 0 mean rather than a division by zero.
pub const COUNT_FLOOR: f64 = 1e-10;

/// Columns per parallel task: long contiguous row segments for the prefetcher, while the
/// chunk's u16 counters (6 bytes per column) stay in L2.
const COLUMN_CHUNK: usize = 16384;

/// Per-example memorisation estimates. The fields are private: six vectors of one length, `mem̂`
/// in `[−1, 1]`, `p_in`, `p_out` in `[0, 1]` and `se ≥ 0` (or `+∞`) by construction (the
/// estimators, [`MemEstimate::new`]), so the consumers ([`point_tolerance`]) can index them.
///
/// [`point_tolerance`]: crate::memorisation::experiments::point_tolerance
#[derive(Clone, Debug, PartialEq)]
pub struct MemEstimate {
    mem: Vec<f64>,
    se: Vec<f64>,
    p_in: Vec<f64>,
    p_out: Vec<f64>,
    k_in: Vec<u32>,
    k_out: Vec<u32>,
}

impl MemEstimate {
    /// An estimate from its parts (all of length `n`).
    ///
    /// # Errors
    /// `ShapeMismatch` for a length other than `mem.len()`; `NonFinite` for a NaN or infinite
    /// `mem`, `p_in` or `p_out`; `InvalidArgument` for `mem` outside `[−1, 1]`, a probability
    /// outside `[0, 1]` or a NaN or negative `se`.
    pub fn new(
        mem: Vec<f64>,
        se: Vec<f64>,
        p_in: Vec<f64>,
        p_out: Vec<f64>,
        k_in: Vec<u32>,
        k_out: Vec<u32>,
    ) -> Result<Self> {
        let n = mem.len();
        for (what, len) in [
            ("se", se.len()),
            ("p_in", p_in.len()),
            ("p_out", p_out.len()),
            ("k_in", k_in.len()),
            ("k_out", k_out.len()),
        ] {
            check_len(what, n, len)?;
        }
        for (what, xs, lo) in [
            ("mem", &mem, -1.0),
            ("p_in", &p_in, 0.0),
            ("p_out", &p_out, 0.0),
        ] {
            check_finite(what, xs)?;
            if let Some(i) = xs.iter().position(|x| !(lo..=1.0).contains(x)) {
                return Err(Error::InvalidArgument {
                    what,
                    reason: format!("entry {i} is {} (outside [{lo}, 1])", xs[i]),
                });
            }
        }
        if let Some(i) = se.iter().position(|x| x.is_nan() || *x < 0.0) {
            return Err(Error::InvalidArgument {
                what: "se",
                reason: format!("entry {i} is {} (must be ≥ 0 or +∞)", se[i]),
            });
        }
        Ok(MemEstimate {
            mem,
            se,
            p_in,
            p_out,
            k_in,
            k_out,
        })
    }
    /// `mem̂_i = p_in − p_out`.
    pub fn mem(&self) -> &[f64] {
        &self.mem
    }
    /// Standard error `sqrt(p_in(1-p_in)/K_in + p_out(1-p_out)/K_out)` (`+∞` if either count is 0).
    pub fn se(&self) -> &[f64] {
        &self.se
    }
    /// Mean correctness over runs that trained on `i`.
    pub fn p_in(&self) -> &[f64] {
        &self.p_in
    }
    /// Mean correctness over runs that held `i` out (the C-score-style hold-out proxy).
    pub fn p_out(&self) -> &[f64] {
        &self.p_out
    }
    /// Runs that trained on `i`.
    pub fn k_in(&self) -> &[u32] {
        &self.k_in
    }
    /// Runs that held `i` out.
    pub fn k_out(&self) -> &[u32] {
        &self.k_out
    }
}

fn check_shapes(runs: usize, membership_len: usize, other_len: usize) -> Result<usize> {
    if runs == 0 {
        return Err(Error::Empty { what: "runs" });
    }
    check_len(
        "membership",
        runs * (membership_len / runs).max(1),
        membership_len,
    )?;
    check_len("correctness", membership_len, other_len)?;
    Ok(membership_len / runs)
}

/// Hard-label estimator from 0/1 byte matrices `membership`, `correctness` `[runs, n]`.
///
/// Counts are exact integers; columns are processed in parallel chunks, so the result does not
/// depend on the thread count. Errors: shapes, entries other than 0/1.
pub fn memorisation_estimate(
    membership: &[u8],
    correctness: &[u8],
    runs: usize,
) -> Result<MemEstimate> {
    check_nonempty("membership", membership)?;
    let n = check_shapes(runs, membership.len(), correctness.len())?;
    let mut k_in = vec![0u32; n];
    let mut in_sum = vec![0u32; n];
    let mut all_sum = vec![0u32; n];
    let bad = k_in
        .par_chunks_mut(COLUMN_CHUNK)
        .zip(in_sum.par_chunks_mut(COLUMN_CHUNK))
        .zip(all_sum.par_chunks_mut(COLUMN_CHUNK))
        .enumerate()
        .map(|(chunk, ((kin, ins), alls))| {
            let j0 = chunk * COLUMN_CHUNK;
            let w = kin.len();
            let mut or = 0u8;
            // u16 partial counts (twice the SIMD lanes of u32), flushed every u16::MAX runs.
            let (mut k16, mut i16s, mut a16) = (vec![0u16; w], vec![0u16; w], vec![0u16; w]);
            for r0 in (0..runs).step_by(u16::MAX as usize) {
                for r in r0..runs.min(r0 + u16::MAX as usize) {
                    let m = &membership[r * n + j0..r * n + j0 + w];
                    let c = &correctness[r * n + j0..r * n + j0 + w];
                    or |= count_row(m, c, &mut k16, &mut i16s, &mut a16);
                }
                for j in 0..w {
                    kin[j] += std::mem::take(&mut k16[j]) as u32;
                    ins[j] += std::mem::take(&mut i16s[j]) as u32;
                    alls[j] += std::mem::take(&mut a16[j]) as u32;
                }
            }
            or
        })
        .reduce(|| 0, |a, b| a | b);
    if bad > 1 {
        return Err(Error::InvalidArgument {
            what: "membership/correctness",
            reason: "entries must be 0 or 1".into(),
        });
    }
    let in_f: Vec<f64> = in_sum.iter().map(|&x| x as f64).collect();
    let all_f: Vec<f64> = all_sum.iter().map(|&x| x as f64).collect();
    Ok(finish(runs, k_in, &in_f, &all_f))
}

/// Soft estimator: `correctness` holds `p_k(y_i | x_i) ∈ [0, 1]`, `[runs, n]`.
pub fn memorisation_estimate_soft(
    membership: &[u8],
    correctness: &[f64],
    runs: usize,
) -> Result<MemEstimate> {
    check_nonempty("membership", membership)?;
    let n = check_shapes(runs, membership.len(), correctness.len())?;
    if let Some(index) = correctness.iter().position(|p| !(0.0..=1.0).contains(p)) {
        return Err(Error::InvalidArgument {
            what: "correctness",
            reason: format!("probability at flat index {index} is not in [0, 1]"),
        });
    }
    if membership.iter().any(|&m| m > 1) {
        return Err(Error::InvalidArgument {
            what: "membership",
            reason: "entries must be 0 or 1".into(),
        });
    }
    let mut k_in = vec![0u32; n];
    let mut in_sum = vec![0.0f64; n];
    let mut all_sum = vec![0.0f64; n];
    for r in 0..runs {
        let m = &membership[r * n..(r + 1) * n];
        let c = &correctness[r * n..(r + 1) * n];
        for j in 0..n {
            k_in[j] += m[j] as u32;
            in_sum[j] += m[j] as f64 * c[j];
            all_sum[j] += c[j];
        }
    }
    Ok(finish(runs, k_in, &in_sum, &all_sum))
}

/// Adds one run's membership, in-and-correct and correct flags to the column counters; returns
/// the OR of all entries (anything above 1 marks invalid input). Re-slicing every operand to the
/// same length lets the compiler drop the bounds checks and vectorise.
#[inline(never)]
fn count_row(m: &[u8], c: &[u8], k_in: &mut [u16], in_sum: &mut [u16], all_sum: &mut [u16]) -> u8 {
    let w = m.len();
    let (c, k_in, in_sum, all_sum) = (&c[..w], &mut k_in[..w], &mut in_sum[..w], &mut all_sum[..w]);
    let mut or = 0u8;
    for j in 0..w {
        let (mv, cv) = (m[j], c[j]);
        k_in[j] = k_in[j].wrapping_add(mv as u16);
        in_sum[j] = in_sum[j].wrapping_add((mv & cv) as u16);
        all_sum[j] = all_sum[j].wrapping_add(cv as u16);
        or |= mv | cv;
    }
    or
}

fn finish(runs: usize, k_in: Vec<u32>, in_sum: &[f64], all_sum: &[f64]) -> MemEstimate {
    let n = k_in.len();
    let k_out: Vec<u32> = k_in.iter().map(|&k| runs as u32 - k).collect();
    let mut est = MemEstimate {
        mem: Vec::with_capacity(n),
        se: Vec::with_capacity(n),
        p_in: Vec::with_capacity(n),
        p_out: Vec::with_capacity(n),
        k_in,
        k_out,
    };
    for j in 0..n {
        let (ki, ko) = (est.k_in[j] as f64, est.k_out[j] as f64);
        let p_in = in_sum[j] / ki.max(COUNT_FLOOR);
        let p_out = (all_sum[j] - in_sum[j]) / ko.max(COUNT_FLOOR);
        let var = p_in * (1.0 - p_in) / ki + p_out * (1.0 - p_out) / ko;
        est.mem.push(p_in - p_out);
        est.se.push(if ki > 0.0 && ko > 0.0 {
            var.max(0.0).sqrt()
        } else {
            f64::INFINITY
        });
        est.p_in.push(p_in);
        est.p_out.push(p_out);
    }
    est
}

/// Influence estimates `infl̂_{ij} = avg_{k: i ∈ S_k} C^test_kj - avg_{k: i ∉ S_k} C^test_kj`,
/// row-major `[n, t]`, from `membership` `[runs, n]` and test correctness `[runs, t]` (0/1).
///
/// Both masked sums are one GEMM each: `Mᵀ C` and `(1 - M)ᵀ C = 1ᵀC - MᵀC`.
pub fn influence_estimate(
    membership: &[u8],
    test_correctness: &[u8],
    runs: usize,
) -> Result<Vec<f64>> {
    check_nonempty("membership", membership)?;
    check_nonempty("test_correctness", test_correctness)?;
    let n = check_shapes(runs, membership.len(), membership.len())?;
    let t = test_correctness.len() / runs;
    check_len("test_correctness", runs * t, test_correctness.len())?;
    if membership.iter().chain(test_correctness).any(|&v| v > 1) {
        return Err(Error::InvalidArgument {
            what: "membership/test_correctness",
            reason: "entries must be 0 or 1".into(),
        });
    }
    let m = Mat::<f64>::from_fn(runs, n, |r, i| membership[r * n + i] as f64);
    let c = Mat::<f64>::from_fn(runs, t, |r, j| test_correctness[r * t + j] as f64);
    let mut in_sum = Mat::<f64>::zeros(n, t);
    gemm_into(in_sum.as_mut(), m.transpose(), c.as_ref(), 1.0, false);
    let col_sum: Vec<f64> = (0..t).map(|j| (0..runs).map(|r| c[(r, j)]).sum()).collect();
    let mut out = Vec::with_capacity(n * t);
    for i in 0..n {
        let k_in: f64 = (0..runs).map(|r| m[(r, i)]).sum();
        let k_out = runs as f64 - k_in;
        for (j, &cs) in col_sum.iter().enumerate() {
            let s_in = in_sum[(i, j)];
            out.push(s_in / k_in.max(COUNT_FLOOR) - (cs - s_in) / k_out.max(COUNT_FLOOR));
        }
    }
    Ok(out)
}
