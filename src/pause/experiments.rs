//! The pause-token experiments and their bounds, shared by the theorem checks (`tests/pause/`) and
//! the report section (claims `pause.PT2`–`PT5` and `pause.PT-capacity` in [`crate::claims`]): one
//! protocol and one verdict per claim, so test and report cannot disagree.

use super::capacity::{lookup_sum, lookup_target};
use super::loss::masked_next_token_loss;
use super::sequence::{
    finetune_sequence, pretrain_sequence, Delay, DelayToken, PauseSequence, Placement,
};
use super::tiny::{TinyGrads, TinyLm};
use crate::error::{Error, Result};
use crate::ops::{max_propagating_nan, min_propagating_nan};
use crate::rng::seeded;
use rand::Rng;
use serde::Serialize;
use statrs::distribution::{ChiSquared, ContinuousCDF};

/// PT2 protocol: the tiny LM's vocabulary (the `<pause>` id is `PT2_VOCAB`, one extra input row).
pub const PT2_VOCAB: usize = 12;
/// PT2 protocol: the tiny LM's width (spec 3(c): d = 16).
pub const PT2_D: usize = 16;
/// PT2 protocol: prefix-LM prefix lengths (0 = causal) the identity is checked under.
pub const PT2_PREFIX_LENS: [usize; 3] = [0, 3, 6];
/// PT2 protocol: central-difference step.
pub const PT2_FD_STEP: f64 = 1e-5;
/// PT2: largest |central difference − analytic gradient| at the pause-row embedding coordinates.
/// Truncation is O(h²) ≈ 1e-10 and rounding ≈ 1e-16·|loss|/h ≈ 1e-11 at h = 1e-5; 1e-7 leaves
/// margin while a gradient that misses the attention path through the pauses is off by O(|g|).
pub const PT2_FD_TOL: f64 = 1e-7;

/// `[loss, every parameter gradient]` flattened, for bit comparison.
fn flat(loss: f64, g: &TinyGrads) -> Vec<f64> {
    let mut v = vec![loss];
    v.extend(&g.embed);
    for l in &g.layers {
        v.extend(&l.wq);
        v.extend(&l.wk);
        v.extend(&l.wv);
    }
    v.extend(&g.unembed);
    v
}

/// Loss, parameter gradients and logit gradient of `seq` under `m`, with `perturb` added to the
/// logits (length `seq.tokens.len() · vocab_out`) before the loss.
pub fn pause_loss_and_grads(
    m: &TinyLm,
    seq: &PauseSequence,
    prefix_len: usize,
    perturb: &[f64],
) -> Result<(f64, TinyGrads, Vec<f64>)> {
    let v = m.vocab_out();
    let (mut logits, tape) = m.forward(&seq.tokens, prefix_len)?;
    if perturb.len() != logits.len() {
        return Err(Error::ShapeMismatch {
            what: "perturb",
            expected: logits.len(),
            got: perturb.len(),
        });
    }
    logits.iter_mut().zip(perturb).for_each(|(a, b)| *a += b);
    let rows = seq.tokens.len().saturating_sub(1);
    let mut dl = vec![0.0; rows * v];
    let loss = masked_next_token_loss(seq, &logits[..rows * v], v, &mut dl)?;
    dl.extend(std::iter::repeat_n(0.0, v)); // the last position predicts nothing
    Ok((loss, m.backward(&tape, &dl)?, dl))
}

/// What PT2 measured, over [`PT2_PREFIX_LENS`].
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Pt2Outcome {
    /// Entries of `[loss, gradients]` whose bits change when the masked-position logits change.
    pub changed_entries: usize,
    /// Largest |change| of those entries (0 when none changed).
    pub max_change: f64,
    /// Largest |∂loss/∂logit| at masked positions (must be exactly 0).
    pub masked_logit_grad: f64,
    /// Largest |central difference| of the loss w.r.t. masked logits (exactly 0).
    pub masked_fd: f64,
    /// Largest |central difference − analytic| at pause-row embedding coordinates.
    pub embed_fd_error: f64,
    /// Smallest |analytic gradient| at those coordinates (> 0: the check is not vacuous).
    pub min_embed_grad: f64,
}

