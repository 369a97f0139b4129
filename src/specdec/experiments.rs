//! The DS1, DS4, DS6, DS8, DS9, DS12 and DS13 experiments and their bounds, shared by the theorem
//! checks and the report (all seeded), and the grid randomness source that makes the shipped
//! sampler's law enumerable (DS1).

use super::driver::{speculative_decode_with, SpecConfig};
use super::exact::{autoregressive_law, sequence_index, speculative_law};
use super::stats::{
    acceptance, acceptance_masses, expected_block_length, iid_expected_block, lossy_acceptance,
    on_policy_bound, on_policy_tvd, optimal_gamma, single_position_law, speedup, tvd,
};
use super::toy::{
    cos_draft, distill_experiment, sin_target, softmax, DistillCell, DistillConfig, HashedLm,
};
use super::verify::{sample_weights, verify, ResidualMode, Standard};
use crate::error::Result;
use crate::rng::seeded;
use rand::{Rng, RngCore};
use rand_distr::{Distribution, StandardNormal};

/// DS1's tolerance (spec DS1): sums of ≤ 3⁹ f64 products of probabilities, rounding ≈ 1e-15; on
/// the grid models every weight is a power of ¼ and the gap is expected to be exactly 0.
pub const DS1_TOL: f64 = 1e-12;

fn max_abs_diff(a: &[f64], b: &[f64]) -> f64 {
    if a.len() != b.len() {
        return f64::INFINITY;
    }
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, crate::ops::max_propagating_nan)
}

/// Uniform draws per step of the grid: `u ∈ {(2k + 1)/(2G) : k < G}`.
const GRID: u64 = 4;
const LOG2_GRID: u32 = 2;

/// A randomness source that replays a digit string `k_1 k_2 …` as the uniforms `(2k_t + 1)/(2G)`
/// (exact in f64 through rand's `random::<f64>() = (x >> 11)·2⁻⁵³`) and appends zeros when the
/// sampler asks for more. With the odometer of [`enumerate_law`] it visits every path of the
/// sampler's decision tree once, with weight `G^{−draws}`.
struct GridRng {
    digits: Vec<u64>,
    pos: usize,
}

impl RngCore for GridRng {
    fn next_u64(&mut self) -> u64 {
        if self.pos == self.digits.len() {
            self.digits.push(0);
        }
        let k = self.digits[self.pos];
        self.pos += 1;
        ((2 * k + 1) << (53 - 1 - LOG2_GRID)) << 11
    }
    fn next_u32(&mut self) -> u32 {
        (self.next_u64() >> 32) as u32
    }
    fn fill_bytes(&mut self, dst: &mut [u8]) {
        for chunk in dst.chunks_mut(8) {
            let v = self.next_u64().to_le_bytes();
            chunk.copy_from_slice(&v[..chunk.len()]);
        }
    }
}

/// Law of the output of `run` (length-`len` sequences over `vocab`) over all grid paths, and the
/// number of paths visited.
fn enumerate_law(
    vocab: usize,
    len: usize,
    mut run: impl FnMut(&mut GridRng) -> Result<Vec<usize>>,
) -> Result<(Vec<f64>, usize)> {
    let cells = crate::error::checked_elems("vocab^len", &vec![vocab; len])?;
    let mut law = vec![0.0; cells];
    let mut rng = GridRng {
        digits: Vec::new(),
        pos: 0,
    };
    let mut paths = 0;
    loop {
        rng.pos = 0;
        let out = run(&mut rng)?;
        rng.digits.truncate(rng.pos);
        if let Some(slot) = law.get_mut(sequence_index(&out, vocab)) {
            *slot += (GRID as f64).powi(-(rng.pos as i32));
        }
        paths += 1;
        loop {
            match rng.digits.last_mut() {
                None => return Ok((law, paths)),
                Some(d) if *d + 1 < GRID => {
                    *d += 1;
                    break;
                }
                Some(_) => {
                    rng.digits.pop();
                }
            }
        }
    }
}

