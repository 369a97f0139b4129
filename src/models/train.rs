//! The one training step every experiment uses: forward, a loss on the last hidden states,
//! exact backward, global-norm gradient clipping, AdamW; plus a seeded data order.

use super::batch::Batch;
use super::gemm::{gemm, view};
use super::params::Params;
use super::transformer::Transformer;
use crate::error::{Error, Result};
use crate::float::Float;
use crate::rng::seeded;
use rand::seq::SliceRandom;

/// AdamW (decoupled weight decay, bias-corrected moments), PyTorch's update rule.
#[derive(Clone, Debug)]
pub struct AdamW<T> {
    /// Learning rate.
    pub lr: f64,
    /// First-moment decay `β₁`.
    pub beta1: f64,
    /// Second-moment decay `β₂`.
    pub beta2: f64,
    /// `ε` added to `√v̂`.
    pub eps: f64,
    /// Decoupled weight decay `λ` (applied as `θ ← θ − lr·λ·θ`).
    pub weight_decay: f64,
    /// Clip the global gradient norm to this value (`None`: no clipping).
    pub max_grad_norm: Option<f64>,
    step: u64,
    m: Params<T>,
    v: Params<T>,
    extra_m: Vec<T>,
    extra_v: Vec<T>,
}

impl<T: Float> AdamW<T> {
    /// An optimiser for parameters shaped like `params`, with PyTorch's defaults
    /// (`β = (0.9, 0.999)`, `ε = 1e-8`, `λ = 0.01`) and clipping at norm 1.
    pub fn new(params: &Params<T>, lr: f64) -> Self {
        AdamW {
            lr,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
            weight_decay: 0.01,
            max_grad_norm: Some(1.0),
            step: 0,
            m: params.zeros_like(),
            v: params.zeros_like(),
            extra_m: Vec::new(),
            extra_v: Vec::new(),
        }
    }

    /// Clips `grads` (global L2 norm, PyTorch's `clip_grad_norm_`: scale by `max/(‖g‖ + 1e-6)`
    /// when `‖g‖ > max`) and applies one update. Returns the norm before clipping.
    pub fn update(&mut self, params: &mut Params<T>, grads: &mut Params<T>) -> f64 {
        self.update_with_extra(params, grads, &mut [], &mut [])
    }

    /// [`Self::update`] for the model plus one extra tensor trained beside it (e.g. a projection
    /// head outside the transformer): one global norm for clipping, one step count. The extra
    /// tensor's moments are created on first use; `extra` and `extra_grad` have equal lengths,
    /// fixed from the first call on.
    pub fn update_with_extra(
        &mut self,
        params: &mut Params<T>,
        grads: &mut Params<T>,
        extra: &mut [T],
        extra_grad: &mut [T],
    ) -> f64 {
        debug_assert_eq!(extra.len(), extra_grad.len());
        if self.extra_m.len() != extra.len() {
            self.extra_m = vec![T::zero(); extra.len()];
            self.extra_v = vec![T::zero(); extra.len()];
        }
        let norm = grads
            .tensors()
            .into_iter()
            .map(|t| t.as_slice())
            .chain([&*extra_grad])
            .flat_map(|t| t.iter())
            .map(|g| g.as_f64() * g.as_f64())
            .sum::<f64>()
            .sqrt();
        if let Some(max) = self.max_grad_norm {
            if norm > max {
                let s = T::of(max / (norm + 1e-6));
                for t in grads
                    .tensors_mut()
                    .into_iter()
                    .map(|t| t.as_mut_slice())
                    .chain([&mut *extra_grad])
                {
                    t.iter_mut().for_each(|g| *g *= s);
                }
            }
        }
        self.step += 1;
        let t = self.step as i32;
        let (b1, b2) = (T::of(self.beta1), T::of(self.beta2));
        let c1 = T::of(1.0 - self.beta1.powi(t));
        let c2 = T::of(1.0 - self.beta2.powi(t));
        let (lr, eps) = (T::of(self.lr), T::of(self.eps));
        let decay = T::of(1.0 - self.lr * self.weight_decay);
        let params = params
            .tensors_mut()
            .into_iter()
            .map(|t| t.as_mut_slice())
            .chain([extra]);
        let grads = grads
            .tensors()
            .into_iter()
            .map(|t| t.as_slice())
            .chain([&*extra_grad]);
        let ms = self
            .m
            .tensors_mut()
            .into_iter()
            .map(|t| t.as_mut_slice())
            .chain([self.extra_m.as_mut_slice()]);
        let vs = self
            .v
            .tensors_mut()
            .into_iter()
            .map(|t| t.as_mut_slice())
            .chain([self.extra_v.as_mut_slice()]);
        for (((p, g), m), v) in params.zip(grads).zip(ms).zip(vs) {
            for (((p, &g), m), v) in p
                .iter_mut()
                .zip(g.iter())
                .zip(m.iter_mut())
                .zip(v.iter_mut())
            {
                *m = b1 * *m + (T::one() - b1) * g;
                *v = b2 * *v + (T::one() - b2) * g * g;
                let m_hat = *m / c1;
                let v_hat = *v / c2;
                *p = *p * decay - lr * m_hat / (v_hat.sqrt() + eps);
            }
        }
        norm
    }
}

