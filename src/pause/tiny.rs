//! A tiny attention language model in f64 with exact gradients through the attention kernels: the
//! test bed for the pause-token identities PT1–PT3 and PT5.
//!
//! `x_0 = E[s]` (`E`: `[vocab_in, d]`), per layer `x_{l+1} = x_l + Attn(x_l W_q, x_l W_k, x_l W_v)`
//! (one head, prefix-LM or causal mask through [`super::prefix_lm`]), logits `x_L U` (`U`:
//! `[d, vocab_out]`, untied). The products go through [`crate::linalg::gemm_row_major`].

use super::prefix_lm;
use crate::attention::{Forward, Shape};
use crate::error::{
    check_finite, check_ids, check_len, check_nonempty, checked_elems, Error, Result,
};
use crate::linalg::gemm_row_major_unchecked as gemm;
use rand::Rng;
use rand_distr::{Distribution, StandardNormal};

/// `[m, k] · [k, n]`.
fn matmul(a: &[f64], b: &[f64], m: usize, k: usize, n: usize) -> Vec<f64> {
    gemm(a, (m, k), false, b, (k, n), false)
}

/// `aᵀ · b` for `a: [m, k]`, `b: [m, n]` → `[k, n]`.
fn matmul_tn(a: &[f64], b: &[f64], m: usize, k: usize, n: usize) -> Vec<f64> {
    gemm(a, (m, k), true, b, (m, n), false)
}

/// `a · bᵀ` for `a: [m, n]`, `b: [k, n]` → `[m, k]`.
fn matmul_nt(a: &[f64], b: &[f64], m: usize, n: usize, k: usize) -> Vec<f64> {
    gemm(a, (m, n), false, b, (k, n), true)
}

/// One attention layer's weights `W_q, W_k, W_v` (`[d, d]` each).
#[derive(Clone, Debug, PartialEq)]
pub struct Layer {
    /// Query projection.
    pub wq: Vec<f64>,
    /// Key projection.
    pub wk: Vec<f64>,
    /// Value projection.
    pub wv: Vec<f64>,
}

/// The tiny model (see the [module docs](self)). Its fields are private: the shapes agree by
/// construction ([`TinyLm::new`] validates them); the weights are read through getters and the
/// embedding written through [`TinyLm::embed_mut`] (finite-difference checks), which keeps its
/// length. [`TinyLm::forward`] still checks that every weight is finite.
#[derive(Clone, Debug, PartialEq)]
pub struct TinyLm {
    vocab_in: usize,
    vocab_out: usize,
    d: usize,
    embed: Vec<f64>,
    layers: Vec<Layer>,
    unembed: Vec<f64>,
}

/// Gradients with the model's shapes: a result that [`TinyLm::backward`] returns and no function
/// takes back, so its fields stay public (no invariant to protect).
#[derive(Clone, Debug, PartialEq)]
pub struct TinyGrads {
    /// `∂/∂E`.
    pub embed: Vec<f64>,
    /// Per layer `∂/∂W_q, W_k, W_v`.
    pub layers: Vec<Layer>,
    /// `∂/∂U`.
    pub unembed: Vec<f64>,
}

/// What the backward pass needs from the forward pass.
#[derive(Clone, Debug)]
pub struct Tape {
    /// [`TinyLm::fingerprint`] of the model that recorded the tape.
    model: u64,
    tokens: Vec<usize>,
    prefix_len: usize,
    xs: Vec<Vec<f64>>,
    qkv: Vec<[Vec<f64>; 3]>,
    fwds: Vec<Forward<f64>>,
}

impl TinyLm {
    /// Weights `N(0, 1/d)` (embedding `N(0, 1)`), from `rng`. Errors: `d = 0`; `Overflow` when a
    /// weight matrix's size does not fit in `usize`.
    pub fn random(
        vocab_in: usize,
        vocab_out: usize,
        d: usize,
        layers: usize,
        rng: &mut impl Rng,
    ) -> Result<Self> {
        if d == 0 {
            return Err(Error::InvalidArgument {
                what: "d",
                reason: "width must be at least 1".into(),
            });
        }
        checked_elems("embed: vocab_in·d", &[vocab_in, d])?;
        checked_elems("unembed: d·vocab_out", &[d, vocab_out])?;
        checked_elems("layers: layers·d·d", &[layers, d, d])?;
        let mut draw = |n: usize, s: f64| -> Vec<f64> {
            (0..n)
                .map(|_| s * <StandardNormal as Distribution<f64>>::sample(&StandardNormal, rng))
                .collect()
        };
        let s = 1.0 / (d as f64).sqrt();
        let embed = draw(vocab_in * d, 1.0);
        let layers = (0..layers)
            .map(|_| Layer {
                wq: draw(d * d, s),
                wk: draw(d * d, s),
                wv: draw(d * d, s),
            })
            .collect();
        let unembed = draw(d * vocab_out, s);
        Ok(TinyLm {
            vocab_in,
            vocab_out,
            d,
            embed,
            layers,
            unembed,
        })
    }

