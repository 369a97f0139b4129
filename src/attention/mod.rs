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
//! The kernels take strided [`View`]s (`[B,H,S,D]`, `[B,S,H,D]`, packed QKV, or any strides with a
//! contiguous last axis) through [`AttentionKernel`]. The convenience functions [`forward`] /
//! [`backward`] take dense row-major buffers: `q`, `out`, `d_out`, `dq` are `[batch, heads, q_len, head_dim]`;
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
//! # Features (each in the f64 oracle and the tiled CPU kernel, forward and backward, f32 and f64)
//! With the query's bottom-right diagonal `p_i = i + M − N` (sequence-local `i`, `N`, `M`):
//! - **GQA / MQA:** `kv_heads` divides `heads`; query head `h` reads KV head `h / (heads /
//!   kv_heads)`. `dK`, `dV` of a KV head sum its query heads in head order (fixed, so the bits do
//!   not depend on the thread count).
//! - **Key range** of row `i` is one interval `[lo_i, hi_i)`: `hi_i = min(M, valid_b, p_i + 1 if
//!   causal, p_i + right + 1 if right ≥ 0)`, `lo_i = max(0, p_i − left if left ≥ 0)`
//!   ([`Options::window`], FlashAttention's convention, `−1` = unbounded). Both ends grow with `i`,
//!   so a tile of rows sees the key interval `[lo_first, hi_last)` and tiles outside it are never
//!   visited ([`Plan::key_range`]).
//! - **Score changes** `S_ij = f(scale·q_i·k_j)` with derivative `f'` ([`mods::ScoreMod`]):
//!   soft-cap `c·tanh(s/c)` (`f' = 1 − tanh²(s/c)`), then ALiBi `− slope_h·|j − p_i|` (`f' = 1`);
//!   user modifiers compose after them. The backward pass uses `dS_raw = f'(s) · P∘(dP − D)`.
//! - **User masks** ([`mods::MaskMod`]): a predicate per position plus a tile query for skipping.
//! - **Sinks:** `L_i = log(Σ_j exp(S_ij) + exp(σ_h))`, `O_i = Σ_j exp(S_ij − L_i) v_j`;
//!   `∂loss/∂σ_h = −Σ_i exp(σ_h − L_i)·D_i` with `D_i = dO_i·O_i`. A row that sees no key then has
//!   `O = 0` and `L = σ_h`.
//! - **Varlen:** [`Options::varlen`] packs `B` sequences into a batch-1 view; each sequence has its
//!   own `N`, `M` and alignment. `lse` stays `[1, H, total_q]`.
//! - **Value head dim** `d_v` may differ from `d` (`v`, `out`, `d_out`, `dv` have `d_v`); head dims
//!   up to 256 are tested.
//!
//! # Non-finite inputs
//! The CPU kernel does not scan `q`, `k`, `v` before running (that pass dominated decoding).
//! A non-finite input that a row reads makes that row's scores, softmax sum or output non-finite;
//! the kernel checks those (`O(output)`), and only then scans the inputs to name the bad one
//! (`Err(NonFinite { what: "q" | "k" | "v", index })`). A value no row reads (a masked key) is not
//! an error. Finite inputs that overflow (scores or `P·V` beyond the type's range) are
//! `NonFinite { what: "scores" | "out", index: row }`.
//!
//! # FLOPs (the FlashAttention benchmark convention)
//! Forward `4·B·H·N·M·d`, backward `2.5×` forward, both halved when causal; exp/softmax work is not
//! counted. See [`Shape::flops_forward`].

pub mod conformance;
pub(crate) mod cpu;
pub mod decode;
pub mod half;
pub mod kernel;
pub mod mods;
mod options;
pub mod reference;
mod view;

pub use cpu::{
    backward, backward_into, backward_with_mods, forward, forward_into, forward_with_mods,
};
pub use kernel::{AttentionKernel, CpuTiled, Feature, GradsMut, Reference};
pub use options::Options;
pub use view::{Dims, Strides, View, ViewMut};

use crate::error::{check_cap, check_finite, check_len, checked_elems, Error, Result};
use crate::float::Float;
use mods::{Alibi, Builtin, Chain, Softcap};