/// PT2 on the worked example (prefix `[1, 4, 2]`, target `[3, 9]`, M = 3 appended pauses) through
/// a tiny 2-layer, d = 16 LM (weights from `seeded(seed, 601)`): logits at masked positions are
/// moved by `1e3·U(−½, ½)` (stream `seeded(seed, 602)`) for each prefix length; central
/// differences on masked logits (positions 0, 3, 4, class 2) and on pause-row embedding
/// coordinates 0, 5, 11.
pub fn pt2_masked_invariance(seed: u64) -> Result<Pt2Outcome> {
    let (v, pause) = (PT2_VOCAB, PT2_VOCAB);
    let m = TinyLm::random(v + 1, v, PT2_D, 2, &mut seeded(seed, 601))?;
    let delay = Delay {
        count: 3,
        token: DelayToken::Pause(pause),
        placement: Placement::Append,
    };
    let s = finetune_sequence(&[1, 4, 2], &[3, 9], delay)?;
    let n = s.tokens.len();
    let mut rng = seeded(seed, 602);
    let mut out = Pt2Outcome {
        changed_entries: 0,
        max_change: 0.0,
        masked_logit_grad: 0.0,
        masked_fd: 0.0,
        embed_fd_error: 0.0,
        min_embed_grad: f64::INFINITY,
    };
    let h = PT2_FD_STEP;
    for prefix_len in PT2_PREFIX_LENS {
        let zero = vec![0.0; n * v];
        let (l0, g0, dl) = pause_loss_and_grads(&m, &s, prefix_len, &zero)?;
        let mut pert = vec![0.0; n * v];
        for (j, &on) in s.loss_mask.iter().enumerate() {
            if !on {
                for (x, g) in pert[j * v..(j + 1) * v].iter_mut().zip(&dl[j * v..]) {
                    *x = 1e3 * (rng.random::<f64>() - 0.5);
                    out.masked_logit_grad = max_propagating_nan(out.masked_logit_grad, g.abs());
                }
            }
        }
        let (l1, g1, _) = pause_loss_and_grads(&m, &s, prefix_len, &pert)?;
        for (a, b) in flat(l0, &g0).iter().zip(&flat(l1, &g1)) {
            if a.to_bits() != b.to_bits() {
                out.changed_entries += 1;
                out.max_change = max_propagating_nan(out.max_change, (a - b).abs());
            }
        }
        for j in [0usize, 3, 4] {
            if s.loss_mask.get(j) != Some(&false) {
                return Err(Error::InvalidArgument {
                    what: "pt2 protocol",
                    reason: format!("position {j} is not masked"),
                });
            }
            let (mut up, mut dn) = (zero.clone(), zero.clone());
            up[j * v + 2] += h;
            dn[j * v + 2] -= h;
            let fd = (pause_loss_and_grads(&m, &s, prefix_len, &up)?.0
                - pause_loss_and_grads(&m, &s, prefix_len, &dn)?.0)
                / (2.0 * h);
            out.masked_fd = max_propagating_nan(out.masked_fd, fd.abs());
        }
        for c in [0usize, 5, 11] {
            let idx = pause * m.d() + c;
            let (mut mp, mut mm) = (m.clone(), m.clone());
            mp.embed_mut()[idx] += h;
            mm.embed_mut()[idx] -= h;
            let fd = (pause_loss_and_grads(&mp, &s, prefix_len, &zero)?.0
                - pause_loss_and_grads(&mm, &s, prefix_len, &zero)?.0)
                / (2.0 * h);
            out.embed_fd_error =
                max_propagating_nan(out.embed_fd_error, (fd - g0.embed[idx]).abs());
            out.min_embed_grad = min_propagating_nan(out.min_embed_grad, g0.embed[idx].abs());
        }
    }
    Ok(out)
}

/// PT2's bound: nothing changes bit for bit, the masked gradient and differences are exactly 0,
/// and the pause rows' gradient is non-zero and matches central differences to [`PT2_FD_TOL`].
pub fn pt2_verdict(o: &Pt2Outcome) -> bool {
    o.changed_entries == 0
        && o.masked_logit_grad == 0.0
        && o.masked_fd == 0.0
        && o.embed_fd_error < PT2_FD_TOL
        && o.min_embed_grad > 0.0
}

/// PT3 protocol: largest prefix length N, target length T and pause count M of the grid
/// (`N ∈ 1..=5`, `T ∈ 1..=4`, `M ∈ 0..=6`, append and prepend; the worked example 3(e) is a cell).
pub const PT3_MAX: (usize, usize, usize) = (5, 4, 6);

/// What PT3 measured over the grid.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Pt3Outcome {
    /// Sequences built.
    pub cases: usize,
    /// Sequences whose loss-term count differs from T.
    pub wrong_terms: usize,
    /// Loss terms whose target is `<pause>`.
    pub pause_targets: usize,
}

