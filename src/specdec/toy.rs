//! Small language models for exact checks and the toy DistillSpec experiment.
//!
//! - [`sin_target`]/[`cos_draft`]: the spec's portable V = 3 pair (`h(s) = Σ_t (t+1)(s_t+1)`,
//!   target logits `1.5 sin(1.3(v+1) + 0.7 h)`, draft logits `cos(0.9(v+1) + 0.4 h)`).
//! - [`HashedLm`]: a random model whose distribution at each context is drawn from a seed and the
//!   context (optionally with exact zeros), for randomised exact checks.
//! - [`MarkovLm`]: order-`k` Markov models (logit table per state); an order-2 target and an order-1
//!   draft family make the capacity-limited DistillSpec toy ([`distill_draft`]).

use crate::distill::{divergence_and_grad, Divergence};
use crate::error::{Error, Result};
use crate::rng::seeded;
use rand::Rng;
use rand_distr::{Distribution, StandardNormal};

/// `softmax(z)` (max-shifted, `τ = 1`): [`crate::ops::softmax_to_vec`].
pub use crate::ops::softmax_to_vec as softmax;

fn context_code(ctx: &[usize]) -> f64 {
    ctx.iter()
        .enumerate()
        .map(|(t, &s)| ((t + 1) * (s + 1)) as f64)
        .sum()
}

/// The spec's toy target over `V = 3`: `softmax_v(1.5 sin(1.3(v+1) + 0.7 h(ctx)))`.
pub fn sin_target(ctx: &[usize]) -> Vec<f64> {
    let h = context_code(ctx);
    softmax(
        &(0..3)
            .map(|v| 1.5 * (1.3 * (v + 1) as f64 + 0.7 * h).sin())
            .collect::<Vec<_>>(),
    )
}

/// The spec's toy draft over `V = 3`: `softmax_v(cos(0.9(v+1) + 0.4 h(ctx)))`.
pub fn cos_draft(ctx: &[usize]) -> Vec<f64> {
    let h = context_code(ctx);
    softmax(
        &(0..3)
            .map(|v| (0.9 * (v + 1) as f64 + 0.4 * h).cos())
            .collect::<Vec<_>>(),
    )
}

/// A random language model: at context `s` the logits are `scale · N(0, 1)` drawn from
/// `seeded(seed, hash(s))`; each entry is then zeroed with probability `zero_prob` (never all).
#[derive(Clone, Copy, Debug)]
pub struct HashedLm {
    /// Seed of the model.
    pub seed: u64,
    /// Vocabulary size.
    pub vocab: usize,
    /// Logit scale.
    pub scale: f64,
    /// Probability of an exact zero per entry.
    pub zero_prob: f64,
}

impl HashedLm {
    /// The distribution at `ctx`.
    pub fn dist(&self, ctx: &[usize]) -> Vec<f64> {
        // FNV-1a over the context (plus its length), as the RNG stream.
        let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ ctx.len() as u64;
        for &s in ctx {
            h = (h ^ s as u64).wrapping_mul(0x0000_0100_0000_01b3);
        }
        let mut rng = seeded(self.seed, h);
        let mut z: Vec<f64> = (0..self.vocab)
            .map(|_| {
                self.scale
                    * <StandardNormal as Distribution<f64>>::sample(&StandardNormal, &mut rng)
            })
            .collect();
        let keep = rng.random_range(0..self.vocab);
        for (v, x) in z.iter_mut().enumerate() {
            if v != keep && rng.random::<f64>() < self.zero_prob {
                *x = f64::NEG_INFINITY;
            }
        }
        softmax(&z)
    }
}

/// An order-`k` Markov language model over `vocab` tokens: the state is the last `k` tokens, padded
/// on the left with a start symbol `vocab`; `logits` is `[(vocab + 1)^k, vocab]`.
#[derive(Clone, Debug, PartialEq)]
pub struct MarkovLm {
    /// Vocabulary size `V`.
    pub vocab: usize,
    /// Order `k`.
    pub order: usize,
    /// Logit table `[(V + 1)^k, V]` row-major.
    pub logits: Vec<f64>,
}

impl MarkovLm {
    /// Number of states `(V + 1)^k`.
    pub fn states(vocab: usize, order: usize) -> usize {
        (vocab + 1).pow(order as u32)
    }

