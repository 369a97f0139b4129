//! Seeded instance generators as in the authors' experiments (paper 1, `data_utils.py`).

use super::dataset::{Dataset, Embeddings, Sample};
use super::graph::build_graphs;
use crate::error::{Error, Result};
use crate::qp::Mat;
use rand::seq::SliceRandom;
use rand::Rng;
use rand_distr::StandardNormal;

/// How token embeddings are drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EmbeddingKind {
    /// Rows i.i.d. `N(0, I_d)` normalised to unit norm (`'random'`).
    RandomUnit,
    /// First `K` rows of a random orthogonal `d × d` matrix (`'ortho'`, needs `K ≤ d`).
    Orthonormal,
    /// `E = I_K` (`d = K`).
    Identity,
}

/// Which SCC structure a draw must have (draws are rejected until it holds).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Structure {
    /// Some `G^(k)` has an SCC of size ≥ 2, and some edge crosses SCCs (`W^svm ≠ 0`).
    Cyclic,
    /// Every SCC is a singleton (then `W^fin = 0`).
    Acyclic,
    /// Anything with `W^svm ≠ 0`.
    Any,
}

/// Instance sizes `(n, T, K, d)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sizes {
    /// Samples.
    pub n: usize,
    /// Sequence length.
    pub t: usize,
    /// Vocabulary.
    pub k: usize,
    /// Embedding dimension.
    pub d: usize,
}

/// The authors' global-convergence sizes `(n, T, K, d) = (6, 4, 6, 8)`.
pub const AUTHORS: Sizes = Sizes {
    n: 6,
    t: 4,
    k: 6,
    d: 8,
};

/// An instance of the authors' global-convergence setting: [`AUTHORS`] sizes, random unit
/// embeddings, at least one cyclic SCC.
pub fn authors_cyclic(rng: &mut impl Rng) -> Result<Dataset> {
    instance(rng, AUTHORS, EmbeddingKind::RandomUnit, Structure::Cyclic)
}

/// Draws `K × d` embeddings.
pub fn embeddings(
    rng: &mut impl Rng,
    kind: EmbeddingKind,
    k: usize,
    d: usize,
) -> Result<Embeddings> {
    for (what, n) in [("vocabulary K", k), ("embedding dimension d", d)] {
        if n == 0 {
            return Err(Error::InvalidArgument {
                what,
                reason: "must be at least 1".into(),
            });
        }
    }
    crate::error::checked_elems("embeddings (K × d)", &[k, d])?;
    match kind {
        EmbeddingKind::Identity => Ok(Embeddings::identity(k)),
        EmbeddingKind::RandomUnit => {
            let mut e = Mat::zeros(k, d);
            for i in 0..k {
                let row: Vec<f64> = (0..d).map(|_| rng.sample(StandardNormal)).collect();
                let n = row.iter().map(|x| x * x).sum::<f64>().sqrt();
                for (b, x) in row.iter().enumerate() {
                    e.set_at(i, b, x / n);
                }
            }
            Embeddings::new(e)
        }
        EmbeddingKind::Orthonormal => {
            if k > d {
                return Err(Error::InvalidArgument {
                    what: "orthonormal embeddings",
                    reason: format!("need K <= d, got K = {k}, d = {d}"),
                });
            }
            let g = faer::Mat::<f64>::from_fn(d, d, |_, _| rng.sample(StandardNormal));
            let q = crate::linalg::orthonormal_basis(g.as_ref())?;
            let mut e = Mat::zeros(k, d);
            for i in 0..k {
                for b in 0..d {
                    e.set_at(i, b, q[(i, b)]);
                }
            }
            Embeddings::new(e)
        }
    }
}

/// The authors' sequence sampler: `T` distinct tokens when `T ≤ K` (else a permutation of `\[K\]`
/// plus `T − K` tokens with replacement), label uniform on `\[K\]`, replaced by a uniform token of
/// the sequence when absent.
///
/// # Errors
/// `InvalidArgument` for `T = 0` or `K = 0` (no token to draw) with `n > 0`; `TooLarge` for `K`
/// over [`MAX_SAMPLER_VOCAB`]; `Overflow` when `n · max(T, K)` does not fit `usize` (all
/// checked before drawing).
pub fn samples(rng: &mut impl Rng, n: usize, t: usize, k: usize) -> Result<Vec<Sample>> {
    if n == 0 {
        return Ok(Vec::new());
    }
    for (what, x) in [("sequence length T", t), ("vocabulary K", k)] {
        if x == 0 {
            return Err(Error::InvalidArgument {
                what,
                reason: "must be at least 1".into(),
            });
        }
    }
    crate::error::check_cap("vocabulary K", k, MAX_SAMPLER_VOCAB)?;
    crate::error::checked_elems("samples (n · max(T, K))", &[n, t.max(k)])?;
    Ok((0..n)
        .map(|_| {
            let mut all: Vec<usize> = (0..k).collect();
            all.shuffle(rng);
            let tokens: Vec<usize> = if t <= k {
                all[..t].to_vec()
            } else {
                let mut v = all;
                for _ in k..t {
                    v.push(rng.random_range(0..k));
                }
                v
            };
            let mut label = rng.random_range(0..k);
            if !tokens.contains(&label) {
                label = tokens[rng.random_range(0..tokens.len())];
            }
            Sample { tokens, label }
        })
        .collect())
}

/// The largest vocabulary [`samples`] draws permutations of (`2^24`, as `ccmc::kernel::MAX_VOCAB`).
pub const MAX_SAMPLER_VOCAB: usize = 1 << 24;

/// Draws an instance with the required structure (at most 10 000 rejections).
pub fn instance(
    rng: &mut impl Rng,
    sizes: Sizes,
    kind: EmbeddingKind,
    structure: Structure,
) -> Result<Dataset> {
    for (what, n) in [("samples n", sizes.n), ("sequence length T", sizes.t)] {
        if n == 0 {
            return Err(Error::InvalidArgument {
                what,
                reason: "must be at least 1".into(),
            });
        }
    }
    let emb = embeddings(rng, kind, sizes.k, sizes.d)?;
    for _ in 0..10_000 {
        let s = samples(rng, sizes.n, sizes.t, sizes.k)?;
        let ds = Dataset::new(emb.clone(), &s)?;
        let graphs = build_graphs(&ds);
        let cyclic = graphs.iter().any(|g| g.is_cyclic());
        let cross = graphs.iter().any(|g| g.has_cross_edge());
        let ok = cross
            && match structure {
                Structure::Cyclic => cyclic,
                Structure::Acyclic => !cyclic,
                Structure::Any => true,
            };
        if ok {
            return Ok(ds);
        }
    }
    Err(Error::InvalidArgument {
        what: "instance structure",
        reason: format!("no draw with {structure:?} structure in 10000 tries"),
    })
}

/// torch's default `nn.Linear` initialisation: entries i.i.d. `U(−1/√d, 1/√d)`.
pub fn torch_init(rng: &mut impl Rng, d: usize) -> Mat {
    let b = 1.0 / (d as f64).sqrt();
    let mut w = Mat::zeros(d, d);
    w.data_mut()
        .iter_mut()
        .for_each(|x| *x = rng.random_range(-b..b));
    w
}
