//! Strided views of the attention tensors: a slice, a shape `(batch, seq, heads, dim)` and element
//! strides for the first three axes; the last axis (`dim`) is contiguous.
//!
//! Constructors cover the common layouts with no copy:
//! - [`View::bhsd`]: `[B, H, S, D]` row-major (this crate's convenience layout);
//! - [`View::bshd`]: `[B, S, H, D]` row-major (FlashAttention's);
//! - [`View::packed_qkv`]: one of the three slots of a packed `[B, S, 3, H, D]` buffer;
//! - [`View::strided`]: any strides.
//!
//! Every constructor checks, once and with overflow-checked arithmetic, that the largest offset
//! `Σ (extent − 1)·stride + dim − 1` is inside the slice; a [`ViewMut`] must in addition not
//! overlap itself (distinct indices address distinct elements), so that the parallel kernels may
//! write disjoint rows from different threads.

use crate::error::{checked_elems, Error, Result};

/// Extents of a view: `(batch, seq, heads, dim)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Dims {
    /// Batch size.
    pub batch: usize,
    /// Sequence length (tokens; for varlen inputs, the total of the packed sequences).
    pub seq: usize,
    /// Heads.
    pub heads: usize,
    /// Head dimension (contiguous).
    pub dim: usize,
}

/// Element strides of the `(batch, seq, heads)` axes (the `dim` axis has stride 1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Strides {
    /// Elements between consecutive batch entries.
    pub batch: usize,
    /// Elements between consecutive tokens.
    pub seq: usize,
    /// Elements between consecutive heads.
    pub heads: usize,
}

impl Strides {
    /// `[B, H, S, D]` row-major. Products saturate at `usize::MAX` (never wrap), so a shape whose
    /// element count overflows gets strides that every view constructor rejects.
    pub fn bhsd(d: Dims) -> Self {
        Strides {
            batch: d.heads.saturating_mul(d.seq).saturating_mul(d.dim),
            seq: d.dim,
            heads: d.seq.saturating_mul(d.dim),
        }
    }
    /// `[B, S, H, D]` row-major (saturating like [`Strides::bhsd`]).
    pub fn bshd(d: Dims) -> Self {
        Strides {
            batch: d.seq.saturating_mul(d.heads).saturating_mul(d.dim),
            seq: d.heads.saturating_mul(d.dim),
            heads: d.dim,
        }
    }
}

fn bad(what: &'static str, reason: String) -> Error {
    Error::InvalidArgument { what, reason }
}

/// The element count `B·S·H·D` of a view, or `Err(Overflow { what })`.
pub(crate) fn elems(what: &'static str, dims: Dims) -> Result<usize> {
    checked_elems(what, &[dims.batch, dims.seq, dims.heads, dims.dim])
}

/// Checks that every index of `(dims, strides)` lies inside `len` (overflow-checked) and returns
/// the number of addressed elements `B·S·H·D` (0 for an empty view, which addresses nothing).
fn check_bounds(what: &'static str, dims: Dims, st: Strides, len: usize) -> Result<usize> {
    let elems = elems(what, dims)?;
    if elems == 0 {
        return Ok(0);
    }
    let max_offset = [
        (dims.batch, st.batch),
        (dims.seq, st.seq),
        (dims.heads, st.heads),
        (dims.dim, 1),
    ]
    .iter()
    .try_fold(0usize, |acc, &(n, s)| {
        (n - 1).checked_mul(s).and_then(|x| acc.checked_add(x))
    })
    .ok_or(Error::Overflow { what })?;
    if max_offset >= len {
        return Err(bad(
            what,
            format!("strides reach offset {max_offset}, the slice has {len} elements"),
        ));
    }
    Ok(elems)
}

/// Checks that no two indices of a writable view address the same element: sorted by stride,
/// each axis of extent > 1 must step over the whole span of the smaller ones.
fn check_no_overlap(what: &'static str, dims: Dims, st: Strides) -> Result<()> {
    if [dims.batch, dims.seq, dims.heads, dims.dim].contains(&0) {
        return Ok(()); // an empty view addresses nothing
    }
    let mut axes = [
        (st.batch, dims.batch),
        (st.seq, dims.seq),
        (st.heads, dims.heads),
    ];
    axes.sort_unstable();
    let mut span = dims.dim; // elements covered by the axes checked so far
    for (stride, extent) in axes {
        if extent <= 1 {
            continue;
        }
        if stride < span {
            return Err(bad(
                what,
                format!("output strides overlap (stride {stride} < span {span})"),
            ));
        }
        span += stride * (extent - 1);
    }
    Ok(())
}

