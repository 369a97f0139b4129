//! The CUDA C++ sources of the kernels, embedded in the binary.
//!
//! NVRTC has no default include path and cudarc's program API takes no header list, so every
//! program is `common.cuh` followed by one `.cu` file ([`program_text`]); a `#line` directive
//! keeps NVRTC's messages pointing at the right file and line.

/// One kernel source file of the `cuda/` folder.
#[derive(Clone, Copy, Debug)]
pub struct KernelSource {
    /// File name inside `cuda/`.
    pub file: &'static str,
    /// Its text.
    pub text: &'static str,
}

/// Helpers prepended to every program (`cuda/common.cuh`).
pub const COMMON: &str = include_str!("../../cuda/common.cuh");

/// FlashAttention-2 forward, f32 (`cuda/flash_fwd.cu`).
pub const FLASH_FWD: KernelSource = KernelSource {
    file: "flash_fwd.cu",
    text: include_str!("../../cuda/flash_fwd.cu"),
};

/// FlashAttention-2 backward, f32 (`cuda/flash_bwd.cu`).
pub const FLASH_BWD: KernelSource = KernelSource {
    file: "flash_bwd.cu",
    text: include_str!("../../cuda/flash_bwd.cu"),
};

/// FlashAttention-2 forward, bf16 on the tensor cores (`cuda/flash_fwd_bf16.cu`).
pub const FLASH_FWD_BF16: KernelSource = KernelSource {
    file: "flash_fwd_bf16.cu",
    text: include_str!("../../cuda/flash_fwd_bf16.cu"),
};

/// Batched loss/gradient of the one-layer next-token model (`cuda/next_token.cu`).
pub const NEXT_TOKEN: KernelSource = KernelSource {
    file: "next_token.cu",
    text: include_str!("../../cuda/next_token.cu"),
};

/// FKL/RKL/JSD/TVD over large vocabularies with logit gradients (`cuda/divergence.cu`).
pub const DIVERGENCE: KernelSource = KernelSource {
    file: "divergence.cu",
    text: include_str!("../../cuda/divergence.cu"),
};

/// Every `.cu` file of `cuda/`, so tests and CI can NVRTC-compile all of them.
pub const ALL: &[KernelSource] = &[FLASH_FWD, FLASH_BWD, FLASH_FWD_BF16, NEXT_TOKEN, DIVERGENCE];

/// The full program NVRTC compiles for `src`: the common helpers, then the file.
pub fn program_text(src: &KernelSource) -> String {
    format!(
        "#line 1 \"common.cuh\"\n{}\n#line 1 \"{}\"\n{}",
        COMMON, src.file, src.text
    )
}
