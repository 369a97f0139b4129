//! Keeping faer's AVX-512 kernels from slowing down the scalar code that follows them.
//!
//! faer's GEMM and factorisation kernels (private-gemm-x86) return with the upper halves of the
//! vector registers dirty. Every legacy-SSE instruction executed afterwards (glibc's `exp`/`log`
//! among them) then pays a state-transition penalty: on the development machines 1e6 calls of
//! `f64::exp` took 13.7 ms before a 64×64 faer GEMM, 474 ms after it, and 13.5 ms after
//! `vzeroupper`. Kernels that mix faer calls with scalar transcendental code call
//! [`clear_upper_vector_state`] after each faer call.

use std::sync::OnceLock;

/// Clears the upper halves of the AVX/AVX-512 registers (`vzeroupper`) where the CPU has AVX; a
/// no-op elsewhere.
#[inline]
pub fn clear_upper_vector_state() {
    #[cfg(target_arch = "x86_64")]
    {
        static HAS_AVX: OnceLock<bool> = OnceLock::new();
        if *HAS_AVX.get_or_init(|| std::arch::is_x86_feature_detected!("avx")) {
            // SAFETY: the CPU supports AVX (checked above); the instruction only zeroes the upper
            // register halves, which no live value of this thread occupies between calls.
            unsafe { std::arch::x86_64::_mm256_zeroupper() };
        }
    }
}
