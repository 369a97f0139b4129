//! Merging attention results computed over disjoint key sets through their log-sum-exps.
//!
//! # Math
//! If the keys of one query row are split into disjoint sets `K_1, …, K_n` and `(o_c, L_c)` is the
//! attention output and log-sum-exp of the row against `K_c` alone, then against all keys
//!
//! ```text
//! L = log Σ_c exp(L_c)             = m + log Σ_c exp(L_c − m),  m = max_c L_c
//! o = Σ_c exp(L_c − L) · o_c
//! ```
//!
//! because `o_c = Σ_{j∈K_c} exp(S_j − L_c) v_j`. This is the (m, ℓ, acc) algebra of spec §2 in the
//! normalised form that is cheap to ship between machines (one `d`-vector and one scalar per row),
//! the building block of flash-decoding and of ring / context-parallel attention. A partial whose
//! row saw no key has `L_c = −∞` and weight exactly `0`; it is skipped, so whatever its `o_c` holds
//! cannot turn into NaN. A row with `L_c = −∞` in every partial gets `o = 0`, `L = −∞`.
//!
//! The merge is associative up to rounding: the weights are ratios of `exp(L_c)` and merging
//! `(a, b)` first yields `L_ab = log(e^{L_a} + e^{L_b})`, which enters the second merge with exactly
//! the combined weight of `a` and `b`.

use crate::attention::Forward;
use crate::error::{check_finite, check_len, Error, Result};
use crate::float::Float;
use crate::simd::exp::exp;

/// One partial result: `rows` output rows of length `d` and their log-sum-exps.
#[derive(Clone, Copy, Debug)]
pub struct Partial<'a, T> {
    /// `[rows, d]`, row-major (any row layout, e.g. `[batch, heads, q_len, d]`, as long as every
    /// partial uses the same one).
    pub out: &'a [T],
    /// `[rows]`; `−∞` for a row that saw no key of this partial.
    pub lse: &'a [T],
}

/// Merges partial results over disjoint key sets into the result over their union (see the
/// [module docs](self)). The partials are combined in the order given, so the bits are a function
/// of the inputs alone.
///
/// # Errors
/// `Empty` for no partials; `ShapeMismatch` when the partials disagree in `rows` or `out` is not
/// `rows·d` long; `NonFinite` for a NaN or `+∞` in a partial's `lse` or a non-finite `out`
/// (`what` is `"partials.lse"` / `"partials.out"`, `index` the flat position in that partial).
pub fn merge<T: Float>(partials: &[Partial<'_, T>]) -> Result<Forward<T>> {
    let first = partials.first().ok_or(Error::Empty { what: "partials" })?;
    let rows = first.lse.len();
    let d = first.out.len().checked_div(rows).unwrap_or(0);
    for p in partials {
        check_len("partials.lse", rows, p.lse.len())?;
        check_len("partials.out", rows * d, p.out.len())?;
        check_finite("partials.out", p.out)?;
        if let Some(index) = p.lse.iter().position(|x| x.is_nan() || *x == T::infinity()) {
            return Err(Error::NonFinite {
                what: "partials.lse",
                index,
            });
        }
    }
    let mut out = vec![T::zero(); rows * d];
    let mut lse = vec![T::neg_infinity(); rows];
    for (r, l) in lse.iter_mut().enumerate() {
        *l = merge_row(
            partials.len(),
            |c| partials[c].lse[r],
            |c| &partials[c].out[r * d..(r + 1) * d],
            &mut out[r * d..(r + 1) * d],
        );
    }
    Ok(Forward { out, lse })
}

/// Merges one row: writes `o` and returns `L`. `lse(c)` and `out(c)` give partial `c`'s row; the
/// partials are visited in index order. Shared by [`merge`] and the decode kernel.
#[inline]
pub(crate) fn merge_row<'p, T: Float>(
    n: usize,
    lse: impl Fn(usize) -> T,
    out: impl Fn(usize) -> &'p [T],
    o: &mut [T],
) -> T {
    let m = (0..n).map(&lse).fold(T::neg_infinity(), |a, b| a.max(b));
    o.fill(T::zero());
    if m == T::neg_infinity() {
        return m;
    }
    let sum = (0..n).fold(T::zero(), |s, c| s + exp(lse(c) - m));
    let log_sum = sum.ln();
    for c in 0..n {
        let l = lse(c);
        if l == T::neg_infinity() {
            continue;
        }
        let w = exp(l - m) / sum;
        for (x, &y) in o.iter_mut().zip(out(c)) {
            *x = w.mul_add(y, *x);
        }
    }
    m + log_sum
}
