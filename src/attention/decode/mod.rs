//! Decode: one or a few queries per sequence against a long KV cache (flash-decoding), with
//! grouped-query heads, per-sequence lengths, a contiguous or a paged cache, and the public
//! [`merge()`] of partial results.
//!
//! # Math
//! Per sequence `b` and query head `h` (reading kv head `g = h / (heads / kv_heads)`), query row
//! `i` sees keys `0..visible(b, i)` of the cache and gets
//!
//! ```text
//! o_i = Σ_j softmax_j(scale · q_i · k_j) v_j,     L_i = log Σ_j exp(scale · q_i · k_j)
//! ```
//!
//! computed per chunk of [`CHUNK`] keys and merged through the log-sum-exps (see [`merge()`]).
//!
//! # Layout
//! - `q`, `out`: `[batch, heads, q_len, head_dim]`; `lse`: `[batch, heads, q_len]` (as
//!   [`crate::attention::forward`]).
//! - contiguous cache `k_cache`, `v_cache`: `[batch, kv_len, kv_heads, head_dim]`, the layout
//!   inference caches append to;
//! - paged cache ([`PagedKv`]): pools `[num_blocks, block_size, kv_heads, head_dim]` and a block
//!   table `[batch, kv_len.div_ceil(block_size)]` (vLLM / FlashAttention `block_table`).
//!
//! # Conventions
//! - `opts.kv_valid_len[b]` is sequence `b`'s length `len_b` (default `kv_len`); cache positions
//!   at or beyond it are never read, so they may hold anything.
//! - `opts.causal` is bottom-right aligned **to `len_b`**: the `q_len` queries are the last `q_len`
//!   tokens of sequence `b`, and query `i` sees keys `j ≤ i + len_b − q_len`. With no padding this is
//!   the convention of [`crate::attention::forward`]. A row that sees no key gets `out = 0`,
//!   `lse = −∞`.
//! - The chunk boundaries depend on `kv_len` only and chunks are merged in index order, so the
//!   result has the same bits for any thread count.
//!
//! # Cost
//! `4·B·H·q_len·len·d` FLOPs against `2·B·len·kv_heads·d` cache elements read: for one query and
//! `heads / kv_heads = 4` this is 8 FLOPs per element, so the pass is bound by memory bandwidth.
//! There is no separate finiteness pass over the cache (see `kernel`).

mod kernel;
pub mod merge;
mod source;

#[cfg(test)]
mod tests;

pub use kernel::CHUNK;
pub use merge::{merge, Partial};
pub use source::Stored;
use source::{Addressing, Cache};

use crate::attention::{Forward, Options, Plan, Shape};
use crate::error::{check_finite, check_len, checked_elems, Error, Result};
use crate::float::Float;

/// The sizes of one decode call.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DecodeShape {
    /// Sequences `B`.
    pub batch: usize,
    /// Query heads `H`.
    pub heads: usize,
    /// Key/value heads; divides `heads` (`1` = multi-query, `heads` = multi-head).
    pub kv_heads: usize,
    /// Queries per sequence (typically 1; a few for speculative decoding).
    pub q_len: usize,
    /// Cache capacity per sequence `M` (positions `0..M`).
    pub kv_len: usize,
    /// Head dimension `d`.
    pub head_dim: usize,
}

impl DecodeShape {
    /// Elements of `q` and `out`.
    pub fn q_elems(&self) -> Option<usize> {
        [self.batch, self.heads, self.q_len, self.head_dim]
            .iter()
            .try_fold(1usize, |a, &n| a.checked_mul(n))
    }
    /// Elements of each contiguous cache buffer.
    pub fn kv_elems(&self) -> Option<usize> {
        [self.batch, self.kv_len, self.kv_heads, self.head_dim]
            .iter()
            .try_fold(1usize, |a, &n| a.checked_mul(n))
    }
}

/// A paged KV cache: fixed-size blocks in a pool, addressed through a per-sequence block table.
#[derive(Clone, Copy, Debug)]
pub struct PagedKv<'a, T> {
    /// Key pool `[num_blocks, block_size, kv_heads, head_dim]`.
    pub k_blocks: &'a [T],
    /// Value pool, same shape as `k_blocks`.
    pub v_blocks: &'a [T],
    /// Positions per block.
    pub block_size: usize,
    /// `[batch, kv_len.div_ceil(block_size)]`: entry `(b, t)` is the pool block holding positions
    /// `t·block_size..(t+1)·block_size` of sequence `b`. Entries past a sequence's length are not
    /// read and not checked (vLLM pads them).
    pub block_table: &'a [u32],
}