/// Every distribution over V = 3 with entries in {0, ¼, ½, ¾, 1} (15 of them).
fn quarter_laws() -> Vec<[f64; 3]> {
    let mut out = Vec::new();
    for a in 0..=4 {
        for b in 0..=4 - a {
            out.push([a as f64 / 4.0, b as f64 / 4.0, (4 - a - b) as f64 / 4.0]);
        }
    }
    out
}

fn context_hash(ctx: &[usize]) -> usize {
    ctx.iter()
        .fold(7usize, |h, &s| h.wrapping_mul(31).wrapping_add(s + 1))
}

/// DS1's grid target: one of the 15 quarter laws, chosen by the context. With the draft
/// [`quarter_draft`] every threshold the sampler compares a grid uniform with is a multiple of ¼:
/// draft and target CDFs, acceptance ratios `p/q ∈ {0, ½, 1}` (q = ½) or `{0, 1}` (q = ¼), and
/// the normalised residual (its weights `(p − q)₊` are one positive entry, or two equal ones). So
/// the grid law is the sampler's exact law.
pub fn quarter_target(ctx: &[usize]) -> Vec<f64> {
    let laws = quarter_laws();
    laws[(context_hash(ctx).wrapping_mul(7).wrapping_add(3)) % laws.len()].to_vec()
}

/// DS1's grid draft: (½, ¼, ¼) permuted by the context.
pub fn quarter_draft(ctx: &[usize]) -> Vec<f64> {
    let mut q = vec![0.25; 3];
    q[(context_hash(ctx).wrapping_mul(5).wrapping_add(1)) % 3] = 0.5;
    q
}

/// A target model handed to the shipped sampler, built for a given `γ` from a base model (the
/// shipped check passes the base model through; a negative control may wrap it).
pub type TargetFactory<'a> = &'a dyn Fn(usize, fn(&[usize]) -> Vec<f64>) -> BoxedModel;

/// A next-token model behind a box: context ↦ probabilities.
pub type BoxedModel = Box<dyn FnMut(&[usize]) -> Vec<f64>>;

/// The target's own law of length-`len` continuations over V = 3 (the product of its
/// conditionals; independent of the crate's enumerator).
pub fn target_product_law(len: usize, target: fn(&[usize]) -> Vec<f64>) -> Vec<f64> {
    let cells = 3usize.pow(len as u32);
    (0..cells)
        .map(|idx| {
            let seq: Vec<usize> = (0..len)
                .map(|t| idx / 3usize.pow((len - 1 - t) as u32) % 3)
                .collect();
            (0..len)
                .map(|t| target(&seq[..t]).get(seq[t]).copied().unwrap_or(0.0))
                .product()
        })
        .collect()
}

/// DS1 shipped-sampler cases `(γ, L)`: 1 072 / 20 224 / 4 864 grid paths (the count grows like
/// 4^{draws}: (3, 2) would need 2.4·10⁶).
pub const DS1_SHIPPED_CASES: [(usize, usize); 3] = [(1, 2), (1, 3), (2, 2)];

/// The exact law of `speculative_decode_with` (lossless, T = 1) on the quarter models at `(γ, L)`,
/// by grid enumeration, the target built by `target`; returns the law and the paths visited.
pub fn shipped_law(
    gamma: usize,
    len: usize,
    target: TargetFactory<'_>,
) -> Result<(Vec<f64>, usize)> {
    let cfg = SpecConfig {
        gamma,
        temperature: 1.0,
    };
    enumerate_law(3, len, |rng| {
        let model = target(gamma, quarter_target);
        Ok(speculative_decode_with(
            &Standard::EXACT,
            model,
            quarter_draft,
            &[],
            3,
            len,
            cfg,
            rng,
        )?
        .tokens)
    })
}

/// What the DS1 experiment measured.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Ds1Outcome {
    /// Largest |enumerated SD law − target law| (the enumerator, [`speculative_law`]).
    pub enumerated: f64,
    /// Largest |shipped sampler's grid law − target's product law| over [`DS1_SHIPPED_CASES`].
    pub shipped: f64,
    /// Grid paths visited.
    pub shipped_paths: usize,
}