/// A loss's value and gradients: with respect to the last hidden states, and optionally to the
/// word-embedding table (a tied output head).
#[derive(Clone, Debug)]
pub struct LossGrad<T> {
    /// The loss.
    pub value: f64,
    /// `∂loss/∂hidden`, `[n, D]`.
    pub d_hidden: Vec<T>,
    /// `∂loss/∂word_embeddings` through a tied head, `[V, D]`.
    pub d_word: Option<Vec<T>>,
}

/// One training step: forward, `loss(hidden)`, backward, clip, AdamW. Returns the loss.
///
/// # Errors
/// The errors of the forward, of `loss`, and of the backward; `ShapeMismatch` for a wrong-sized
/// `d_word`.
pub fn train_step<T, L>(
    model: &mut Transformer<T>,
    opt: &mut AdamW<T>,
    batch: &Batch,
    loss: L,
) -> Result<f64>
where
    T: Float,
    L: FnOnce(&[T], &Params<T>) -> Result<LossGrad<T>>,
{
    let (hidden, tape) = model.forward_train(batch)?;
    let lg = loss(&hidden, &model.params)?;
    let mut grads = model.backward(&tape, &lg.d_hidden)?;
    if let Some(dw) = lg.d_word {
        let w = &mut grads.embeddings.word;
        crate::error::check_len("d_word", w.len(), dw.len())?;
        for (g, d) in w.iter_mut().zip(dw) {
            *g += d;
        }
    }
    opt.update(&mut model.params, &mut grads);
    Ok(lg.value)
}

/// Next-token cross-entropy with the output head tied to the word embeddings: position `i` of
/// each sequence predicts token `i + 1`, `logits = h Wᵀ`, loss averaged over the predicted
/// tokens.
///
/// # Errors
/// `ShapeMismatch` / `InvalidArgument` / `OutOfRange` when `hidden`, `word` and the batch's ids
/// do not fit together; `InvalidArgument` when no sequence has two tokens.
pub fn next_token_loss<T: Float>(
    hidden: &[T],
    batch: &Batch,
    word: &[T],
    d: usize,
) -> Result<LossGrad<T>> {
    let n = batch.tokens();
    crate::error::check_len("hidden", n * d, hidden.len())?;
    if d == 0 || word.is_empty() || !word.len().is_multiple_of(d) {
        return Err(Error::InvalidArgument {
            what: "word",
            reason: format!("{} values do not form rows of width {d}", word.len()),
        });
    }
    let vocab = word.len() / d;
    if let Some(index) = batch.ids.iter().position(|&t| t >= vocab) {
        return Err(Error::OutOfRange {
            what: "batch.ids",
            index,
            value: batch.ids[index],
            bound: vocab,
        });
    }
    let count: usize = batch.lengths.iter().map(|&l| l.saturating_sub(1)).sum();
    if count == 0 {
        return Err(Error::InvalidArgument {
            what: "batch",
            reason: "next-token loss needs a sequence of at least two tokens".into(),
        });
    }
    let mut logits = vec![T::zero(); n * vocab];
    gemm(
        &mut logits,
        view(hidden, n, d, false),
        view(word, vocab, d, true),
        false,
    );
    // logits become d_logits in place: (softmax − onehot)/count on predicting rows, 0 elsewhere.
    let inv = T::of(1.0 / count as f64);
    let mut value = 0.0;
    let mut row = 0;
    for &len in &batch.lengths {
        for pos in 0..len {
            let z = &mut logits[row * vocab..(row + 1) * vocab];
            if pos + 1 < len {
                let target = batch.ids[row + 1];
                let max = z
                    .iter()
                    .copied()
                    .fold(T::neg_infinity(), |a, b| if b > a { b } else { a });
                let sum: T = z.iter().map(|&x| (x - max).exp()).sum();
                value += (sum.ln() + max - z[target]).as_f64();
                for x in z.iter_mut() {
                    *x = (*x - max).exp() / sum * inv;
                }
                z[target] -= inv;
            } else {
                z.iter_mut().for_each(|x| *x = T::zero());
            }
            row += 1;
        }
    }
    let mut d_hidden = vec![T::zero(); n * d];
    gemm(
        &mut d_hidden,
        view(&logits, n, vocab, false),
        view(word, vocab, d, false),
        false,
    );
    let mut d_word = vec![T::zero(); vocab * d];
    gemm(
        &mut d_word,
        view(&logits, n, vocab, true),
        view(hidden, n, d, false),
        false,
    );
    Ok(LossGrad {
        value: value / count as f64,
        d_hidden,
        d_word: Some(d_word),
    })
}

/// The order to visit `n` examples in epoch `epoch`: a Fisher–Yates shuffle seeded by
/// `(seed, epoch)`, so every experiment sees the same order for the same seed.
pub fn epoch_order(n: usize, seed: u64, epoch: u64) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    order.shuffle(&mut seeded(seed, epoch));
    order
}
