//! Scaled dot-product attention: forward and backward, reference oracle and optimised CPU kernels.
//!
//! # Math
//! Per (batch `b`, head `h`), with `Q ∈ R^{N×d}` (`N = q_len`), `K, V ∈ R^{M×d}` (`M = kv_len`):
//!
//! ```text
//! S = scale · Q Kᵀ            (N × M, masked entries set to −∞)
//! P = row_softmax(S)
//! O = P V                     (N × d)
//! L_i = log Σ_j exp(S_ij)     (the log of each softmax denominator; "lse")
//! ```
//!
//! # Layout
//! All buffers are dense row-major: `q`, `out`, `d_out`, `dq` are `[batch, heads, q_len, head_dim]`;
//! `k`, `v`, `dk`, `dv` are `[batch, heads, kv_len, head_dim]`; `lse` is `[batch, heads, q_len]`.
//!
//! # Conventions
//! - `scale` defaults to `1/sqrt(head_dim)`.
//! - `kv_valid_len[b]` masks keys `j >= kv_valid_len[b]` of batch entry `b` (right padding).
//! - `causal: true` is **bottom-right aligned**: query `i` sees keys `j <= i + kv_len - q_len`, so a
//!   single query decoded against a cache sees every key. For `q_len == kv_len` this is the usual
//!   lower-triangular mask.
//! - Both masks keep a prefix of the keys, so query row `i` of batch `b` sees exactly keys
//!   `0..visible_keys(b, i)`. A row that sees no key gets output `0` and `lse = −∞` (never NaN), and
//!   its gradients are `0`.
//!
//! # FLOPs (the FlashAttention benchmark convention)
//! Forward `4·B·H·N·M·d`, backward `2.5×` forward, both halved when causal; exp/softmax work is not
//! counted. See [`Shape::flops_forward`].

pub mod conformance;
mod cpu;
pub mod decode;
pub mod half;
pub mod kernel;
pub mod reference;
mod report;

pub use cpu::{backward, backward_into, forward, forward_into};
pub use kernel::{AttentionKernel, CpuTiled, Reference};
pub use report::report_sections;

use crate::error::{check_finite, check_len, Error, Result};
use crate::float::Float;

/// The sizes of one attention call. See the [module docs](self) for the layout.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Shape {
    /// Batch size `B`.
    pub batch: usize,
    /// Heads per batch entry `H`.
    pub heads: usize,
    /// Query length `N`.
    pub q_len: usize,
    /// Key/value length `M`.
    pub kv_len: usize,
    /// Head dimension `d`.
    pub head_dim: usize,
}

impl Shape {
    /// Number of (batch, head) pairs.
    pub fn batch_heads(&self) -> usize {
        self.batch * self.heads
    }
    /// Elements of `q` / `out` / `dq`.
    pub fn q_elems(&self) -> usize {
        self.batch * self.heads * self.q_len * self.head_dim
    }
    /// Elements of `k`, `v`, `dk`, `dv`.
    pub fn kv_elems(&self) -> usize {
        self.batch * self.heads * self.kv_len * self.head_dim
    }
    /// Elements of `lse`.
    pub fn lse_elems(&self) -> usize {
        self.batch * self.heads * self.q_len
    }
    /// Forward FLOPs in the FlashAttention convention: `4·B·H·N·M·d`, halved when causal.
    pub fn flops_forward(&self, causal: bool) -> f64 {
        let f = 4.0
            * self.batch as f64
            * self.heads as f64
            * self.q_len as f64
            * self.kv_len as f64
            * self.head_dim as f64;
        if causal {
            f / 2.0
        } else {
            f
        }
    }
    /// Backward FLOPs: `2.5×` forward (five GEMMs against two).
    pub fn flops_backward(&self, causal: bool) -> f64 {
        2.5 * self.flops_forward(causal)
    }
}

/// Options of one attention call.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Bottom-right aligned causal mask (see the module docs).
    pub causal: bool,
    /// Score scale; `None` means `1/sqrt(head_dim)`.
    pub scale: Option<f64>,
    /// Per batch entry, the number of valid (unpadded) keys; `None` means all `kv_len`.
    pub kv_valid_len: Option<Vec<usize>>,
}

/// Forward result: the attention output and the per-row log-sum-exp of the scaled scores.
#[derive(Clone, Debug, PartialEq)]
pub struct Forward<T> {
    /// `[batch, heads, q_len, head_dim]`.
    pub out: Vec<T>,
    /// `[batch, heads, q_len]`; `−∞` for a row that sees no key.
    pub lse: Vec<T>,
}

