//! The CCMC transition kernel (spec A1–A3): stable log-softmax, transition probabilities from counts,
//! the base chain, gauge utilities, the `W ↔ W̄` map and the positional-encoding variant.
//!
//! Layout: `W̄` is `K × K` row-major with `W̄[k, j]` at `k·K + j` — **row = key token, column = query
//! token**. Every probability here is computed in the log domain: logits `ln m_k + W̄[k, j]`
//! (exactly `−∞` where `m_k = 0`, never `ln ε`), then one stable log-softmax ([`crate::ops`]).

use crate::error::{check_finite, check_ids, check_len, check_nonempty, Error, Result};
use crate::linalg::{gemm, Cholesky};
use crate::ops::{log_softmax_in_place, softmax_in_place};
use faer::Mat;
use rand::Rng;
use rayon::prelude::*;

/// The reduced score matrix `W̄ = E W Eᵀ ∈ R^{K×K}`, `W̄[k, j]` = score of key token `k` for query
/// token `j` (row-major, `k·K + j`).
#[derive(Clone, Debug, PartialEq)]
pub struct Wbar {
    vocab: usize,
    data: Vec<f64>,
}

/// `K²`, the number of entries of a `K × K` score matrix, or `Overflow`.
fn cells(vocab: usize) -> Result<usize> {
    crate::error::checked_elems("wbar: vocab²", &[vocab, vocab])
}

impl Wbar {
    /// Wraps a row-major `K × K` buffer; rejects `K = 0`, wrong length and non-finite entries.
    pub fn new(vocab: usize, data: Vec<f64>) -> Result<Self> {
        if vocab == 0 {
            return Err(Error::InvalidArgument {
                what: "vocab",
                reason: "the vocabulary needs at least one token".into(),
            });
        }
        check_len("wbar", cells(vocab)?, data.len())?;
        check_finite("wbar", &data)?;
        Ok(Wbar { vocab, data })
    }
    /// The all-zero score matrix (uniform base chain).
    pub fn zeros(vocab: usize) -> Result<Self> {
        Self::new(vocab, vec![0.0; cells(vocab)?])
    }
    /// `W̄[k, j] = f(k, j)`.
    pub fn from_fn(vocab: usize, f: impl Fn(usize, usize) -> f64) -> Result<Self> {
        let data = (0..cells(vocab)?)
            .map(|i| f(i / vocab, i % vocab))
            .collect();
        Self::new(vocab, data)
    }
    /// Entries i.i.d. `N(0, scale²)` (the spec's random instances, A8).
    pub fn gaussian(vocab: usize, scale: f64, rng: &mut impl Rng) -> Result<Self> {
        crate::error::check_finite_scalar("scale", scale)?;
        let data = (0..cells(vocab)?)
            .map(|_| scale * standard_normal(rng))
            .collect();
        Self::new(vocab, data)
    }
    /// Vocabulary size `K`.
    pub fn vocab(&self) -> usize {
        self.vocab
    }
    /// `W̄[key, query]`, or `None` when an index is not below `K`.
    #[inline]
    pub fn get(&self, key: usize, query: usize) -> Option<f64> {
        (key < self.vocab && query < self.vocab).then(|| self.at(key, query))
    }
    /// Sets `W̄[key, query]`.
    ///
    /// # Errors
    /// `OutOfRange` for an index not below `K`; `NonFinite` for a NaN or an infinity (the
    /// matrix is left unchanged).
    pub fn set(&mut self, key: usize, query: usize, v: f64) -> Result<()> {
        check_ids("wbar key", &[key], self.vocab)?;
        check_ids("wbar query", &[query], self.vocab)?;
        crate::error::check_finite_scalar("wbar entry", v)?;
        self.data[key * self.vocab + query] = v;
        Ok(())
    }
    /// [`Wbar::get`] for indices below `K` by construction.
    #[inline]
    pub(crate) fn at(&self, key: usize, query: usize) -> f64 {
        self.data[key * self.vocab + query]
    }
    /// Column `query` (the scores of all keys for that query), length `K`; `None` when
    /// `query ≥ K`.
    pub fn column(&self, query: usize) -> Option<Vec<f64>> {
        (query < self.vocab).then(|| self.column_at(query))
    }
    /// [`Wbar::column`] for a query below `K` by construction.
    pub(crate) fn column_at(&self, query: usize) -> Vec<f64> {
        (0..self.vocab).map(|k| self.at(k, query)).collect()
    }
    /// The row-major buffer.
    pub fn as_slice(&self) -> &[f64] {
        &self.data
    }
    /// Gauge move `W̄ + 1 cᵀ` (adds `c_j` down column `j`); probabilities do not change (A2).
    ///
    /// # Errors
    /// `ShapeMismatch` / `NonFinite` for a bad `c`; `NonFinite` when finite entries near
    /// `f64::MAX` overflow the sum (as do the other gauge fixes below).
    pub fn shift_columns(&self, c: &[f64]) -> Result<Wbar> {
        check_len("c", self.vocab, c.len())?;
        check_finite("c", c)?;
        Wbar::from_fn(self.vocab, |k, j| self.at(k, j) + c[j])
    }
    /// Gauge fix: every column centred to mean zero.
    pub fn centred(&self) -> Result<Wbar> {
        let kk = self.vocab as f64;
        let means: Vec<f64> = (0..self.vocab)
            .map(|j| self.column_at(j).iter().sum::<f64>() / kk)
            .collect();
        Wbar::from_fn(self.vocab, |k, j| self.at(k, j) - means[j])
    }
    /// Gauge fix: `W̄[j, j] = 0` for every column (the query is in every choice set of its column).
    pub fn pinned_diagonal(&self) -> Result<Wbar> {
        Wbar::from_fn(self.vocab, |k, j| self.at(k, j) - self.at(j, j))
    }
    /// The base chain `P[j, k] = softmax_k(W̄[·, j])` (row-stochastic, row = query), row-major `K × K`.
    /// It is gauge-free, and a prompt holding every token once has next-token law `P[j, ·]`.
    pub fn base_chain(&self) -> Vec<f64> {
        let mut p = Vec::with_capacity(self.vocab * self.vocab);
        for j in 0..self.vocab {
            let mut col = self.column_at(j);
            softmax_in_place(&mut col);
            p.extend_from_slice(&col);
        }
        p
    }
}

