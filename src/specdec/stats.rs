//! Block statistics of speculative decoding (K1.3) and the lossy single-position law (K1.5).
//!
//! - Per-prefix acceptance `β = Σ min(p, q) = 1 − TVD(p, q)`.
//! - First-`i` acceptance masses `A_0 = 1`, `A_i(x) = Σ_y min(p(y|x), q(y|x)) A_{i−1}(x ⊕ y)` and the
//!   expected tokens per target call `E\[B\] = 1 + Σ_{i=1}^{γ} A_i`, exact by recursion over contexts.
//! - i.i.d. case (`β ≡ α`): `E\[B\] = (1 − α^{γ+1})/(1 − α)`, accepted-count pmf `α^i (1 − α)` for
//!   `i < γ` and `α^γ` at `γ`; speed-up `S(γ) = (1 − α^{γ+1}) / ((1 − α)(γ c + 1))`.
//! - On-policy TVD bound: `ε_j = E_{y_<j ~ q}[TVD(p, q)(x ⊕ y_<j)]`,
//!   `E\[B\] ≥ 1 + Σ_{i ≤ γ} max(0, 1 − Σ_{j ≤ i} ε_j)`.

use super::verify::AcceptRule;
use crate::error::{check_cap, check_finite, check_len, check_positive, Error, Result};

/// Checks that `p` and `q` have one length and finite entries (once per call, `O(V)`).
fn check_pair(p: &[f64], q: &[f64]) -> Result<()> {
    check_len("q (same vocabulary as p)", p.len(), q.len())?;
    check_finite("p", p)?;
    check_finite("q", q)
}

/// Total variation `½ Σ |p − q|` (this form keeps relative accuracy when the distance is tiny).
///
/// # Errors
/// `ShapeMismatch` for lengths that differ; `NonFinite` for a NaN or an infinity.
pub fn tvd(p: &[f64], q: &[f64]) -> Result<f64> {
    check_pair(p, q)?;
    Ok(tvd_of(p, q))
}

/// [`tvd`] of checked laws.
fn tvd_of(p: &[f64], q: &[f64]) -> f64 {
    0.5 * p.iter().zip(q).map(|(a, b)| (a - b).abs()).sum::<f64>()
}

/// Acceptance probability of one drafted token, `1 − TVD(p, q) = Σ min(p, q)`.
///
/// # Errors
/// As [`tvd`].
pub fn acceptance(p: &[f64], q: &[f64]) -> Result<f64> {
    Ok(1.0 - tvd(p, q)?)
}

/// The deepest `γ` the exact enumerations ([`acceptance_masses`], [`on_policy_tvd`]) recurse to:
/// they cost `V^γ` model calls, so a larger `γ` is never what was meant, and the recursion depth
/// stays far from the stack limit.
pub const MAX_EXACT_GAMMA: usize = 64;

/// Checks one pair of model outputs inside the exact enumerations (`O(V)` beside the `O(V)` work
/// the node does anyway).
fn check_model_pair(p: &[f64], q: &[f64]) -> Result<()> {
    check_len(
        "draft law (same vocabulary as the target)",
        p.len(),
        q.len(),
    )?;
    check_finite("target law", p)?;
    check_finite("draft law", q)
}

