//! Batched next-token-model loss/gradient and large-vocabulary divergences on the GPU.
//!
//! Both mirror the math of their papers' modules (see `cuda/next_token.cu` and
//! `cuda/divergence.cu` for the formulas) and are checked against f64 CPU references in
//! `tests/cuda/losses.rs`.

use std::sync::Arc;

use cudarc::driver::{LaunchConfig, PushKernelArg};

use super::device::{driver_err, CudaDevice};
use super::source::{DIVERGENCE, NEXT_TOKEN};
use crate::error::{check_finite, check_ids, check_len, Error, Result};

const THREADS: u32 = 128;

/// A divergence between a teacher distribution `p` (given as log-probabilities) and a student
/// distribution `q = softmax(z)` (given as logits), in nats (DistillSpec K1.1).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Divergence {
    /// Forward KL `D(p‖q) = Σ p (log p − log q)`.
    Fkl,
    /// Reverse KL `D(q‖p) = Σ q (log q − log p)`; `log p` is clamped at `−1e4` (f32).
    Rkl,
    /// Generalised JSD with teacher weight `β ∈ [0, 1]`; `β = 0` is FKL and `β = 1` is RKL by
    /// convention (the limits of `JSD\[β\]/β` and `JSD\[β\]/(1−β)`).
    Jsd(f64),
    /// Total variation `½ Σ |p − q|` (subgradient with `sign(0) = 0`).
    Tvd,
}

/// Per-row divergence and its gradient with respect to the student logits.
#[derive(Clone, Debug, PartialEq)]
pub struct DivergenceGrad {
    /// `[rows]`.
    pub value: Vec<f32>,
    /// `[rows, vocab]`; each row sums to 0 (softmax shift invariance).
    pub grad: Vec<f32>,
}

/// Loss and gradient of the one-layer next-token model over a batch.
#[derive(Clone, Debug, PartialEq)]
pub struct NextTokenLossGrad {
    /// Mean log-loss `(1/n) Σ_i −log π_i(y_i)` (summed in f64 on the host).
    pub loss: f64,
    /// `[n]` per-sample losses.
    pub per_sample: Vec<f32>,
    /// `[d, d]` row-major `∂L/∂W`.
    pub grad: Vec<f32>,
}

/// A batch for the next-token model: embeddings and token sequences of equal length.
#[derive(Clone, Copy, Debug)]
pub struct NextTokenBatch<'a> {
    /// `[vocab, dim]` row-major embedding table `E`.
    pub emb: &'a [f32],
    /// Vocabulary size `K`.
    pub vocab: usize,
    /// Embedding dimension `d`.
    pub dim: usize,
    /// `[n, seq_len]` token ids; the last token of each row is the query.
    pub tokens: &'a [usize],
    /// Sequence length `T`.
    pub seq_len: usize,
    /// `[n]` next-token labels.
    pub labels: &'a [usize],
}

/// GPU kernels for the losses of the paper modules (f32).
#[derive(Clone, Debug)]
pub struct CudaLosses {
    dev: Arc<CudaDevice>,
}

impl CudaLosses {
    /// On device 0; [`Error::CudaUnavailable`] without a driver, NVRTC or GPU.
    pub fn new() -> Result<Self> {
        Ok(CudaLosses {
            dev: CudaDevice::shared(0)?,
        })
    }

