//! The one-layer next-token model of Li et al. (2024): scores, attention, output, log-loss,
//! gradient (stable difference form) and Hessian, batched over a dataset.
//!
//! For a sample with positions `x_t = e_{τ(t)}`, query `x̄ = e_k` and label `y`:
//! `σ_t = x_tᵀ W x̄`, `a = softmax(σ)`, next-token distribution `π(j) = Σ_{t: τ(t)=j} a_t`,
//! loss `ℓ = −log π(y) = log1p((1/m) Σ_{t∈O} exp(σ_t − σ_y))` (`m` = multiplicity of `y`, `O` = other
//! positions), gradient `∇ℓ = Σ_{t∈O} a_t (x_t − e_y) x̄ᵀ` (pitfall P1: never `Σ_t (a_t − target_t)`).
//!
//! Positions holding the same token share one score, so the batched kernels work in vocabulary
//! space: `S = E W Eᵀ` (`K × K`, `S[j,k] = e_jᵀ W e_k`), per-sample work `O(#distinct tokens)`, and the
//! gradient is `Eᵀ G E` with `G[j,k]` the accumulated signed masses. [`reference_loss_and_grad`] is the
//! plain per-position f64 oracle the batched kernel is tested against.

use super::dataset::{Dataset, Embeddings, Row};
use crate::error::{check_finite, check_ids, check_len, check_nonempty, Error, Result};
use crate::linalg::gemm_into_unchecked as gemm_into;
use crate::ops::softmax_to_vec;
use crate::qp::Mat;

/// How the gradient is assembled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GradientForm {
    /// Difference form `Σ_{t∈O} a_t (x_t − e_y) x̄ᵀ`: keeps the direction when attention saturates.
    Stable,
    /// Textbook form `Σ_t (a_t − 1[τ(t)=y]/m) x_t x̄ᵀ`: loses the `−e_y` term once `a_y` rounds to 1.
    /// Kept only for the negative check of pitfall P1.
    Naive,
}

/// Loss and gradient at one `W`.
#[derive(Clone, Debug)]
pub struct Evaluation {
    /// `L(W) = (1/n) Σ_i ℓ_i`.
    pub loss: f64,
    /// `∇L(W)` (`d × d`).
    pub grad: Mat,
}

/// Vocabulary scores `S = E W Eᵀ` (`K × K`): `S[j,k] = e_jᵀ W e_k`. `W` must be `d × d`
/// ([`Error::ShapeMismatch`] otherwise) and finite.
pub fn scores(emb: &Embeddings, w: &Mat) -> Result<Mat> {
    check_w(emb, w)?;
    Ok(scores_unchecked(emb, w))
}

/// Checks that `W` is a finite `d × d` matrix with a consistent buffer.
pub fn check_w(emb: &Embeddings, w: &Mat) -> Result<()> {
    check_len("W rows (embedding dimension)", emb.dim(), w.rows())?;
    check_len("W cols (embedding dimension)", emb.dim(), w.cols())?;
    let dd = crate::error::checked_elems("W (d × d)", &[emb.dim(), emb.dim()])?;
    check_len("W data (d²)", dd, w.data().len())?;
    crate::error::check_finite("W", w.data())
}

/// [`scores`] for a `W` the caller has checked.
pub(crate) fn scores_unchecked(emb: &Embeddings, w: &Mat) -> Mat {
    let (k, d) = (emb.vocab(), emb.dim());
    let e = faer::MatRef::from_row_major_slice(emb.e.data(), k, d);
    let wm = faer::MatRef::from_row_major_slice(w.data(), d, d);
    let mut ew = faer::Mat::<f64>::zeros(k, d);
    gemm_into(ew.as_mut(), e, wm, 1.0, false);
    let mut s = Mat::zeros(k, k);
    let sm = faer::MatMut::from_row_major_slice_mut(s.data_mut(), k, k);
    gemm_into(sm, ew.as_ref(), e.transpose(), 1.0, false);
    s
}

/// Per-sample quantities from the scores: loss, label mass, and the masses of the other tokens.
#[derive(Clone, Debug)]
pub struct RowEval {
    /// `ℓ_i = −log π_i(y_i)`.
    pub loss: f64,
    /// `π_i(y_i)` (may round to 1).
    pub label_mass: f64,
    /// `π_i(j)` for the other distinct tokens, in `row.others` order (never rounded away).
    pub other_mass: Vec<f64>,
}

