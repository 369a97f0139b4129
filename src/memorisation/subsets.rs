//! Uniform random training subsets as a membership matrix.

use crate::error::{Error, Result};
use crate::rng::seeded;
use rand::Rng;

/// `runs` subsets of size `m` drawn uniformly without replacement from `0..n`, as a 0/1
/// membership matrix `[runs, n]` row-major. Run `k` uses its own stream of `seed`, so runs are
/// reproducible one by one.
pub fn sample_membership(n: usize, m: usize, runs: usize, seed: u64) -> Result<Vec<u8>> {
    if m == 0 || m > n {
        return Err(Error::InvalidArgument {
            what: "m",
            reason: format!("need 1 <= m <= n = {n}, got {m}"),
        });
    }
    let mut out = vec![0u8; crate::error::checked_elems("membership: runs·n", &[runs, n])?];
    let mut perm: Vec<usize> = (0..n).collect();
    for (k, row) in out.chunks_exact_mut(n).enumerate() {
        let mut rng = seeded(seed, 1_000_000 + k as u64);
        // Partial Fisher-Yates: the first m slots are a uniform m-subset.
        for a in 0..m {
            let b = rng.random_range(a..n);
            perm.swap(a, b);
        }
        for &i in &perm[..m] {
            row[i] = 1;
        }
    }
    Ok(out)
}

/// Subset size `⌊r n⌋` of the official code (ratio `r = 0.7`).
pub fn subset_size(n: usize, ratio: f64) -> usize {
    (ratio * n as f64).floor() as usize
}