/// PT3 (fine-tuning) over the [`PT3_MAX`] grid, pause id 99.
pub fn pt3_loss_terms() -> Result<Pt3Outcome> {
    let pause = 99;
    let mut out = Pt3Outcome {
        cases: 0,
        wrong_terms: 0,
        pause_targets: 0,
    };
    for n in 1..=PT3_MAX.0 {
        for t in 1..=PT3_MAX.1 {
            for m in 0..=PT3_MAX.2 {
                for placement in [Placement::Append, Placement::Prepend] {
                    let prefix: Vec<usize> = (0..n).collect();
                    let target: Vec<usize> = (10..10 + t).collect();
                    let delay = Delay {
                        count: m,
                        token: DelayToken::Pause(pause),
                        placement,
                    };
                    let s = finetune_sequence(&prefix, &target, delay)?;
                    out.cases += 1;
                    out.wrong_terms += usize::from(s.loss_terms() != t);
                    out.pause_targets += s
                        .loss_mask
                        .iter()
                        .zip(&s.tokens[1..])
                        .filter(|&(&on, &next)| on && next == pause)
                        .count();
                }
            }
        }
    }
    Ok(out)
}

/// PT3's bound: every cell of the grid built, `T` loss terms each, no `<pause>` target.
pub fn pt3_verdict(o: &Pt3Outcome) -> bool {
    o.cases == PT3_MAX.0 * PT3_MAX.1 * (PT3_MAX.2 + 1) * 2
        && o.wrong_terms == 0
        && o.pause_targets == 0
}

/// PT4 protocol: pretraining sequences drawn (the spec: N = 1e5).
pub const PT4_SEQUENCES: usize = 100_000;
/// PT4 protocol: sequence length L (then `round(0.1 L) = 2` pauses in `C(22, 2) = 231` slot sets).
pub const PT4_LEN: usize = 20;
/// PT4 protocol: the other lengths whose pause count `round(0.1 L)` is checked.
pub const PT4_OTHER_LENS: [usize; 6] = [1, 4, 5, 14, 15, 37];
/// PT4: smallest χ² p-value of the slot-set counts against uniform. A correct sampler fails with
/// probability 1e-3; a sampler biased by a few percent per slot at 1e5 draws gives p ≈ 0.
pub const PT4_MIN_P: f64 = 1e-3;

/// What PT4 measured.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Pt4Outcome {
    /// Sequences whose pause count, length, order of real tokens or pretraining loss-term count
    /// (= non-pause next tokens, PT3 pretrain) is wrong, plus other lengths with a wrong count.
    pub structural_failures: usize,
    /// Distinct slot sets seen (of 231).
    pub subsets_seen: usize,
    /// Pearson χ² over the 231 slot sets (unseen sets counted).
    pub chi2: f64,
    /// Its p-value (230 degrees of freedom).
    pub p_value: f64,
}

/// PT4 on [`PT4_SEQUENCES`] sequences `0..L` with pause id 99 (stream `seeded(seed, 603)`).
pub fn pt4_insertion(seed: u64) -> Result<Pt4Outcome> {
    let pause = 99;
    let mut rng = seeded(seed, 603);
    let seq: Vec<usize> = (0..PT4_LEN).collect();
    let m_pt = (0.1 * PT4_LEN as f64).round() as usize;
    let cells = (PT4_LEN + m_pt) * (PT4_LEN + m_pt - 1) / 2;
    let mut counts = std::collections::HashMap::<Vec<usize>, u64>::new();
    let mut structural_failures = 0;
    for _ in 0..PT4_SEQUENCES {
        let s = pretrain_sequence(&seq, pause, 0.1, &mut rng)?;
        let real: Vec<usize> = s
            .sequence
            .tokens
            .iter()
            .copied()
            .filter(|&t| t != pause)
            .collect();
        let non_pause_targets = s.sequence.tokens[1..]
            .iter()
            .filter(|&&t| t != pause)
            .count();
        let ok = s.slots.len() == m_pt
            && s.sequence.tokens.len() == PT4_LEN
            && seq.starts_with(&real)
            && s.sequence.loss_terms() == non_pause_targets;
        structural_failures += usize::from(!ok);
        *counts.entry(s.slots).or_default() += 1;
    }
    for l in PT4_OTHER_LENS {
        let s = pretrain_sequence(&(0..l).collect::<Vec<_>>(), pause, 0.1, &mut rng)?;
        structural_failures += usize::from(s.slots.len() != (0.1 * l as f64).round() as usize);
    }
    let e = PT4_SEQUENCES as f64 / cells as f64;
    let chi2 = counts
        .values()
        .map(|&c| (c as f64 - e).powi(2) / e)
        .sum::<f64>()
        + cells.saturating_sub(counts.len()) as f64 * e;
    let p_value = ChiSquared::new((cells - 1) as f64)
        .map_err(|err| Error::InvalidArgument {
            what: "chi2",
            reason: err.to_string(),
        })?
        .sf(chi2);
    Ok(Pt4Outcome {
        structural_failures,
        subsets_seen: counts.len(),
        chi2,
        p_value,
    })
}

