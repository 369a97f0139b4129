//! Exact k-nearest-neighbour search: the [`NeighbourIndex`] trait, a blocked-GEMM brute force
//! ([`BruteForce`]) and the plain f64 oracle ([`knn_reference`]).
//!
//! Distances are Euclidean. The brute force forms `‖q - r‖² = ‖q‖² + ‖r‖² - 2 q·r` for a block of
//! queries against a block of reference points with one faer GEMM, then keeps each query's `k`
//! best candidates in a buffer that is cut back with `select_nth_unstable` whenever it holds `2k`
//! entries, so no row is ever sorted whole. The `k` survivors get their distances recomputed
//! directly in f64 (the GEMM form loses digits by cancellation for near neighbours, and a point
//! must be at distance exactly 0 from itself for ResMem's memorisation identity) and are sorted.
//! Ties are broken by the lower reference index throughout.
//!
//! Parallelism: the work is split into (query block, reference slice) tasks, so even one query
//! block uses every thread. The slices are fixed (4 reference blocks each, independent of the
//! thread count), each task keeps its `k` best by (key, index), and the per-query union of the
//! slices' candidates is cut to `k` by the same total order: the result is that of one sequential
//! scan, bit for bit, for any number of threads.

use crate::error::{check_finite, check_len, check_nonempty, Error, Result};
use crate::float::Float;
use faer::{MatMut, MatRef};
use rayon::prelude::*;
use std::cmp::Ordering;

/// The `k` nearest reference points of each query, nearest first. The fields are private:
/// `k ≥ 1`, two `[n_queries, k]` buffers and finite, non-negative, per-row ascending distances by
/// construction ([`Neighbours::new`], which an external [`NeighbourIndex`] uses too).
#[derive(Clone, Debug, PartialEq)]
pub struct Neighbours {
    k: usize,
    indices: Vec<usize>,
    sq_dists: Vec<f64>,
}

impl Neighbours {
    /// Neighbours from row-major `[n_queries, k]` reference indices and squared distances.
    ///
    /// # Errors
    /// `InvalidArgument` for `k = 0` or a row whose distances are not ascending;
    /// `ShapeMismatch` when the buffers differ in length or are not a multiple of `k`;
    /// `NonFinite` for a NaN or infinite distance, `InvalidArgument` for a negative one.
    pub fn new(k: usize, indices: Vec<usize>, sq_dists: Vec<f64>) -> Result<Self> {
        if k == 0 {
            return Err(Error::InvalidArgument {
                what: "k",
                reason: "need at least one neighbour per query".into(),
            });
        }
        check_len("sq_dists", indices.len(), sq_dists.len())?;
        if !indices.len().is_multiple_of(k) {
            return Err(Error::ShapeMismatch {
                what: "indices (a multiple of k)",
                expected: indices.len().div_ceil(k) * k,
                got: indices.len(),
            });
        }
        check_finite("sq_dists", &sq_dists)?;
        for (q, row) in sq_dists.chunks_exact(k).enumerate() {
            if row[0] < 0.0 || row.windows(2).any(|w| w[1] < w[0]) {
                return Err(Error::InvalidArgument {
                    what: "sq_dists",
                    reason: format!("row {q} is not non-negative and ascending"),
                });
            }
        }
        Ok(Neighbours {
            k,
            indices,
            sq_dists,
        })
    }
    /// Neighbours per query.
    pub fn k(&self) -> usize {
        self.k
    }
    /// Reference indices, row-major `[n_queries, k]`, ascending distance, ties by lower index.
    pub fn indices(&self) -> &[usize] {
        &self.indices
    }
    /// Squared Euclidean distances `[n_queries, k]`, computed directly in f64.
    pub fn sq_dists(&self) -> &[f64] {
        &self.sq_dists
    }
    /// Number of queries.
    pub fn n_queries(&self) -> usize {
        self.indices.len().checked_div(self.k).unwrap_or(0)
    }
    /// Indices of query `q`'s neighbours.
    pub fn row(&self, q: usize) -> &[usize] {
        &self.indices[q * self.k..(q + 1) * self.k]
    }
    /// Squared distances of query `q`'s neighbours.
    pub fn row_sq_dists(&self, q: usize) -> &[f64] {
        &self.sq_dists[q * self.k..(q + 1) * self.k]
    }
}