/// A read-only strided view (see the [module docs](crate::attention)).
#[derive(Clone, Copy, Debug)]
pub struct View<'a, T> {
    data: &'a [T],
    dims: Dims,
    strides: Strides,
}

impl<'a, T> View<'a, T> {
    /// A view with explicit strides. `Err(InvalidArgument { what, .. })` when an index would
    /// fall outside `data`, `Err(Overflow { what })` when the element count or the largest offset
    /// overflows `usize`.
    pub fn strided(
        what: &'static str,
        data: &'a [T],
        dims: Dims,
        strides: Strides,
    ) -> Result<Self> {
        check_bounds(what, dims, strides, data.len())?;
        Ok(View {
            data,
            dims,
            strides,
        })
    }
    /// `[batch, heads, seq, dim]` row-major; `data.len()` must be exactly the element count.
    pub fn bhsd(
        what: &'static str,
        data: &'a [T],
        batch: usize,
        heads: usize,
        seq: usize,
        dim: usize,
    ) -> Result<Self> {
        let (dims, strides) = dense(what, data.len(), [batch, seq, heads, dim], Strides::bhsd)?;
        Self::strided(what, data, dims, strides)
    }
    /// `[batch, seq, heads, dim]` row-major (FlashAttention's layout); exact length.
    pub fn bshd(
        what: &'static str,
        data: &'a [T],
        batch: usize,
        seq: usize,
        heads: usize,
        dim: usize,
    ) -> Result<Self> {
        let (dims, strides) = dense(what, data.len(), [batch, seq, heads, dim], Strides::bshd)?;
        Self::strided(what, data, dims, strides)
    }
    /// Slot `which` (0 = q, 1 = k, 2 = v) of a packed `[batch, seq, 3, heads, dim]` buffer,
    /// without a copy; `data.len()` must be `3·B·S·H·D`.
    pub fn packed_qkv(
        data: &'a [T],
        which: usize,
        batch: usize,
        seq: usize,
        heads: usize,
        dim: usize,
    ) -> Result<Self> {
        let what = ["qkv.q", "qkv.k", "qkv.v"]
            .get(which)
            .copied()
            .ok_or_else(|| bad("qkv", format!("slot {which} is not 0, 1 or 2")))?;
        let dims = Dims {
            batch,
            seq,
            heads,
            dim,
        };
        let row = checked_elems(what, &[heads, dim])?;
        let three = Dims {
            heads: heads
                .checked_mul(3)
                .ok_or(Error::Overflow { what: "qkv" })?,
            ..dims
        };
        exact_len("qkv", three, data.len())?;
        // Saturating: with `batch = 0` or `seq = 0` the checked product above is 0 and these
        // strides are never used (an empty view addresses nothing).
        let token = row.saturating_mul(3);
        let strides = Strides {
            batch: seq.saturating_mul(token),
            seq: token,
            heads: dim,
        };
        let data = &data[which.saturating_mul(row).min(data.len())..];
        Self::strided(what, data, dims, strides)
    }
    /// The extents.
    pub fn dims(&self) -> Dims {
        self.dims
    }
    /// The strides.
    pub fn strides(&self) -> Strides {
        self.strides
    }
    /// The underlying slice.
    pub fn data(&self) -> &'a [T] {
        self.data
    }
    /// Offset of element `(b, s, h, 0)`.
    #[inline(always)]
    pub fn offset(&self, b: usize, s: usize, h: usize) -> usize {
        b * self.strides.batch + s * self.strides.seq + h * self.strides.heads
    }
    /// The contiguous row `(b, s, h, ..)` (`dim` elements).
    #[inline(always)]
    pub fn row(&self, b: usize, s: usize, h: usize) -> &'a [T] {
        &self.data[self.offset(b, s, h)..][..self.dims.dim]
    }
    /// Whether the view is `[B, H, S, D]` row-major and dense.
    pub fn is_bhsd(&self) -> bool {
        self.strides == Strides::bhsd(self.dims)
    }
}