/// Validated decode call: the one place that reads [`Options`].
#[derive(Clone, Debug)]
pub(crate) struct DecodePlan {
    pub shape: DecodeShape,
    pub scale: f64,
    pub causal: bool,
    /// Length of each sequence.
    pub lens: Vec<usize>,
}

impl DecodePlan {
    pub(crate) fn new(shape: DecodeShape, opts: &Options) -> Result<Self> {
        if shape.kv_heads == 0 {
            return Err(Error::InvalidArgument {
                what: "shape.kv_heads",
                reason: "must be at least 1".into(),
            });
        }
        if !shape.heads.is_multiple_of(shape.kv_heads) {
            return Err(Error::InvalidArgument {
                what: "shape.kv_heads",
                reason: format!("{} does not divide heads = {}", shape.kv_heads, shape.heads),
            });
        }
        if opts.get_window().is_some()
            || opts.get_softcap().is_some()
            || opts.get_alibi().is_some()
            || opts.get_sinks().is_some()
            || opts.get_varlen().is_some()
        {
            return Err(Error::InvalidArgument {
                what: "options",
                reason: "decode takes causal, scale and kv_valid_len only (window, soft-cap, \
                         ALiBi, sinks and varlen go through the dense kernel)"
                    .into(),
            });
        }
        // Sizes, scale and lengths are validated as for the dense call over the query heads
        // (kv_heads ≤ heads, so its overflow check covers the cache too).
        let dense = Plan::new(
            Shape {
                batch: shape.batch,
                heads: shape.heads,
                q_len: shape.q_len,
                kv_len: shape.kv_len,
                head_dim: shape.head_dim,
            },
            opts,
        )?;
        let (scale, lens) = (dense.scale, dense.valid);
        Ok(DecodePlan {
            shape,
            scale,
            causal: opts.is_causal(),
            lens,
        })
    }

    /// Keys query `i` of sequence `b` sees: exactly `0..visible_keys(b, i)`.
    #[inline]
    pub(crate) fn visible_keys(&self, b: usize, i: usize) -> usize {
        let len = self.lens[b];
        if self.causal {
            len.min((len + i + 1).saturating_sub(self.shape.q_len))
        } else {
            len
        }
    }

    /// Checks `q` (small: finiteness is checked up front; the cache is checked inside the kernel).
    pub(crate) fn check_q<Q: num_traits::Float>(&self, q: &[Q]) -> Result<()> {
        let want = self.shape.q_elems().ok_or(Error::Overflow { what: "q" })?;
        check_len("q", want, q.len())?;
        check_finite("q", q)
    }

    /// Checks a paged cache against the shape and the lengths: pool sizes, table size, and every
    /// table entry a sequence reads is a block of the pool. Runs before any work.
    pub(crate) fn check_paged<'a, S>(&self, kv: &PagedKv<'a, S>) -> Result<Addressing<'a>> {
        let sh = self.shape;
        if kv.block_size == 0 {
            return Err(Error::InvalidArgument {
                what: "paged.block_size",
                reason: "must be at least 1".into(),
            });
        }
        let block_elems = checked_elems(
            "paged.block_size·kv_heads·head_dim",
            &[kv.block_size, sh.kv_heads, sh.head_dim],
        )?;
        if !kv.k_blocks.len().is_multiple_of(block_elems) {
            return Err(Error::ShapeMismatch {
                what: "paged.k_blocks",
                expected: kv.k_blocks.len() / block_elems * block_elems,
                got: kv.k_blocks.len(),
            });
        }
        check_len("paged.v_blocks", kv.k_blocks.len(), kv.v_blocks.len())?;
        let num_blocks = kv.k_blocks.len() / block_elems;
        let blocks_per_seq = sh.kv_len.div_ceil(kv.block_size);
        check_len(
            "paged.block_table",
            checked_elems("paged.block_table", &[sh.batch, blocks_per_seq])?,
            kv.block_table.len(),
        )?;
        for (b, &len) in self.lens.iter().enumerate() {
            let row = &kv.block_table[b * blocks_per_seq..(b + 1) * blocks_per_seq];
            let needed = len.div_ceil(kv.block_size);
            if let Some(t) = row[..needed]
                .iter()
                .position(|&id| id as usize >= num_blocks)
            {
                return Err(Error::OutOfRange {
                    what: "paged.block_table",
                    index: b * blocks_per_seq + t,
                    value: row[t] as usize,
                    bound: num_blocks,
                });
            }
        }
        Ok(Addressing::Paged {
            block_size: kv.block_size,
            blocks_per_seq,
            table: kv.block_table,
        })
    }
}

