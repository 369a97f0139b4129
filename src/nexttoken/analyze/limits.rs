//! Caps on the sizes `attnmech analyze` accepts from an untrusted file, checked before anything
//! is allocated from them.

use super::AnalyzeInput;
use crate::error::{check_cap, check_len, checked_add, Result};

/// Upper bounds on what an `analyze` input may ask for. Every size is checked against its cap
/// before anything is allocated from it; a size over its cap is [`crate::Error::TooLarge`] naming
/// the cap. Raise a cap (the `--max-*` flags of `attnmech analyze`) when the machine has room.
///
/// Costs, for `K` tokens, `d` embedding dimensions, `n` samples and `N` tokens in all:
/// - one-hot tokens (no `embeddings`): `O(K²)` memory (the `K × K` outputs and one graph per
///   query), `O(N log T)` to build the graphs and systems, then the per-query QPs;
/// - given embeddings: the dense systems need a `d² × d²` Hessian (`8 d⁴` bytes) and
///   `O(rows · d)` per solver sweep, hence the separate, smaller `max_dim`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest `vocab` (default 4096: the `K × K` outputs take 128 MiB each).
    pub max_vocab: usize,
    /// Largest embedding dimension `d` when `embeddings` are given (default 64: a 128 MiB Hessian).
    pub max_dim: usize,
    /// Most samples (default 1 000 000).
    pub max_samples: usize,
    /// Longest sample or prompt, in tokens (default 100 000).
    pub max_seq_len: usize,
    /// Most tokens over all samples and prompts (default 100 000 000).
    pub max_total_tokens: usize,
    /// Most prompts (default 10 000; each prediction holds `K` probabilities).
    pub max_prompts: usize,
    /// Largest JSON document in bytes (default 1 GiB), checked before parsing.
    pub max_input_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_vocab: 4096,
            max_dim: 64,
            max_samples: 1_000_000,
            max_seq_len: 100_000,
            max_total_tokens: 100_000_000,
            max_prompts: 10_000,
            max_input_bytes: 1 << 30,
        }
    }
}

impl Limits {
    /// Checks every size of `input` against the caps; returns the total number of tokens (samples
    /// and prompts). `O(samples + prompts + K)`; reads no token.
    pub fn check(&self, input: &AnalyzeInput) -> Result<usize> {
        check_cap("vocab", input.vocab, self.max_vocab)?;
        if let Some(rows) = &input.embeddings {
            check_len(
                "embeddings rows (must equal vocab)",
                input.vocab,
                rows.len(),
            )?;
            let d = rows.first().map_or(0, Vec::len);
            check_cap("embedding dimension", d, self.max_dim)?;
        }
        check_cap("samples", input.samples.len(), self.max_samples)?;
        check_cap("prompts", input.prompts.len(), self.max_prompts)?;
        let lens = input
            .samples
            .iter()
            .map(|s| s.tokens.len())
            .chain(input.prompts.iter().map(Vec::len));
        let mut total = 0usize;
        for len in lens {
            check_cap("sequence length", len, self.max_seq_len)?;
            total = checked_add("total tokens", total, len)?;
            check_cap("total tokens", total, self.max_total_tokens)?;
        }
        Ok(total)
    }
}
