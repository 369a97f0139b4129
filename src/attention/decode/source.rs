//! Where the decode kernel reads key and value rows from: a contiguous cache or a paged block pool,
//! stored as `f32`/`f64` or as `bf16`/`f16` (converted to `f32` one row at a time).

use crate::float::Float;

mod sealed {
    pub trait Sealed {}
    impl Sealed for f32 {}
    impl Sealed for f64 {}
    impl Sealed for half::bf16 {}
    impl Sealed for half::f16 {}
}

/// A cache element type read as the accumulation type `T`: `f32` and `f64` as themselves, `bf16`
/// and `f16` as `f32`. Sealed: implemented for these four only.
pub trait Stored<T: Float>: sealed::Sealed + Copy + Send + Sync + 'static {
    /// `src` as `T`: `src` itself when the types agree, otherwise converted into `buf`
    /// (`buf.len() >= src.len()`).
    #[doc(hidden)]
    fn as_acc<'s>(src: &'s [Self], buf: &'s mut [T]) -> &'s [T];
    /// Whether the stored value is finite.
    fn finite(self) -> bool;
}

impl Stored<f32> for f32 {
    #[inline(always)]
    fn as_acc<'s>(src: &'s [f32], _: &'s mut [f32]) -> &'s [f32] {
        src
    }
    fn finite(self) -> bool {
        self.is_finite()
    }
}

impl Stored<f64> for f64 {
    #[inline(always)]
    fn as_acc<'s>(src: &'s [f64], _: &'s mut [f64]) -> &'s [f64] {
        src
    }
    fn finite(self) -> bool {
        self.is_finite()
    }
}

/// `bf16`/`f16` → `f32` is exact; `half` converts a slice with SIMD where the CPU has it.
macro_rules! stored_half {
    ($t:ty) => {
        impl Stored<f32> for $t {
            #[inline(always)]
            fn as_acc<'s>(src: &'s [$t], buf: &'s mut [f32]) -> &'s [f32] {
                use half::slice::HalfFloatSliceExt;
                let buf = &mut buf[..src.len()];
                src.convert_to_f32_slice(buf);
                buf
            }
            fn finite(self) -> bool {
                self.is_finite()
            }
        }
    };
}
stored_half!(half::bf16);
stored_half!(half::f16);

/// How a (sequence, position) pair maps to a row of the cache buffers.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Addressing<'a> {
    /// `[batch, kv_len, kv_heads, d]`.
    Contiguous { kv_len: usize },
    /// `[num_blocks, block_size, kv_heads, d]`; position `j` of sequence `b` lives in block
    /// `table[b·blocks_per_seq + j / block_size]` at offset `j % block_size`.
    Paged {
        block_size: usize,
        blocks_per_seq: usize,
        table: &'a [u32],
    },
}

/// The key and value buffers of one cache with their addressing. Validated by the caller: every
/// row the kernel asks for (positions below each sequence's length) is in bounds.
pub(crate) struct Cache<'a, S> {
    pub k: &'a [S],
    pub v: &'a [S],
    pub kv_heads: usize,
    pub d: usize,
    pub addressing: Addressing<'a>,
    /// Names of the two buffers in error messages.
    pub names: (&'static str, &'static str),
}

impl<S> Cache<'_, S> {
    /// Flat offset of row (sequence `b`, position `j`, kv head `g`).
    #[inline(always)]
    fn offset(&self, b: usize, j: usize, g: usize) -> usize {
        let row = match self.addressing {
            Addressing::Contiguous { kv_len } => b * kv_len + j,
            Addressing::Paged {
                block_size,
                blocks_per_seq,
                table,
            } => {
                let block = table[b * blocks_per_seq + j / block_size] as usize;
                block * block_size + j % block_size
            }
        };
        (row * self.kv_heads + g) * self.d
    }
}

/// Rows of a cache as the accumulation type; object-safe so the SIMD-dispatched kernel body, which
/// is generic over `T` only, can read any cache. One call returns a whole cache position (the rows
/// of every kv head, contiguous in both layouts), so the virtual call is paid once per position.
pub(crate) trait KvRows<T: Float>: Sync {
    /// Keys of (`b`, `j`), `[kv_heads, d]`, possibly converted into `buf` (length `kv_heads·d`).
    fn keys<'s>(&'s self, b: usize, j: usize, buf: &'s mut [T]) -> &'s [T];
    /// Values of (`b`, `j`), `[kv_heads, d]`, possibly converted into `buf`.
    fn values<'s>(&'s self, b: usize, j: usize, buf: &'s mut [T]) -> &'s [T];
    /// The first non-finite stored element among positions `0..lens[b]` of every sequence, keys
    /// before values: (buffer name, flat index). The slow diagnosis of the failure path only.
    fn first_non_finite(&self, lens: &[usize]) -> Option<(&'static str, usize)>;
}

impl<T: Float, S: Stored<T>> KvRows<T> for Cache<'_, S> {
    #[inline(always)]
    fn keys<'s>(&'s self, b: usize, j: usize, buf: &'s mut [T]) -> &'s [T] {
        let o = self.offset(b, j, 0);
        S::as_acc(&self.k[o..o + self.kv_heads * self.d], buf)
    }
    #[inline(always)]
    fn values<'s>(&'s self, b: usize, j: usize, buf: &'s mut [T]) -> &'s [T] {
        let o = self.offset(b, j, 0);
        S::as_acc(&self.v[o..o + self.kv_heads * self.d], buf)
    }
    fn first_non_finite(&self, lens: &[usize]) -> Option<(&'static str, usize)> {
        for (name, data) in [(self.names.0, self.k), (self.names.1, self.v)] {
            for (b, &len) in lens.iter().enumerate() {
                for j in 0..len {
                    for g in 0..self.kv_heads {
                        let o = self.offset(b, j, g);
                        if let Some(t) = data[o..o + self.d].iter().position(|x| !x.finite()) {
                            return Some((name, o + t));
                        }
                    }
                }
            }
        }
        None
    }
}