/// Gradients of a scalar loss with respect to `q`, `k`, `v`, given its gradient `d_out`.
#[derive(Clone, Debug, PartialEq)]
pub struct Grads<T> {
    /// `[batch, heads, q_len, head_dim]`.
    pub dq: Vec<T>,
    /// `[batch, heads, kv_len, head_dim]`.
    pub dk: Vec<T>,
    /// `[batch, heads, kv_len, head_dim]`.
    pub dv: Vec<T>,
}

/// Validated masking and scale of one call, shared by every implementation so they agree on the
/// conventions by construction.
#[derive(Clone, Debug)]
pub struct Plan {
    /// The call's shape.
    pub shape: Shape,
    /// The effective scale.
    pub scale: f64,
    /// Causal flag.
    pub causal: bool,
    /// Valid key count per batch entry (all `kv_len` when no padding was given).
    pub valid: Vec<usize>,
}

impl Plan {
    /// Validates shape and options (not the buffers).
    pub fn new(shape: Shape, opts: &Options) -> Result<Self> {
        for (what, n) in [
            ("shape.batch", shape.batch),
            ("shape.heads", shape.heads),
            ("shape.head_dim", shape.head_dim),
        ] {
            if n == 0 {
                return Err(Error::InvalidArgument {
                    what,
                    reason: "must be at least 1".into(),
                });
            }
        }
        let total = [
            shape.batch,
            shape.heads,
            shape.q_len.max(shape.kv_len),
            shape.head_dim,
        ]
        .iter()
        .try_fold(1usize, |acc, &n| acc.checked_mul(n));
        if total.is_none() {
            return Err(Error::InvalidArgument {
                what: "shape",
                reason: "element count overflows usize".into(),
            });
        }
        let scale = opts.scale.unwrap_or(1.0 / (shape.head_dim as f64).sqrt());
        if !scale.is_finite() {
            return Err(Error::NonFinite {
                what: "options.scale",
                index: 0,
            });
        }
        let valid = match &opts.kv_valid_len {
            None => vec![shape.kv_len; shape.batch],
            Some(v) => {
                check_len("options.kv_valid_len", shape.batch, v.len())?;
                if let Some(index) = v.iter().position(|&l| l > shape.kv_len) {
                    return Err(Error::OutOfRange {
                        what: "options.kv_valid_len",
                        index,
                        value: v[index],
                        bound: shape.kv_len + 1,
                    });
                }
                v.clone()
            }
        };
        Ok(Plan {
            shape,
            scale,
            causal: opts.causal,
            valid,
        })
    }

    /// Number of keys query row `i` of batch entry `b` sees: it sees exactly keys `0..visible_keys`.
    #[inline]
    pub fn visible_keys(&self, b: usize, i: usize) -> usize {
        let valid = self.valid[b];
        if self.causal {
            // bottom-right: j <= i + M - N  <=>  j < i + M + 1 - N
            valid.min((i + self.shape.kv_len + 1).saturating_sub(self.shape.q_len))
        } else {
            valid
        }
    }
}

/// Validates the forward inputs: lengths against the shape, and finiteness.
pub fn validate_forward<T: Float>(
    q: &[T],
    k: &[T],
    v: &[T],
    shape: Shape,
    opts: &Options,
) -> Result<Plan> {
    let plan = Plan::new(shape, opts)?;
    check_len("q", shape.q_elems(), q.len())?;
    check_len("k", shape.kv_elems(), k.len())?;
    check_len("v", shape.kv_elems(), v.len())?;
    check_finite("q", q)?;
    check_finite("k", k)?;
    check_finite("v", v)?;
    Ok(plan)
}

/// Validates the backward inputs: the forward inputs plus the saved forward result and `d_out`.
/// `lse` may hold `−∞` (rows that see no key) but no NaN and no `+∞`.
pub fn validate_backward<T: Float>(
    q: &[T],
    k: &[T],
    v: &[T],
    fwd: &Forward<T>,
    d_out: &[T],
    shape: Shape,
    opts: &Options,
) -> Result<Plan> {
    let plan = validate_forward(q, k, v, shape, opts)?;
    check_len("fwd.out", shape.q_elems(), fwd.out.len())?;
    check_len("fwd.lse", shape.lse_elems(), fwd.lse.len())?;
    check_len("d_out", shape.q_elems(), d_out.len())?;
    check_finite("fwd.out", &fwd.out)?;
    check_finite("d_out", d_out)?;
    if let Some(index) = fwd
        .lse
        .iter()
        .position(|x| x.is_nan() || *x == T::infinity())
    {
        return Err(Error::NonFinite {
            what: "fwd.lse",
            index,
        });
    }
    Ok(plan)
}
