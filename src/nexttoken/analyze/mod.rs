//! `attnmech analyze FILE.json`: the automaton the theory predicts for a user's dataset.
//!
//! Input: `{"vocab": K, "embeddings": [[..], ..] (optional, K rows; identity when absent),
//! "samples": [{"tokens": [..], "label": y}, ..], "prompts": [[..], ..] (optional)}`.
//! Output: per query token its SCCs in priority order, `W^svm` (row index ↔ key-token embedding
//! dimension, column index ↔ query dimension), `‖W^svm‖²`, `W^fin`, the limit loss `L_red(W^fin)`,
//! and for each prompt the tokens hard retrieval selects and the limiting next-token distribution
//! of `W^fin + R W^svm` as `R → ∞`.
//!
//! This is the one place the crate reads untrusted files, so every size is capped ([`Limits`])
//! before anything is allocated from it. With one-hot tokens (no `embeddings`, or `E = I`) the
//! programs split per query column ([`super::one_hot`]): building the graphs and systems costs
//! `O(N log T)` for `N` tokens of sequences of length `T`, plus `O(K²)` for the `K × K` outputs.

mod limits;

pub use limits::Limits;

use super::dataset::{Dataset, Embeddings, Sample};
use super::finite::{w_fin, SFin};
use super::graph::build_graphs;
use super::one_hot::{graph_svm_one_hot, is_identity, w_fin_one_hot};
use crate::error::{check_cap, check_ids, check_len, check_nonempty, Error, Result};
use crate::qp::Mat;
use serde::{Deserialize, Serialize};

/// Where a long `analyze` run is: `stage` with `done` of `total` units (queries, prompts). The
/// library only reports it; the command line draws it on stderr.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Progress {
    /// `"input"` (`done = total` = tokens in the input), `"graphs"`, `"graph-SVM"`, `"W^fin"`,
    /// `"predictions"`.
    pub stage: &'static str,
    /// Units done.
    pub done: usize,
    /// Units in the stage.
    pub total: usize,
}

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

/// Runs the analysis on a parsed input with the default [`Limits`] and no progress reports.
pub fn analyze(input: &AnalyzeInput) -> Result<AnalyzeOutput> {
    analyze_with(input, &Limits::default(), &mut |_| {})
}

/// Runs the analysis on a parsed input: sizes are checked against `limits` first
/// ([`Error::TooLarge`] names the cap), then the ids, then the programs are solved. `progress` is
/// called at each stage and after each query column.
pub fn analyze_with(
    input: &AnalyzeInput,
    limits: &Limits,
    progress: &mut dyn FnMut(Progress),
) -> Result<AnalyzeOutput> {
    if input.vocab == 0 {
        return Err(Error::InvalidArgument {
            what: "vocab",
            reason: "must be at least 1".into(),
        });
    }
    let tokens = limits.check(input)?;
    progress(Progress {
        stage: "input",
        done: tokens,
        total: tokens,
    });
    let emb = match &input.embeddings {
        None => Embeddings::identity(input.vocab),
        Some(rows) => Embeddings::new(Mat::from_rows(rows)?)?,
    };
    let ds = Dataset::new(emb, &input.samples)?;
    let graphs = build_graphs(&ds);
    let n_graphs = graphs.len();
    progress(Progress {
        stage: "graphs",
        done: n_graphs,
        total: n_graphs,
    });
    let (w_svm, w_fin_mat, limit_loss, s_fin_dim) = if is_identity(&ds.embeddings().e) {
        let w_svm = graph_svm_one_hot(&ds, &graphs, &mut |done, total| {
            progress(Progress {
                stage: "graph-SVM",
                done,
                total,
            })
        })?;
        let (w, loss, dim) = w_fin_one_hot(&ds, &graphs, &mut |done, total| {
            progress(Progress {
                stage: "W^fin",
                done,
                total,
            })
        })?;
        (w_svm, w, loss, dim)
    } else {
        // Dense systems: d ≤ max_dim keeps the d² × d² Hessian bounded.
        check_cap("embedding dimension", ds.dim(), limits.max_dim)?;
        let svm = super::svm::graph_svm(&ds, &graphs)?;
        let fin = w_fin(&ds, &graphs)?;
        let dim = SFin::new(&ds, &graphs)?.dimension();
        (svm.w, fin.w, fin.limit_loss, dim)
    };
    let mut predictions = Vec::with_capacity(input.prompts.len());
    for (i, p) in input.prompts.iter().enumerate() {
        predictions.push(limit_prediction(ds.embeddings(), &w_svm, &w_fin_mat, p)?);
        progress(Progress {
            stage: "predictions",
            done: i + 1,
            total: input.prompts.len(),
        });
    }
    Ok(AnalyzeOutput {
        graphs: graphs
            .iter()
            .map(|g| GraphOut {
                query: g.query,
                sccs: g.sccs_in_priority_order(),
            })
            .collect(),
        w_svm_norm_sq: w_svm.dot(&w_svm),
        w_svm: w_svm.to_rows(),
        w_fin: w_fin_mat.to_rows(),
        s_fin_dim,
        limit_loss,
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
    for (what, w) in [("W^svm", w_svm), ("W^fin", w_fin)] {
        check_len(what, emb.dim(), w.rows())?;
        check_len(what, emb.dim(), w.cols())?;
    }
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
/// pretty-printed JSON, under the default [`Limits`]. Invalid input, a size over a cap or an
/// infeasible graph-SVM is an `Err`.
pub fn analyze_json(input: &str) -> Result<String> {
    analyze_json_with(input, &Limits::default(), &mut |_| {})
}

/// [`analyze_json`] under `limits` (the document's byte length is checked before parsing), with
/// progress reports.
pub fn analyze_json_with(
    input: &str,
    limits: &Limits,
    progress: &mut dyn FnMut(Progress),
) -> Result<String> {
    check_cap("input bytes", input.len(), limits.max_input_bytes)?;
    let parsed: AnalyzeInput = serde_json::from_str(input)?;
    let out = analyze_with(&parsed, limits, progress)?;
    Ok(serde_json::to_string_pretty(&out)?)
}
