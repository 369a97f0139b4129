//! Scorers: the dual encoder (DE) and a one-layer dual-pooling cross-encoder (CE).
//!
//! - DE: `s(q, d) = ⟨E_Q(q), E_D(d)⟩`; for a batch, `S = Q Dᵀ` (`n_q × n_d`, one faer GEMM), or the
//!   cosine form `⟨q, d⟩/(‖q‖‖d‖τ)`.
//! - Dual-pooling CE: tokens `X = [q-tokens; d-tokens]` (`(L_q+L_d) × k`) pass one self-attention
//!   layer with a residual, `H = X + Attn(X W_Q, X W_K, X W_V)` (the crate's
//!   [`crate::attention::forward`], scale `1/√k`, no mask); then `e_q = mean of H over the query
//!   tokens`, `e_d = mean over the document tokens`, score `⟨e_q, e_d⟩`. The CLS score is `wᵀ H_0`.
//!   Both pooled embeddings depend on the pair, so the CE's score matrix over `n_q × n_d` pairs can
//!   have rank above `k`, which no `k`-dimensional DE reproduces.

use crate::attention::{forward, Options, Shape};
use crate::error::{check_finite, check_len, Error, Result};
use crate::linalg::check_matrix;
use crate::linalg::gemm_into_unchecked as gemm_into;
use crate::rng::seeded;
use faer::{Mat, MatRef};
use rand_distr::{Distribution, StandardNormal};

/// Dual-encoder scores `S = Q Dᵀ` for query embeddings `q` (`n_q × k`) and document embeddings `d`
/// (`n_d × k`). Errors: empty or non-finite inputs, mismatched `k`, a score that overflows f64.
pub fn dual_encoder_scores(q: MatRef<'_, f64>, d: MatRef<'_, f64>) -> Result<Mat<f64>> {
    check_matrix("q", q)?;
    check_matrix("d", d)?;
    check_len("d (columns)", q.ncols(), d.ncols())?;
    let mut s = Mat::<f64>::zeros(q.nrows(), d.nrows());
    gemm_into(s.as_mut(), q, d.transpose(), 1.0, false);
    // Finite inputs can still overflow the inner products (entries near 1e154 and up).
    for j in 0..s.ncols() {
        if let Some(i) = (0..s.nrows()).find(|&i| !s[(i, j)].is_finite()) {
            return Err(Error::InvalidArgument {
                what: "q·dᵀ",
                reason: format!("score ({i}, {j}) overflows f64"),
            });
        }
    }
    Ok(s)
}

/// Cosine dual-encoder scores `⟨q_i, d_j⟩/(‖q_i‖‖d_j‖τ)`. Errors: as [`dual_encoder_scores`], a
/// zero embedding, `τ ≤ 0`.
pub fn cosine_scores(q: MatRef<'_, f64>, d: MatRef<'_, f64>, tau: f64) -> Result<Mat<f64>> {
    crate::ops::check_temperature("tau", tau)?;
    check_matrix("q", q)?;
    check_matrix("d", d)?;
    check_len("d (columns)", q.ncols(), d.ncols())?;
    // Rows are normalised first (with a scaled norm, so entries near 1e±200 neither under- nor
    // overflow when squared); then |cos| ≤ 1 and only the final 1/τ scales.
    let (qn, dn) = (unit_rows(q, "q")?, unit_rows(d, "d")?);
    let mut s = dual_encoder_scores(qn.as_ref(), dn.as_ref())?;
    for j in 0..s.ncols() {
        for i in 0..s.nrows() {
            s[(i, j)] /= tau;
        }
    }
    Ok(s)
}

/// `m` with every row divided by its Euclidean norm; `InvalidArgument` for a zero row.
fn unit_rows(m: MatRef<'_, f64>, what: &'static str) -> Result<Mat<f64>> {
    let mut out = m.to_owned();
    for i in 0..m.nrows() {
        let big = (0..m.ncols()).fold(0.0f64, |a, j| a.max(m[(i, j)].abs()));
        if big == 0.0 {
            return Err(Error::InvalidArgument {
                what,
                reason: format!("row {i} has zero norm; cosine undefined"),
            });
        }
        // Divide by `big` first and normalise the scaled row: `big · ‖m/big‖` rounds in the
        // subnormal range (`5e-324 · √2 = 5e-324`), and the "unit" row then had norm √2.
        let scaled_norm = (0..m.ncols())
            .map(|j| (m[(i, j)] / big).powi(2))
            .sum::<f64>()
            .sqrt();
        for j in 0..m.ncols() {
            out[(i, j)] = (m[(i, j)] / big) / scaled_norm;
        }
    }
    Ok(out)
}