/// `A_0..=A_γ` from `prefix` for context-dependent models (exact; `V^γ` model calls).
///
/// # Errors
/// `TooLarge` for `γ >` [`MAX_EXACT_GAMMA`]; `ShapeMismatch` / `NonFinite` when the models return
/// laws of different lengths or with non-finite entries.
pub fn acceptance_masses<P, Q>(
    target: &mut P,
    draft: &mut Q,
    prefix: &[usize],
    gamma: usize,
) -> Result<Vec<f64>>
where
    P: FnMut(&[usize]) -> Vec<f64>,
    Q: FnMut(&[usize]) -> Vec<f64>,
{
    check_cap("gamma (exact enumeration)", gamma, MAX_EXACT_GAMMA)?;
    // masses[i] accumulates Π_{j ≤ i} min(p_j, q_j) over the paths of length i.
    let mut masses = vec![0.0; gamma + 1];
    let mut ctx = prefix.to_vec();
    fn rec<P, Q>(
        t: &mut P,
        d: &mut Q,
        ctx: &mut Vec<usize>,
        depth: usize,
        w: f64,
        m: &mut [f64],
    ) -> Result<()>
    where
        P: FnMut(&[usize]) -> Vec<f64>,
        Q: FnMut(&[usize]) -> Vec<f64>,
    {
        m[depth] += w;
        if depth + 1 == m.len() {
            return Ok(());
        }
        let (p, q) = (t(ctx), d(ctx));
        check_model_pair(&p, &q)?;
        for (y, (a, b)) in p.iter().zip(&q).enumerate() {
            let a = a.min(*b);
            if a > 0.0 {
                ctx.push(y);
                rec(t, d, ctx, depth + 1, w * a, m)?;
                ctx.pop();
            }
        }
        Ok(())
    }
    rec(target, draft, &mut ctx, 0, 1.0, &mut masses)?;
    Ok(masses)
}

/// `E\[B\] = Σ_{i=0}^{γ} A_i` from the masses of [`acceptance_masses`].
///
/// # Errors
/// `NonFinite` for a NaN or an infinity among the masses.
pub fn expected_block_length(masses: &[f64]) -> Result<f64> {
    check_finite("acceptance masses", masses)?;
    Ok(masses.iter().sum())
}

fn check_alpha(alpha: f64) -> Result<()> {
    // `contains` is false for NaN.
    if (0.0..=1.0).contains(&alpha) {
        Ok(())
    } else {
        Err(Error::InvalidArgument {
            what: "alpha",
            reason: format!("acceptance rate must lie in [0, 1], got {alpha}"),
        })
    }
}

/// Largest `γ` whose accepted-count pmf [`iid_accepted_pmf`] is materialised (`γ + 1` entries).
pub const MAX_PMF_GAMMA: usize = 1 << 24;

/// Largest number of `γ` values [`optimal_gamma`] evaluates before giving up.
pub const MAX_GAMMA_SEARCH: usize = 1 << 22;

/// i.i.d. expected block length `(1 − α^{γ+1})/(1 − α)` (`γ + 1` at `α = 1`), in closed form
/// (`−expm1((γ+1) ln α) / (1 − α)`, accurate for `α` near one), so any `γ` costs `O(1)`.
pub fn iid_expected_block(alpha: f64, gamma: usize) -> Result<f64> {
    check_alpha(alpha)?;
    let n = gamma as f64 + 1.0;
    if alpha == 1.0 {
        return Ok(n);
    }
    Ok(-(n * alpha.ln()).exp_m1() / (1.0 - alpha))
}

/// i.i.d. pmf of the accepted count `n ∈ 0..=γ`: `α^i (1 − α)` for `i < γ`, `α^γ` at `γ`.
///
/// # Errors
/// `InvalidArgument` for `α ∉ [0, 1]`; `TooLarge` for `γ >` [`MAX_PMF_GAMMA`].
pub fn iid_accepted_pmf(alpha: f64, gamma: usize) -> Result<Vec<f64>> {
    check_alpha(alpha)?;
    check_cap("gamma", gamma, MAX_PMF_GAMMA)?;
    Ok((0..=gamma)
        .map(|i| {
            if i < gamma {
                alpha.powi(i as i32) * (1.0 - alpha)
            } else {
                alpha.powi(gamma as i32)
            }
        })
        .collect())
}

fn check_cost_ratio(cost_ratio: f64) -> Result<()> {
    if cost_ratio >= 0.0 && cost_ratio.is_finite() {
        Ok(())
    } else {
        Err(Error::InvalidArgument {
            what: "cost_ratio",
            reason: format!("must be finite and non-negative, got {cost_ratio}"),
        })
    }
}

