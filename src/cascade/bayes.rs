//! The Bayes-optimal deferral rule on a finite input space, its budget (knapsack) form, the
//! Lagrangian risk, and the plug-in regret.
//!
//! With `g(x) = η_{h2(x)}(x) - η_{h1(x)}(x)` the expected accuracy gain of deferring `x`,
//! `R_c(r) = P(y ≠ h(x)) + c P(r(x) = 1) = Σ_x π(x) [1 - acc1(x) - r(x)(g(x) - c)]`, which is
//! minimised pointwise by `r*(x) = 1{g(x) > c}` (ties `g = c` do not defer).

use crate::error::{
    check_finite, check_finite_scalar, check_ids, check_len, check_nonempty, Error, Result,
};
use crate::ops::check_distributions;

/// A two-model cascade on a finite input space: input masses `π`, and each model's conditional
/// accuracy at each input, `acc_m(x) = η_{h_m(x)}(x)`.
#[derive(Clone, Debug, PartialEq)]
/// The fields are private (read them through the getters) so a cascade always satisfies what
/// [`FiniteCascade::new`] checks.
pub struct FiniteCascade {
    /// Input masses `π(x)` (a distribution).
    pi: Vec<f64>,
    /// `acc1(x) = η_{h1(x)}(x)`.
    acc1: Vec<f64>,
    /// `acc2(x) = η_{h2(x)}(x)`.
    acc2: Vec<f64>,
}

impl FiniteCascade {
    /// From masses and per-input accuracies (each in `[0, 1]`).
    pub fn new(pi: Vec<f64>, acc1: Vec<f64>, acc2: Vec<f64>) -> Result<Self> {
        check_distributions("pi", &pi, pi.len().max(1))?;
        check_len("acc1", pi.len(), acc1.len())?;
        check_len("acc2", pi.len(), acc2.len())?;
        check_unit_interval("acc1", &acc1)?;
        check_unit_interval("acc2", &acc2)?;
        Ok(FiniteCascade { pi, acc1, acc2 })
    }

    /// From the class posteriors `η` `[X, C]` and the two models' predictions `h1`, `h2` `\[X\]`.
    pub fn from_posteriors(
        pi: Vec<f64>,
        eta: &[f64],
        classes: usize,
        h1: &[usize],
        h2: &[usize],
    ) -> Result<Self> {
        let x = check_distributions("eta", eta, classes)?;
        check_len("h1", x, h1.len())?;
        check_len("h2", x, h2.len())?;
        check_ids("h1", h1, classes)?;
        check_ids("h2", h2, classes)?;
        let pick = |h: &[usize]| {
            h.iter()
                .enumerate()
                .map(|(i, &y)| eta[i * classes + y])
                .collect()
        };
        Self::new(pi, pick(h1), pick(h2))
    }

    /// Input masses `π(x)`.
    pub fn pi(&self) -> &[f64] {
        &self.pi
    }

    /// `acc1(x)`.
    pub fn acc1(&self) -> &[f64] {
        &self.acc1
    }

    /// `acc2(x)`.
    pub fn acc2(&self) -> &[f64] {
        &self.acc2
    }

    /// Expected accuracy gain of deferring each input, `g = acc2 - acc1`.
    pub fn gain(&self) -> Vec<f64> {
        self.acc2
            .iter()
            .zip(&self.acc1)
            .map(|(a, b)| a - b)
            .collect()
    }

    /// `(accuracy, deferral rate)` of a (randomised) rule `r(x) ∈ [0, 1]`.
    ///
    /// # Errors
    /// `ShapeMismatch` for a rule of the wrong length; `NonFinite`/`InvalidArgument` for an entry
    /// that is not a probability.
    pub fn accuracy_and_rate(&self, rule: &[f64]) -> Result<(f64, f64)> {
        check_len("rule", self.pi.len(), rule.len())?;
        check_unit_interval("rule", rule)?;
        let (mut acc, mut rate) = (0.0, 0.0);
        for (((&p, &a1), &a2), &r) in self.pi.iter().zip(&self.acc1).zip(&self.acc2).zip(rule) {
            acc += p * ((1.0 - r) * a1 + r * a2);
            rate += p * r;
        }
        Ok((acc, rate))
    }

