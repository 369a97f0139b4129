//! Which divergence `D(p ‖ q)` a distillation loss uses, and the floor on teacher
//! log-probabilities shared by the divergence kernels (`crate::distill`).

use crate::error::{Error, Result};

/// Floor applied to teacher log-probabilities (see the `crate::distill::divergence` module docs).
pub const LOG_PROB_FLOOR: f64 = -1e4;

/// Which divergence `D(p ‖ q)` to compute (teacher `p`, student `q`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Divergence {
    /// Forward KL `KL(p ‖ q)` (mode covering).
    ForwardKl,
    /// Reverse KL `KL(q ‖ p)` (mode seeking).
    ReverseKl,
    /// Generalised Jensen–Shannon `JSD\[β\]` with mixture `β p + (1−β) q` (β weights the teacher,
    /// the GKD/TRL convention); `β = 0` is FKL and `β = 1` is RKL by convention.
    Jsd {
        /// Teacher weight `β ∈ [0, 1]`.
        beta: f64,
    },
    /// Total variation distance `½ ‖p − q‖₁` (subgradient with `sign(0) = 0`).
    Tvd,
}

impl Divergence {
    /// Short name for tables and bench ids (`"fkl"`, `"rkl"`, `"jsd0.5"`, `"tvd"`).
    pub fn name(&self) -> String {
        match self {
            Divergence::ForwardKl => "fkl".into(),
            Divergence::ReverseKl => "rkl".into(),
            Divergence::Jsd { beta } => format!("jsd{beta}"),
            Divergence::Tvd => "tvd".into(),
        }
    }

    /// Resolves the JSD end points to FKL/RKL and validates β.
    #[cfg_attr(not(feature = "papers"), allow(dead_code))]
    pub(crate) fn resolved(self) -> Result<Self> {
        match self {
            Divergence::Jsd { beta } if !(0.0..=1.0).contains(&beta) => {
                Err(Error::InvalidArgument {
                    what: "divergence.beta",
                    reason: format!("JSD weight must lie in [0, 1], got {beta}"),
                })
            }
            Divergence::Jsd { beta: 0.0 } => Ok(Divergence::ForwardKl),
            Divergence::Jsd { beta: 1.0 } => Ok(Divergence::ReverseKl),
            d => Ok(d),
        }
    }
}