/// Spec DS1: (a) the enumerated law of speculative decoding against the target's autoregressive
/// law for the V = 3 sin/cos pair (L = 4, γ ∈ {1, 2, 3, 5}, T ∈ {1, ½, 2}) and for four random
/// hashed pairs with exact zeros (V = 4, L = 3, γ ∈ {1, 2, 4}, model seeds `seed + i` and
/// `seed + 100 + i`); (b) the shipped sampler's exact law on the quarter models at
/// [`DS1_SHIPPED_CASES`], its target built by `target`.
pub fn ds1_output_law(seed: u64, target: TargetFactory<'_>) -> Result<Ds1Outcome> {
    let mut enumerated: f64 = 0.0;
    let mut t = |c: &[usize]| sin_target(c);
    let mut d = |c: &[usize]| cos_draft(c);
    for temp in [1.0, 0.5, 2.0] {
        let want = autoregressive_law(&mut t, &[], 3, 4, temp)?;
        for gamma in [1usize, 2, 3, 5] {
            let law = speculative_law(&Standard::EXACT, &mut t, &mut d, &[], 3, 4, gamma, temp)?;
            enumerated = crate::ops::max_propagating_nan(enumerated, max_abs_diff(&law, &want));
        }
    }
    for i in 0..4 {
        let lm = |s: u64| HashedLm {
            seed: s,
            vocab: 4,
            scale: 1.5,
            zero_prob: 0.35,
        };
        let (p, q) = (lm(seed.wrapping_add(i)), lm(seed.wrapping_add(100 + i)));
        let mut t = |c: &[usize]| p.dist(c);
        let mut d = |c: &[usize]| q.dist(c);
        let want = autoregressive_law(&mut t, &[1], 4, 3, 1.0)?;
        for gamma in [1usize, 2, 4] {
            let law = speculative_law(&Standard::EXACT, &mut t, &mut d, &[1], 4, 3, gamma, 1.0)?;
            enumerated = crate::ops::max_propagating_nan(enumerated, max_abs_diff(&law, &want));
        }
    }
    let (mut shipped, mut shipped_paths): (f64, usize) = (0.0, 0);
    for (gamma, len) in DS1_SHIPPED_CASES {
        let (law, paths) = shipped_law(gamma, len, target)?;
        shipped = crate::ops::max_propagating_nan(
            shipped,
            max_abs_diff(&law, &target_product_law(len, quarter_target)),
        );
        shipped_paths += paths;
    }
    Ok(Ds1Outcome {
        enumerated,
        shipped,
        shipped_paths,
    })
}

/// DS1's bound: both gaps within [`DS1_TOL`].
pub fn ds1_verdict(o: &Ds1Outcome) -> bool {
    o.enumerated <= DS1_TOL && o.shipped <= DS1_TOL
}

/// DS4 protocol (the test's; spec: "MC over u, y within 4 binomial SE"): random pairs.
pub const DS4_PAIRS: usize = 20;
/// DS4: γ = 1 verifications per pair.
pub const DS4_DRAWS: usize = 20_000;
/// DS4's Monte-Carlo bound (spec DS4): the mean accept indicator within 4 binomial SE.
pub const DS4_MAX_Z: f64 = 4.0;
/// DS4's exact bound, per vocabulary entry: `Σ_y q min(1, p/q)` and `1 − ½‖p − q‖₁` are sums of
/// V terms ≤ 1, each rounded once or twice.
pub const DS4_EXACT_TOL_PER_TOKEN: f64 = 4e-15;

/// What the DS4 experiment measured.
#[derive(Clone, Debug, PartialEq)]
pub struct Ds4Outcome {
    /// `(1 − TVD, empirical acceptance)` per pair.
    pub points: Vec<(f64, f64)>,
    /// Largest |Σ_y q min(1, p/q) − acceptance(p, q)| / V.
    pub exact_gap_per_token: f64,
    /// Largest |empirical − (1 − TVD)| in binomial standard errors.
    pub max_z: f64,
}