/// One standard normal draw.
pub(crate) fn standard_normal(rng: &mut impl Rng) -> f64 {
    rng.sample(rand_distr::StandardNormal)
}

/// The largest vocabulary the dense per-token vectors accept (2^24 tokens, far above any real
/// tokenizer's): a larger `K` is [`Error::TooLarge`] rather than an
/// allocation the machine cannot make.
pub const MAX_VOCAB: usize = 1 << 24;

/// Token counts `m_k(X)` of a prompt, length `K`. Errors: empty prompt, token id `≥ K`, `K` over
/// [`MAX_VOCAB`].
pub fn token_counts(prompt: &[usize], vocab: usize) -> Result<Vec<f64>> {
    crate::error::check_cap("vocab", vocab, MAX_VOCAB)?;
    check_nonempty("prompt", prompt)?;
    check_ids("prompt", prompt, vocab)?;
    let mut m = vec![0.0; vocab];
    for &t in prompt {
        m[t] += 1.0;
    }
    Ok(m)
}

/// Next-token log-probabilities from (possibly position-weighted) counts:
/// `ln P(y = k) = ln m_k + W̄[k, j] − lse` with `ln 0 = −∞` (spec A2; A3 with `m̃`).
///
/// `weights` has length `K`, entries finite and `≥ 0`, and `weights[query] > 0` (the query token is
/// always one of the keys). Returns a length-`K` vector; tokens of weight 0 get exactly `−∞`.
pub fn transition_log_probs(wbar: &Wbar, weights: &[f64], query: usize) -> Result<Vec<f64>> {
    let kk = wbar.vocab();
    check_len("weights", kk, weights.len())?;
    check_finite("weights", weights)?;
    check_ids("query", &[query], kk)?;
    if let Some(index) = weights.iter().position(|&w| w < 0.0) {
        return Err(Error::InvalidArgument {
            what: "weights",
            reason: format!("count {index} is negative"),
        });
    }
    if weights[query] <= 0.0 {
        return Err(Error::InvalidArgument {
            what: "weights",
            reason: format!("the query token {query} has zero count (it is always a key)"),
        });
    }
    let mut logits: Vec<f64> = (0..kk)
        .map(|k| weights[k].ln() + wbar.at(k, query))
        .collect();
    log_softmax_in_place(&mut logits);
    Ok(logits)
}

/// Next-token probabilities for a prompt (query = its last token), length `K`.
pub fn next_token_probs(wbar: &Wbar, prompt: &[usize]) -> Result<Vec<f64>> {
    let m = token_counts(prompt, wbar.vocab())?;
    let mut lp = transition_log_probs(wbar, &m, prompt[prompt.len() - 1])?;
    lp.iter_mut().for_each(|v| *v = v.exp());
    Ok(lp)
}

/// [`next_token_probs`] for a batch of prompts (any lengths), in parallel: row-major `n × K`.
/// Deterministic (each row is computed independently).
pub fn batch_next_token_probs<P: AsRef<[usize]> + Sync>(
    wbar: &Wbar,
    prompts: &[P],
) -> Result<Vec<f64>> {
    check_nonempty("prompts", prompts)?;
    let rows: Result<Vec<Vec<f64>>> = prompts
        .par_iter()
        .map(|p| next_token_probs(wbar, p.as_ref()))
        .collect();
    Ok(rows?.concat())
}

