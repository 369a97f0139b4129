//! The contextual-mixture data model (spec B2).
//!
//! `y ~ Unif{±1}`; context direction `q⋆ = e_0`, class direction `v⋆ = e_1` (unit, orthogonal; the
//! noise is rotation invariant, so this choice loses no generality). `ζT` relevant positions drawn
//! uniformly; relevant token `x_t = q⋆ + y v⋆ + z_t`; irrelevant token
//! `x_t = δ q⋆ − y β v⋆ + ρ g_t + z_t` with `g_t` a uniform unit vector orthogonal to
//! `span{q⋆, v⋆}` — choices (i) `δ = β = ρ = 0`, (ii) `ρ = 0`, (iii) `δ = β = 0`. Noise
//! `z_t ~ N(0, σ² I)` or `N(0, σ² P_⊥)`, `P_⊥ = I − q⋆q⋆ᵀ` (noise-free attention scores).

use crate::error::{check_finite, check_len, check_nonempty, checked_elems, Error, Result};
use rand::seq::index::sample as sample_indices;
use rand::Rng;
use rand_distr::StandardNormal;

/// Irrelevant-token law `u = δ q⋆ − y β v⋆ + ρ g`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Irrelevant {
    /// Context score `δ` of irrelevant tokens.
    pub delta: f64,
    /// Label confusion `β`.
    pub beta: f64,
    /// Distractor energy `ρ`.
    pub rho: f64,
}

/// Generator settings.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MixtureConfig {
    /// Tokens per input `T`.
    pub tokens: usize,
    /// Dimension `d`.
    pub dim: usize,
    /// Relevant tokens per input `ζT` (an integer by construction).
    pub relevant: usize,
    /// Noise level `σ ≥ 0`.
    pub sigma: f64,
    /// Irrelevant-token law.
    pub irrelevant: Irrelevant,
    /// Noise in `P_⊥` (orthogonal to `q⋆`) instead of isotropic.
    pub noise_perp: bool,
}

/// Inputs `x` (row-major `n × T × d`) and labels `y ∈ {±1}`. The fields are private: every
/// `Dataset` passed [`Dataset::validate`] when it was built ([`Dataset::new`],
/// [`MixtureConfig::sample`]), so the consumers' shape arithmetic cannot be fed inconsistent sizes.
#[derive(Clone, Debug, PartialEq)]
pub struct Dataset {
    tokens: usize,
    dim: usize,
    x: Vec<f64>,
    y: Vec<f64>,
}

impl Dataset {
    /// A dataset of `n = y.len()` samples of `T = tokens` tokens in `R^dim`, `x` row-major
    /// `n × T × d`.
    ///
    /// # Errors
    /// As [`Dataset::validate`]: `Empty` (no sample, `T = 0` or `d = 0`), `Overflow` (`n·T·d`),
    /// `ShapeMismatch` (`x.len()`), `NonFinite` (`x`), `InvalidArgument` (a label not `±1`).
    pub fn new(tokens: usize, dim: usize, x: Vec<f64>, y: Vec<f64>) -> Result<Self> {
        let data = Dataset { tokens, dim, x, y };
        data.validate()?;
        Ok(data)
    }
    /// `T`, tokens per sample.
    pub fn tokens(&self) -> usize {
        self.tokens
    }
    /// `d`, the token dimension.
    pub fn dim(&self) -> usize {
        self.dim
    }
    /// The inputs, row-major `n × T × d`.
    pub fn x(&self) -> &[f64] {
        &self.x
    }
    /// The `n` labels in `{−1, +1}`.
    pub fn y(&self) -> &[f64] {
        &self.y
    }
    /// Number of samples.
    pub fn len(&self) -> usize {
        self.y.len()
    }
    /// Whether there is no sample.
    pub fn is_empty(&self) -> bool {
        self.y.is_empty()
    }
    /// Checks the invariants every consumer relies on: `T, d ≥ 1`, at least one sample,
    /// `x.len() = n·T·d` (checked arithmetic), every input finite, every label `±1`.
    pub fn validate(&self) -> Result<()> {
        check_nonempty("data.y", &self.y)?;
        if self.tokens == 0 || self.dim == 0 {
            return Err(Error::Empty {
                what: "data tokens/dim",
            });
        }
        let elems = checked_elems("data.x: n·T·d", &[self.y.len(), self.tokens, self.dim])?;
        check_len("data.x", elems, self.x.len())?;
        check_finite("data.x", &self.x)?;
        if let Some(i) = self.y.iter().position(|&v| v != 1.0 && v != -1.0) {
            return Err(Error::InvalidArgument {
                what: "data.y",
                reason: format!("label {i} is {} (must be ±1)", self.y[i]),
            });
        }
        Ok(())
    }