fn random_dist(rng: &mut impl Rng, v: usize) -> Vec<f64> {
    let w: Vec<f64> = (0..v)
        .map(|_| (2.0 * rng.random::<f64>() - 1.0).exp().powi(2))
        .collect();
    let s: f64 = w.iter().sum();
    w.into_iter().map(|x| x / s).collect()
}

/// Spec DS4: [`DS4_PAIRS`] random pairs (V ∈ [2, 10), weights `exp(2U − 1)²` normalised) from
/// `seeded(seed, 0xD54)`; per pair the exact identity and [`DS4_DRAWS`] γ = 1 verify calls with
/// the draft drawn from q.
pub fn ds4_acceptance(seed: u64) -> Result<Ds4Outcome> {
    let mut rng = seeded(seed, 0xD54);
    let mut out = Ds4Outcome {
        points: Vec::with_capacity(DS4_PAIRS),
        exact_gap_per_token: 0.0,
        max_z: 0.0,
    };
    for _ in 0..DS4_PAIRS {
        let v = rng.random_range(2..10);
        let (p, q) = (random_dist(&mut rng, v), random_dist(&mut rng, v));
        let sum: f64 = (0..v).map(|y| q[y] * (p[y] / q[y]).min(1.0)).sum();
        let a = 1.0 - tvd(&p, &q)?;
        out.exact_gap_per_token = crate::ops::max_propagating_nan(
            out.exact_gap_per_token,
            (sum - acceptance(&p, &q)?).abs() / v as f64,
        );
        let target = [p.clone(), p.clone()].concat();
        let mut hits = 0usize;
        for _ in 0..DS4_DRAWS {
            let u = rng.random::<f64>();
            let y = sample_weights(v, |k| q[k], u);
            hits += verify(&Standard::EXACT, &[y], &q, &target, v, &mut rng)?.accepted;
        }
        let emp = hits as f64 / DS4_DRAWS as f64;
        let se = (a * (1.0 - a) / DS4_DRAWS as f64).sqrt();
        let z = if se > 0.0 {
            (emp - a).abs() / se
        } else if emp == a {
            0.0
        } else {
            f64::INFINITY
        };
        out.max_z = crate::ops::max_propagating_nan(out.max_z, z);
        out.points.push((a, emp));
    }
    Ok(out)
}

/// DS4's bound: the exact identity within [`DS4_EXACT_TOL_PER_TOKEN`]·V and every pair within
/// [`DS4_MAX_Z`] binomial SE.
pub fn ds4_verdict(o: &Ds4Outcome) -> bool {
    !o.points.is_empty() && o.exact_gap_per_token <= DS4_EXACT_TOL_PER_TOKEN && o.max_z <= DS4_MAX_Z
}

/// DS6: random context-dependent LM pairs (V = 5), half with exact zeros.
pub const DS6_PAIRS: u64 = 12;
/// DS6: the largest draft length checked (spec: all γ ≤ 4).
pub const DS6_MAX_GAMMA: usize = 4;
/// DS6's slack tolerance (spec: ≥ −1e-12): E\[B\] and the bound are finite sums of the same f64
/// terms.
pub const DS6_SLACK_TOL: f64 = 1e-12;
/// DS6: `A_1 = 1 − ε_1` to this (one subtraction of the same sums).
pub const DS6_A1_TOL: f64 = 1e-14;

/// What the DS6 experiment measured.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Ds6Outcome {
    /// Smallest `E[B] − on-policy bound` over pairs and γ.
    pub min_slack: f64,
    /// Largest `|A_1 − (1 − ε_1)|`.
    pub a1_gap: f64,
}

