//! Next-token datasets: embeddings, sequences and labels, validated once.
//!
//! A sample is a token sequence `τ = (τ(1), …, τ(T))` with label `y`; its query is the last token
//! `k = τ(T)`. Internally each sample is kept in vocabulary form (a [`Row`]): the query, the label,
//! the label's multiplicity `m` and the other distinct tokens with their multiplicities — positions
//! holding the same token share one score, so the model only needs these counts.

use crate::error::{check_finite, check_ids, check_len, check_nonempty, Error, Result};
use crate::qp::Mat;

/// One training sequence with its next-token label.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Sample {
    /// Token ids, left to right; the last one is the query.
    pub tokens: Vec<usize>,
    /// The next token (must occur in `tokens`: realizable labels).
    pub label: usize,
}

/// A sample in vocabulary form (what the model and the graphs consume). Built by
/// [`Dataset::new`] or [`Row::new`]; token ids are checked against the vocabulary by the dataset
/// that holds the row ([`Dataset::from_rows`]).
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// Query token `k` (the last token of the original sequence; kept even when a reduction drops
    /// it from the positions).
    pub(crate) query: usize,
    /// Label `y`.
    pub(crate) label: usize,
    /// Multiplicity `m ≥ 1` of the label among the positions.
    pub(crate) label_count: f64,
    /// The other distinct tokens `j ≠ y` with their multiplicities, sorted by token id.
    pub(crate) others: Vec<(usize, f64)>,
}

impl Row {
    /// A row from its query, label, label multiplicity and the other distinct tokens with their
    /// multiplicities (sorted here by token id).
    ///
    /// # Errors
    /// `NonFinite` / `InvalidArgument` for a label multiplicity that is not finite and `≥ 1` or
    /// another multiplicity that is not finite and `> 0`; `InvalidArgument` when the label or a
    /// token repeats among `others`.
    pub fn new(
        query: usize,
        label: usize,
        label_count: f64,
        mut others: Vec<(usize, f64)>,
    ) -> Result<Self> {
        check_finite("row label count", &[label_count])?;
        if label_count < 1.0 {
            return Err(Error::InvalidArgument {
                what: "row label count",
                reason: "the label must occur at least once".into(),
            });
        }
        for &(_, c) in &others {
            crate::error::check_positive("row token multiplicity", c)?;
        }
        others.sort_by_key(|&(j, _)| j);
        if others.windows(2).any(|p| p[0].0 == p[1].0) || others.iter().any(|o| o.0 == label) {
            return Err(Error::InvalidArgument {
                what: "row tokens",
                reason: "the other tokens must be distinct and differ from the label".into(),
            });
        }
        Ok(Row {
            query,
            label,
            label_count,
            others,
        })
    }

    /// Query token `k`.
    pub fn query(&self) -> usize {
        self.query
    }

    /// Label `y`.
    pub fn label(&self) -> usize {
        self.label
    }

    /// Multiplicity `m ≥ 1` of the label.
    pub fn label_count(&self) -> f64 {
        self.label_count
    }

    /// The other distinct tokens `j ≠ y` with their multiplicities, sorted by token id.
    pub fn others(&self) -> &[(usize, f64)] {
        &self.others
    }

    /// Every distinct token of the row with its multiplicity, label included (sorted by id).
    pub fn tokens(&self) -> Vec<(usize, f64)> {
        let mut t = self.others.clone();
        t.push((self.label, self.label_count));
        t.sort_by_key(|&(j, _)| j);
        t
    }
}

/// Token embeddings `E ∈ R^{K×d}` (row `k` is `e_k`): non-empty and finite ([`Embeddings::new`]).
#[derive(Clone, Debug, PartialEq)]
pub struct Embeddings {
    /// The `K × d` matrix.
    pub(crate) e: Mat,
}

impl Embeddings {
    /// `E = I_K` (one-hot tokens, `d = K`).
    pub fn identity(vocab: usize) -> Self {
        Embeddings {
            e: Mat::identity(vocab),
        }
    }

    /// Wraps a `K × d` matrix (finite entries, `K, d ≥ 1`).
    pub fn new(e: Mat) -> Result<Self> {
        if e.rows() == 0 || e.cols() == 0 {
            return Err(Error::Empty { what: "embeddings" });
        }
        check_finite("embeddings", e.data())?;
        Ok(Embeddings { e })
    }

    /// The `K × d` matrix `E`.
    pub fn matrix(&self) -> &Mat {
        &self.e
    }

    /// Vocabulary size `K`.
    pub fn vocab(&self) -> usize {
        self.e.rows()
    }

    /// Embedding dimension `d`.
    pub fn dim(&self) -> usize {
        self.e.cols()
    }