/// Token embeddings `E ∈ R^{K×d}` with the tied head `C = (E Eᵀ)⁻¹ E` (so `C Eᵀ = I_K`).
#[derive(Clone, Debug)]
pub struct TiedEmbedding {
    vocab: usize,
    dim: usize,
    e: Vec<f64>,
    c: Vec<f64>,
}

fn mat(rows: usize, cols: usize, x: &[f64]) -> Mat<f64> {
    Mat::from_fn(rows, cols, |i, j| x[i * cols + j])
}

fn to_vec(m: &Mat<f64>) -> Vec<f64> {
    let mut v = Vec::with_capacity(m.nrows() * m.ncols());
    for i in 0..m.nrows() {
        for j in 0..m.ncols() {
            v.push(m[(i, j)]);
        }
    }
    v
}

impl TiedEmbedding {
    /// From row-major `E` (`K × d`). Errors: `K > d` (then `C Eᵀ = I` has no solution and the
    /// attention output is not a distribution), shape, non-finite, or `E` not of full row rank.
    pub fn new(vocab: usize, dim: usize, e: Vec<f64>) -> Result<Self> {
        if vocab == 0 || dim == 0 {
            return Err(Error::InvalidArgument {
                what: "vocab/dim",
                reason: "both must be at least 1".into(),
            });
        }
        if vocab > dim {
            return Err(Error::InvalidArgument {
                what: "vocab",
                reason: format!(
                    "K = {vocab} > d = {dim}: the tied head C Eᵀ = I needs K ≤ d (spec A9)"
                ),
            });
        }
        check_len(
            "e",
            crate::error::checked_elems("e (K · d)", &[vocab, dim])?,
            e.len(),
        )?;
        check_finite("e", &e)?;
        let em = mat(vocab, dim, &e);
        let gram = gemm(em.as_ref(), em.transpose())?;
        let llt = Cholesky::factor("E Eᵀ (E must have full row rank)", gram.as_ref())?;
        let mut c = em.clone();
        llt.solve_in_place(c.as_mut())?;
        let c = to_vec(&c);
        check_finite("c", &c)?;
        Ok(TiedEmbedding { vocab, dim, e, c })
    }
    /// Gaussian `E` (entries `N(0, 1/d)`).
    pub fn gaussian(vocab: usize, dim: usize, rng: &mut impl Rng) -> Result<Self> {
        if vocab > dim {
            // `new` rejects it; fail before drawing `K · d` numbers.
            return Self::new(vocab, dim, Vec::new());
        }
        let s = 1.0 / (dim as f64).sqrt();
        let cells = crate::error::checked_elems("e (K · d)", &[vocab, dim])?;
        let e = (0..cells).map(|_| s * standard_normal(rng)).collect();
        Self::new(vocab, dim, e)
    }
    /// Orthonormal rows (Gram–Schmidt of a Gaussian matrix), so `C = E`.
    pub fn orthonormal(vocab: usize, dim: usize, rng: &mut impl Rng) -> Result<Self> {
        if vocab > dim {
            return Self::new(vocab, dim, Vec::new());
        }
        let cells = crate::error::checked_elems("e (K · d)", &[vocab, dim])?;
        let mut e: Vec<f64> = (0..cells).map(|_| standard_normal(rng)).collect();
        orthonormalise_rows(&mut e, vocab, dim);
        Self::new(vocab, dim, e)
    }
    /// `K`.
    pub fn vocab(&self) -> usize {
        self.vocab
    }
    /// `d`.
    pub fn dim(&self) -> usize {
        self.dim
    }
    /// `E`, row-major `K × d`.
    pub fn e(&self) -> &[f64] {
        &self.e
    }
    /// `C`, row-major `K × d`.
    pub fn c(&self) -> &[f64] {
        &self.c
    }
    /// `W̄ = E W Eᵀ` for row-major `W` (`d × d`).
    pub fn wbar_from_w(&self, w: &[f64]) -> Result<Wbar> {
        check_len(
            "w",
            crate::error::checked_elems("w (d · d)", &[self.dim, self.dim])?,
            w.len(),
        )?;
        check_finite("w", w)?;
        let e = mat(self.vocab, self.dim, &self.e);
        let ew = gemm(e.as_ref(), mat(self.dim, self.dim, w).as_ref())?;
        let wb = gemm(ew.as_ref(), e.transpose())?;
        Wbar::new(self.vocab, to_vec(&wb))
    }
    /// A `W` realising `W̄`: `W = Cᵀ W̄ C` (`Cᵀ = E⁺`), so `E W Eᵀ = (C Eᵀ)ᵀ W̄ (C Eᵀ) = W̄`.
    pub fn w_from_wbar(&self, wbar: &Wbar) -> Result<Vec<f64>> {
        check_len("wbar.vocab", self.vocab, wbar.vocab())?;
        let c = mat(self.vocab, self.dim, &self.c);
        let ctw = gemm(
            c.transpose(),
            mat(self.vocab, self.vocab, wbar.as_slice()).as_ref(),
        )?;
        let w = gemm(ctw.as_ref(), c.as_ref())?;
        Ok(to_vec(&w))
    }
}