/// An exact or approximate nearest-neighbour index over `n` reference points in `R^d`.
///
/// ResMem only needs this trait, so a KD-tree, a ball tree or an approximate index can replace
/// [`BruteForce`] without touching the predictor.
pub trait NeighbourIndex<T: Float>: Sync {
    /// Number of reference points `n`.
    fn len(&self) -> usize;
    /// Whether the index holds no points.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Dimension `d` of the points.
    fn dim(&self) -> usize;
    /// The reference point `i` (length `d`).
    fn point(&self, i: usize) -> &[T];
    /// The `k` nearest reference points of each query row (`queries` row-major `[n_queries, d]`).
    ///
    /// Errors: `k = 0` or `k > n`, a length that is not a multiple of `d`, non-finite queries.
    fn search(&self, queries: &[T], k: usize) -> Result<Neighbours>;
}

/// Block sizes of the brute-force search.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KnnParams {
    /// Queries per GEMM block.
    pub query_block: usize,
    /// Reference points per GEMM block.
    pub reference_block: usize,
}

impl Default for KnnParams {
    fn default() -> Self {
        KnnParams {
            query_block: 256,
            reference_block: 1024,
        }
    }
}

/// Exact brute-force search by blocked GEMMs.
///
/// Holds the reference points row-major `[n, d]` and their squared norms. Cost per query:
/// `2 n d` flops in the GEMM plus `O(n)` comparisons in the selection.
#[derive(Clone, Debug)]
pub struct BruteForce<T> {
    points: Vec<T>,
    sq_norms: Vec<T>,
    n: usize,
    d: usize,
    params: KnnParams,
}

impl<T: Float> BruteForce<T> {
    /// Indexes `points`, row-major `[n, d]`, with the default block sizes.
    pub fn new(points: Vec<T>, d: usize) -> Result<Self> {
        Self::with_params(points, d, KnnParams::default())
    }

    /// Indexes `points` with explicit block sizes (both must be positive).
    pub fn with_params(points: Vec<T>, d: usize, params: KnnParams) -> Result<Self> {
        if d == 0 {
            return Err(Error::InvalidArgument {
                what: "d",
                reason: "dimension must be positive".into(),
            });
        }
        if params.query_block == 0 || params.reference_block == 0 {
            return Err(Error::InvalidArgument {
                what: "params",
                reason: "block sizes must be positive".into(),
            });
        }
        check_nonempty("points", &points)?;
        check_len("points", points.len().div_ceil(d) * d, points.len())?;
        check_finite("points", &points)?;
        let n = points.len() / d;
        let sq_norms: Vec<T> = points
            .chunks_exact(d)
            .map(|r| r.iter().fold(T::of(0.0), |a, &x| a + x * x))
            .collect();
        check_key_range("points", &sq_norms)?;
        Ok(BruteForce {
            points,
            sq_norms,
            n,
            d,
            params,
        })
    }
}

impl<T: Float> NeighbourIndex<T> for BruteForce<T> {
    fn len(&self) -> usize {
        self.n
    }
    fn dim(&self) -> usize {
        self.d
    }
    fn point(&self, i: usize) -> &[T] {
        &self.points[i * self.d..(i + 1) * self.d]
    }

    fn search(&self, queries: &[T], k: usize) -> Result<Neighbours> {
        let (d, n) = (self.d, self.n);
        let n_queries = check_search_args(queries, d, n, k)?;
        let qb = self.params.query_block;
        let rb = self.params.reference_block.min(n);
        // Tasks are (query block, reference slice) pairs, so a batch of one query block still
        // spreads over every thread. The slices are a fixed multiple of the reference block (the
        // GEMM shapes, hence the keys, are those of a single-task search) and do not depend on the
        // thread count; each task keeps its own `k` best by (key, index), and the union of those
        // holds the global `k` best under that total order.
        let slice = rb * REFERENCE_BLOCKS_PER_TASK;
        let n_slices = n.div_ceil(slice);
        let n_qblocks = n_queries.div_ceil(qb);
        let partial: Vec<Vec<TopK<T>>> = (0..n_qblocks * n_slices)
            .into_par_iter()
            .map(|task| {
                let (b, s) = (task / n_slices, task % n_slices);
                let q_block = &queries[b * qb * d..((b + 1) * qb).min(n_queries) * d];
                let r0 = s * slice;
                self.scan_block(q_block, k, r0, (r0 + slice).min(n), rb)
            })
            .collect();
        let mut indices = vec![0usize; n_queries * k];
        let mut sq_dists = vec![0.0f64; n_queries * k];
        partial
            .par_chunks(n_slices)
            .zip(queries.par_chunks(qb * d))
            .zip(indices.par_chunks_mut(qb * k))
            .zip(sq_dists.par_chunks_mut(qb * k))
            .for_each(|(((tops, q_block), idx_out), dist_out)| {
                self.finish_block(tops, q_block, k, idx_out, dist_out);
            });
        // Finite points near the type's maximum overflow ‖q − x‖²; the order is then undefined.
        check_finite(
            "k-NN squared distances (overflow from finite points)",
            &sq_dists,
        )?;
        Ok(Neighbours {
            k,
            indices,
            sq_dists,
        })
    }
}