    /// A model with i.i.d. `scale · N(0, 1)` logits.
    pub fn random(vocab: usize, order: usize, scale: f64, rng: &mut impl Rng) -> Self {
        let n = Self::states(vocab, order) * vocab;
        let logits = (0..n)
            .map(|_| {
                scale * <StandardNormal as Distribution<f64>>::sample(&StandardNormal, &mut *rng)
            })
            .collect::<Vec<f64>>();
        MarkovLm {
            vocab,
            order,
            logits,
        }
    }

    /// State index of a context.
    pub fn state(&self, ctx: &[usize]) -> usize {
        (0..self.order).fold(0, |acc, j| {
            let tok = if ctx.len() + j >= self.order {
                ctx[ctx.len() + j - self.order]
            } else {
                self.vocab
            };
            acc * (self.vocab + 1) + tok
        })
    }

    /// Logits at `ctx`.
    pub fn row(&self, ctx: &[usize]) -> &[f64] {
        &self.logits[self.state(ctx) * self.vocab..][..self.vocab]
    }

    /// Next-token distribution at `ctx`.
    pub fn dist(&self, ctx: &[usize]) -> Vec<f64> {
        softmax(self.row(ctx))
    }

    /// One sequence of `len` tokens sampled from the empty context.
    pub fn sample(&self, len: usize, rng: &mut impl Rng) -> Vec<usize> {
        let mut s = Vec::with_capacity(len);
        for _ in 0..len {
            let p = self.dist(&s);
            let u = rng.random::<f64>();
            s.push(super::verify::sample_weights(p.len(), |v| p[v], u));
        }
        s
    }
}

/// Where the distillation prefixes come from (DistillSpec's data sources).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DataSource {
    /// A fixed corpus sampled once from the target (the "ground-truth" data).
    Fixed,
    /// Fresh sequences from the teacher each step.
    Teacher,
    /// Fresh sequences from the current draft each step (on-policy).
    OnPolicy,
}

impl DataSource {
    /// Short name for tables.
    pub fn name(&self) -> &'static str {
        match self {
            DataSource::Fixed => "fixed",
            DataSource::Teacher => "teacher",
            DataSource::OnPolicy => "on-policy",
        }
    }
}

/// Settings of the toy distillation.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DistillConfig {
    /// Adam steps.
    pub steps: usize,
    /// Sequences per step.
    pub batch: usize,
    /// Sequence length.
    pub seq_len: usize,
    /// Adam learning rate.
    pub lr: f64,
    /// Size of the fixed corpus (sequences).
    pub corpus: usize,
}

/// Distils `init` (the draft) towards `target` with `div` on prefixes from `source`: the per-step
/// loss is the mean over all positions of `D(p(·|y_<t) ‖ q(·|y_<t))`, its gradient w.r.t. the
/// draft's logit rows comes from [`divergence_and_grad`] (T = 1), and Adam updates the table.
/// Sampling is stop-gradient. All draws come from `seed`.
pub fn distill_draft(
    target: &MarkovLm,
    init: &MarkovLm,
    div: Divergence,
    source: DataSource,
    cfg: &DistillConfig,
    seed: u64,
) -> Result<MarkovLm> {
    if target.vocab != init.vocab || cfg.seq_len == 0 || cfg.batch == 0 {
        return Err(Error::InvalidArgument {
            what: "distill_draft",
            reason: "vocabularies must agree and seq_len, batch be positive".into(),
        });
    }
    let v = target.vocab;
    let mut data_rng = seeded(seed, 1);
    let corpus: Vec<Vec<usize>> = (0..cfg.corpus)
        .map(|_| target.sample(cfg.seq_len, &mut data_rng))
        .collect();
    let mut draft = init.clone();
    let (mut m1, mut m2) = (vec![0.0; draft.logits.len()], vec![0.0; draft.logits.len()]);
    let (b1, b2, eps) = (0.9f64, 0.999f64, 1e-8);
    let rows = cfg.batch * cfg.seq_len;
    let (mut lp, mut z, mut g) = (
        vec![0.0; rows * v],
        vec![0.0; rows * v],
        vec![0.0; rows * v],
    );
    let mut states = vec![0usize; rows];
    for step in 0..cfg.steps {
        let mut grad = vec![0.0; draft.logits.len()];
        for b in 0..cfg.batch {
            let seq = match source {
                DataSource::Fixed => corpus[data_rng.random_range(0..corpus.len().max(1))].clone(),
                DataSource::Teacher => target.sample(cfg.seq_len, &mut data_rng),
                DataSource::OnPolicy => draft.sample(cfg.seq_len, &mut data_rng),
            };
            for t in 0..cfg.seq_len {
                let r = b * cfg.seq_len + t;
                let ctx = &seq[..t];
                let p = target.dist(ctx);
                for (dst, x) in lp[r * v..][..v].iter_mut().zip(&p) {
                    *dst = x.ln();
                }
                z[r * v..][..v].copy_from_slice(draft.row(ctx));
                states[r] = draft.state(ctx);
            }
        }
        divergence_and_grad(div, &lp, &z, v, 1.0, &mut g)?;
        for (r, &s) in states.iter().enumerate() {
            for k in 0..v {
                grad[s * v + k] += g[r * v + k] / rows as f64;
            }
        }
        let t = (step + 1) as i32;
        for i in 0..grad.len() {
            m1[i] = b1 * m1[i] + (1.0 - b1) * grad[i];
            m2[i] = b2 * m2[i] + (1.0 - b2) * grad[i] * grad[i];
            let mh = m1[i] / (1.0 - b1.powi(t));
            let vh = m2[i] / (1.0 - b2.powi(t));
            draft.logits[i] -= cfg.lr * mh / (vh.sqrt() + eps);
        }
    }
    Ok(draft)
}

