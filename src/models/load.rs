//! Reading a pretrained model from disk: `config.json`, `model.safetensors` (validated tensor by
//! tensor against the config) and `tokenizer.json`. Nothing here downloads; see
//! `scripts/fetch_minilm.sh` for all-MiniLM-L6-v2.

use super::batch::Batch;
use super::config::Config;
use super::params::{tensor_specs, Params};
use super::transformer::Transformer;
use crate::error::{check_cap, checked_add, checked_elems, Error, Result};
use crate::float::Float;
use safetensors::{Dtype, SafeTensors};
use std::path::{Path, PathBuf};

/// Largest weights file accepted (bytes): bounds what an untrusted path can make us read.
pub const MAX_WEIGHTS_BYTES: u64 = 4 << 30;
/// Largest model accepted (parameters): bounds the allocations an untrusted config asks for.
pub const MAX_PARAMS: usize = 1 << 30;

/// The folder `scripts/fetch_minilm.sh` unpacks all-MiniLM-L6-v2 into:
/// `$ATTNMECH_MODELS/all-minilm-l6-v2`, default `$HOME/.cache/attnmech/all-minilm-l6-v2`.
pub fn default_model_dir() -> PathBuf {
    let root = std::env::var_os("ATTNMECH_MODELS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            let home = std::env::var_os("HOME").unwrap_or_else(|| ".".into());
            PathBuf::from(home).join(".cache").join("attnmech")
        });
    root.join("all-minilm-l6-v2")
}

fn io_err(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::file(path, e)
}

/// Reads a BERT `config.json` ([`Config::from_bert_json`]).
///
/// # Errors
/// `File` naming the path when it cannot be read; the parse errors of [`Config::from_bert_json`].
pub fn read_config(path: &Path) -> Result<Config> {
    let text = std::fs::read_to_string(path).map_err(|e| io_err(path, e))?;
    Config::from_bert_json(&text, &path.display().to_string())
}