/// Spec DS6: [`DS6_PAIRS`] pairs of hashed LMs (V = 5, scale 1.5, target seed `seed + i`, draft
/// `seed + 1000 + i`, exact zeros with probability 0.3 for odd `i`), prompt `[0]`, γ = 1…4.
pub fn ds6_block_bound(seed: u64) -> Result<Ds6Outcome> {
    let mut out = Ds6Outcome {
        min_slack: f64::INFINITY,
        a1_gap: 0.0,
    };
    for i in 0..DS6_PAIRS {
        let zero_prob = if i % 2 == 0 { 0.0 } else { 0.3 };
        let lm = |s: u64| HashedLm {
            seed: s,
            vocab: 5,
            scale: 1.5,
            zero_prob,
        };
        let (p, q) = (lm(seed.wrapping_add(i)), lm(seed.wrapping_add(1000 + i)));
        let mut t = |c: &[usize]| p.dist(c);
        let mut d = |c: &[usize]| q.dist(c);
        for gamma in 1..=DS6_MAX_GAMMA {
            let masses = acceptance_masses(&mut t, &mut d, &[0], gamma)?;
            let eps = on_policy_tvd(&mut t, &mut d, &[0], gamma)?;
            let (a1, e1) = (
                masses.get(1).copied().unwrap_or(f64::NAN),
                eps.first().copied().unwrap_or(f64::NAN),
            );
            out.a1_gap = crate::ops::max_propagating_nan(out.a1_gap, (a1 - (1.0 - e1)).abs());
            let slack = expected_block_length(&masses)? - on_policy_bound(&eps)?;
            out.min_slack = crate::ops::min_propagating_nan(out.min_slack, slack);
        }
    }
    Ok(out)
}

/// DS6's bound: slack ≥ −[`DS6_SLACK_TOL`] and `A_1` gap ≤ [`DS6_A1_TOL`].
pub fn ds6_verdict(o: &Ds6Outcome) -> bool {
    o.min_slack >= -DS6_SLACK_TOL && o.a1_gap <= DS6_A1_TOL
}

/// A random lossy-SD pair (spec §randomised: V ∈ [2, 12], logits `2·N(0, 1)`).
pub fn lossy_random_pair(rng: &mut impl Rng) -> (Vec<f64>, Vec<f64>) {
    let v = rng.random_range(2..=12);
    let mut draw = || {
        let z: Vec<f64> = (0..v)
            .map(|_| 2.0 * <StandardNormal as Distribution<f64>>::sample(&StandardNormal, rng))
            .collect();
        softmax(&z)
    };
    let p = draw();
    (p, draw())
}

/// DS8: random pairs (spec: 1000).
pub const DS8_PAIRS: usize = 1000;
/// DS8's identity tolerance: sums of ≤ 12 terms of size ≤ 1.
pub const DS8_TOL: f64 = 1e-14;
/// DS8's worked-example tolerance: three-term sums of exact decimals.
pub const DS8_WORKED_TOL: f64 = 1e-15;

/// What the DS8 experiment measured.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Ds8Outcome {
    /// Largest error on the worked example (p = [.5, .3, .2], q = [.2, .5, .3]: ε = 0.8 → TV =
    /// 0.125, ε = 0.5 → TV = 0.3 and P_ε = q, ε = 1 → 0).
    pub worked: f64,
    /// TV(P_0.8, p) on the worked example (spec: 0.125).
    pub tv_at_08: f64,
    /// Largest `|TV(P_ε, p) − (β_ε − β_1)|` over the random pairs and ε = 0.05…1.
    pub max_gap: f64,
}

/// Spec DS8: the worked example and [`DS8_PAIRS`] random pairs ([`lossy_random_pair`],
/// `seeded(seed, 0xD58)`) at ε = k/20, k = 1…20 (lossy rule, residual `(p − q)₊`).
pub fn ds8_lossy_identity(seed: u64) -> Result<Ds8Outcome> {
    let (p, q) = ([0.5, 0.3, 0.2], [0.2, 0.5, 0.3]);
    let law_at = |eps: f64, p: &[f64], q: &[f64]| -> Result<Vec<f64>> {
        single_position_law(&Standard::lossy(eps, ResidualMode::PMinusQ)?, p, q)
    };
    let mut worked: f64 = 0.0;
    for (eps, want) in [(0.8, 0.125), (0.5, 0.3), (1.0, 0.0)] {
        worked =
            crate::ops::max_propagating_nan(worked, (tvd(&law_at(eps, &p, &q)?, &p)? - want).abs());
    }
    worked = crate::ops::max_propagating_nan(worked, tvd(&law_at(0.5, &p, &q)?, &q)?);
    let tv_at_08 = tvd(&law_at(0.8, &p, &q)?, &p)?;
    let mut rng = seeded(seed, 0xD58);
    let mut max_gap: f64 = 0.0;
    for _ in 0..DS8_PAIRS {
        let (p, q) = lossy_random_pair(&mut rng);
        for k in 1..=20 {
            let eps = k as f64 / 20.0;
            let loss = tvd(&law_at(eps, &p, &q)?, &p)?;
            let gain = lossy_acceptance(&p, &q, eps)? - lossy_acceptance(&p, &q, 1.0)?;
            max_gap = crate::ops::max_propagating_nan(max_gap, (loss - gain).abs());
        }
    }
    Ok(Ds8Outcome {
        worked,
        tv_at_08,
        max_gap,
    })
}