/// Exact block statistics of a (target, draft) pair from the empty prompt with `γ` drafts:
/// `(mean on-policy acceptance (1/γ) Σ_j (1 − ε_j), E\[B\])`.
///
/// # Errors
/// As [`super::stats::acceptance_masses`] (`γ` over its cap, models of other vocabularies).
pub fn block_score(target: &MarkovLm, draft: &MarkovLm, gamma: usize) -> Result<(f64, f64)> {
    let mut t = |c: &[usize]| target.dist(c);
    let mut d = |c: &[usize]| draft.dist(c);
    let eps = super::stats::on_policy_tvd(&mut t, &mut d, &[], gamma)?;
    let masses = super::stats::acceptance_masses(&mut t, &mut d, &[], gamma)?;
    let acc = eps.iter().map(|e| 1.0 - e).sum::<f64>() / gamma as f64;
    Ok((acc, super::stats::expected_block_length(&masses)?))
}

/// One cell of the toy DistillSpec table.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct DistillCell {
    /// Divergence name ([`Divergence::name`]).
    pub divergence: String,
    /// Data source name ([`DataSource::name`]).
    pub source: &'static str,
    /// Mean on-policy acceptance `(1/γ) Σ_j (1 − ε_j)` after distillation.
    pub acceptance: f64,
    /// Exact `E\[B\]` after distillation.
    pub block: f64,
}

/// The divergences of the toy table: FKL, RKL, JSD\[½\], TVD.
pub const TABLE_DIVERGENCES: [Divergence; 4] = [
    Divergence::ForwardKl,
    Divergence::ReverseKl,
    Divergence::Jsd { beta: 0.5 },
    Divergence::Tvd,
];

/// The data sources of the toy table.
pub const TABLE_SOURCES: [DataSource; 3] =
    [DataSource::Fixed, DataSource::Teacher, DataSource::OnPolicy];

/// The toy DistillSpec experiment for one seed: an order-2 Markov target (V = `vocab`, logits
/// `2·N(0,1)`) and an order-1 draft (init logits `N(0,1)`), distilled with every divergence of
/// [`TABLE_DIVERGENCES`] on every source of [`TABLE_SOURCES`], scored by [`block_score`] with
/// `γ` drafts. Returns the undistilled draft's `(acceptance, E\[B\])` and the cells.
pub fn distill_experiment(
    vocab: usize,
    cfg: &DistillConfig,
    gamma: usize,
    seed: u64,
) -> Result<((f64, f64), Vec<DistillCell>)> {
    let mut rng = seeded(seed, 0);
    let target = MarkovLm::random(vocab, 2, 2.0, &mut rng);
    let init = MarkovLm::random(vocab, 1, 1.0, &mut rng);
    let base = block_score(&target, &init, gamma)?;
    let mut cells = Vec::new();
    for div in TABLE_DIVERGENCES {
        for source in TABLE_SOURCES {
            let draft = distill_draft(&target, &init, div, source, cfg, seed)?;
            let (acceptance, block) = block_score(&target, &draft, gamma)?;
            cells.push(DistillCell {
                divergence: div.name(),
                source: source.name(),
                acceptance,
                block,
            });
        }
    }
    Ok((base, cells))
}
