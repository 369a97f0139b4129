//! Every parameter of the transformer as one struct of named tensors (Hugging Face BERT names and
//! layouts: a linear layer's weight is `[out, in]`, applied as `y = x Wᵀ + b`).

use super::config::Config;
use crate::float::Float;
use crate::rng::seeded;
use rand_distr::{Distribution, Normal};

/// The token, position and token-type tables and the LayerNorm after their sum.
#[derive(Clone, Debug, PartialEq)]
pub struct EmbeddingParams<T> {
    /// `[V, D]`.
    pub word: Vec<T>,
    /// `[P, D]`.
    pub position: Vec<T>,
    /// `[types, D]` (empty when the config has no token types).
    pub token_type: Vec<T>,
    /// LayerNorm scale `\[D\]`.
    pub ln_gamma: Vec<T>,
    /// LayerNorm shift `\[D\]`.
    pub ln_beta: Vec<T>,
}

/// One post-LayerNorm block: `h = LN₁(x + Attn(x) Woᵀ + bo)`, `y = LN₂(h + GELU(h W₁ᵀ + b₁) W₂ᵀ + b₂)`.
#[derive(Clone, Debug, PartialEq)]
pub struct LayerParams<T> {
    /// Query projection `[D, D]` and bias `\[D\]`.
    pub q_w: Vec<T>,
    /// Query bias `\[D\]`.
    pub q_b: Vec<T>,
    /// Key projection `[D, D]`.
    pub k_w: Vec<T>,
    /// Key bias `\[D\]`.
    pub k_b: Vec<T>,
    /// Value projection `[D, D]`.
    pub v_w: Vec<T>,
    /// Value bias `\[D\]`.
    pub v_b: Vec<T>,
    /// Attention output projection `[D, D]`.
    pub o_w: Vec<T>,
    /// Attention output bias `\[D\]`.
    pub o_b: Vec<T>,
    /// LayerNorm after attention: scale `\[D\]`.
    pub ln1_gamma: Vec<T>,
    /// LayerNorm after attention: shift `\[D\]`.
    pub ln1_beta: Vec<T>,
    /// MLP input projection `[I, D]`.
    pub mlp_in_w: Vec<T>,
    /// MLP input bias `\[I\]`.
    pub mlp_in_b: Vec<T>,
    /// MLP output projection `[D, I]`.
    pub mlp_out_w: Vec<T>,
    /// MLP output bias `\[D\]`.
    pub mlp_out_b: Vec<T>,
    /// LayerNorm after the MLP: scale `\[D\]`.
    pub ln2_gamma: Vec<T>,
    /// LayerNorm after the MLP: shift `\[D\]`.
    pub ln2_beta: Vec<T>,
}

/// All parameters. Gradients use the same type.
#[derive(Clone, Debug, PartialEq)]
pub struct Params<T> {
    /// Embedding tables.
    pub embeddings: EmbeddingParams<T>,
    /// The blocks, input first.
    pub layers: Vec<LayerParams<T>>,
}

/// A tensor's Hugging Face name and shape.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TensorSpec {
    /// E.g. `encoder.layer.3.attention.self.query.weight`.
    pub name: String,
    /// Row-major shape.
    pub shape: Vec<usize>,
}

