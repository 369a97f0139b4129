//! `attnmech analyze FILE.json`: the automaton the theory predicts for a user's dataset.
//!
//! Input: `{"vocab": K, "embeddings": [[..], ..] (optional, K rows; identity when absent),
//! "samples": [{"tokens": [..], "label": y}, ..], "prompts": [[..], ..] (optional)}`.
//! Output: per query token its SCCs in priority order, `W^svm` (row index ↔ key-token embedding
//! dimension, column index ↔ query dimension), `‖W^svm‖²`, `W^fin`, the limit loss `L_red(W^fin)`,
//! and for each prompt the tokens hard retrieval selects and the limiting next-token distribution
//! of `W^fin + R W^svm` as `R → ∞`.

use super::dataset::{Dataset, Embeddings, Sample};
use super::finite::{w_fin, SFin};
use super::graph::build_graphs;
use crate::error::{check_ids, check_len, check_nonempty, Error, Result};
use crate::qp::Mat;
use serde::{Deserialize, Serialize};

/// The input document.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnalyzeInput {
    /// Vocabulary size `K`.
    pub vocab: usize,
    /// Optional `K × d` embeddings (identity when absent).
    #[serde(default)]
    pub embeddings: Option<Vec<Vec<f64>>>,
    /// Training samples.
    pub samples: Vec<Sample>,
    /// Prompts to predict on.
    #[serde(default)]
    pub prompts: Vec<Vec<usize>>,
}

/// SCCs of one query's graph.
#[derive(Clone, Debug, Serialize)]
pub struct GraphOut {
    /// Query token.
    pub query: usize,
    /// SCCs, highest priority first.
    pub sccs: Vec<Vec<usize>>,
}

/// The limiting prediction on one prompt.
#[derive(Clone, Debug, Serialize)]
pub struct PredictionOut {
    /// The prompt.
    pub prompt: Vec<usize>,
    /// Distinct tokens of the prompt with the largest `W^svm` score (hard retrieval).
    pub retrieved: Vec<usize>,
    /// Limit of the next-token distribution over the vocabulary (`K` entries).
    pub distribution: Vec<f64>,
}

/// The output document.
#[derive(Clone, Debug, Serialize)]
pub struct AnalyzeOutput {
    /// Token-priority graphs.
    pub graphs: Vec<GraphOut>,
    /// `W^svm` (`d × d`).
    pub w_svm: Vec<Vec<f64>>,
    /// `‖W^svm‖_F²`.
    pub w_svm_norm_sq: f64,
    /// `W^fin` (`d × d`).
    pub w_fin: Vec<Vec<f64>>,
    /// `dim S_fin`.
    pub s_fin_dim: usize,
    /// `L_red(W^fin)`: the loss gradient descent converges to.
    pub limit_loss: f64,
    /// Predictions on the prompts.
    pub predictions: Vec<PredictionOut>,
}

/// Relative tolerance for "equal `W^svm` score" (pitfall P8: equalities within an SCC are exact up
/// to the solver's 1e-13 stopping rule; distinct levels differ by ≥ 1 per cross edge).
const TIE_TOL: f64 = 1e-7;

/// Runs the analysis on a parsed input.
pub fn analyze(input: &AnalyzeInput) -> Result<AnalyzeOutput> {
    if input.vocab == 0 {
        return Err(Error::InvalidArgument {
            what: "vocab",
            reason: "must be at least 1".into(),
        });
    }
    let emb = match &input.embeddings {
        None => Embeddings::identity(input.vocab),
        Some(rows) => {
            check_len(
                "embeddings rows (must equal vocab)",
                input.vocab,
                rows.len(),
            )?;
            Embeddings::new(Mat::from_rows(rows)?)?
        }
    };
    let ds = Dataset::new(emb, &input.samples)?;
    let graphs = build_graphs(&ds);
    let svm = super::svm::graph_svm(&ds, &graphs)?;
    let fin = w_fin(&ds, &graphs)?;
    let sfin = SFin::new(&ds, &graphs);
    let predictions = input
        .prompts
        .iter()
        .map(|p| limit_prediction(ds.embeddings(), &svm.w, &fin.w, p))
        .collect::<Result<Vec<_>>>()?;
    Ok(AnalyzeOutput {
        graphs: graphs
            .iter()
            .map(|g| GraphOut {
                query: g.query,
                sccs: g.sccs_in_priority_order(),
            })
            .collect(),
        w_svm_norm_sq: svm.w.dot(&svm.w),
        w_svm: svm.w.to_rows(),
        w_fin: fin.w.to_rows(),
        s_fin_dim: sfin.dimension(),
        limit_loss: fin.limit_loss,
        predictions,
    })
}

/// Limit of `π` under `W^fin + R W^svm` as `R → ∞`: positions whose `W^svm` score is maximal share
/// the mass by softmax of their `W^fin` scores (multiplicities add); all other positions get 0.
pub fn limit_prediction(
    emb: &Embeddings,
    w_svm: &Mat,
    w_fin: &Mat,
    prompt: &[usize],
) -> Result<PredictionOut> {
    check_nonempty("prompt", prompt)?;
    check_ids("prompt", prompt, emb.vocab())?;
    let q = emb.token(*prompt.last().unwrap_or(&0));
    let svm_scores: Vec<f64> = prompt
        .iter()
        .map(|&j| w_svm.bilinear(emb.token(j), q))
        .collect();
    let top = svm_scores.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let scale = 1.0 + svm_scores.iter().map(|x| x.abs()).fold(0.0, f64::max);
    let kept: Vec<usize> = (0..prompt.len())
        .filter(|&t| svm_scores[t] >= top - TIE_TOL * scale)
        .collect();
    let fin_scores: Vec<f64> = kept
        .iter()
        .map(|&t| w_fin.bilinear(emb.token(prompt[t]), q))
        .collect();
    let mut distribution = vec![0.0; emb.vocab()];
    for (&t, a) in kept.iter().zip(crate::ops::softmax_to_vec(&fin_scores)) {
        distribution[prompt[t]] += a;
    }
    let mut retrieved: Vec<usize> = kept.iter().map(|&t| prompt[t]).collect();
    retrieved.sort_unstable();
    retrieved.dedup();
    Ok(PredictionOut {
        prompt: prompt.to_vec(),
        retrieved,
        distribution,
    })
}

/// `attnmech analyze`: parses the dataset JSON and returns the predicted automaton as
/// pretty-printed JSON. Invalid input or an infeasible graph-SVM is an `Err`.
pub fn analyze_json(input: &str) -> Result<String> {
    let parsed: AnalyzeInput = serde_json::from_str(input)?;
    let out = analyze(&parsed)?;
    Ok(serde_json::to_string_pretty(&out)?)
}