/// Reads every tensor of [`tensor_specs`]`(config)` from a safetensors file, converting F32 (or
/// F64) storage to `T`. Extra tensors in the file (e.g. BERT's `position_ids` buffer or a pooler)
/// are ignored; a config without token types also accepts a file without that table.
///
/// # Errors
/// `File` naming the path when it cannot be read or exceeds [`MAX_WEIGHTS_BYTES`];
/// `Overflow` / `TooLarge` when the config asks for more than [`MAX_PARAMS`] parameters (checked
/// before the file is read); `Parse` naming
/// the path and the tensor when the header is malformed, or a tensor is missing or has the wrong
/// dtype or shape.
pub fn read_params<T: Float>(path: &Path, config: &Config) -> Result<Params<T>> {
    config.validate()?;
    let specs = tensor_specs(config);
    let mut total = 0usize;
    for s in &specs {
        let n = checked_elems("model parameters", &s.shape)?;
        total = checked_add("model parameters", total, n)?;
    }
    check_cap("model parameters", total, MAX_PARAMS)?;
    let size = std::fs::metadata(path).map_err(|e| io_err(path, e))?.len();
    if size > MAX_WEIGHTS_BYTES {
        return Err(io_err(
            path,
            format!("{size} bytes exceeds the {MAX_WEIGHTS_BYTES}-byte limit"),
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| io_err(path, e))?;
    let file = SafeTensors::deserialize(&bytes)
        .map_err(|e| Error::Parse(format!("{}: {e}", path.display())))?;
    let mut tensors = Vec::with_capacity(specs.len());
    for spec in &specs {
        let bad = |why: String| {
            Error::Parse(format!("{}: tensor `{}`: {why}", path.display(), spec.name))
        };
        let view = match file.tensor(&spec.name) {
            Ok(v) => v,
            Err(_) if spec.is_empty() => {
                tensors.push(Vec::new());
                continue;
            }
            Err(e) => return Err(bad(format!("missing ({e})"))),
        };
        if view.shape() != spec.shape.as_slice() {
            return Err(bad(format!(
                "shape {:?}, the config needs {:?}",
                view.shape(),
                spec.shape
            )));
        }
        let data = view.data();
        let values: Vec<T> = match view.dtype() {
            Dtype::F32 => data
                .chunks_exact(4)
                .map(|b| T::of(f32::from_le_bytes([b[0], b[1], b[2], b[3]]) as f64))
                .collect(),
            Dtype::F64 => data
                .chunks_exact(8)
                .map(|b| {
                    let mut a = [0u8; 8];
                    a.copy_from_slice(b);
                    T::of(f64::from_le_bytes(a))
                })
                .collect(),
            other => {
                return Err(bad(format!(
                    "dtype {other:?}; only F32 and F64 are supported"
                )))
            }
        };
        if values.len() != spec.len() {
            return Err(bad(format!(
                "{} values for shape {:?}",
                values.len(),
                spec.shape
            )));
        }
        if let Some(i) = values.iter().position(|v| !v.is_finite()) {
            return Err(bad(format!("non-finite value at flat index {i}")));
        }
        tensors.push(values);
    }
    debug_assert_eq!(tensors.iter().map(Vec::len).sum::<usize>(), total);
    Ok(Params::from_tensors(config, tensors))
}

/// all-MiniLM-L6-v2 (or any BERT checkpoint in the same layout): the f32 model on attnmech's
/// kernels and its WordPiece tokenizer.
pub struct MiniLm {
    /// The encoder.
    pub model: Transformer<f32>,
    tokenizer: tokenizers::Tokenizer,
}

impl MiniLm {
    /// Loads `config.json`, `model.safetensors` and `tokenizer.json` from `dir`.
    ///
    /// # Errors
    /// The errors of [`read_config`] and [`read_params`]; `File` naming `tokenizer.json` when it is
    /// missing; `Parse` naming the path when the tokenizer cannot be parsed.
    pub fn load(dir: &Path) -> Result<Self> {
        let config = read_config(&dir.join("config.json"))?;
        let params = read_params(&dir.join("model.safetensors"), &config)?;
        let tok_path = dir.join("tokenizer.json");
        if !tok_path.is_file() {
            return Err(io_err(&tok_path, "not found"));
        }
        let mut tokenizer = tokenizers::Tokenizer::from_file(&tok_path)
            .map_err(|e| Error::Parse(format!("{}: {e}", tok_path.display())))?;
        // Packed batches need no padding; keep the file's truncation, capped by the positions.
        tokenizer.with_padding(None);
        let max_len = tokenizer
            .get_truncation()
            .map_or(config.max_positions, |t| {
                t.max_length.min(config.max_positions)
            });
        tokenizer
            .with_truncation(Some(tokenizers::TruncationParams {
                max_length: max_len,
                ..Default::default()
            }))
            .map_err(|e| Error::Parse(format!("{}: {e}", tok_path.display())))?;
        Ok(MiniLm {
            model: Transformer::new(config, params)?,
            tokenizer,
        })
    }

    /// Token ids (`[CLS] … [SEP]`, truncated) of each sentence, packed into a [`Batch`].
    ///
    /// # Errors
    /// `Empty` for no sentence; `Parse` when the tokenizer fails.
    pub fn tokenize(&self, sentences: &[&str]) -> Result<Batch> {
        if sentences.is_empty() {
            return Err(Error::Empty { what: "sentences" });
        }
        let mut seqs = Vec::with_capacity(sentences.len());
        for s in sentences {
            let enc = self
                .tokenizer
                .encode(*s, true)
                .map_err(|e| Error::Parse(format!("tokenizer: {e}")))?;
            seqs.push(enc.get_ids().iter().map(|&i| i as usize).collect());
        }
        Ok(Batch::from_sequences(&seqs))
    }

    /// Sentence embeddings `[B, D]` (mean pooling, L2-normalised), one row per sentence.
    ///
    /// # Errors
    /// As [`Self::tokenize`] and [`Transformer::embed`].
    pub fn embed(&self, sentences: &[&str]) -> Result<Vec<f32>> {
        self.model.embed(&self.tokenize(sentences)?)
    }
}