    /// Sample `i`'s `T × d` block.
    pub fn input(&self, i: usize) -> &[f64] {
        let s = self.tokens * self.dim;
        &self.x[i * s..(i + 1) * s]
    }
}

impl MixtureConfig {
    /// The LinPA-blind instance of B3/B6.2: choice (ii) with `δ = ½`, `ζ = ¼`, `T = 20`, `d = 8`,
    /// `β = ζ/(δ(1−ζ)) = ⅔`, isotropic noise `σ`.
    pub fn linpa_blind(sigma: f64) -> Self {
        MixtureConfig {
            tokens: 20,
            dim: 8,
            relevant: 5,
            sigma,
            irrelevant: Irrelevant {
                delta: 0.5,
                beta: super::theory::linpa_blind_beta(0.25, 0.5),
                rho: 0.0,
            },
            noise_perp: false,
        }
    }

    /// `ζ = relevant / T`.
    pub fn zeta(&self) -> f64 {
        self.relevant as f64 / self.tokens as f64
    }

    fn validate(&self) -> Result<()> {
        let bad = |what: &'static str, reason: &str| {
            Err(Error::InvalidArgument {
                what,
                reason: reason.into(),
            })
        };
        if self.tokens == 0 {
            return bad("tokens", "T must be at least 1");
        }
        if self.relevant > self.tokens {
            return bad("relevant", "ζT cannot exceed T");
        }
        if self.dim < 2 || (self.irrelevant.rho != 0.0 && self.dim < 3) {
            return bad("dim", "need d ≥ 2 (d ≥ 3 with distractors)");
        }
        if !(self.sigma >= 0.0 && self.sigma.is_finite()) {
            return bad("sigma", "σ must be finite and ≥ 0");
        }
        let i = self.irrelevant;
        if ![i.delta, i.beta, i.rho].iter().all(|v| v.is_finite()) {
            return bad("irrelevant", "parameters must be finite");
        }
        Ok(())
    }

    /// One input (`T × d`, written into `x`) and its label.
    pub fn sample_into(&self, x: &mut [f64], rng: &mut impl Rng) -> Result<f64> {
        self.validate()?;
        check_len(
            "x",
            checked_elems("x: T·d", &[self.tokens, self.dim])?,
            x.len(),
        )?;
        Ok(self.draw(x, rng))
    }

    fn draw(&self, x: &mut [f64], rng: &mut impl Rng) -> f64 {
        let (t, d) = (self.tokens, self.dim);
        let y = if rng.random::<bool>() { 1.0 } else { -1.0 };
        let mut relevant = vec![false; t];
        for i in sample_indices(rng, t, self.relevant) {
            relevant[i] = true;
        }
        let Irrelevant { delta, beta, rho } = self.irrelevant;
        for (row, &rel) in x.chunks_mut(d).zip(&relevant) {
            for (c, v) in row.iter_mut().enumerate() {
                let z: f64 = rng.sample(StandardNormal);
                *v = if c == 0 && self.noise_perp {
                    0.0
                } else {
                    self.sigma * z
                };
            }
            if rel {
                row[0] += 1.0;
                row[1] += y;
            } else {
                row[0] += delta;
                row[1] -= y * beta;
                if rho != 0.0 {
                    let g: Vec<f64> = (2..d).map(|_| rng.sample(StandardNormal)).collect();
                    let nrm = g.iter().map(|v| v * v).sum::<f64>().sqrt();
                    for (c, gv) in g.iter().enumerate() {
                        row[2 + c] += rho * gv / nrm;
                    }
                }
            }
        }
        y
    }

    /// `n ≥ 1` i.i.d. samples (`n = 0` is `Empty`).
    pub fn sample(&self, n: usize, rng: &mut impl Rng) -> Result<Dataset> {
        self.validate()?;
        let s = checked_elems("x: T·d", &[self.tokens, self.dim])?;
        let mut x = vec![0.0; checked_elems("x: n·T·d", &[n, s])?];
        let y = x.chunks_mut(s).map(|xi| self.draw(xi, rng)).collect();
        Dataset::new(self.tokens, self.dim, x, y)
    }
}

/// The unit context direction `q⋆ = e_0` in `R^d`.
pub fn q_star(dim: usize) -> Vec<f64> {
    let mut v = vec![0.0; dim];
    v[0] = 1.0;
    v
}

/// The unit class direction `v⋆ = e_1` in `R^d`.
pub fn v_star(dim: usize) -> Vec<f64> {
    let mut v = vec![0.0; dim];
    v[1] = 1.0;
    v
}