/// Decode against a contiguous cache. See the [module docs](self) for layouts and conventions.
///
/// # Errors
/// `InvalidArgument` for zero sizes or `kv_heads` not dividing `heads`; `ShapeMismatch` for buffer
/// lengths; `OutOfRange` for a length above `kv_len`; `NonFinite` naming the first non-finite
/// element of `q`, `k_cache` or `v_cache` (positions below each length), or `"scores"` when finite
/// inputs overflow `T` in the products.
pub fn decode<T: Float + Stored<T>>(
    q: &[T],
    k_cache: &[T],
    v_cache: &[T],
    shape: DecodeShape,
    opts: &Options,
) -> Result<Forward<T>> {
    decode_stored(q, k_cache, v_cache, shape, opts)
}

/// Decode against a paged cache: the same kernel and the same bits as [`decode`] on the gathered
/// contiguous cache. The lengths are `opts.kv_valid_len` as for [`decode`].
///
/// # Errors
/// Those of [`decode`], plus `InvalidArgument` for `block_size = 0`, `ShapeMismatch` for pools
/// that are not whole blocks or a table that is not `[batch, kv_len.div_ceil(block_size)]`, and
/// `OutOfRange` for a table entry (among those a sequence reads) that is not a pool block.
pub fn decode_paged<T: Float + Stored<T>>(
    q: &[T],
    kv: &PagedKv<'_, T>,
    shape: DecodeShape,
    opts: &Options,
) -> Result<Forward<T>> {
    decode_paged_stored(q, kv, shape, opts)
}

/// [`decode`] for any stored element `S` read as `T` (bf16/f16 caches with f32 accumulation).
pub(crate) fn decode_stored<T: Float, S: Stored<T>>(
    q: &[T],
    k_cache: &[S],
    v_cache: &[S],
    shape: DecodeShape,
    opts: &Options,
) -> Result<Forward<T>> {
    decode_chunked(q, k_cache, v_cache, shape, opts, CHUNK)
}

/// [`decode_stored`] with chunks of `chunk` keys (tests: `chunk ≥ kv_len` is the unsplit
/// computation).
pub(crate) fn decode_chunked<T: Float, S: Stored<T>>(
    q: &[T],
    k_cache: &[S],
    v_cache: &[S],
    shape: DecodeShape,
    opts: &Options,
    chunk: usize,
) -> Result<Forward<T>> {
    let plan = DecodePlan::new(shape, opts)?;
    plan.check_q(q)?;
    let kv_elems = shape
        .kv_elems()
        .ok_or(Error::Overflow { what: "k_cache" })?;
    check_len("k_cache", kv_elems, k_cache.len())?;
    check_len("v_cache", kv_elems, v_cache.len())?;
    let cache = Cache {
        k: k_cache,
        v: v_cache,
        kv_heads: shape.kv_heads,
        d: shape.head_dim,
        addressing: Addressing::Contiguous {
            kv_len: shape.kv_len,
        },
        names: ("k_cache", "v_cache"),
    };
    kernel::run(q, &cache, &plan, chunk)
}

/// [`decode_paged`] for any stored element `S` read as `T`.
pub(crate) fn decode_paged_stored<T: Float, S: Stored<T>>(
    q: &[T],
    kv: &PagedKv<'_, S>,
    shape: DecodeShape,
    opts: &Options,
) -> Result<Forward<T>> {
    let plan = DecodePlan::new(shape, opts)?;
    plan.check_q(q)?;
    let addressing = plan.check_paged(kv)?;
    let cache = Cache {
        k: kv.k_blocks,
        v: kv.v_blocks,
        kv_heads: shape.kv_heads,
        d: shape.head_dim,
        addressing,
        names: ("paged.k_blocks", "paged.v_blocks"),
    };
    kernel::run(q, &cache, &plan, CHUNK)
}