/// Modified Gram–Schmidt on the rows of a row-major `rows × cols` matrix (rows ≤ cols, generic).
pub(crate) fn orthonormalise_rows(x: &mut [f64], rows: usize, cols: usize) {
    for r in 0..rows {
        for s in 0..r {
            let dot: f64 = (0..cols).map(|t| x[r * cols + t] * x[s * cols + t]).sum();
            for t in 0..cols {
                x[r * cols + t] -= dot * x[s * cols + t];
            }
        }
        let nrm = (0..cols)
            .map(|t| x[r * cols + t].powi(2))
            .sum::<f64>()
            .sqrt();
        for t in 0..cols {
            x[r * cols + t] /= nrm;
        }
    }
}

/// Next-token probabilities with positional encodings (spec A3), by the closed form
///
/// ```text
/// τ_k = e_kᵀ W (e_j + p_L),  b_i = p_iᵀ W (e_j + p_L),  ln m̃_k = logsumexp_{i: k_i = k} b_i,
/// P(y = k | X) = softmax_k(τ_k + ln m̃_k).
/// ```
///
/// `pos` is row-major `L_max × d` (row `i` = `p_i`), `L ≤ L_max`. Requires `C p_i = 0` for the used
/// rows (else the attention output is not a distribution): checked to `1e-9·(1 + ‖p_i‖)`.
pub fn positional_probs(
    emb: &TiedEmbedding,
    w: &[f64],
    pos: &[f64],
    prompt: &[usize],
) -> Result<Vec<f64>> {
    let (kk, d) = (emb.vocab(), emb.dim());
    check_nonempty("prompt", prompt)?;
    check_ids("prompt", prompt, kk)?;
    check_len("w", d * d, w.len())?;
    check_finite("pos", pos)?;
    let l = prompt.len();
    check_positions(emb, pos, l)?;
    let j = prompt[l - 1];
    // u = W (e_j + p_L)
    let xl: Vec<f64> = (0..d)
        .map(|t| emb.e()[j * d + t] + pos[(l - 1) * d + t])
        .collect();
    let u: Vec<f64> = (0..d)
        .map(|r| (0..d).map(|t| w[r * d + t] * xl[t]).sum())
        .collect();
    let dot = |row: &[f64]| row.iter().zip(&u).map(|(a, b)| a * b).sum::<f64>();
    let mut log_w = vec![f64::NEG_INFINITY; kk];
    for (i, &k) in prompt.iter().enumerate() {
        let b = dot(&pos[i * d..(i + 1) * d]);
        let (a, c) = (log_w[k], b);
        let mx = a.max(c);
        log_w[k] = mx + ((a - mx).exp() + (c - mx).exp()).ln();
    }
    let mut logits: Vec<f64> = (0..kk)
        .map(|k| log_w[k] + dot(&emb.e()[k * d..(k + 1) * d]))
        .collect();
    softmax_in_place(&mut logits);
    Ok(logits)
}

/// Errors unless `pos` is `L_max × d` with `L_max ≥ len` and `C p_i ≈ 0` for its first `len` rows.
pub(crate) fn check_positions(emb: &TiedEmbedding, pos: &[f64], len: usize) -> Result<()> {
    let (kk, d) = (emb.vocab(), emb.dim());
    if !pos.len().is_multiple_of(d) || pos.len() / d < len {
        return Err(Error::ShapeMismatch {
            what: "pos (L_max × d with L_max ≥ prompt length)",
            expected: len * d,
            got: pos.len(),
        });
    }
    let pos = &pos[..len * d];
    for (i, p) in pos.chunks(d).enumerate() {
        let nrm = p.iter().map(|v| v * v).sum::<f64>().sqrt();
        for k in 0..kk {
            let cp: f64 = (0..d).map(|t| emb.c()[k * d + t] * p[t]).sum();
            if cp.abs() > 1e-9 * (1.0 + nrm) {
                return Err(Error::InvalidArgument {
                    what: "pos",
                    reason: format!(
                        "C p_{i} ≠ 0 (component {k} = {cp:e}); the output would not be a distribution"
                    ),
                });
            }
        }
    }
    Ok(())
}