fn exact_len(what: &'static str, dims: Dims, len: usize) -> Result<()> {
    crate::error::check_len(what, elems(what, dims)?, len)
}

/// Extents `[batch, seq, heads, dim]` and the strides `layout` gives them, for a dense layout
/// over a slice of exactly `B·S·H·D` elements (`len`).
fn dense(
    what: &'static str,
    len: usize,
    [batch, seq, heads, dim]: [usize; 4],
    layout: fn(Dims) -> Strides,
) -> Result<(Dims, Strides)> {
    let dims = Dims {
        batch,
        seq,
        heads,
        dim,
    };
    exact_len(what, dims, len)?;
    Ok((dims, layout(dims)))
}

/// A writable strided view whose indices address distinct elements (see the [module docs](crate::attention)).
#[derive(Debug)]
pub struct ViewMut<'a, T> {
    data: &'a mut [T],
    dims: Dims,
    strides: Strides,
}

impl<'a, T> ViewMut<'a, T> {
    /// A writable view with explicit strides: in bounds and non-overlapping, else `Err`.
    pub fn strided(
        what: &'static str,
        data: &'a mut [T],
        dims: Dims,
        strides: Strides,
    ) -> Result<Self> {
        check_bounds(what, dims, strides, data.len())?;
        check_no_overlap(what, dims, strides)?;
        Ok(ViewMut {
            data,
            dims,
            strides,
        })
    }
    /// `[batch, heads, seq, dim]` row-major; exact length.
    pub fn bhsd(
        what: &'static str,
        data: &'a mut [T],
        batch: usize,
        heads: usize,
        seq: usize,
        dim: usize,
    ) -> Result<Self> {
        let (dims, strides) = dense(what, data.len(), [batch, seq, heads, dim], Strides::bhsd)?;
        Self::strided(what, data, dims, strides)
    }
    /// `[batch, seq, heads, dim]` row-major; exact length.
    pub fn bshd(
        what: &'static str,
        data: &'a mut [T],
        batch: usize,
        seq: usize,
        heads: usize,
        dim: usize,
    ) -> Result<Self> {
        let (dims, strides) = dense(what, data.len(), [batch, seq, heads, dim], Strides::bshd)?;
        Self::strided(what, data, dims, strides)
    }
    /// The extents.
    pub fn dims(&self) -> Dims {
        self.dims
    }
    /// The strides.
    pub fn strides(&self) -> Strides {
        self.strides
    }
    /// A read-only view of the same elements.
    pub fn as_view(&self) -> View<'_, T> {
        View {
            data: self.data,
            dims: self.dims,
            strides: self.strides,
        }
    }
    /// Offset of element `(b, s, h, 0)`.
    #[inline(always)]
    pub fn offset(&self, b: usize, s: usize, h: usize) -> usize {
        b * self.strides.batch + s * self.strides.seq + h * self.strides.heads
    }
    /// The contiguous row `(b, s, h, ..)`.
    #[inline(always)]
    pub fn row_mut(&mut self, b: usize, s: usize, h: usize) -> &mut [T] {
        let o = self.offset(b, s, h);
        &mut self.data[o..][..self.dims.dim]
    }
    /// Shares the view between threads that write disjoint rows ([`Rows`]).
    pub(crate) fn rows(&mut self) -> Rows<'_, T> {
        Rows {
            ptr: self.data.as_mut_ptr(),
            len: self.data.len(),
            dims: self.dims,
            strides: self.strides,
            _life: std::marker::PhantomData,
        }
    }
}

/// Row access to a [`ViewMut`] from several threads at once.
///
/// Each row `(b, s, h)` is a distinct, in-bounds range of `dim` elements (checked when the view
/// was built), so threads that each own a disjoint set of rows never alias; the kernels hand
/// every row to exactly one task.
pub(crate) struct Rows<'a, T> {
    ptr: *mut T,
    len: usize,
    dims: Dims,
    strides: Strides,
    _life: std::marker::PhantomData<&'a mut [T]>,
}