    /// A model from its weights: embedding `E` `[vocab_in, d]`, per layer `W_q, W_k, W_v`
    /// `[d, d]`, unembedding `U` `[d, vocab_out]`, all row-major.
    ///
    /// # Errors
    /// `InvalidArgument` for `d = 0`; `Overflow` when a shape's size does not fit in `usize`;
    /// `ShapeMismatch` for a weight of the wrong length; `NonFinite` for a NaN or infinite weight.
    pub fn new(
        vocab_in: usize,
        vocab_out: usize,
        d: usize,
        embed: Vec<f64>,
        layers: Vec<Layer>,
        unembed: Vec<f64>,
    ) -> Result<Self> {
        let model = TinyLm {
            vocab_in,
            vocab_out,
            d,
            embed,
            layers,
            unembed,
        };
        model.check_shapes()?;
        Ok(model)
    }

    /// Input vocabulary (real tokens plus any `<pause>` rows).
    pub fn vocab_in(&self) -> usize {
        self.vocab_in
    }
    /// Output vocabulary.
    pub fn vocab_out(&self) -> usize {
        self.vocab_out
    }
    /// Width `d`.
    pub fn d(&self) -> usize {
        self.d
    }
    /// Embedding `[vocab_in, d]`.
    pub fn embed(&self) -> &[f64] {
        &self.embed
    }
    /// The embedding, writable in place (its length is fixed; [`TinyLm::forward`] rejects a
    /// non-finite weight written here).
    pub fn embed_mut(&mut self) -> &mut [f64] {
        &mut self.embed
    }
    /// Layers.
    pub fn layers(&self) -> &[Layer] {
        &self.layers
    }
    /// Unembedding `[d, vocab_out]`.
    pub fn unembed(&self) -> &[f64] {
        &self.unembed
    }

    /// Checks that the fields agree: `embed` `[vocab_in, d]`, each layer `[d, d]` ×3,
    /// `unembed` `[d, vocab_out]`, `d ≥ 1`, all weights finite.
    fn check_shapes(&self) -> Result<()> {
        let d = self.d;
        if d == 0 {
            return Err(Error::InvalidArgument {
                what: "d",
                reason: "width must be at least 1".into(),
            });
        }
        let dd = checked_elems("layer: d·d", &[d, d])?;
        check_len(
            "embed",
            checked_elems("embed", &[self.vocab_in, d])?,
            self.embed.len(),
        )?;
        check_len(
            "unembed",
            checked_elems("unembed", &[d, self.vocab_out])?,
            self.unembed.len(),
        )?;
        check_finite("embed", &self.embed)?;
        check_finite("unembed", &self.unembed)?;
        for l in &self.layers {
            for (what, w) in [("wq", &l.wq), ("wk", &l.wk), ("wv", &l.wv)] {
                check_len(what, dd, w.len())?;
                check_finite(what, w)?;
            }
        }
        Ok(())
    }

    /// FNV-1a over the shapes and the weights' bits: ties a [`Tape`] to the model that recorded it.
    fn fingerprint(&self) -> u64 {
        let mut h = 0xcbf2_9ce4_8422_2325u64;
        let mut eat = |x: u64| h = (h ^ x).wrapping_mul(0x0100_0000_01b3);
        for x in [self.vocab_in, self.vocab_out, self.d, self.layers.len()] {
            eat(x as u64);
        }
        let layers = self.layers.iter().flat_map(|l| [&l.wq, &l.wk, &l.wv]);
        for w in [&self.embed]
            .into_iter()
            .chain(layers)
            .chain([&self.unembed])
        {
            w.iter().for_each(|x| eat(x.to_bits()));
        }
        h
    }