/// Leviathan's wall-clock improvement `S(γ) = E\[B\] / (γ c + 1)` with draft/target cost ratio `c`.
pub fn speedup(alpha: f64, gamma: usize, cost_ratio: f64) -> Result<f64> {
    check_cost_ratio(cost_ratio)?;
    Ok(iid_expected_block(alpha, gamma)? / (gamma as f64 * cost_ratio + 1.0))
}

/// `γ* = argmax_{1 ≤ γ ≤ max_gamma} S(γ)` (integer search, smallest γ on ties).
///
/// The search is bounded: `S(γ) ≤ 1/((1 − α)(γ c + 1))` for `α < 1`, so it stops once that bound
/// falls to the best value found; `α = 1` (`S = (γ+1)/(γ c + 1)`, monotone), `α = 0` (`S` falls)
/// and `c = 0` (`S` rises) are closed forms.
///
/// # Errors
/// `InvalidArgument` for `α ∉ [0, 1]`, a negative or non-finite `c`, or `max_gamma = 0`;
/// `TooLarge` when the bound still leaves more than [`MAX_GAMMA_SEARCH`] candidates (`α` within
/// about `c / MAX_GAMMA_SEARCH` of one).
pub fn optimal_gamma(alpha: f64, cost_ratio: f64, max_gamma: usize) -> Result<usize> {
    check_alpha(alpha)?;
    check_cost_ratio(cost_ratio)?;
    if max_gamma == 0 {
        return Err(Error::InvalidArgument {
            what: "max_gamma",
            reason: "must be at least 1".into(),
        });
    }
    if alpha == 0.0 {
        return Ok(1);
    }
    if alpha == 1.0 {
        return Ok(if cost_ratio < 1.0 { max_gamma } else { 1 });
    }
    if cost_ratio == 0.0 {
        return Ok(max_gamma);
    }
    let mut best = (1, speedup(alpha, 1, cost_ratio)?);
    // Past γ_stop the upper bound 1/((1 − α)(γ c + 1)) is below `best`.
    let bound_end = ((1.0 / ((1.0 - alpha) * best.1) - 1.0) / cost_ratio).ceil();
    let end = if bound_end < max_gamma as f64 {
        (bound_end as usize).max(1)
    } else {
        max_gamma
    };
    check_cap("optimal_gamma candidates", end, MAX_GAMMA_SEARCH)?;
    for g in 2..=end {
        let s = speedup(alpha, g, cost_ratio)?;
        if s > best.1 {
            best = (g, s);
        }
    }
    Ok(best.0)
}

/// On-policy expected TVDs `ε_1..=ε_γ`, prefixes drawn from the draft (exact enumeration).
///
/// # Errors
/// As [`acceptance_masses`].
pub fn on_policy_tvd<P, Q>(
    target: &mut P,
    draft: &mut Q,
    prefix: &[usize],
    gamma: usize,
) -> Result<Vec<f64>>
where
    P: FnMut(&[usize]) -> Vec<f64>,
    Q: FnMut(&[usize]) -> Vec<f64>,
{
    check_cap("gamma (exact enumeration)", gamma, MAX_EXACT_GAMMA)?;
    let mut eps = vec![0.0; gamma];
    let mut ctx = prefix.to_vec();
    fn rec<P, Q>(
        t: &mut P,
        d: &mut Q,
        ctx: &mut Vec<usize>,
        j: usize,
        w: f64,
        eps: &mut [f64],
    ) -> Result<()>
    where
        P: FnMut(&[usize]) -> Vec<f64>,
        Q: FnMut(&[usize]) -> Vec<f64>,
    {
        let (p, q) = (t(ctx), d(ctx));
        check_model_pair(&p, &q)?;
        eps[j] += w * tvd_of(&p, &q);
        if j + 1 == eps.len() {
            return Ok(());
        }
        for (y, &qy) in q.iter().enumerate() {
            if qy > 0.0 {
                ctx.push(y);
                rec(t, d, ctx, j + 1, w * qy, eps)?;
                ctx.pop();
            }
        }
        Ok(())
    }
    if gamma > 0 {
        rec(target, draft, &mut ctx, 0, 1.0, &mut eps)?;
    }
    Ok(eps)
}

