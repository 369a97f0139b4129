//! The crate's one run-time SIMD dispatch, shared by every vectorised row pass (attention tiles,
//! divergences, verifier).
//!
//! A pass is written once as plain Rust over fixed-width lane arrays, so its reduction order is
//! fixed by the source, and instantiated by [`dispatched`] three times: inside
//! `#[target_feature(enable = "avx512f,fma")]`, inside `#[target_feature(enable = "avx2,fma")]`, and
//! without target features. Rust never reassociates float arithmetic and every fused multiply-add is
//! an explicit `mul_add`, so **all three levels produce the same bits**. The level is detected once
//! ([`level`]); `ATTNMECH_SIMD=scalar|avx2|avx512` lowers it (for testing the fallbacks).

pub(crate) mod exp;
#[cfg(feature = "papers")]
pub(crate) mod rows;

use std::sync::OnceLock;

/// Instruction-set level of the vectorised row passes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Level {
    /// Plain code (baseline x86-64 SSE2, or any other architecture).
    Scalar,
    /// AVX2 + FMA (256-bit).
    Avx2,
    /// AVX-512F + FMA (512-bit).
    Avx512,
}

/// The best level this CPU supports, lowered by `ATTNMECH_SIMD` if set; detected once.
pub(crate) fn level() -> Level {
    static LEVEL: OnceLock<Level> = OnceLock::new();
    *LEVEL.get_or_init(|| {
        let detected = detect();
        match std::env::var("ATTNMECH_SIMD").as_deref() {
            Ok("scalar") => Level::Scalar,
            Ok("avx2") if detected != Level::Scalar => Level::Avx2,
            _ => detected,
        }
    })
}

pub(crate) fn detect() -> Level {
    #[cfg(target_arch = "x86_64")]
    {
        if !std::arch::is_x86_feature_detected!("fma") {
            return Level::Scalar;
        }
        if std::arch::is_x86_feature_detected!("avx512f") {
            return Level::Avx512;
        }
        if std::arch::is_x86_feature_detected!("avx2") {
            return Level::Avx2;
        }
    }
    Level::Scalar
}

/// Defines `pub(crate) fn $name(level, args..)` that runs `$body(args..)` compiled for `level`.
macro_rules! dispatched_impl {
    ($(#[$doc:meta])* fn $name:ident($($arg:ident: $ty:ty),*) => $body:ident) => {
        $(#[$doc])*
        #[allow(clippy::too_many_arguments)]
        pub(crate) fn $name<T: $crate::float::Float>(level: $crate::simd::Level, $($arg: $ty),*) {
            #[cfg(target_arch = "x86_64")]
            {
                #[allow(clippy::too_many_arguments)]
                #[target_feature(enable = "avx512f,fma")]
                fn avx512<T: $crate::float::Float>($($arg: $ty),*) {
                    $body($($arg),*)
                }
                #[allow(clippy::too_many_arguments)]
                #[target_feature(enable = "avx2,fma")]
                fn avx2<T: $crate::float::Float>($($arg: $ty),*) {
                    $body($($arg),*)
                }
                match level {
                    // SAFETY: `level` is at most what `detect` found on this CPU.
                    $crate::simd::Level::Avx512 => return unsafe { avx512($($arg),*) },
                    $crate::simd::Level::Avx2 => return unsafe { avx2($($arg),*) },
                    $crate::simd::Level::Scalar => {}
                }
            }
            let _ = level;
            $body($($arg),*)
        }
    };
}

pub(crate) use dispatched_impl as dispatched;

/// Folds `N` lane accumulators pairwise (`i` with `i + w`, `w = N/2, …, 1`; `N` a power of two):
/// log depth, and a fixed order, so every SIMD level and thread count gives the same bits.
#[inline(always)]
pub(crate) fn lane_reduce<T: Copy, const N: usize>(mut acc: [T; N], op: impl Fn(T, T) -> T) -> T {
    let mut w = N / 2;
    while w > 0 {
        for i in 0..w {
            acc[i] = op(acc[i], acc[i + w]);
        }
        w /= 2;
    }
    acc[0]
}
