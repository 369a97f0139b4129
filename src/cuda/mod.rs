//! CUDA kernels compiled at run time by NVRTC and launched through cudarc (feature `cuda`).
//!
//! # What is here
//! - [`CudaAttention`]: FlashAttention-2 forward and backward on the GPU with exactly the
//!   conventions of [`crate::attention`] (layout `[B, H, N, d]` row-major, default scale
//!   `1/sqrt(d)`, bottom-right causal alignment, `kv_valid_len` right padding, a row that sees no
//!   key gets output `0`, `lse = −∞` and zero gradients). f32 only; it implements
//!   [`crate::attention::AttentionKernel`] so the attention conformance suite runs on it.
//! - [`CudaDevice`]: a device handle (context + stream + per-device cache of compiled modules)
//!   and [`DeviceBuffer`]s, for callers that keep tensors on the device.
//! - [`CudaLosses`] (feature `cuda`): the one-layer next-token model's batched loss and
//!   gradient, and FKL/RKL/JSD/TVD divergences with logit gradients over large vocabularies.
//! - [`source`]: the kernel sources (`cuda/*.cu`), embedded with `include_str!` so the compiled
//!   crate needs no files at run time.
//!
//! # Without a GPU
//! cudarc loads `libcuda` and `libnvrtc` dynamically, so the feature builds on machines with no
//! CUDA toolkit and no driver. Constructors probe for the libraries first (cudarc panics instead
//! of returning an error when a library is missing) and return [`Error::CudaUnavailable`]; they
//! never panic. Without the `cuda` feature the same types exist (as in candle's dummy backend)
//! and every constructor returns [`Error::CudaUnavailable`].
//!
//! Every CUDA driver or NVRTC status is checked and turned into [`Error::Cuda`].
//!
//! [`Error::CudaUnavailable`]: crate::Error::CudaUnavailable
//! [`Error::Cuda`]: crate::Error::Cuda

pub mod bf16;
pub mod source;

#[cfg(feature = "cuda")]
mod attention;
#[cfg(feature = "cuda")]
mod device;
#[cfg(not(feature = "cuda"))]
mod dummy;
#[cfg(feature = "cuda")]
mod losses;

#[cfg(feature = "cuda")]
pub use attention::{CudaAttention, ForwardBf16, MAX_HEAD_DIM_BF16};
#[cfg(feature = "cuda")]
pub use device::{compile_source, nvrtc_available, probe, CudaDevice, DeviceBuffer, Timer};
#[cfg(not(feature = "cuda"))]
pub use dummy::{
    compile_source, nvrtc_available, probe, CudaAttention, CudaDevice, CudaLosses, DeviceBuffer,
    ForwardBf16, Timer, MAX_HEAD_DIM_BF16,
};
#[cfg(feature = "cuda")]
pub use losses::{CudaLosses, Divergence, DivergenceGrad, NextTokenBatch, NextTokenLossGrad};

/// Largest head dimension the CUDA attention kernels accept (head dims are padded to 32, 64,
/// 128 or 256 inside the kernels).
pub const MAX_HEAD_DIM: usize = 256;