/// The sizes of one dense `[B, H, S, D]` attention call (the convenience API; the view API takes
/// its sizes from the [`View`]s). See the [module docs](self) for the layout.
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
    ///
    /// The size helpers saturate at `usize::MAX` instead of wrapping or panicking; a shape for
    /// which they saturate is rejected by [`validate_shape`] (`Err(Overflow)`).
    pub fn batch_heads(&self) -> usize {
        self.batch.saturating_mul(self.heads)
    }
    /// Elements of `q` / `out` / `dq` (saturating).
    pub fn q_elems(&self) -> usize {
        self.batch_heads()
            .saturating_mul(self.q_len)
            .saturating_mul(self.head_dim)
    }
    /// Elements of `k`, `v`, `dk`, `dv` (saturating).
    pub fn kv_elems(&self) -> usize {
        self.batch_heads()
            .saturating_mul(self.kv_len)
            .saturating_mul(self.head_dim)
    }
    /// Elements of `lse` (saturating).
    pub fn lse_elems(&self) -> usize {
        self.batch_heads().saturating_mul(self.q_len)
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

/// Forward result: the attention output and the per-row log-sum-exp of the scaled scores.
#[derive(Clone, Debug, PartialEq)]
pub struct Forward<T> {
    /// `[batch, heads, q_len, v_head_dim]`.
    pub out: Vec<T>,
    /// `[batch, heads, q_len]`; `−∞` for a row that sees no key (`σ_h` with sinks).
    pub lse: Vec<T>,
}

/// Gradients of a scalar loss with respect to `q`, `k`, `v` (and the sink logits), given its
/// gradient `d_out`.
#[derive(Clone, Debug, PartialEq)]
pub struct Grads<T> {
    /// `[batch, heads, q_len, head_dim]`.
    pub dq: Vec<T>,
    /// `[batch, kv_heads, kv_len, head_dim]`.
    pub dk: Vec<T>,
    /// `[batch, kv_heads, kv_len, v_head_dim]`.
    pub dv: Vec<T>,
    /// `[heads]` gradient of the sink logits (empty without sinks).
    pub d_sink: Vec<T>,
}

/// One (possibly packed) sequence of a call: view batch entry, first query row and key of the
/// sequence in the views, and its lengths.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Seq {
    /// Batch index in the views.
    pub batch: usize,
    /// First query row in the views.
    pub q0: usize,
    /// Query count `N` of the sequence.
    pub q_len: usize,
    /// First key in the views.
    pub k0: usize,
    /// Key count `M` of the sequence.
    pub kv_len: usize,
}

/// Validated geometry, masking and score changes of one call, shared by every implementation so
/// they agree on the conventions by construction.
///
/// Built only by [`Plan::new`] and the view constructors that validate it; its fields are read
/// through getters, so a plan handed to a kernel cannot have been edited into an inconsistent one.
#[derive(Clone, Debug)]
pub struct Plan {
    /// The views' geometry: `batch` (view batch), query `heads`, `q_len` / `kv_len` (view rows),
    /// q/k `head_dim`.
    shape: Shape,
    /// KV heads (divides `shape.heads`).
    kv_heads: usize,
    /// Value head dimension.
    v_dim: usize,
    /// The effective scale.
    scale: f64,
    /// Causal flag.
    causal: bool,
    /// Window `(left, right)`, `None` = unbounded.
    window: (Option<usize>, Option<usize>),
    /// Soft-cap.
    softcap: Option<f64>,
    /// ALiBi slopes per query head.
    alibi: Option<Vec<f64>>,
    /// Sink logits per query head.
    sinks: Option<Vec<f64>>,
    /// Valid key count per sequence.
    valid: Vec<usize>,
    /// The sequences (one per batch entry, or the packed ones under varlen).
    seqs: Vec<Seq>,
}

fn invalid(what: &'static str, reason: impl Into<String>) -> Error {
    Error::InvalidArgument {
        what,
        reason: reason.into(),
    }
}

/// The call's geometry before options: `(batch, heads, kv_heads, q_len, kv_len, head_dim, v_dim)`.
#[derive(Clone, Copy, Debug)]
struct Geometry {
    batch: usize,
    heads: usize,
    kv_heads: usize,
    q_len: usize,
    kv_len: usize,
    head_dim: usize,
    v_dim: usize,
}