/// Lower bound `1 + Σ_{i ≤ γ} max(0, 1 − Σ_{j ≤ i} ε_j)` on `E\[B\]` from on-policy TVDs.
///
/// # Errors
/// `NonFinite` for a NaN or an infinity among the `ε_j`.
pub fn on_policy_bound(eps: &[f64]) -> Result<f64> {
    check_finite("on-policy TVDs", eps)?;
    let mut acc = 0.0;
    Ok(1.0
        + eps
            .iter()
            .map(|e| {
                acc += e;
                (1.0 - acc).max(0.0)
            })
            .sum::<f64>())
}

/// Single-position output law of verification under `rule` with draft `q` and target `p`:
/// `P(v) = q_v a_v + (1 − β) r_v`, `a_v` the acceptance probability, `β = Σ q a`, `r` the residual
/// (normalised when the rule normalises; `p` when the residual mass is zero).
/// For the lossy standard rule with `PMinusQ` this is K1.5:
/// `P_ε(v) = min(q_v, p_v/ε) + (1 − β_ε) max(0, p_v − q_v)/TVD(p, q)`.
///
/// # Errors
/// As [`tvd`].
pub fn single_position_law<R: AcceptRule + ?Sized>(
    rule: &R,
    p: &[f64],
    q: &[f64],
) -> Result<Vec<f64>> {
    check_pair(p, q)?;
    let a: Vec<f64> = p
        .iter()
        .zip(q)
        .map(|(&pv, &qv)| {
            if qv > 0.0 {
                rule.log_accept(pv, qv).exp()
            } else {
                0.0
            }
        })
        .collect();
    let beta: f64 = q.iter().zip(&a).map(|(qv, av)| qv * av).sum();
    let r = residual_law_of(rule, p, q);
    Ok((0..p.len())
        .map(|v| q[v] * a[v] + (1.0 - beta) * r[v])
        .collect())
}

/// The residual distribution a rejection samples from (what [`super::verify::verify_with`] draws).
///
/// # Errors
/// As [`tvd`].
pub fn residual_law<R: AcceptRule + ?Sized>(rule: &R, p: &[f64], q: &[f64]) -> Result<Vec<f64>> {
    check_pair(p, q)?;
    Ok(residual_law_of(rule, p, q))
}

/// [`residual_law`] of checked laws.
pub(crate) fn residual_law_of<R: AcceptRule + ?Sized>(rule: &R, p: &[f64], q: &[f64]) -> Vec<f64> {
    let w: Vec<f64> = p
        .iter()
        .zip(q)
        .map(|(&pv, &qv)| rule.residual_weight(pv, qv))
        .collect();
    let total: f64 = w.iter().sum();
    if total <= 0.0 {
        p.to_vec()
    } else if rule.normalises_residual() {
        w.iter().map(|x| x / total).collect()
    } else {
        w
    }
}

/// Lossy acceptance `β_ε = Σ_v q_v min(1, p_v/(ε q_v)) = Σ min(q, p/ε)`.
///
/// # Errors
/// As [`tvd`]; `NonFinite` / `InvalidArgument` for a lenience `ε` that is not finite and `> 0`.
pub fn lossy_acceptance(p: &[f64], q: &[f64], lenience: f64) -> Result<f64> {
    check_pair(p, q)?;
    check_positive("lenience", lenience)?;
    Ok(p.iter().zip(q).map(|(&a, &b)| b.min(a / lenience)).sum())
}