    /// Divergence `kind` of every row of `teacher_logp` (`[rows, vocab]` log-probabilities,
    /// `−∞` allowed, no NaN or `+∞`) against `student_logits` (`[rows, vocab]`, finite), and
    /// its gradient with respect to the logits (K1.2). One block per row, three passes.
    pub fn divergence(
        &self,
        teacher_logp: &[f32],
        student_logits: &[f32],
        rows: usize,
        vocab: usize,
        kind: Divergence,
    ) -> Result<DivergenceGrad> {
        let n = rows.checked_mul(vocab).ok_or(Error::InvalidArgument {
            what: "rows * vocab",
            reason: "overflows usize".into(),
        })?;
        if vocab == 0 {
            return Err(Error::Empty { what: "vocab" });
        }
        check_len("teacher_logp", n, teacher_logp.len())?;
        check_len("student_logits", n, student_logits.len())?;
        check_finite("student_logits", student_logits)?;
        if let Some(index) = teacher_logp
            .iter()
            .position(|x| x.is_nan() || *x == f32::INFINITY)
        {
            return Err(Error::NonFinite {
                what: "teacher_logp",
                index,
            });
        }
        let (code, beta) = match kind {
            Divergence::Fkl => (0, 0.0),
            Divergence::Rkl => (1, 1.0),
            Divergence::Jsd(b) if !(0.0..=1.0).contains(&b) => {
                return Err(Error::InvalidArgument {
                    what: "beta",
                    reason: format!("must lie in [0, 1], got {b}"),
                })
            }
            Divergence::Jsd(0.0) => (0, 0.0),
            Divergence::Jsd(1.0) => (1, 1.0),
            Divergence::Jsd(b) => (2, b),
            Divergence::Tvd => (3, 0.0),
        };
        if rows == 0 {
            return Ok(DivergenceGrad {
                value: vec![],
                grad: vec![],
            });
        }
        let vocab_i = i32::try_from(vocab).map_err(|_| Error::InvalidArgument {
            what: "vocab",
            reason: "exceeds i32".into(),
        })?;
        let rows_u = u32::try_from(rows).map_err(|_| Error::InvalidArgument {
            what: "rows",
            reason: "exceeds the grid limit".into(),
        })?;
        let dev = &self.dev;
        let f = dev.function(&DIVERGENCE, "divergence_fwd_bwd", 0)?;
        let (lp, z) = (dev.upload(teacher_logp)?, dev.upload(student_logits)?);
        let mut value = dev.zeros::<f32>(rows)?;
        let mut grad = dev.zeros::<f32>(n)?;
        let beta = beta as f32;
        let code: i32 = code;
        let mut b = dev.stream().launch_builder(&f);
        b.arg(&lp.slice)
            .arg(&z.slice)
            .arg(&vocab_i)
            .arg(&code)
            .arg(&beta)
            .arg(&mut value.slice)
            .arg(&mut grad.slice);
        let cfg = LaunchConfig {
            grid_dim: (rows_u, 1, 1),
            block_dim: (THREADS, 1, 1),
            shared_mem_bytes: 0,
        };
        // SAFETY: matches `divergence_fwd_bwd` in cuda/divergence.cu; buffers hold rows * vocab.
        unsafe { b.launch(cfg) }.map_err(driver_err("launch divergence_fwd_bwd"))?;
        Ok(DivergenceGrad {
            value: dev.download(&value)?,
            grad: dev.download(&grad)?,
        })
    }