impl Plan {
    /// The views' geometry: `batch` (view batch), query `heads`, `q_len` / `kv_len` (view rows),
    /// q/k `head_dim`.
    pub fn shape(&self) -> Shape {
        self.shape
    }
    /// KV heads (divides `shape().heads`).
    pub fn kv_heads(&self) -> usize {
        self.kv_heads
    }
    /// Value head dimension.
    pub fn v_dim(&self) -> usize {
        self.v_dim
    }
    /// The effective scale.
    pub fn scale(&self) -> f64 {
        self.scale
    }
    /// Causal flag.
    pub fn causal(&self) -> bool {
        self.causal
    }
    /// Window `(left, right)`, `None` = unbounded.
    pub fn window(&self) -> (Option<usize>, Option<usize>) {
        self.window
    }
    /// Soft-cap.
    pub fn softcap(&self) -> Option<f64> {
        self.softcap
    }
    /// ALiBi slopes per query head.
    pub fn alibi(&self) -> Option<&[f64]> {
        self.alibi.as_deref()
    }
    /// Sink logits per query head.
    pub fn sinks(&self) -> Option<&[f64]> {
        self.sinks.as_deref()
    }
    /// Valid key count per sequence.
    pub fn valid(&self) -> &[usize] {
        &self.valid
    }
    /// The sequences (one per batch entry, or the packed ones under varlen).
    pub fn seqs(&self) -> &[Seq] {
        &self.seqs
    }
}

impl Plan {
    /// Validates a dense multi-head shape and the options (not the buffers).
    pub fn new(shape: Shape, opts: &Options) -> Result<Self> {
        validate_shape(shape)?;
        Self::build(
            Geometry {
                batch: shape.batch,
                heads: shape.heads,
                kv_heads: shape.heads,
                q_len: shape.q_len,
                kv_len: shape.kv_len,
                head_dim: shape.head_dim,
                v_dim: shape.head_dim,
            },
            opts,
        )
    }

    /// Validates the views' geometry against each other and the options: `q` is
    /// `(B, N, H, d)`, `k` is `(B, M, H_kv, d)`, `v` is `(B, M, H_kv, d_v)` with `H_kv | H`.
    pub fn for_views<T>(
        q: &View<'_, T>,
        k: &View<'_, T>,
        v: &View<'_, T>,
        opts: &Options,
    ) -> Result<Self> {
        let (qd, kd, vd) = (q.dims(), k.dims(), v.dims());
        for (what, n) in [
            ("shape.batch", qd.batch),
            ("shape.heads", qd.heads),
            ("shape.head_dim", qd.dim),
            ("k.heads", kd.heads),
            ("v.dim", vd.dim),
        ] {
            if n == 0 {
                return Err(invalid(what, "must be at least 1"));
            }
        }
        check_len("k.batch", qd.batch, kd.batch)?;
        check_len("v.batch", qd.batch, vd.batch)?;
        check_len("k.dim", qd.dim, kd.dim)?;
        check_len("v.seq", kd.seq, vd.seq)?;
        check_len("v.heads", kd.heads, vd.heads)?;
        if qd.heads % kd.heads != 0 {
            return Err(invalid(
                "k.heads",
                format!("kv heads {} must divide query heads {}", kd.heads, qd.heads),
            ));
        }
        Self::build(
            Geometry {
                batch: qd.batch,
                heads: qd.heads,
                kv_heads: kd.heads,
                q_len: qd.seq,
                kv_len: kd.seq,
                head_dim: qd.dim,
                v_dim: vd.dim,
            },
            opts,
        )
    }