    /// Lagrangian risk `R_c(r) = P(y ≠ h(x)) + c · P(r(x) = 1)`.
    /// Errors: those of [`FiniteCascade::accuracy_and_rate`]; `NonFinite` for the cost.
    pub fn risk(&self, rule: &[f64], cost: f64) -> Result<f64> {
        check_finite_scalar("cost", cost)?;
        let (acc, rate) = self.accuracy_and_rate(rule)?;
        let risk = 1.0 - acc + cost * rate;
        // A finite cost near `±f64::MAX` times a rate that rounds above 1 overflows.
        check_finite_scalar("risk (overflow from a finite cost)", risk)?;
        Ok(risk)
    }
}

/// Every entry finite and in `[0, 1]`.
fn check_unit_interval(what: &'static str, a: &[f64]) -> Result<()> {
    check_finite(what, a)?;
    if let Some(i) = a.iter().position(|v| !(0.0..=1.0).contains(v)) {
        return Err(Error::InvalidArgument {
            what,
            reason: format!("entry {i} is {} (not in [0, 1])", a[i]),
        });
    }
    Ok(())
}

/// The Bayes-optimal rule `r*(x) = 1{g(x) > c}` as 0/1 deferral probabilities.
pub fn bayes_rule(gain: &[f64], cost: f64) -> Vec<f64> {
    gain.iter().map(|&g| (g > cost) as u8 as f64).collect()
}

/// Budget form: defer exactly mass `b` of the inputs with the largest gain (a fractional
/// knapsack). Inputs tied in gain at the boundary share the remaining budget in proportion to
/// their masses (each deferred with the same probability). Returns deferral probabilities.
pub fn budget_rule(gain: &[f64], pi: &[f64], budget: f64) -> Result<Vec<f64>> {
    check_nonempty("gain", gain)?;
    check_len("pi", gain.len(), pi.len())?;
    check_finite("gain", gain)?;
    check_unit_interval("pi", pi)?;
    if !(0.0..=1.0).contains(&budget) {
        return Err(Error::InvalidArgument {
            what: "budget",
            reason: format!("must be in [0, 1], got {budget}"),
        });
    }
    let mut order: Vec<usize> = (0..gain.len()).collect();
    order.sort_by(|&a, &b| gain[b].total_cmp(&gain[a]).then(a.cmp(&b)));
    let mut rule = vec![0.0; gain.len()];
    let mut left = budget;
    let mut s = 0;
    while s < order.len() && left > 0.0 {
        let mut e = s;
        let mut mass = 0.0;
        while e < order.len() && gain[order[e]] == gain[order[s]] {
            mass += pi[order[e]];
            e += 1;
        }
        let frac = if mass <= left { 1.0 } else { left / mass };
        order[s..e].iter().for_each(|&i| rule[i] = frac);
        left -= frac * mass;
        s = e;
    }
    Ok(rule)
}

/// Plug-in regret of `1{ĝ > c}` against `r* = 1{g > c}`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PluginRegret {
    /// `R_c(1{ĝ > c}) - R_c(r*)`.
    pub regret: f64,
    /// `E[|g - c| · 1{sign mismatch}]` (equal to `regret`).
    pub mismatch_cost: f64,
    /// `E|ĝ - g|` (an upper bound on `regret`).
    pub bound: f64,
}

/// The plug-in regret identity and bound for an estimated gain `ĝ`.
pub fn plugin_regret(problem: &FiniteCascade, gain_hat: &[f64], cost: f64) -> Result<PluginRegret> {
    let g = problem.gain();
    check_len("gain_hat", g.len(), gain_hat.len())?;
    check_finite("gain_hat", gain_hat)?;
    check_finite_scalar("cost", cost)?;
    let regret = problem.risk(&bayes_rule(gain_hat, cost), cost)?
        - problem.risk(&bayes_rule(&g, cost), cost)?;
    let (mut mismatch_cost, mut bound) = (0.0, 0.0);
    for ((&p, &gi), &gh) in problem.pi.iter().zip(&g).zip(gain_hat) {
        if (gi > cost) != (gh > cost) {
            mismatch_cost += p * (gi - cost).abs();
        }
        bound += p * (gh - gi).abs();
    }
    Ok(PluginRegret {
        regret,
        mismatch_cost,
        bound,
    })
}