// SAFETY: `Rows` is a `&mut [T]` split by row; see `row_mut` for the aliasing contract.
unsafe impl<T: Send> Send for Rows<'_, T> {}
// SAFETY: as above: a shared `Rows` only hands out rows to callers that promise disjointness.
unsafe impl<T: Send> Sync for Rows<'_, T> {}

impl<T> Rows<'_, T> {
    /// Row `(b, s, h)`.
    ///
    /// # Safety
    /// No two live references to the same row may exist: the caller owns row `(b, s, h)`.
    #[allow(clippy::mut_from_ref)]
    #[inline(always)]
    pub(crate) unsafe fn row_mut(&self, b: usize, s: usize, h: usize) -> &mut [T] {
        assert!(b < self.dims.batch && s < self.dims.seq && h < self.dims.heads);
        let o = b * self.strides.batch + s * self.strides.seq + h * self.strides.heads;
        assert!(o + self.dims.dim <= self.len);
        // SAFETY: in bounds (asserted); distinct rows are disjoint (checked at construction) and
        // the caller owns this one.
        unsafe { std::slice::from_raw_parts_mut(self.ptr.add(o), self.dims.dim) }
    }
    /// Rows `(b, s0..s0 + rows, h)` as a `rows × dim` matrix.
    ///
    /// # Safety
    /// As [`Self::row_mut`], for every row of the tile.
    #[allow(clippy::mut_from_ref)]
    #[inline(always)]
    pub(crate) unsafe fn tile_mut(
        &self,
        b: usize,
        s0: usize,
        rows: usize,
        h: usize,
    ) -> faer::MatMut<'_, T> {
        assert!(rows >= 1 && b < self.dims.batch && s0 + rows <= self.dims.seq);
        assert!(h < self.dims.heads);
        let o = b * self.strides.batch + s0 * self.strides.seq + h * self.strides.heads;
        assert!(o + (rows - 1) * self.strides.seq + self.dims.dim <= self.len);
        // SAFETY: every element is in bounds (asserted), rows are disjoint from other rows
        // (checked at construction) and the caller owns them.
        unsafe {
            faer::MatMut::from_raw_parts_mut(
                self.ptr.add(o),
                rows,
                self.dims.dim,
                self.strides.seq as isize,
                1,
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layouts_address_the_same_elements() {
        let (b, s, h, d) = (2, 3, 4, 5);
        let x: Vec<usize> = (0..b * s * h * d).collect();
        let v = View::bshd("x", &x, b, s, h, d).unwrap();
        assert_eq!(v.row(1, 2, 3)[4], ((s + 2) * h + 3) * d + 4);
        let w = View::bhsd("x", &x, b, h, s, d).unwrap();
        assert_eq!(w.row(1, 2, 3)[4], ((h + 3) * s + 2) * d + 4);
        let packed: Vec<usize> = (0..3 * b * s * h * d).collect();
        let kv = View::packed_qkv(&packed, 2, b, s, h, d).unwrap();
        assert_eq!(kv.row(1, 2, 3)[4], (((s + 2) * 3 + 2) * h + 3) * d + 4);
    }

    #[test]
    fn out_of_bounds_and_overlapping_views_are_errors() {
        let x = vec![0.0f32; 10];
        let dims = Dims {
            batch: 1,
            seq: 3,
            heads: 1,
            dim: 4,
        };
        let st = Strides {
            batch: 0,
            seq: 4,
            heads: 0,
        };
        assert!(View::strided("x", &x, dims, st).is_err()); // offset 11 >= 10
        let st3 = Strides { seq: 3, ..st };
        assert!(View::strided("x", &x, dims, st3).is_ok()); // overlapping reads are fine
        let mut y = vec![0.0f32; 10];
        assert!(ViewMut::strided("y", &mut y, dims, st3).is_err()); // overlapping writes are not
        let huge = Dims {
            batch: usize::MAX / 2,
            seq: 3,
            heads: 1,
            dim: 1,
        };
        assert!(View::strided("x", &x, huge, Strides { batch: 7, ..st }).is_err());
        assert!(View::packed_qkv(&x, 3, 1, 1, 1, 1).is_err());
    }
}
