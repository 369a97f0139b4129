//! Closed forms of spec B3–B5 (q⋆ = e_0, v⋆ = e_1 as in [`super::data`]).

use crate::error::{check_finite, check_finite_scalar, check_positive, Error, Result};

/// Gaussian tail `Q(x) = ½ erfc(x/√2)`, at full precision ([`crate::ops::special::normal_tail`]).
pub fn q_func(x: f64) -> f64 {
    crate::ops::special::normal_tail(x)
}

/// Attention mass on the relevant tokens when they score `Γ` and the irrelevant ones `Γ·c`:
/// `α = ζ e^Γ / (ζ e^Γ + (1 − ζ) e^{Γ c})` (computed stably).
pub fn relevant_mass(zeta: f64, gamma: f64, irrelevant_score: f64) -> f64 {
    // α = 1 / (1 + ((1−ζ)/ζ) e^{−Γ(1−c)})
    let r = ((1.0 - zeta) / zeta).ln() - gamma * (1.0 - irrelevant_score);
    1.0 / (1.0 + r.exp())
}

/// B3: noiseless margin `y f` of prompt-attention with `q = Γ q⋆`, `v = v⋆` on instance (ii):
/// `α − (1 − α) β`, `α` = [`relevant_mass`]`(ζ, Γ, δ)`.
pub fn pa_margin(zeta: f64, gamma: f64, delta: f64, beta: f64) -> f64 {
    let a = relevant_mass(zeta, gamma, delta);
    a - (1.0 - a) * beta
}

/// B3: the label confusion that makes linear prompt-attention blind, `β = ζ / (δ (1 − ζ))`.
pub fn linpa_blind_beta(zeta: f64, delta: f64) -> f64 {
    zeta / (delta * (1.0 - zeta))
}

/// B3: the prompt scale where the PA margin on the LinPA-blind instance changes sign,
/// `Γ⋆ = ln(1/δ) / (1 − δ)` (independent of ζ).
pub fn gamma_star(delta: f64) -> f64 {
    (1.0 / delta).ln() / (1.0 - delta)
}

/// B4: predicted `1 − cos²(v₁, v⋆) ≈ 1 − ζ² / (ζ² + ζ²/n + σ² d / (T n))`.
pub fn step_one_misalignment(n: usize, dim: usize, tokens: usize, zeta: f64, sigma: f64) -> f64 {
    let n = n as f64;
    let z2 = zeta * zeta;
    1.0 - z2 / (z2 + z2 / n + sigma * sigma * dim as f64 / (tokens as f64 * n))
}

/// B5: `(α, s)` of the known-prompt setting (`q = Γ q⋆`, P_⊥ noise, `u = 0`):
/// `α = ζe^Γ/(ζe^Γ + 1 − ζ)`, `s² = σ² (α²/(ζT) + (1−α)²/((1−ζ)T))`.
pub fn known_prompt_alpha_s(zeta: f64, gamma: f64, sigma: f64, tokens: usize) -> (f64, f64) {
    let a = relevant_mass(zeta, gamma, 0.0);
    let t = tokens as f64;
    let s2 = sigma * sigma * (a * a / (zeta * t) + (1.0 - a).powi(2) / ((1.0 - zeta) * t));
    (a, s2.sqrt())
}

/// B5: exact test error of the head `v̂` given `(α, s)`:
/// `½ Q(α(v̂ᵀv⋆ + v̂ᵀq⋆)/(s‖P_⊥v̂‖)) + ½ Q(α(v̂ᵀv⋆ − v̂ᵀq⋆)/(s‖P_⊥v̂‖))`.
///
/// # Errors
/// `ShapeMismatch` when `v_hat` has fewer than 2 entries; `NonFinite` for a NaN or `±∞` in
/// `v_hat`, `α` or `s`; `InvalidArgument` for `s ≤ 0` or `P_⊥v̂ = 0` (the error is undefined).
pub fn conditional_error(v_hat: &[f64], alpha: f64, s: f64) -> Result<f64> {
    if v_hat.len() < 2 {
        return Err(Error::ShapeMismatch {
            what: "v_hat (at least q⋆ and v⋆ coordinates)",
            expected: 2,
            got: v_hat.len(),
        });
    }
    check_finite("v_hat", v_hat)?;
    check_finite_scalar("alpha", alpha)?;
    check_positive("s", s)?;
    let (vq, vv) = (v_hat[0], v_hat[1]);
    let perp = v_hat[1..].iter().map(|x| x * x).sum::<f64>().sqrt();
    let denom = s * perp;
    if !(denom > 0.0 && denom.is_finite()) {
        return Err(Error::InvalidArgument {
            what: "v_hat",
            reason: format!("s·‖P_⊥v̂‖ = {denom} (must be finite and > 0)"),
        });
    }
    Ok(0.5 * q_func(alpha * (vv + vq) / denom) + 0.5 * q_func(alpha * (vv - vq) / denom))
}

/// B5: proportional-limit test error `Q(α² / (s √(α² + s²(d − 1)/n)))`.
pub fn asymptotic_error(alpha: f64, s: f64, dim: usize, n: usize) -> f64 {
    q_func(alpha * alpha / (s * (alpha * alpha + s * s * (dim as f64 - 1.0) / n as f64).sqrt()))
}
