//! The sizes of a BERT-style transformer, read from a Hugging Face `config.json` or built by hand.

use crate::error::{Error, Result};

/// Largest accepted value of any one size in a config (vocabulary, width, positions...): bounds
/// every allocation a config from an untrusted file can ask for.
pub const MAX_DIM: usize = 1 << 20;
/// Largest accepted number of layers.
pub const MAX_LAYERS: usize = 256;

/// Sizes and flags of the transformer.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    /// Vocabulary size `V`.
    pub vocab_size: usize,
    /// Model width `D` (`hidden_size`).
    pub hidden: usize,
    /// Number of blocks.
    pub layers: usize,
    /// Attention heads; `hidden` must be a multiple.
    pub heads: usize,
    /// Width of the MLP's hidden layer (`intermediate_size`).
    pub intermediate: usize,
    /// Longest sequence the position table covers.
    pub max_positions: usize,
    /// Number of token types (BERT segment ids); 0 means no token-type table.
    pub type_vocab_size: usize,
    /// The LayerNorm epsilon.
    pub layer_norm_eps: f64,
    /// `false`: encoder (bidirectional attention); `true`: decoder (causal attention).
    pub causal: bool,
}

impl Config {
    /// The per-head width `hidden / heads`.
    pub fn head_dim(&self) -> usize {
        self.hidden / self.heads
    }

    /// Checks every size is non-zero, bounded by [`MAX_DIM`] / [`MAX_LAYERS`], and that `hidden`
    /// splits into `heads` heads.
    pub fn validate(&self) -> Result<()> {
        let dims = [
            ("config.vocab_size", self.vocab_size),
            ("config.hidden_size", self.hidden),
            ("config.num_attention_heads", self.heads),
            ("config.intermediate_size", self.intermediate),
            ("config.max_position_embeddings", self.max_positions),
        ];
        for (what, n) in dims {
            if n == 0 || n > MAX_DIM {
                return Err(Error::InvalidArgument {
                    what,
                    reason: format!("{n} is not in 1..={MAX_DIM}"),
                });
            }
        }
        if self.type_vocab_size > MAX_DIM {
            return Err(Error::InvalidArgument {
                what: "config.type_vocab_size",
                reason: format!("{} exceeds {MAX_DIM}", self.type_vocab_size),
            });
        }
        if self.layers == 0 || self.layers > MAX_LAYERS {
            return Err(Error::InvalidArgument {
                what: "config.num_hidden_layers",
                reason: format!("{} is not in 1..={MAX_LAYERS}", self.layers),
            });
        }
        if !self.hidden.is_multiple_of(self.heads) {
            return Err(Error::InvalidArgument {
                what: "config.num_attention_heads",
                reason: format!("{} does not divide hidden_size {}", self.heads, self.hidden),
            });
        }
        if !(self.layer_norm_eps.is_finite() && self.layer_norm_eps > 0.0) {
            return Err(Error::InvalidArgument {
                what: "config.layer_norm_eps",
                reason: format!("{} is not a positive finite number", self.layer_norm_eps),
            });
        }
        Ok(())
    }

    /// Parses a Hugging Face BERT `config.json` (`model_type: "bert"`, absolute positions, GELU).
    /// The result is an encoder (`causal: false`).
    ///
    /// # Errors
    /// `Parse` naming `source` (a path, for messages) when the JSON is malformed, a field is
    /// missing or has the wrong type, or the model is not a BERT with exact GELU and absolute
    /// positions; any error of [`Config::validate`].
    pub fn from_bert_json(json: &str, source: &str) -> Result<Self> {
        let v: serde_json::Value =
            serde_json::from_str(json).map_err(|e| Error::Parse(format!("{source}: {e}")))?;
        let int = |key: &str| -> Result<usize> {
            v.get(key)
                .and_then(serde_json::Value::as_u64)
                .and_then(|n| usize::try_from(n).ok())
                .ok_or_else(|| {
                    Error::Parse(format!(
                        "{source}: `{key}` missing or not an unsigned integer"
                    ))
                })
        };
        let text = |key: &str, want: &str| -> Result<()> {
            match v.get(key).and_then(serde_json::Value::as_str) {
                None => Ok(()), // absent means the Hugging Face default, which is `want`
                Some(s) if s == want => Ok(()),
                Some(s) => Err(Error::Parse(format!(
                    "{source}: `{key}` is \"{s}\"; only \"{want}\" is supported"
                ))),
            }
        };
        text("model_type", "bert")?;
        text("hidden_act", "gelu")?;
        text("position_embedding_type", "absolute")?;
        let layer_norm_eps = v
            .get("layer_norm_eps")
            .and_then(serde_json::Value::as_f64)
            .unwrap_or(1e-12);
        let config = Config {
            vocab_size: int("vocab_size")?,
            hidden: int("hidden_size")?,
            layers: int("num_hidden_layers")?,
            heads: int("num_attention_heads")?,
            intermediate: int("intermediate_size")?,
            max_positions: int("max_position_embeddings")?,
            type_vocab_size: int("type_vocab_size").unwrap_or(0),
            layer_norm_eps,
            causal: false,
        };
        config.validate()?;
        Ok(config)
    }

    /// The small trainable config used by the speed bench, the gradient checks' big brother and
    /// the EmbedDistill student: 2 layers, 128 wide, 4 heads, MLP 512.
    pub fn small(vocab_size: usize, max_positions: usize, causal: bool) -> Self {
        Config {
            vocab_size,
            hidden: 128,
            layers: 2,
            heads: 4,
            intermediate: 512,
            max_positions,
            type_vocab_size: 0,
            layer_norm_eps: 1e-12,
            causal,
        }
    }
}
