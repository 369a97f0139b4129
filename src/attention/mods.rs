//! User-defined score and mask modifiers (FlexAttention's idea), monomorphised into the kernels.
//!
//! A [`ScoreMod`] maps the scaled score `s = scale·q·k` of position [`Pos`] to `f(s, pos)` and
//! gives its derivative `∂f/∂s` for the backward pass (`dS_raw = dS_mod · f'(s)`). A [`MaskMod`]
//! is a predicate "query `q` may see key `k`" plus a tile query, so that tiles it fully masks are
//! never visited. Both are generic traits, so a modifier is compiled into the kernel's inner loop
//! (no virtual call per score).
//!
//! The built-in score changes are instances of [`ScoreMod`]: [`Softcap`] (`c·tanh(s/c)`) and
//! [`Alibi`] (`s − slope_h·|i + M − N − j|`), composed by [`Chain`]. The built-in masks (causal,
//! window, padding, varlen) are intervals `[lo, hi)` of keys per query row, kept structural in
//! [`super::Plan::key_range`]: an interval gives exact tile bounds for free, which a predicate
//! cannot.

use crate::float::Float;
use std::ops::Range;

/// Where a score sits: sequence (batch entry), query head, and query / key index within the
/// sequence, with the sequence's lengths (for bottom-right alignment: query `q` sits on the
/// diagonal key `q + kv_len − q_len`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pos {
    /// Sequence (batch entry, or packed sequence under varlen).
    pub batch: usize,
    /// Query head.
    pub head: usize,
    /// Query index within the sequence.
    pub q: usize,
    /// Key index within the sequence.
    pub k: usize,
    /// The sequence's query count `N`.
    pub q_len: usize,
    /// The sequence's key count `M`.
    pub kv_len: usize,
}

impl Pos {
    /// Signed distance `k − (q + M − N)` of the key from the query's bottom-right diagonal.
    #[inline(always)]
    pub fn rel(&self) -> f64 {
        self.k as f64 - (self.q as f64 + self.kv_len as f64 - self.q_len as f64)
    }
}

/// A score modifier: `s ↦ value(s, pos)` with derivative `grad(s, pos) = ∂value/∂s`.
pub trait ScoreMod: Sync {
    /// `true` only for [`Identity`]: lets the kernel skip the pass.
    const IDENTITY: bool = false;
    /// The modified score.
    fn value<T: Float>(&self, s: T, pos: Pos) -> T;
    /// Its derivative in `s` at the same point.
    fn grad<T: Float>(&self, s: T, pos: Pos) -> T;
}

/// A mask: `keep(pos)` says whether query `pos.q` may see key `pos.k`.
pub trait MaskMod: Sync {
    /// `true` only for [`KeepAll`]: lets the kernel skip the predicate.
    const ALL: bool = false;
    /// Whether the score at `pos` is kept.
    fn keep(&self, pos: Pos) -> bool;
    /// Whether any position of the tile `q × k` of `(batch, head)` may be kept; `false` lets the
    /// kernel skip the tile. Must never return `false` for a tile with a kept position. The
    /// default (`true`) is always correct; override it to skip work.
    fn tile_may_keep(&self, batch: usize, head: usize, q: Range<usize>, k: Range<usize>) -> bool {
        let _ = (batch, head, q, k);
        true
    }
}

/// The identity score modifier.
#[derive(Clone, Copy, Debug, Default)]
pub struct Identity;

impl ScoreMod for Identity {
    const IDENTITY: bool = true;
    #[inline(always)]
    fn value<T: Float>(&self, s: T, _: Pos) -> T {
        s
    }
    #[inline(always)]
    fn grad<T: Float>(&self, _: T, _: Pos) -> T {
        T::one()
    }
}

/// The mask that keeps every position (the interval masks of the options still apply).
#[derive(Clone, Copy, Debug, Default)]
pub struct KeepAll;

impl MaskMod for KeepAll {
    const ALL: bool = true;
    #[inline(always)]
    fn keep(&self, _: Pos) -> bool {
        true
    }
}

/// Logit soft-capping `c·tanh(s/c)`; derivative `1 − tanh²(s/c)`.
#[derive(Clone, Copy, Debug)]
pub struct Softcap(pub f64);

impl ScoreMod for Softcap {
    #[inline(always)]
    fn value<T: Float>(&self, s: T, _: Pos) -> T {
        let c = T::of(self.0);
        c * (s / c).tanh()
    }
    #[inline(always)]
    fn grad<T: Float>(&self, s: T, _: Pos) -> T {
        let t = (s / T::of(self.0)).tanh();
        T::one() - t * t
    }
}

/// ALiBi: adds `−slope_h·|k − (q + M − N)|` (derivative 1).
#[derive(Clone, Copy, Debug)]
pub struct Alibi<'a>(pub &'a [f64]);

impl ScoreMod for Alibi<'_> {
    #[inline(always)]
    fn value<T: Float>(&self, s: T, pos: Pos) -> T {
        s - T::of(self.0[pos.head] * pos.rel().abs())
    }
    #[inline(always)]
    fn grad<T: Float>(&self, _: T, _: Pos) -> T {
        T::one()
    }
}

/// `b ∘ a`: `value = b(a(s))`, `grad = b'(a(s))·a'(s)`.
#[derive(Clone, Copy, Debug)]
pub struct Chain<A, B>(pub A, pub B);

impl<A: ScoreMod, B: ScoreMod> ScoreMod for Chain<A, B> {
    const IDENTITY: bool = A::IDENTITY && B::IDENTITY;
    #[inline(always)]
    fn value<T: Float>(&self, s: T, pos: Pos) -> T {
        self.1.value(self.0.value(s, pos), pos)
    }
    #[inline(always)]
    fn grad<T: Float>(&self, s: T, pos: Pos) -> T {
        self.1.grad(self.0.value(s, pos), pos) * self.0.grad(s, pos)
    }
}

impl<M: ScoreMod> ScoreMod for Option<M> {
    #[inline(always)]
    fn value<T: Float>(&self, s: T, pos: Pos) -> T {
        match self {
            Some(m) => m.value(s, pos),
            None => s,
        }
    }
    #[inline(always)]
    fn grad<T: Float>(&self, s: T, pos: Pos) -> T {
        match self {
            Some(m) => m.grad(s, pos),
            None => T::one(),
        }
    }
}

impl<S: ScoreMod> ScoreMod for &S {
    const IDENTITY: bool = S::IDENTITY;
    #[inline(always)]
    fn value<T: Float>(&self, s: T, pos: Pos) -> T {
        (**self).value(s, pos)
    }
    #[inline(always)]
    fn grad<T: Float>(&self, s: T, pos: Pos) -> T {
        (**self).grad(s, pos)
    }
}

/// The built-in score changes of the options: soft-cap, then ALiBi.
pub type Builtin<'a> = Chain<Option<Softcap>, Option<Alibi<'a>>>;