/// Evaluates one sample given the vocabulary scores `s` (`K × K`, e.g. from [`scores`]).
///
/// # Errors
/// `ShapeMismatch` for a non-square `s`; `OutOfRange` for a token of `row` that is not below
/// `K`; `NonFinite` for a NaN or an infinity among the scores the row reads.
pub fn eval_row(s: &Mat, row: &Row) -> Result<RowEval> {
    let k = s.rows();
    check_len("scores columns (must be square)", k, s.cols())?;
    check_ids("row query", &[row.query()], k)?;
    check_ids("row label", &[row.label()], k)?;
    for (i, &(j, _)) in row.others().iter().enumerate() {
        check_ids("row tokens", &[j], k).map_err(|_| Error::OutOfRange {
            what: "row tokens",
            index: i,
            value: j,
            bound: k,
        })?;
    }
    let read: Vec<f64> = std::iter::once(row.label())
        .chain(row.others().iter().map(|&(j, _)| j))
        .map(|j| s.at(j, row.query()))
        .collect();
    check_finite("scores read by the row", &read)?;
    Ok(eval_row_of(s, row))
}

/// [`eval_row`] for scores and a row that fit by construction.
pub(crate) fn eval_row_of(s: &Mat, row: &Row) -> RowEval {
    let k = row.query;
    let sy = s.at(row.label, k);
    let m = row.label_count;
    let deltas: Vec<f64> = row.others.iter().map(|&(j, _)| s.at(j, k) - sy).collect();
    let top = deltas.iter().copied().fold(0.0f64, f64::max);
    // Everything relative to max(σ_y, max σ_j): no overflow, and the small masses stay exact.
    let label_w = m * (-top).exp();
    let other_w: Vec<f64> = row
        .others
        .iter()
        .zip(&deltas)
        .map(|(&(_, c), &dl)| c * (dl - top).exp())
        .collect();
    let rest: f64 = other_w.iter().sum();
    let z = label_w + rest;
    let loss = if top == 0.0 {
        (rest / m).ln_1p()
    } else {
        top + ((-top).exp() + rest / m).ln()
    };
    RowEval {
        loss,
        label_mass: label_w / z,
        other_mass: other_w.iter().map(|x| x / z).collect(),
    }
}

/// `L(W)` only.
///
/// # Errors
/// As [`check_w`]; `NonFinite` when finite inputs near `f64::MAX` overflow the loss.
pub fn loss(ds: &Dataset, w: &Mat) -> Result<f64> {
    check_w(ds.embeddings(), w)?;
    let l = loss_of(ds, w);
    check_overflow("loss L(W)", &[l])?;
    Ok(l)
}

/// A finite-input result that overflowed: `NonFinite` naming it (O(output), once per call).
fn check_overflow(what: &'static str, out: &[f64]) -> Result<()> {
    check_finite(what, out)
}

/// [`loss`] for a `W` the caller has checked.
pub(crate) fn loss_of(ds: &Dataset, w: &Mat) -> f64 {
    let s = scores_unchecked(ds.embeddings(), w);
    ds.rows()
        .iter()
        .map(|r| eval_row_of(&s, r).loss)
        .sum::<f64>()
        / ds.len() as f64
}

/// Per-sample losses `ℓ_i(W)`.
///
/// # Errors
/// As [`loss`].
pub fn sample_losses(ds: &Dataset, w: &Mat) -> Result<Vec<f64>> {
    check_w(ds.embeddings(), w)?;
    let l = sample_losses_of(ds, w);
    check_overflow("sample losses ℓ_i(W)", &l)?;
    Ok(l)
}

/// [`sample_losses`] for a `W` the caller has checked.
pub(crate) fn sample_losses_of(ds: &Dataset, w: &Mat) -> Vec<f64> {
    let s = scores_unchecked(ds.embeddings(), w);
    ds.rows().iter().map(|r| eval_row_of(&s, r).loss).collect()
}

/// Loss and gradient, batched in vocabulary space (`S = E W Eᵀ`, `∇L = Eᵀ G E`).
///
/// # Errors
/// As [`check_w`]; `NonFinite` when finite inputs near `f64::MAX` overflow the loss or the
/// gradient.
pub fn loss_and_grad(ds: &Dataset, w: &Mat, form: GradientForm) -> Result<Evaluation> {
    check_w(ds.embeddings(), w)?;
    let ev = loss_and_grad_of(ds, w, form);
    check_overflow("loss L(W)", &[ev.loss])?;
    check_overflow("gradient ∇L(W)", ev.grad.data())?;
    Ok(ev)
}