/// DS8's bound: worked example within [`DS8_WORKED_TOL`], identity within [`DS8_TOL`].
pub fn ds8_verdict(o: &Ds8Outcome) -> bool {
    o.worked <= DS8_WORKED_TOL && o.max_gap <= DS8_TOL
}

/// DS9: random pairs (spec: 2000).
pub const DS9_PAIRS: usize = 2000;
/// DS9: lenience values ε = k/60 (spec: 60).
pub const DS9_GRID: usize = 60;
/// DS9: an increase counts as a violation beyond this rounding (sums of ≤ 12 terms ≤ 1).
pub const DS9_ROUNDING: f64 = 1e-14;

/// What the DS9 experiment measured: violations per residual mode.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Ds9Outcome {
    /// Steps where β_ε or TV(P_ε, p) increased with ε, residual `(p − q)₊` (proven monotone).
    pub p_minus_q: usize,
    /// The same for residual `(p − εq)₊` (observed monotone, unproven).
    pub p_minus_eps_q: usize,
}

/// Spec DS9: for each residual mode, [`DS9_PAIRS`] random pairs ([`lossy_random_pair`],
/// `seeded(seed, 0xD59)`, the same pairs for both modes) and ε = k/60: count the steps where β_ε
/// or TV(P_ε, p) grows by more than [`DS9_ROUNDING`].
pub fn ds9_monotone(seed: u64) -> Result<Ds9Outcome> {
    let grid: Vec<f64> = (1..=DS9_GRID).map(|k| k as f64 / DS9_GRID as f64).collect();
    let mut counts = [0usize; 2];
    for (mode, count) in [ResidualMode::PMinusQ, ResidualMode::PMinusEpsQ]
        .into_iter()
        .zip(counts.iter_mut())
    {
        let mut rng = seeded(seed, 0xD59);
        for _ in 0..DS9_PAIRS {
            let (p, q) = lossy_random_pair(&mut rng);
            let mut prev = (f64::INFINITY, f64::INFINITY);
            for &eps in &grid {
                let law = single_position_law(&Standard::lossy(eps, mode)?, &p, &q)?;
                let cur = (lossy_acceptance(&p, &q, eps)?, tvd(&law, &p)?);
                if cur.0 > prev.0 + DS9_ROUNDING || cur.1 > prev.1 + DS9_ROUNDING {
                    *count += 1;
                }
                prev = cur;
            }
        }
    }
    Ok(Ds9Outcome {
        p_minus_q: counts[0],
        p_minus_eps_q: counts[1],
    })
}

/// DS9's bound: zero violations in both modes.
pub fn ds9_verdict(o: &Ds9Outcome) -> bool {
    o.p_minus_q == 0 && o.p_minus_eps_q == 0
}

/// DS12's printed value (spec): S(α = 0.7, γ = 3, c = 0.1) = 1.94846.
pub const DS12_SPEEDUP: f64 = 1.94846;
/// DS12: the spec prints five decimals, so agreement to 1e-5.
pub const DS12_TOL: f64 = 1e-5;
/// DS12: γ* for (α, c) = (.6, .05), (.8, .05), (.9, .1) (spec).
pub const DS12_GAMMA_STAR: [usize; 3] = [4, 8, 10];