    fn build(g: Geometry, opts: &Options) -> Result<Self> {
        check_geometry(
            g.batch,
            g.heads,
            g.q_len.max(g.kv_len),
            g.head_dim.max(g.v_dim),
        )?;
        let scale = opts.get_scale().unwrap_or(1.0 / (g.head_dim as f64).sqrt());
        if !scale.is_finite() {
            return Err(Error::NonFinite {
                what: "options.scale",
                index: 0,
            });
        }
        let seqs: Vec<Seq> = match opts.get_varlen() {
            None => (0..g.batch)
                .map(|b| Seq {
                    batch: b,
                    q0: 0,
                    q_len: g.q_len,
                    k0: 0,
                    kv_len: g.kv_len,
                })
                .collect(),
            Some((cq, ck)) => {
                if g.batch != 1 {
                    return Err(invalid(
                        "options.varlen",
                        "packed sequences need batch 1 views",
                    ));
                }
                check_len("options.cu_seqlens_k", cq.len(), ck.len())?;
                for (what, cu, total) in [
                    ("options.cu_seqlens_q", cq, g.q_len),
                    ("options.cu_seqlens_k", ck, g.kv_len),
                ] {
                    if cu.len() < 2 || cu[0] != 0 || cu[cu.len() - 1] != total {
                        return Err(invalid(
                            what,
                            format!("must start at 0 and end at {total}, with at least 2 entries"),
                        ));
                    }
                    if let Some(i) = cu.windows(2).position(|w| w[1] < w[0]) {
                        return Err(invalid(what, format!("decreases at entry {}", i + 1)));
                    }
                }
                (0..cq.len() - 1)
                    .map(|s| Seq {
                        batch: 0,
                        q0: cq[s],
                        q_len: cq[s + 1] - cq[s],
                        k0: ck[s],
                        kv_len: ck[s + 1] - ck[s],
                    })
                    .collect()
            }
        };
        let valid = match opts.get_kv_valid_len() {
            None => seqs.iter().map(|s| s.kv_len).collect(),
            Some(v) => {
                check_len("options.kv_valid_len", seqs.len(), v.len())?;
                if let Some(index) = v.iter().zip(&seqs).position(|(&l, s)| l > s.kv_len) {
                    return Err(Error::OutOfRange {
                        what: "options.kv_valid_len",
                        index,
                        value: v[index],
                        bound: seqs[index].kv_len + 1,
                    });
                }
                v.to_vec()
            }
        };
        let side = |what, x: isize| -> Result<Option<usize>> {
            match x {
                -1 => Ok(None),
                x if x >= 0 => Ok(Some(x as usize)),
                _ => Err(invalid(what, format!("{x} is neither -1 nor >= 0"))),
            }
        };
        let window = match opts.get_window() {
            None => (None, None),
            Some((l, r)) => (
                side("options.window.left", l)?,
                side("options.window.right", r)?,
            ),
        };
        if let Some(c) = opts.get_softcap() {
            if !(c.is_finite() && c > 0.0) {
                return Err(invalid(
                    "options.softcap",
                    format!("{c} is not a finite c > 0"),
                ));
            }
        }
        let per_head = |what: &'static str, x: Option<&[f64]>| -> Result<Option<Vec<f64>>> {
            match x {
                None => Ok(None),
                Some(x) => {
                    check_len(what, g.heads, x.len())?;
                    check_finite(what, x)?;
                    Ok(Some(x.to_vec()))
                }
            }
        };
        Ok(Plan {
            shape: Shape {
                batch: g.batch,
                heads: g.heads,
                q_len: g.q_len,
                kv_len: g.kv_len,
                head_dim: g.head_dim,
            },
            kv_heads: g.kv_heads,
            v_dim: g.v_dim,
            scale,
            causal: opts.is_causal(),
            window,
            softcap: opts.get_softcap(),
            alibi: per_head("options.alibi", opts.get_alibi())?,
            sinks: per_head("options.sinks", opts.get_sinks())?,
            valid,
            seqs,
        })
    }

    /// Query heads per KV head.
    #[inline]
    pub fn group(&self) -> usize {
        self.shape.heads / self.kv_heads
    }

    /// The KV head that query head `h` reads.
    #[inline]
    pub fn kv_head(&self, h: usize) -> usize {
        h / self.group()
    }

    /// The interval `[lo, hi)` of keys that query row `i` of sequence `s` sees (sequence-local;
    /// `lo ≥ hi` means none). Both ends are non-decreasing in `i`.
    #[inline]
    pub fn key_range(&self, s: usize, i: usize) -> (usize, usize) {
        let seq = &self.seqs[s];
        // diagonal p = i + M − N, kept as p1 = p + 1 ≥ 0 where possible (saturating)
        let p1 = (i + seq.kv_len + 1).saturating_sub(seq.q_len);
        let diag_nonneg = i + seq.kv_len >= seq.q_len; // p ≥ 0
        let mut hi = self.valid[s];
        if self.causal {
            hi = hi.min(p1);
        }
        if let Some(r) = self.window.1 {
            // keys j ≤ p + r  <=>  j < p + r + 1
            hi = hi.min((i + seq.kv_len + r + 1).saturating_sub(seq.q_len));
        }
        let lo = match self.window.0 {
            Some(l) if diag_nonneg => (i + seq.kv_len - seq.q_len).saturating_sub(l),
            _ => 0,
        };
        (lo, hi)
    }

    /// The number of keys row `i` of sequence `b` sees when the mask is a prefix (no left
    /// window): the upper end of [`Self::key_range`].
    #[inline]
    pub fn visible_keys(&self, b: usize, i: usize) -> usize {
        let (lo, hi) = self.key_range(b, i);
        if lo >= hi {
            0
        } else {
            hi
        }
    }

    /// The sink logit of query head `h`, if any.
    #[inline]
    pub fn sink(&self, h: usize) -> Option<f64> {
        self.sinks.as_ref().map(|s| s[h])
    }

    /// The built-in score changes (soft-cap, then ALiBi) as one [`mods::ScoreMod`].
    pub fn builtin_mod(&self) -> Builtin<'_> {
        Chain(self.softcap.map(Softcap), self.alibi.as_deref().map(Alibi))
    }

    /// Whether the call changes scores (soft-cap or ALiBi).
    pub fn has_score_change(&self) -> bool {
        self.softcap.is_some() || self.alibi.is_some()
    }

    /// The features this call uses (what an implementation must support to run it).
    pub fn features(&self) -> Vec<Feature> {
        let mut f = Vec::new();
        let mut add = |on: bool, x: Feature| {
            if on {
                f.push(x)
            }
        };
        add(self.causal, Feature::Causal);
        add(
            self.valid
                .iter()
                .zip(&self.seqs)
                .any(|(&v, s)| v < s.kv_len),
            Feature::KeyPadding,
        );
        add(self.window != (None, None), Feature::Window);
        add(self.softcap.is_some(), Feature::Softcap);
        add(self.alibi.is_some(), Feature::Alibi);
        add(self.sinks.is_some(), Feature::Sinks);
        add(
            self.seqs.iter().any(|s| s.q0 != 0 || s.k0 != 0) || self.seqs.len() != self.shape.batch,
            Feature::Varlen,
        );
        add(self.kv_heads != self.shape.heads, Feature::Gqa);
        add(self.v_dim != self.shape.head_dim, Feature::VHeadDim);
        f
    }
}