impl TensorSpec {
    /// Number of elements.
    pub fn len(&self) -> usize {
        self.shape.iter().product()
    }
    /// Whether the tensor has no element.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The 16 tensors of one block: (Hugging Face suffix, shape).
fn layer_specs(c: &Config) -> [(&'static str, Vec<usize>); 16] {
    let (d, i) = (c.hidden, c.intermediate);
    [
        ("attention.self.query.weight", vec![d, d]),
        ("attention.self.query.bias", vec![d]),
        ("attention.self.key.weight", vec![d, d]),
        ("attention.self.key.bias", vec![d]),
        ("attention.self.value.weight", vec![d, d]),
        ("attention.self.value.bias", vec![d]),
        ("attention.output.dense.weight", vec![d, d]),
        ("attention.output.dense.bias", vec![d]),
        ("attention.output.LayerNorm.weight", vec![d]),
        ("attention.output.LayerNorm.bias", vec![d]),
        ("intermediate.dense.weight", vec![i, d]),
        ("intermediate.dense.bias", vec![i]),
        ("output.dense.weight", vec![d, i]),
        ("output.dense.bias", vec![d]),
        ("output.LayerNorm.weight", vec![d]),
        ("output.LayerNorm.bias", vec![d]),
    ]
}

impl<T> LayerParams<T> {
    /// The block's tensors in [`layer_specs`] order.
    fn tensors(&self) -> [&Vec<T>; 16] {
        [
            &self.q_w,
            &self.q_b,
            &self.k_w,
            &self.k_b,
            &self.v_w,
            &self.v_b,
            &self.o_w,
            &self.o_b,
            &self.ln1_gamma,
            &self.ln1_beta,
            &self.mlp_in_w,
            &self.mlp_in_b,
            &self.mlp_out_w,
            &self.mlp_out_b,
            &self.ln2_gamma,
            &self.ln2_beta,
        ]
    }

    /// The block's tensors in [`layer_specs`] order, mutably.
    fn tensors_mut(&mut self) -> [&mut Vec<T>; 16] {
        [
            &mut self.q_w,
            &mut self.q_b,
            &mut self.k_w,
            &mut self.k_b,
            &mut self.v_w,
            &mut self.v_b,
            &mut self.o_w,
            &mut self.o_b,
            &mut self.ln1_gamma,
            &mut self.ln1_beta,
            &mut self.mlp_in_w,
            &mut self.mlp_in_b,
            &mut self.mlp_out_w,
            &mut self.mlp_out_b,
            &mut self.ln2_gamma,
            &mut self.ln2_beta,
        ]
    }
}

impl<T> EmbeddingParams<T> {
    fn tensors(&self) -> [&Vec<T>; 5] {
        [
            &self.word,
            &self.position,
            &self.token_type,
            &self.ln_gamma,
            &self.ln_beta,
        ]
    }
    fn tensors_mut(&mut self) -> [&mut Vec<T>; 5] {
        [
            &mut self.word,
            &mut self.position,
            &mut self.token_type,
            &mut self.ln_gamma,
            &mut self.ln_beta,
        ]
    }
}

/// Every tensor of a model with config `c`, in a fixed order ([`Params::tensors`] follows it).
/// The token-type table is listed with shape `[0, D]` when the config has no token types.
pub fn tensor_specs(c: &Config) -> Vec<TensorSpec> {
    let d = c.hidden;
    let mut specs = vec![
        (
            "embeddings.word_embeddings.weight".to_string(),
            vec![c.vocab_size, d],
        ),
        (
            "embeddings.position_embeddings.weight".to_string(),
            vec![c.max_positions, d],
        ),
        (
            "embeddings.token_type_embeddings.weight".to_string(),
            vec![c.type_vocab_size, d],
        ),
        ("embeddings.LayerNorm.weight".to_string(), vec![d]),
        ("embeddings.LayerNorm.bias".to_string(), vec![d]),
    ];
    for l in 0..c.layers {
        for (suffix, shape) in layer_specs(c) {
            specs.push((format!("encoder.layer.{l}.{suffix}"), shape));
        }
    }
    specs
        .into_iter()
        .map(|(name, shape)| TensorSpec { name, shape })
        .collect()
}

impl<T: Float> Params<T> {
    /// Builds parameters from tensors given in [`tensor_specs`] order, each of its spec's length
    /// (checked by the caller).
    pub(crate) fn from_tensors(c: &Config, tensors: Vec<Vec<T>>) -> Self {
        let mut it = tensors.into_iter();
        let mut next = || it.next().unwrap_or_default();
        let embeddings = EmbeddingParams {
            word: next(),
            position: next(),
            token_type: next(),
            ln_gamma: next(),
            ln_beta: next(),
        };
        let layers = (0..c.layers)
            .map(|_| LayerParams {
                q_w: next(),
                q_b: next(),
                k_w: next(),
                k_b: next(),
                v_w: next(),
                v_b: next(),
                o_w: next(),
                o_b: next(),
                ln1_gamma: next(),
                ln1_beta: next(),
                mlp_in_w: next(),
                mlp_in_b: next(),
                mlp_out_w: next(),
                mlp_out_b: next(),
                ln2_gamma: next(),
                ln2_beta: next(),
            })
            .collect();
        Params { embeddings, layers }
    }

    /// BERT's initialisation: weights and tables `N(0, 0.02²)`, biases 0, LayerNorm scale 1 and
    /// shift 0, from `seed`.
    pub fn init(c: &Config, seed: u64) -> Self {
        let mut rng = seeded(seed, 0);
        let normal = Normal::new(0.0, 0.02).unwrap_or_else(|_| unreachable!("0.02 > 0"));
        let tensors = tensor_specs(c)
            .iter()
            .map(|s| {
                let n = s.len();
                if s.name.ends_with("LayerNorm.weight") {
                    vec![T::one(); n]
                } else if s.name.ends_with(".bias") {
                    vec![T::zero(); n]
                } else {
                    (0..n).map(|_| T::of(normal.sample(&mut rng))).collect()
                }
            })
            .collect();
        Self::from_tensors(c, tensors)
    }

    /// Zeros of the same shapes (a gradient accumulator).
    pub fn zeros_like(&self) -> Self {
        let mut z = self.clone();
        for t in z.tensors_mut() {
            t.iter_mut().for_each(|x| *x = T::zero());
        }
        z
    }

    /// Every tensor in [`tensor_specs`] order.
    pub fn tensors(&self) -> Vec<&Vec<T>> {
        let mut v: Vec<&Vec<T>> = self.embeddings.tensors().into_iter().collect();
        for l in &self.layers {
            v.extend(l.tensors());
        }
        v
    }

    /// Every tensor in [`tensor_specs`] order, mutably.
    pub fn tensors_mut(&mut self) -> Vec<&mut Vec<T>> {
        let mut v: Vec<&mut Vec<T>> = self.embeddings.tensors_mut().into_iter().collect();
        for l in &mut self.layers {
            v.extend(l.tensors_mut());
        }
        v
    }

    /// Total number of scalars.
    pub fn len(&self) -> usize {
        self.tensors().iter().map(|t| t.len()).sum()
    }

    /// Whether there is no parameter at all.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Converts every tensor to another float type (e.g. f32 weights to f64 for checks).
    pub fn cast<U: Float>(&self, c: &Config) -> Params<U> {
        let tensors = self
            .tensors()
            .into_iter()
            .map(|t| t.iter().map(|x| U::of(x.as_f64())).collect())
            .collect();
        Params::from_tensors(c, tensors)
    }
}