    /// `e_k`, or `None` when `k ≥ K`.
    pub fn get(&self, k: usize) -> Option<&[f64]> {
        self.e.row(k)
    }

    /// `e_k` for a token in range by construction.
    pub(crate) fn token(&self, k: usize) -> &[f64] {
        self.e.row_at(k)
    }

    /// `e_i − e_j` for tokens in range by construction.
    pub(crate) fn diff(&self, i: usize, j: usize) -> Vec<f64> {
        self.token(i)
            .iter()
            .zip(self.token(j))
            .map(|(a, b)| a - b)
            .collect()
    }

    /// Largest `‖e_k‖²`.
    pub fn max_norm_sq(&self) -> f64 {
        (0..self.vocab())
            .map(|k| self.token(k).iter().map(|x| x * x).sum::<f64>())
            .fold(0.0, f64::max)
    }
}

/// A validated next-token dataset `D = {(τ_i, y_i)}` over embeddings `E`.
#[derive(Clone, Debug)]
pub struct Dataset {
    emb: Embeddings,
    rows: Vec<Row>,
}

impl Dataset {
    /// Validates and converts `samples`: at least one sample, non-empty sequences, token ids and
    /// labels `< K`, label present in its sequence.
    pub fn new(emb: Embeddings, samples: &[Sample]) -> Result<Self> {
        check_nonempty("samples", samples)?;
        let k = emb.vocab();
        let mut rows = Vec::with_capacity(samples.len());
        for (i, s) in samples.iter().enumerate() {
            check_nonempty("sample tokens", &s.tokens)?;
            check_ids("sample tokens", &s.tokens, k)?;
            check_ids("sample label", &[s.label], k)?;
            if !s.tokens.contains(&s.label) {
                return Err(Error::InvalidArgument {
                    what: "sample label",
                    reason: format!(
                        "sample {i}: label {} does not occur in its sequence {:?} (the log-loss \
                         would be infinite)",
                        s.label, s.tokens
                    ),
                });
            }
            // Sort + run-length: O(T log T) per sample, independent of K.
            let mut sorted = s.tokens.clone();
            sorted.sort_unstable();
            let mut label_count = 0.0;
            let mut others: Vec<(usize, f64)> = Vec::new();
            for run in sorted.chunk_by(|a, b| a == b) {
                if run[0] == s.label {
                    label_count = run.len() as f64;
                } else {
                    others.push((run[0], run.len() as f64));
                }
            }
            rows.push(Row {
                query: *s.tokens.last().unwrap_or(&0),
                label: s.label,
                label_count,
                others,
            });
        }
        Ok(Dataset { emb, rows })
    }

    /// Builds a dataset directly from vocabulary-form rows (used by reductions).
    pub fn from_rows(emb: Embeddings, rows: Vec<Row>) -> Result<Self> {
        check_nonempty("rows", &rows)?;
        for r in &rows {
            check_ids("row query", &[r.query], emb.vocab())?;
            check_ids("row label", &[r.label], emb.vocab())?;
            check_finite("row label count", &[r.label_count])?;
            if r.label_count < 1.0 {
                return Err(Error::InvalidArgument {
                    what: "row label count",
                    reason: "the label must occur at least once".into(),
                });
            }
            for &(j, c) in &r.others {
                check_ids("row token", &[j], emb.vocab())?;
                crate::error::check_positive("row token multiplicity", c)?;
            }
        }
        Ok(Dataset { emb, rows })
    }

    /// Same samples over other embeddings of the same vocabulary size.
    pub fn with_embeddings(&self, emb: Embeddings) -> Result<Self> {
        check_len("embedding rows", self.emb.vocab(), emb.vocab())?;
        Ok(Dataset {
            emb,
            rows: self.rows.clone(),
        })
    }

    /// The embeddings.
    pub fn embeddings(&self) -> &Embeddings {
        &self.emb
    }

    /// The samples in vocabulary form.
    pub fn rows(&self) -> &[Row] {
        &self.rows
    }

    /// Number of samples `n`.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Never true for a validated dataset.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Vocabulary size `K`.
    pub fn vocab(&self) -> usize {
        self.emb.vocab()
    }

    /// Embedding dimension `d`.
    pub fn dim(&self) -> usize {
        self.emb.dim()
    }

    /// Longest sequence length (sum of multiplicities), for the smoothness bound.
    pub fn max_len(&self) -> f64 {
        self.rows
            .iter()
            .map(|r| r.label_count + r.others.iter().map(|o| o.1).sum::<f64>())
            .fold(0.0, f64::max)
    }

    /// Smoothness bound `(T/2) max_k ‖e_k‖⁴` of the log-loss (step `η ≤ 1/that` for plain GD).
    pub fn smoothness(&self) -> f64 {
        0.5 * self.max_len() * self.emb.max_norm_sq().powi(2)
    }
}