/// [`loss_and_grad`] for a `W` the caller has checked.
pub(crate) fn loss_and_grad_of(ds: &Dataset, w: &Mat, form: GradientForm) -> Evaluation {
    let emb = ds.embeddings();
    let (kv, d) = (emb.vocab(), emb.dim());
    let s = scores_unchecked(emb, w);
    let inv_n = 1.0 / ds.len() as f64;
    let mut g = Mat::zeros(kv, kv);
    let mut total = 0.0;
    for row in ds.rows() {
        let ev = eval_row_of(&s, row);
        total += ev.loss;
        let k = row.query;
        match form {
            GradientForm::Stable => {
                let mut out = 0.0;
                for (&(j, _), &a) in row.others.iter().zip(&ev.other_mass) {
                    g.data_mut()[j * kv + k] += a * inv_n;
                    out += a;
                }
                g.data_mut()[row.label * kv + k] -= out * inv_n;
            }
            GradientForm::Naive => {
                for (&(j, _), &a) in row.others.iter().zip(&ev.other_mass) {
                    g.data_mut()[j * kv + k] += a * inv_n;
                }
                g.data_mut()[row.label * kv + k] += (ev.label_mass - 1.0) * inv_n;
            }
        }
    }
    // ∇L = Eᵀ G E.
    let e = faer::MatRef::from_row_major_slice(emb.e.data(), kv, d);
    let gm = faer::MatRef::from_row_major_slice(g.data(), kv, kv);
    let mut ge = faer::Mat::<f64>::zeros(kv, d);
    gemm_into(ge.as_mut(), gm, e, 1.0, false);
    let mut grad = Mat::zeros(d, d);
    let out = faer::MatMut::from_row_major_slice_mut(grad.data_mut(), d, d);
    gemm_into(out, e.transpose(), ge.as_ref(), 1.0, false);
    Evaluation {
        loss: total * inv_n,
        grad,
    }
}

/// Plain per-position f64 oracle: scores `x_tᵀ W x̄` one position at a time, max-shifted softmax,
/// difference-form gradient. Positions are rebuilt from the multiplicities.
///
/// # Errors
/// As [`check_w`] (the oracle reports overflow as non-finite values rather than an error).
pub fn reference_loss_and_grad(ds: &Dataset, w: &Mat) -> Result<Evaluation> {
    check_w(ds.embeddings(), w)?;
    Ok(reference_of(ds, w))
}

fn reference_of(ds: &Dataset, w: &Mat) -> Evaluation {
    let emb = ds.embeddings();
    let d = emb.dim();
    let mut grad = Mat::zeros(d, d);
    let mut total = 0.0;
    for row in ds.rows() {
        let q = emb.token(row.query);
        let mut pos: Vec<usize> = Vec::new();
        for (j, c) in row.tokens() {
            for _ in 0..c as usize {
                pos.push(j);
            }
        }
        let sigma: Vec<f64> = pos.iter().map(|&j| w.bilinear(emb.token(j), q)).collect();
        let mx = sigma.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let ex: Vec<f64> = sigma.iter().map(|s| (s - mx).exp()).collect();
        let z: f64 = ex.iter().sum();
        let label_mass: f64 = pos
            .iter()
            .zip(&ex)
            .filter(|(&j, _)| j == row.label)
            .map(|(_, e)| e)
            .sum::<f64>()
            / z;
        let other_mass: f64 = pos
            .iter()
            .zip(&ex)
            .filter(|(&j, _)| j != row.label)
            .map(|(_, e)| e)
            .sum::<f64>()
            / z;
        total += if label_mass > 0.5 {
            -(-other_mass).ln_1p()
        } else {
            -label_mass.ln()
        };
        for (&j, e) in pos.iter().zip(&ex) {
            if j != row.label {
                let diff = emb.diff(j, row.label);
                grad.add_outer(e / z, &diff, q);
            }
        }
    }
    let n = ds.len() as f64;
    Evaluation {
        loss: total / n,
        grad: grad.scaled(1.0 / n),
    }
}