    /// Mean log-loss and `∂L/∂W` of the one-layer next-token model (spec next_token_scc §1)
    /// on `batch`, with `w` `[dim, dim]` row-major; every label must occur in its sequence
    /// (realizable labels, else [`Error::Infeasible`]). Scores
    /// `σ_t = x_tᵀ W x̄` with `x̄` the last token's embedding, softmax over the sequence,
    /// loss `−log Σ_{t: τ_t = y} a_t`.
    pub fn next_token_loss_grad(
        &self,
        batch: &NextTokenBatch<'_>,
        w: &[f32],
    ) -> Result<NextTokenLossGrad> {
        let NextTokenBatch {
            emb,
            vocab,
            dim,
            tokens,
            seq_len,
            labels,
        } = *batch;
        let n = labels.len();
        if n == 0 {
            return Err(Error::Empty { what: "labels" });
        }
        if seq_len == 0 || dim == 0 {
            return Err(Error::InvalidArgument {
                what: "seq_len/dim",
                reason: "must be at least 1".into(),
            });
        }
        check_len("emb", vocab * dim, emb.len())?;
        check_len("w", dim * dim, w.len())?;
        check_len("tokens", n * seq_len, tokens.len())?;
        check_finite("emb", emb)?;
        check_finite("w", w)?;
        check_ids("tokens", tokens, vocab)?;
        check_ids("labels", labels, vocab)?;
        for (i, &y) in labels.iter().enumerate() {
            if !tokens[i * seq_len..(i + 1) * seq_len].contains(&y) {
                return Err(Error::Infeasible {
                    what: "next-token log-loss",
                    reason: format!("label {y} of sample {i} does not occur in its sequence"),
                });
            }
        }
        let to_i32 = |what: &'static str, x: usize| {
            i32::try_from(x).map_err(|_| Error::InvalidArgument {
                what,
                reason: "exceeds i32".into(),
            })
        };
        let smem = 4 * (2 * dim + seq_len);
        if smem > 48 * 1024 {
            return Err(Error::InvalidArgument {
                what: "seq_len/dim",
                reason: format!(
                    "2 dim + seq_len = {} floats exceed 48 KiB",
                    2 * dim + seq_len
                ),
            });
        }
        let tok: Vec<i32> = tokens.iter().map(|&t| t as i32).collect();
        let lab: Vec<i32> = labels.iter().map(|&t| t as i32).collect();
        let (t_len, d) = (to_i32("seq_len", seq_len)?, to_i32("dim", dim)?);
        let n_i = to_i32("n", n)?;
        let dev = &self.dev;
        let f_fwd = dev.function(&NEXT_TOKEN, "ntp_forward", smem)?;
        let f_grad = dev.function(&NEXT_TOKEN, "ntp_grad", 0)?;
        let (e_d, w_d, t_d, l_d) = (
            dev.upload(emb)?,
            dev.upload(w)?,
            dev.upload(&tok)?,
            dev.upload(&lab)?,
        );
        let mut loss = dev.zeros::<f32>(n)?;
        let mut z = dev.zeros::<f32>(n * dim)?;
        let mut xbar = dev.zeros::<f32>(n * dim)?;
        let mut grad = dev.zeros::<f32>(dim * dim)?;
        let mut b = dev.stream().launch_builder(&f_fwd);
        b.arg(&e_d.slice)
            .arg(&w_d.slice)
            .arg(&t_d.slice)
            .arg(&l_d.slice)
            .arg(&t_len)
            .arg(&d)
            .arg(&mut loss.slice)
            .arg(&mut z.slice)
            .arg(&mut xbar.slice);
        let cfg = LaunchConfig {
            grid_dim: (n as u32, 1, 1),
            block_dim: (THREADS, 1, 1),
            shared_mem_bytes: smem as u32,
        };
        // SAFETY: matches `ntp_forward`; ids validated below vocab, labels occur in their rows.
        unsafe { b.launch(cfg) }.map_err(driver_err("launch ntp_forward"))?;
        let inv_n = 1.0f32 / n as f32;
        let mut b = dev.stream().launch_builder(&f_grad);
        b.arg(&z.slice)
            .arg(&xbar.slice)
            .arg(&n_i)
            .arg(&d)
            .arg(&inv_n)
            .arg(&mut grad.slice);
        let cfg = LaunchConfig {
            grid_dim: ((dim * dim).div_ceil(THREADS as usize) as u32, 1, 1),
            block_dim: (THREADS, 1, 1),
            shared_mem_bytes: 0,
        };
        // SAFETY: matches `ntp_grad`; z and xbar hold n * dim, grad dim * dim.
        unsafe { b.launch(cfg) }.map_err(driver_err("launch ntp_grad"))?;
        let per_sample = dev.download(&loss)?;
        let loss = per_sample.iter().map(|&x| x as f64).sum::<f64>() / n as f64;
        Ok(NextTokenLossGrad {
            loss,
            per_sample,
            grad: dev.download(&grad)?,
        })
    }
}