/// What DS12 evaluated.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Ds12Outcome {
    /// S(0.7, 3, 0.1).
    pub speedup: f64,
    /// γ* (searched up to 64) for the three (α, c).
    pub gamma_star: [usize; 3],
    /// The i.i.d. E\[B\] at α = 1, γ = 5 (must be γ + 1 = 6).
    pub iid_at_one: f64,
}

/// Spec DS12's worked values.
pub fn ds12_speedup() -> Result<Ds12Outcome> {
    Ok(Ds12Outcome {
        speedup: speedup(0.7, 3, 0.1)?,
        gamma_star: [
            optimal_gamma(0.6, 0.05, 64)?,
            optimal_gamma(0.8, 0.05, 64)?,
            optimal_gamma(0.9, 0.1, 64)?,
        ],
        iid_at_one: iid_expected_block(1.0, 5)?,
    })
}

/// DS12's bound: S within [`DS12_TOL`] of [`DS12_SPEEDUP`], γ* = [`DS12_GAMMA_STAR`], and the
/// i.i.d. E\[B\] at α = 1 exactly γ + 1.
pub fn ds12_verdict(o: &Ds12Outcome) -> bool {
    (o.speedup - DS12_SPEEDUP).abs() < DS12_TOL
        && o.gamma_star == DS12_GAMMA_STAR
        && o.iid_at_one == 6.0
}

/// DS13's toy recipe (spec: the tiny instance; the test's 5 seeds × 500 Adam steps).
pub const DS13_CONFIG: DistillConfig = DistillConfig {
    steps: 500,
    batch: 16,
    seq_len: 6,
    lr: 0.05,
    corpus: 48,
};
/// DS13: seeds averaged.
pub const DS13_SEEDS: u64 = 5;
/// DS13: draft length of the block statistics.
pub const DS13_GAMMA: usize = 4;
/// DS13: vocabulary of the toy.
pub const DS13_VOCAB: usize = 8;

/// One seed of the toy DistillSpec: the undistilled draft's `(acceptance, E[B])` and the cells.
pub type DistillRun = ((f64, f64), Vec<DistillCell>);

/// What the DS13 experiment measured.
#[derive(Clone, Debug, PartialEq)]
pub struct Ds13Outcome {
    /// Per seed.
    pub runs: Vec<DistillRun>,
    /// Mean undistilled acceptance over seeds.
    pub init_acceptance: f64,
    /// Mean acceptance per (divergence, source) cell over seeds (table order).
    pub cell_acceptance: Vec<f64>,
}

/// Spec DS13: [`distill_experiment`] with [`DS13_CONFIG`] for seeds `seed + 100 + s`,
/// s < [`DS13_SEEDS`].
pub fn ds13_distill(seed: u64) -> Result<Ds13Outcome> {
    let runs: Vec<DistillRun> = (0..DS13_SEEDS)
        .map(|s| {
            distill_experiment(
                DS13_VOCAB,
                &DS13_CONFIG,
                DS13_GAMMA,
                seed.wrapping_add(100 + s),
            )
        })
        .collect::<Result<_>>()?;
    let n = runs.len().max(1) as f64;
    let cells = runs.first().map_or(0, |r| r.1.len());
    let cell_acceptance = (0..cells)
        .map(|c| {
            runs.iter()
                .map(|r| r.1.get(c).map_or(f64::NAN, |x| x.acceptance))
                .sum::<f64>()
                / n
        })
        .collect();
    Ok(Ds13Outcome {
        init_acceptance: runs.iter().map(|r| r.0 .0).sum::<f64>() / n,
        cell_acceptance,
        runs,
    })
}

/// DS13's bound (\[E\], direction only): every cell's mean acceptance strictly above the
/// undistilled draft's.
pub fn ds13_verdict(o: &Ds13Outcome) -> bool {
    !o.cell_acceptance.is_empty() && o.cell_acceptance.iter().all(|&a| a > o.init_acceptance)
}