/// A one-layer, one-head dual-pooling cross-encoder over `k`-dimensional token vectors (see the
/// [module docs](self)).
/// The weights are private so their shapes always agree (`k × k` and `k`); read them through the
/// getters.
#[derive(Clone, Debug)]
pub struct DualPoolingCrossEncoder {
    /// Query projection `W_Q` (`k × k`).
    w_q: Mat<f64>,
    /// Key projection `W_K` (`k × k`).
    w_k: Mat<f64>,
    /// Value projection `W_V` (`k × k`).
    w_v: Mat<f64>,
    /// CLS scoring vector `w` (length `k`).
    w_cls: Vec<f64>,
}

/// The pooled embeddings of one (query, document) pair and its two scores.
#[derive(Clone, Debug, PartialEq)]
pub struct PairEncoding {
    /// Mean of the final states over the query tokens (length `k`).
    pub e_q: Vec<f64>,
    /// Mean of the final states over the document tokens (length `k`).
    pub e_d: Vec<f64>,
    /// Dual-pooling score `⟨e_q, e_d⟩`.
    pub score: f64,
    /// CLS score `wᵀ H_0` (the first query token plays CLS).
    pub cls_score: f64,
}

impl DualPoolingCrossEncoder {
    /// Weights `N(0, 1/k)` from `seed`.
    pub fn random(k: usize, seed: u64) -> Result<Self> {
        if k == 0 {
            return Err(Error::InvalidArgument {
                what: "k",
                reason: "token dimension must be > 0".into(),
            });
        }
        let mut rng = seeded(seed, 0xce);
        let s = 1.0 / (k as f64).sqrt();
        let mut draw = |r, c| {
            Mat::from_fn(r, c, |_, _| {
                s * Distribution::<f64>::sample(&StandardNormal, &mut rng)
            })
        };
        let (w_q, w_k, w_v) = (draw(k, k), draw(k, k), draw(k, k));
        let w_cls = (0..k)
            .map(|_| s * Distribution::<f64>::sample(&StandardNormal, &mut rng))
            .collect();
        Ok(DualPoolingCrossEncoder {
            w_q,
            w_k,
            w_v,
            w_cls,
        })
    }

    /// Token dimension `k`.
    pub fn k(&self) -> usize {
        self.w_q.nrows()
    }

    /// `(W_Q, W_K, W_V)`, each `k × k`.
    pub fn projections(&self) -> (MatRef<'_, f64>, MatRef<'_, f64>, MatRef<'_, f64>) {
        (self.w_q.as_ref(), self.w_k.as_ref(), self.w_v.as_ref())
    }

    /// The CLS scoring vector `w` (length `k`).
    pub fn w_cls(&self) -> &[f64] {
        &self.w_cls
    }

    /// Encodes the pair `q_tokens` (`L_q × k`) ⊕ `d_tokens` (`L_d × k`).
    pub fn encode(
        &self,
        q_tokens: MatRef<'_, f64>,
        d_tokens: MatRef<'_, f64>,
    ) -> Result<PairEncoding> {
        check_matrix("q_tokens", q_tokens)?;
        check_matrix("d_tokens", d_tokens)?;
        let k = self.k();
        check_len("q_tokens (columns)", k, q_tokens.ncols())?;
        check_len("d_tokens (columns)", k, d_tokens.ncols())?;
        let (lq, ld) = (q_tokens.nrows(), d_tokens.nrows());
        let len = lq + ld;
        let x = Mat::from_fn(len, k, |i, j| {
            if i < lq {
                q_tokens[(i, j)]
            } else {
                d_tokens[(i - lq, j)]
            }
        });
        let project = |w: &Mat<f64>| -> Vec<f64> {
            let mut y = Mat::<f64>::zeros(len, k);
            gemm_into(y.as_mut(), x.as_ref(), w.as_ref(), 1.0, false);
            // Row-major [1, 1, len, k] for the attention API.
            (0..len)
                .flat_map(|i| (0..k).map(move |j| (i, j)))
                .map(|(i, j)| y[(i, j)])
                .collect()
        };
        let (qh, kh, vh) = (project(&self.w_q), project(&self.w_k), project(&self.w_v));
        let shape = Shape {
            batch: 1,
            heads: 1,
            q_len: len,
            kv_len: len,
            head_dim: k,
        };
        let attn = forward(&qh, &kh, &vh, shape, &Options::default())?;
        let h = |i: usize, j: usize| x[(i, j)] + attn.out[i * k + j];
        let e_q: Vec<f64> = (0..k)
            .map(|j| (0..lq).map(|i| h(i, j)).sum::<f64>() / lq as f64)
            .collect();
        let e_d: Vec<f64> = (0..k)
            .map(|j| (lq..len).map(|i| h(i, j)).sum::<f64>() / ld as f64)
            .collect();
        let score = e_q.iter().zip(&e_d).map(|(a, b)| a * b).sum();
        let cls_score = (0..k).map(|j| self.w_cls[j] * h(0, j)).sum();
        check_finite("cross-encoder output", &[score, cls_score])?;
        Ok(PairEncoding {
            e_q,
            e_d,
            score,
            cls_score,
        })
    }
}