/// PT4's bound: no structural failure, every slot set seen, χ² p-value ≥ [`PT4_MIN_P`].
pub fn pt4_verdict(o: &Pt4Outcome) -> bool {
    o.structural_failures == 0 && o.subsets_seen == 231 && o.p_value >= PT4_MIN_P
}

/// What PT5 measured (parameter counts of the tiny LM, d = [`PT2_D`], V = [`PT2_VOCAB`]).
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Pt5Outcome {
    /// Width `d`.
    pub d: usize,
    /// Extra parameters when `<pause>` gets an input row only (never an output).
    pub input_row: usize,
    /// Extra parameters when it also gets an output column.
    pub input_and_output: usize,
}

/// PT5: parameter counts of the tiny LM with and without `<pause>` (weights from
/// `seeded(seed, 605)`; the counts do not depend on them).
pub fn pt5_parameter_overhead(seed: u64) -> Result<Pt5Outcome> {
    let (v, d) = (PT2_VOCAB, PT2_D);
    let mut rng = seeded(seed, 605);
    let base = TinyLm::random(v, v, d, 2, &mut rng)?.parameter_count();
    let count = |vi: usize, vo: usize, rng: &mut crate::rng::Rng| -> Result<usize> {
        Ok(TinyLm::random(vi, vo, d, 2, rng)?
            .parameter_count()
            .saturating_sub(base))
    };
    Ok(Pt5Outcome {
        d,
        input_row: count(v + 1, v, &mut rng)?,
        input_and_output: count(v + 1, v + 1, &mut rng)?,
    })
}

/// PT5's bound: exactly `d` and `2d` extra parameters.
pub fn pt5_verdict(o: &Pt5Outcome) -> bool {
    o.input_row == o.d && o.input_and_output == 2 * o.d
}

/// PT-capacity protocol: lookups `K ∈ 1..=10`, inputs `N ∈ 1..=6`, pauses `M ∈ 0..=10`.
pub const CAPACITY_GRID: (usize, usize, usize) = (10, 6, 10);
/// PT-capacity: a cell with `N + M ≥ K` must be exact to this (the sum of ≤ 10 values in [1, 2]
/// through softmax attention with saturated logits: rounding ≈ 1e-15).
pub const CAPACITY_EXACT_TOL: f64 = 1e-12;
/// PT-capacity: a cell with `N + M < K` must miss by at least this much: the values lie in
/// [1, 2], so every missing lookup moves the sum by ≥ 1; 0.5 is halfway.
pub const CAPACITY_MIN_MISS: f64 = 0.5;

/// One cell of the capacity grid.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct CapacityCell {
    /// Lookups `K`.
    pub k: usize,
    /// Inputs `N`.
    pub n: usize,
    /// Pauses `M`.
    pub m: usize,
    /// `|output − Σ values|`.
    pub error: f64,
}

/// PT-capacity: [`lookup_sum`] on the [`CAPACITY_GRID`]; for each `K` one value vector drawn
/// `1 + U[0, 1)` from stream `seeded(seed, 604)`.
pub fn capacity_grid(seed: u64) -> Result<Vec<CapacityCell>> {
    let mut rng = seeded(seed, 604);
    let mut cells = Vec::new();
    for k in 1..=CAPACITY_GRID.0 {
        let values: Vec<f64> = (0..k).map(|_| 1.0 + rng.random::<f64>()).collect();
        for n in 1..=CAPACITY_GRID.1 {
            for m in 0..=CAPACITY_GRID.2 {
                let error = (lookup_sum(&values, n, m)? - lookup_target(&values)).abs();
                cells.push(CapacityCell { k, n, m, error });
            }
        }
    }
    Ok(cells)
}

/// Whether a cell agrees with "correct iff N + M ≥ K" ([`CAPACITY_EXACT_TOL`],
/// [`CAPACITY_MIN_MISS`]; NaN disagrees).
pub fn capacity_cell_agrees(c: &CapacityCell) -> bool {
    if c.n + c.m >= c.k {
        c.error <= CAPACITY_EXACT_TOL
    } else {
        c.error >= CAPACITY_MIN_MISS
    }
}

/// PT-capacity's bound: the cells that disagree (none for the claim to hold), and whether the
/// grid is complete and they are none.
pub fn capacity_verdict(cells: &[CapacityCell]) -> (usize, bool) {
    let mismatches = cells.iter().filter(|c| !capacity_cell_agrees(c)).count();
    let full = CAPACITY_GRID.0 * CAPACITY_GRID.1 * (CAPACITY_GRID.2 + 1);
    (mismatches, mismatches == 0 && cells.len() == full)
}
