//! The one float trait the kernels are generic over.

use std::fmt::{Debug, Display};
use std::iter::Sum;

mod sealed {
    /// Only `f32` and `f64` implement [`super::Float`]: its per-type kernels (the polynomial `exp`)
    /// are written for exactly these two.
    pub trait Sealed {}
    impl Sealed for f32 {}
    impl Sealed for f64 {}
}

/// A real scalar the kernels run on: `f32` or `f64` (sealed).
///
/// Per-type behaviour is a method of this trait (no `TypeId` dispatch): the conversions
/// [`Float::of`] / [`Float::as_f64`] and the branch-free polynomial [`Float::exp_poly`] that the
/// vectorised row passes use.
///
/// Built on [`num_traits::Float`] for the arithmetic and on faer's [`faer::traits::RealField`] so the
/// same `T` can be handed to faer's GEMM on tiles. Conversions to and from `f64` are exact for `f64`
/// and round-to-nearest for `f32`.
pub trait Float:
    num_traits::Float
    + num_traits::FloatConst
    + faer::traits::RealField
    + faer::traits::Conjugate<Canonical = Self>
    + Copy
    + Default
    + Send
    + Sync
    + Debug
    + Display
    + Sum
    + sealed::Sealed
    + 'static
{
    /// The type's name, for messages and bench ids (`"f32"`, `"f64"`).
    const NAME: &'static str;
    /// Machine epsilon of the type.
    const EPS: f64;
    /// Converts from `f64` (rounding to nearest for `f32`).
    fn of(x: f64) -> Self;
    /// Converts to `f64` (exact).
    fn as_f64(self) -> f64;
    /// `exp(x)` by the branch-free Cephes polynomial of `crate::simd::exp` (≤ 2 ulp; exactly 0
    /// below `ln(MIN_POSITIVE)`, including `−∞`).
    fn exp_poly(self) -> Self;
}

impl Float for f32 {
    const NAME: &'static str = "f32";
    const EPS: f64 = f32::EPSILON as f64;
    #[inline(always)]
    fn of(x: f64) -> Self {
        x as f32
    }
    #[inline(always)]
    fn as_f64(self) -> f64 {
        self as f64
    }
    #[inline(always)]
    fn exp_poly(self) -> Self {
        crate::simd::exp::exp_f32(self)
    }
}

impl Float for f64 {
    const NAME: &'static str = "f64";
    const EPS: f64 = f64::EPSILON;
    #[inline(always)]
    fn of(x: f64) -> Self {
        x
    }
    #[inline(always)]
    fn as_f64(self) -> f64 {
        self
    }
    #[inline(always)]
    fn exp_poly(self) -> Self {
        crate::simd::exp::exp_f64(self)
    }
}