/// The most (sequence, head) pairs one call may have: [`Plan`] keeps per-sequence metadata and
/// the kernels visit every (sequence, head) pair, so this bounds the work and memory of a call
/// whose sequences are empty (`q_len = kv_len = 0`: no input element bounds it then).
pub const MAX_BATCH_HEADS: usize = 1 << 26;

/// Checks a dense shape: non-zero batch, heads, head_dim, and an element count that fits `usize`.
///
/// # Errors
/// `InvalidArgument` for a zero batch, heads or head_dim; `Overflow { what: "shape" }` when
/// `batch·heads·max(q_len, kv_len)·head_dim` does not fit `usize`; `TooLarge` for more than
/// [`MAX_BATCH_HEADS`] (sequence, head) pairs.
pub fn validate_shape(shape: Shape) -> Result<()> {
    for (what, n) in [
        ("shape.batch", shape.batch),
        ("shape.heads", shape.heads),
        ("shape.head_dim", shape.head_dim),
    ] {
        if n == 0 {
            return Err(invalid(what, "must be at least 1"));
        }
    }
    check_geometry(
        shape.batch,
        shape.heads,
        shape.q_len.max(shape.kv_len),
        shape.head_dim,
    )
}

/// The size checks every plan shares: `batch·heads·max(len, 1)·dim` fits `usize` (so every buffer
/// size and offset of the call does), and `batch·heads ≤ MAX_BATCH_HEADS`.
fn check_geometry(batch: usize, heads: usize, len: usize, dim: usize) -> Result<()> {
    checked_elems("shape", &[batch, heads, len.max(1), dim])?;
    check_cap("shape.batch·heads", batch * heads, MAX_BATCH_HEADS)
}

/// Validates view inputs: geometry and options ([`Plan::for_views`]) and finiteness of `q`, `k`,
/// `v` (a full pass: for plain kernels such as the oracle and test kernels).
pub fn validate_views<T: Float>(
    q: &View<'_, T>,
    k: &View<'_, T>,
    v: &View<'_, T>,
    opts: &Options,
) -> Result<Plan> {
    let plan = Plan::for_views(q, k, v, opts)?;
    for (what, x) in [("q", q), ("k", k), ("v", v)] {
        reference::check_view_finite(what, x)?;
    }
    Ok(plan)
}

/// Validates the output view (`(B, N, H, d_v)`) and `lse` (`B·H·N` entries) of a forward call.
pub fn validate_outputs<T>(plan: &Plan, out: &ViewMut<'_, T>, lse: &[T]) -> Result<()> {
    cpu::check_outputs(plan, out, lse)
}

/// Validates the saved forward result, `d_out` and the gradient views of a backward call (the
/// `O(output)` checks every implementation shares: shapes, `out` and `d_out` finite, `lse`
/// without NaN or `+∞`).
pub fn validate_saved<T: Float>(
    plan: &Plan,
    out: &View<'_, T>,
    lse: &[T],
    d_out: &View<'_, T>,
    grads: &GradsMut<'_, T>,
) -> Result<()> {
    cpu::check_saved(plan, out, lse, d_out, grads)
}

/// Validates dense forward inputs: lengths against the shape, and finiteness (a full pass over
/// the inputs: the reference and the test kernels use it; the CPU kernel folds the check into its
/// own loads instead, see the [module docs](self)).
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