/// Reference blocks per parallel task: 4 × 1024 points at the defaults, so n = 100k gives 25
/// tasks per query block (2 threads: 13 against 12).
const REFERENCE_BLOCKS_PER_TASK: usize = 4;

impl<T: Float> BruteForce<T> {
    /// One query block against the reference points `r_begin..r_end` in blocks of `rb`: each
    /// query's `k` best candidates by key `‖r‖² − 2 q·r`, ties by lower index.
    fn scan_block(
        &self,
        q_block: &[T],
        k: usize,
        r_begin: usize,
        r_end: usize,
        rb: usize,
    ) -> Vec<TopK<T>> {
        let d = self.d;
        let bq = q_block.len() / d;
        let mut tops: Vec<TopK<T>> = (0..bq).map(|_| TopK::new(k)).collect();
        let mut gram = vec![T::of(0.0); bq * rb];
        let lhs = MatRef::from_row_major_slice(q_block, bq, d);
        for r0 in (r_begin..r_end).step_by(rb) {
            let br = rb.min(r_end - r0);
            let rhs = MatRef::from_row_major_slice(&self.points[r0 * d..(r0 + br) * d], br, d);
            let g = &mut gram[..bq * br];
            // G = Q R^T, the only O(n d) work per query.
            gemm(
                MatMut::from_row_major_slice_mut(g, bq, br),
                lhs,
                rhs.transpose(),
            );
            let r_norms = &self.sq_norms[r0..r0 + br];
            for (row, top) in g.chunks_exact_mut(br).zip(tops.iter_mut()) {
                // ‖q‖² is constant along the row, so rank by ‖r‖² - 2 q·r: one vectorised pass,
                // then a scan whose push branch is rarely taken once the threshold has settled.
                for (v, &rn) in row.iter_mut().zip(r_norms) {
                    *v = rn - (*v + *v);
                }
                let mut threshold = top.threshold;
                for (j, &v) in row.iter().enumerate() {
                    if v < threshold {
                        threshold = top.push(v, (r0 + j) as u32);
                    }
                }
            }
        }
        tops
    }

    /// Merges the per-slice candidates of one query block (slices in reference order), keeps each
    /// query's `k` best by (key, index), recomputes their distances in f64 and sorts them.
    fn finish_block(
        &self,
        slices: &[Vec<TopK<T>>],
        q_block: &[T],
        k: usize,
        idx_out: &mut [usize],
        dist_out: &mut [f64],
    ) {
        let d = self.d;
        for (qi, q) in q_block.chunks_exact(d).enumerate() {
            // The union is at most `slices · 2k` candidates: one selection cuts it to `k`.
            let mut top = TopK::new(k);
            top.buf = slices
                .iter()
                .flat_map(|s| s[qi].buf.iter().copied())
                .collect();
            let mut best: Vec<(f64, usize)> = top
                .finish()
                .into_iter()
                .map(|i| (sq_dist_f64(q, self.point(i)), i))
                .collect();
            best.sort_by(cmp_dist_index);
            for (slot, (dist, i)) in best.into_iter().enumerate() {
                idx_out[qi * k + slot] = i;
                dist_out[qi * k + slot] = dist;
            }
        }
    }
}

/// `out = lhs · rhs` (faer, sequential: the search parallelises over tasks). The one faer call of
/// this file, so it can be pointed at the crate's GEMM wrapper.
fn gemm<T: Float>(out: MatMut<'_, T>, lhs: MatRef<'_, T>, rhs: MatRef<'_, T>) {
    crate::linalg::gemm_into_unchecked(out, lhs, rhs, T::of(1.0), false);
}

/// Validates a search call; returns the number of queries.
pub(crate) fn check_search_args<T: Float>(
    queries: &[T],
    d: usize,
    n: usize,
    k: usize,
) -> Result<usize> {
    if k == 0 || k > n {
        return Err(Error::InvalidArgument {
            what: "k",
            reason: format!("need 1 <= k <= n = {n}, got {k}"),
        });
    }
    check_len("queries", queries.len().div_ceil(d) * d, queries.len())?;
    check_finite("queries", queries)?;
    let sq_norms: Vec<T> = queries
        .chunks_exact(d)
        .map(|r| r.iter().fold(T::of(0.0), |a, &x| a + x * x))
        .collect();
    check_key_range("queries", &sq_norms)?;
    Ok(queries.len() / d)
}

