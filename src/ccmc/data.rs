//! Teacher–student data (spec A4–A6): prompts, their next tokens, and the per-sample sufficient
//! statistic `(query j, chosen y, {(k, ln m_k) : m_k > 0})` in a compressed (CSR) layout.

use super::kernel::{token_counts, transition_log_probs, Wbar};
use crate::error::{check_ids, check_nonempty, Error, Result};
use rand::Rng;

/// Samples for the MLE: sample `i` chose `choice[i]` from the tokens present in its prompt
/// (`token[offsets[i]..offsets[i+1]]`, with offsets `log_count`) for query `query[i]`.
#[derive(Clone, Debug, Default)]
pub struct ChoiceData {
    vocab: usize,
    query: Vec<u32>,
    choice: Vec<u32>,
    offsets: Vec<usize>,
    token: Vec<u32>,
    log_count: Vec<f64>,
}

/// One sample, borrowed from a [`ChoiceData`].
#[derive(Clone, Copy, Debug)]
pub struct Sample<'a> {
    /// The query (last) token `j`.
    pub query: usize,
    /// The next token `y` (always present in the prompt).
    pub choice: usize,
    /// Tokens present in the prompt (the choice set), each once.
    pub tokens: &'a [u32],
    /// `ln m_k` for each of `tokens`.
    pub log_counts: &'a [f64],
}

/// Token ids are stored as `u32`: a larger vocabulary would truncate them.
fn check_vocab_fits(vocab: usize) -> Result<()> {
    crate::error::check_cap("vocab", vocab, u32::MAX as usize + 1)
}

impl ChoiceData {
    /// An empty data set over `K` tokens.
    pub fn new(vocab: usize) -> Self {
        ChoiceData {
            vocab,
            offsets: vec![0],
            ..Default::default()
        }
    }
    /// `K`.
    pub fn vocab(&self) -> usize {
        self.vocab
    }
    /// Number of samples `n`.
    pub fn len(&self) -> usize {
        self.query.len()
    }
    /// Whether there is no sample.
    pub fn is_empty(&self) -> bool {
        self.query.is_empty()
    }
    /// Adds a prompt and its observed next token. Errors: empty prompt, ids `≥ K`, or a next token
    /// absent from the prompt (it has probability exactly 0 under every CCMC: the data cannot come
    /// from the model).
    pub fn push(&mut self, prompt: &[usize], next: usize) -> Result<()> {
        check_vocab_fits(self.vocab)?;
        let m = token_counts(prompt, self.vocab)?;
        check_ids("next", &[next], self.vocab)?;
        if m[next] == 0.0 {
            return Err(Error::InvalidArgument {
                what: "next",
                reason: format!("token {next} does not occur in the prompt (probability 0)"),
            });
        }
        self.push_counts(&m, prompt[prompt.len() - 1], next);
        Ok(())
    }
    /// Adds a sample of a model variant whose choice set need not contain the query (e.g. the
    /// query excluded from the keys, masks): `counts` (length `K`, `≥ 0`) are the key weights and
    /// `next` must have positive weight. Used to exercise the general coverage graph (A4).
    pub fn push_variant(&mut self, query: usize, counts: &[f64], next: usize) -> Result<()> {
        check_vocab_fits(self.vocab)?;
        crate::error::check_len("counts", self.vocab, counts.len())?;
        crate::error::check_finite("counts", counts)?;
        check_ids("query", &[query], self.vocab)?;
        check_ids("next", &[next], self.vocab)?;
        if counts.iter().any(|&c| c < 0.0) || counts[next] <= 0.0 {
            return Err(Error::InvalidArgument {
                what: "counts",
                reason: "weights must be ≥ 0 and the chosen token's weight > 0".into(),
            });
        }
        self.push_counts(counts, query, next);
        Ok(())
    }
    /// Adds a sample from counts (already validated).
    fn push_counts(&mut self, m: &[f64], query: usize, next: usize) {
        for (k, &c) in m.iter().enumerate() {
            if c > 0.0 {
                self.token.push(k as u32);
                self.log_count.push(c.ln());
            }
        }
        self.offsets.push(self.token.len());
        self.query.push(query as u32);
        self.choice.push(next as u32);
    }
    /// Sample `i`.
    pub fn sample(&self, i: usize) -> Sample<'_> {
        let (a, b) = (self.offsets[i], self.offsets[i + 1]);
        Sample {
            query: self.query[i] as usize,
            choice: self.choice[i] as usize,
            tokens: &self.token[a..b],
            log_counts: &self.log_count[a..b],
        }
    }
    /// Sample indices grouped by query column (`K` lists).
    pub fn by_column(&self) -> Vec<Vec<usize>> {
        let mut cols = vec![Vec::new(); self.vocab];
        for (i, &q) in self.query.iter().enumerate() {
            cols[q as usize].push(i);
        }
        cols
    }
}

/// `n` prompts of length `len`, tokens i.i.d. uniform on `\[K\]`.
pub fn uniform_prompts(n: usize, len: usize, vocab: usize, rng: &mut impl Rng) -> Vec<Vec<usize>> {
    (0..n)
        .map(|_| (0..len).map(|_| rng.random_range(0..vocab)).collect())
        .collect()
}

/// Draws one token from log-probabilities (`−∞` entries never chosen) by inversion.
pub fn sample_log_probs(log_probs: &[f64], rng: &mut impl Rng) -> usize {
    let u: f64 = rng.random::<f64>();
    let mut acc = 0.0;
    let mut last = 0;
    for (k, &lp) in log_probs.iter().enumerate() {
        if lp == f64::NEG_INFINITY {
            continue;
        }
        acc += lp.exp();
        last = k;
        if u < acc {
            return k;
        }
    }
    last
}

/// Teacher–student data: `n` prompts of length `len` with i.i.d. uniform tokens, next tokens drawn
/// from the CCMC of `teacher`.
pub fn sample_teacher(
    teacher: &Wbar,
    n: usize,
    len: usize,
    rng: &mut impl Rng,
) -> Result<ChoiceData> {
    if len == 0 {
        return Err(Error::Empty { what: "prompt" });
    }
    let kk = teacher.vocab();
    let mut data = ChoiceData::new(kk);
    let mut prompt = vec![0usize; len];
    for _ in 0..n {
        prompt.iter_mut().for_each(|t| *t = rng.random_range(0..kk));
        let m = token_counts(&prompt, kk)?;
        let j = prompt[len - 1];
        let lp = transition_log_probs(teacher, &m, j)?;
        let y = sample_log_probs(&lp, rng);
        data.push_counts(&m, j, y);
    }
    Ok(data)
}

/// Mean excess KL `E_X[KL(P_teacher(·|X) ‖ P_fit(·|X))]` over the given prompts (a held-out test set).
pub fn mean_kl<P: AsRef<[usize]>>(teacher: &Wbar, fit: &Wbar, prompts: &[P]) -> Result<f64> {
    check_nonempty("prompts", prompts)?;
    let kk = teacher.vocab();
    let mut total = 0.0;
    for p in prompts {
        let p = p.as_ref();
        let m = token_counts(p, kk)?;
        let j = p[p.len() - 1];
        let a = transition_log_probs(teacher, &m, j)?;
        let b = transition_log_probs(fit, &m, j)?;
        total += a
            .iter()
            .zip(&b)
            .filter(|(x, _)| **x > f64::NEG_INFINITY)
            .map(|(x, y)| x.exp() * (x - y))
            .sum::<f64>();
    }
    Ok(total / prompts.len() as f64)
}