    /// Number of parameters.
    pub fn parameter_count(&self) -> usize {
        self.embed.len() + self.layers.len() * 3 * self.d * self.d + self.unembed.len()
    }

    /// Logits `[n, vocab_out]` for `tokens` with a prefix-LM mask over the first `prefix_len`
    /// positions (`0` or `1`: causal), and the tape for [`TinyLm::backward`].
    pub fn forward(&self, tokens: &[usize], prefix_len: usize) -> Result<(Vec<f64>, Tape)> {
        check_nonempty("tokens", tokens)?;
        self.check_shapes()?;
        check_ids("tokens", tokens, self.vocab_in)?;
        let (n, d) = (tokens.len(), self.d);
        let shape = Shape {
            batch: 1,
            heads: 1,
            q_len: n,
            kv_len: n,
            head_dim: d,
        };
        let mut x: Vec<f64> = tokens
            .iter()
            .flat_map(|&t| self.embed[t * d..][..d].iter().copied())
            .collect();
        let (mut xs, mut qkv, mut fwds) = (Vec::new(), Vec::new(), Vec::new());
        for layer in &self.layers {
            let q = matmul(&x, &layer.wq, n, d, d);
            let k = matmul(&x, &layer.wk, n, d, d);
            let v = matmul(&x, &layer.wv, n, d, d);
            let f = prefix_lm::forward(&q, &k, &v, shape, prefix_len, None)?;
            let next: Vec<f64> = x.iter().zip(&f.out).map(|(a, b)| a + b).collect();
            xs.push(std::mem::replace(&mut x, next));
            qkv.push([q, k, v]);
            fwds.push(f);
        }
        let logits = matmul(&x, &self.unembed, n, d, self.vocab_out);
        xs.push(x);
        Ok((
            logits,
            Tape {
                model: self.fingerprint(),
                tokens: tokens.to_vec(),
                prefix_len,
                xs,
                qkv,
                fwds,
            },
        ))
    }

    /// Gradients of a scalar loss given `d_logits` (`[n, vocab_out]`), through the attention
    /// kernels' backward pass.
    ///
    /// # Errors
    /// `InvalidArgument` when `tape` was recorded by another model (or this one before its
    /// weights changed); `ShapeMismatch`/`NonFinite` for `d_logits`.
    pub fn backward(&self, tape: &Tape, d_logits: &[f64]) -> Result<TinyGrads> {
        self.check_shapes()?;
        if tape.model != self.fingerprint() {
            return Err(Error::InvalidArgument {
                what: "tape",
                reason: "recorded by another model (or before the weights changed)".into(),
            });
        }
        let (n, d, vo) = (tape.tokens.len(), self.d, self.vocab_out);
        check_len(
            "d_logits",
            checked_elems("d_logits", &[n, vo])?,
            d_logits.len(),
        )?;
        check_finite("d_logits", d_logits)?;
        let shape = Shape {
            batch: 1,
            heads: 1,
            q_len: n,
            kv_len: n,
            head_dim: d,
        };
        let x_last = &tape.xs[self.layers.len()];
        let unembed = matmul_tn(x_last, d_logits, n, d, vo);
        let mut dx = matmul_nt(d_logits, &self.unembed, n, vo, d);
        let mut layers = Vec::with_capacity(self.layers.len());
        for (l, layer) in self.layers.iter().enumerate().rev() {
            let [q, k, v] = &tape.qkv[l];
            let g = prefix_lm::backward(q, k, v, &tape.fwds[l], &dx, shape, tape.prefix_len, None)?;
            let x = &tape.xs[l];
            layers.push(Layer {
                wq: matmul_tn(x, &g.dq, n, d, d),
                wk: matmul_tn(x, &g.dk, n, d, d),
                wv: matmul_tn(x, &g.dv, n, d, d),
            });
            for (dw, w) in [(&g.dq, &layer.wq), (&g.dk, &layer.wk), (&g.dv, &layer.wv)] {
                let back = matmul_nt(dw, w, n, d, d);
                dx.iter_mut().zip(&back).for_each(|(a, b)| *a += b);
            }
        }
        layers.reverse();
        let mut embed = vec![0.0; self.embed.len()];
        for (i, &t) in tape.tokens.iter().enumerate() {
            for c in 0..d {
                embed[t * d + c] += dx[i * d + c];
            }
        }
        Ok(TinyGrads {
            embed,
            layers,
            unembed,
        })
    }
}