/// Hessian `∇²L(W)` as a `d² × d²` matrix over `vec(W)` (row-major: index `a·d + b` ↔ `W[a,b]`):
/// `H = (1/n) Σ_i M_i ⊗ x̄_i x̄_iᵀ` with `M_i = Σ_j π_i(j) (e_j − μ_i)(e_j − μ_i)ᵀ`, `μ_i = Σ_j π_i(j) e_j`
/// (the covariance form of `Jᵀ(diag a − a aᵀ)J`; positive semidefinite by construction).
///
/// The result has `d⁴` entries, capped at [`HESSIAN_MAX_ENTRIES`] (`d ≤ 64`).
///
/// # Errors
/// As [`check_w`]; `Overflow` / `TooLarge` when `d⁴` overflows or exceeds the cap (checked
/// before allocating); `NonFinite` when finite inputs overflow an entry.
pub fn hessian(ds: &Dataset, w: &Mat) -> Result<Mat> {
    check_w(ds.embeddings(), w)?;
    check_hessian_size(ds.dim())?;
    let h = hessian_of(ds, w);
    check_overflow("Hessian ∇²L(W)", h.data())?;
    Ok(h)
}

/// The most entries [`hessian`] allocates (`2^24` f64 = 128 MiB, i.e. `d ≤ 64`); a dense Newton
/// step on larger `W` is not what this model is for.
pub const HESSIAN_MAX_ENTRIES: usize = 1 << 24;

/// Rejects a `d² × d²` Hessian whose size overflows or exceeds [`HESSIAN_MAX_ENTRIES`].
pub(crate) fn check_hessian_size(d: usize) -> Result<()> {
    let dd = crate::error::checked_elems("Hessian side (d²)", &[d, d])?;
    let entries = crate::error::checked_elems("Hessian entries (d⁴)", &[dd, dd])?;
    crate::error::check_cap("Hessian entries (d⁴)", entries, HESSIAN_MAX_ENTRIES)
}

/// [`hessian`] for a `W` the caller has checked and a size within the cap.
pub(crate) fn hessian_of(ds: &Dataset, w: &Mat) -> Mat {
    let emb = ds.embeddings();
    let (kv, d) = (emb.vocab(), emb.dim());
    let s = scores_unchecked(emb, w);
    // Per-query accumulated M.
    let mut per_query: Vec<Option<Mat>> = vec![None; kv];
    let inv_n = 1.0 / ds.len() as f64;
    for row in ds.rows() {
        let ev = eval_row_of(&s, row);
        let mut toks: Vec<(usize, f64)> = row
            .others
            .iter()
            .zip(&ev.other_mass)
            .map(|(&(j, _), &a)| (j, a))
            .collect();
        toks.push((row.label, ev.label_mass));
        let mut mu = vec![0.0; d];
        for &(j, a) in &toks {
            for (m, e) in mu.iter_mut().zip(emb.token(j)) {
                *m += a * e;
            }
        }
        let m = per_query[row.query].get_or_insert_with(|| Mat::zeros(d, d));
        for &(j, a) in &toks {
            let c: Vec<f64> = emb.token(j).iter().zip(&mu).map(|(e, m)| e - m).collect();
            m.add_outer(a * inv_n, &c, &c);
        }
    }
    let dd = d * d;
    let mut h = Mat::zeros(dd, dd);
    for (k, m) in per_query.iter().enumerate() {
        let Some(m) = m else { continue };
        let q = emb.token(k);
        for a in 0..d {
            for a2 in 0..d {
                let mv = m.at(a, a2);
                if mv == 0.0 {
                    continue;
                }
                for b in 0..d {
                    let row = (a * d + b) * dd;
                    for b2 in 0..d {
                        h.data_mut()[row + a2 * d + b2] += mv * q[b] * q[b2];
                    }
                }
            }
        }
    }
    h
}

/// Next-token distribution `π(j)` over the whole vocabulary for an arbitrary prompt (last token =
/// query) under `W`.
pub fn prompt_distribution(emb: &Embeddings, w: &Mat, prompt: &[usize]) -> Result<Vec<f64>> {
    check_nonempty("prompt", prompt)?;
    check_ids("prompt", prompt, emb.vocab())?;
    check_len("W rows", emb.dim(), w.rows())?;
    check_len("W cols", emb.dim(), w.cols())?;
    let q = emb.token(*prompt.last().unwrap_or(&0));
    let sigma: Vec<f64> = prompt
        .iter()
        .map(|&j| w.bilinear(emb.token(j), q))
        .collect();
    // Finite embeddings near f64::MAX overflow the scores; the softmax of ±∞ is not a law.
    crate::error::check_finite("prompt scores σ (overflow from finite embeddings)", &sigma)?;
    let mut pi = vec![0.0; emb.vocab()];
    for (&j, a) in prompt.iter().zip(softmax_to_vec(&sigma)) {
        pi[j] += a;
    }
    Ok(pi)
}