/// The search ranks by the key `‖r‖² − 2 q·r` computed in `T`. With `‖q‖², ‖r‖² ≤ T::MAX/4`,
/// every partial sum of `q·r` is at most `‖q‖‖r‖ ≤ T::MAX/4` and the key at most `¾ T::MAX`, so
/// nothing overflows; past that, an infinite key would rank a far point first (fuzz-found: a
/// query coordinate at `f32::MAX` returned a point at squared distance 1.2e77 as the nearest).
fn check_key_range<T: Float>(what: &'static str, sq_norms: &[T]) -> Result<()> {
    let cap = T::max_value().as_f64() / 4.0;
    match sq_norms
        .iter()
        .map(|v| v.as_f64())
        .position(|x| x.is_nan() || x > cap)
    {
        Some(i) => Err(Error::InvalidArgument {
            what,
            reason: format!(
                "squared norm of row {i} exceeds {}::MAX/4, where the distance keys overflow",
                T::NAME
            ),
        }),
        None => Ok(()),
    }
}

/// Total order on `(distance, index)`: distance first, then the lower index.
fn cmp_dist_index<D: PartialOrd, I: Ord>(a: &(D, I), b: &(D, I)) -> Ordering {
    a.0.partial_cmp(&b.0)
        .unwrap_or(Ordering::Equal)
        .then(a.1.cmp(&b.1))
}

/// `‖a - b‖²` accumulated in f64.
pub(crate) fn sq_dist_f64<T: Float>(a: &[T], b: &[T]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(&x, &y)| {
            let t = x.as_f64() - y.as_f64();
            t * t
        })
        .sum()
}

/// Bounded top-k selection without sorting the row: candidates below the current threshold are
/// buffered; at `2k` entries the buffer is cut to its `k` best by `select_nth_unstable_by`, which
/// also tightens the threshold. Amortised `O(1)` per offered candidate.
struct TopK<T> {
    k: usize,
    buf: Vec<(T, u32)>,
    /// Largest kept key once the buffer has been cut at least once (`+∞` before). Indices arrive
    /// in increasing order, so a candidate tied with the threshold has a higher index than the
    /// kept one and loses: only keys strictly below it are offered.
    threshold: T,
}

impl<T: Float> TopK<T> {
    fn new(k: usize) -> Self {
        TopK {
            k,
            buf: Vec::with_capacity(2 * k),
            threshold: T::of(f64::INFINITY),
        }
    }

    /// Adds a candidate whose key is below the threshold; returns the (possibly tightened)
    /// threshold.
    #[inline(always)]
    fn push(&mut self, key: T, index: u32) -> T {
        self.buf.push((key, index));
        if self.buf.len() == 2 * self.k {
            self.cut();
        }
        self.threshold
    }

    fn cut(&mut self) {
        let k = self.k;
        self.buf.select_nth_unstable_by(k - 1, cmp_dist_index);
        self.buf.truncate(k);
        self.threshold = self.buf[k - 1].0;
    }

    /// The `k` best indices (unordered; all of them when fewer were offered).
    fn finish(mut self) -> Vec<usize> {
        if self.buf.len() > self.k {
            self.cut();
        }
        self.buf.into_iter().map(|c| c.1 as usize).collect()
    }
}

/// The plain f64 oracle: every distance computed directly, rows sorted whole (stable, ties by
/// lower index). `points` `[n, d]`, `queries` `[n_queries, d]`, both row-major.
pub fn knn_reference<T: Float>(
    points: &[T],
    queries: &[T],
    d: usize,
    k: usize,
) -> Result<Neighbours> {
    if d == 0 {
        return Err(Error::InvalidArgument {
            what: "d",
            reason: "dimension must be positive".into(),
        });
    }
    check_len("points", points.len().div_ceil(d) * d, points.len())?;
    let n = points.len() / d;
    let n_queries = check_search_args(queries, d, n, k)?;
    let mut indices = Vec::with_capacity(n_queries * k);
    let mut sq_dists = Vec::with_capacity(n_queries * k);
    for q in queries.chunks_exact(d) {
        let mut all: Vec<(f64, usize)> = points
            .chunks_exact(d)
            .enumerate()
            .map(|(i, p)| (sq_dist_f64(q, p), i))
            .collect();
        all.sort_by(cmp_dist_index);
        for &(dist, i) in &all[..k] {
            indices.push(i);
            sq_dists.push(dist);
        }
    }
    Ok(Neighbours {
        k,
        indices,
        sq_dists,
    })
}
