//! A batch of token sequences, packed: token rows of every sequence back to back (no padding), so
//! the linear layers do no work on padding. Only attention sees a padded `[B, H, T, d]` layout.

use super::config::Config;
use crate::error::{check_ids, Error, Result};

/// Packed token ids with their sequence boundaries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Batch {
    /// Token ids of every sequence, concatenated (`n = Σ lengths`).
    pub ids: Vec<usize>,
    /// Token-type (segment) id per token; empty means all 0.
    pub type_ids: Vec<usize>,
    /// Length of each sequence.
    pub lengths: Vec<usize>,
}

impl Batch {
    /// Packs sequences of ids (all token types 0).
    pub fn from_sequences(sequences: &[Vec<usize>]) -> Self {
        Batch {
            ids: sequences.iter().flatten().copied().collect(),
            type_ids: Vec::new(),
            lengths: sequences.iter().map(Vec::len).collect(),
        }
    }

    /// Total number of tokens `n`.
    pub fn tokens(&self) -> usize {
        self.ids.len()
    }

    /// Number of sequences `B`.
    pub fn sequences(&self) -> usize {
        self.lengths.len()
    }

    /// The longest sequence `T` (the padded length attention uses).
    pub fn max_len(&self) -> usize {
        self.lengths.iter().copied().max().unwrap_or(0)
    }

    /// The first packed row of each sequence.
    pub fn offsets(&self) -> Vec<usize> {
        self.lengths
            .iter()
            .scan(0, |acc, &l| {
                let start = *acc;
                *acc += l;
                Some(start)
            })
            .collect()
    }

    /// Checks the batch against the model: at least one sequence, no empty sequence, lengths sum
    /// to `ids.len()` and fit the position table, ids below the vocabulary, token types below
    /// their table.
    pub fn validate(&self, c: &Config) -> Result<()> {
        if self.lengths.is_empty() {
            return Err(Error::Empty { what: "batch" });
        }
        if let Some(index) = self.lengths.iter().position(|&l| l == 0) {
            return Err(Error::InvalidArgument {
                what: "batch.lengths",
                reason: format!("sequence {index} is empty"),
            });
        }
        let total = self
            .lengths
            .iter()
            .try_fold(0usize, |acc, &l| acc.checked_add(l))
            .ok_or_else(|| Error::InvalidArgument {
                what: "batch.lengths",
                reason: "the lengths' sum overflows".into(),
            })?;
        crate::error::check_len("batch.ids", total, self.ids.len())?;
        if let Some(index) = self.lengths.iter().position(|&l| l > c.max_positions) {
            return Err(Error::OutOfRange {
                what: "batch.lengths",
                index,
                value: self.lengths[index],
                bound: c.max_positions + 1,
            });
        }
        check_ids("batch.ids", &self.ids, c.vocab_size)?;
        if !self.type_ids.is_empty() {
            crate::error::check_len("batch.type_ids", total, self.type_ids.len())?;
            check_ids("batch.type_ids", &self.type_ids, c.type_vocab_size)?;
        }
        Ok(())
    }
}
