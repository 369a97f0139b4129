//! A workaround for the AVX → SSE transition penalty after faer's GEMM kernels.
//!
//! faer's (gemm's) AVX/AVX-512 micro-kernels can return with the upper halves of the vector
//! registers dirty. Scalar libm calls compiled for SSE (`f64::exp` in a softmax) then pay a false
//! dependency on every instruction: measured here, 1M `exp` calls after a GEMM took ≈ 180 ms
//! instead of ≈ 8 ms. `vzeroupper` after the GEMM removes it.

/// Clears the upper vector-register state after a SIMD kernel (no-op without AVX or off x86-64).
#[inline]
pub(crate) fn after_simd_kernel() {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx") {
            // SAFETY: AVX is available (checked just above); `vzeroupper` only zeroes the upper
            // lanes of the vector registers, which hold no live value across this call.
            unsafe { zeroupper() }
        }
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx")]
unsafe fn zeroupper() {
    std::arch::x86_64::_mm256_zeroupper()
}
