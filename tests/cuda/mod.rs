//! Tests for `attnmech::cuda` (AK8 and the CUDA instance of AK1–AK6).
//!
//! - Without the `cuda` feature, or without a driver / GPU, the constructors must return
//!   `Err(CudaUnavailable)` and never panic; device tests print `SKIP: no CUDA: <reason>` and pass.
//! - Whenever libnvrtc can be loaded (CI installs NVRTC 13.0, see `.ci/cuda.sh`), every `.cu`
//!   file is compiled for sm_90 and a syntax error fails with NVRTC's log, with or without a GPU.
//! - With a GPU, the kernels are compared with the f64 oracle `attention::reference` on fresh
//!   random data (no zeros), poisoned outputs, shapes straddling the tiles, causal N < M and
//!   N > M, padding and fully masked rows.

#[cfg(feature = "cuda")]
mod attention;
#[cfg(feature = "cuda")]
mod losses;
mod nvrtc;

use attnmech::cuda::CudaAttention;

/// The CUDA attention kernel, or `None` after printing a skip line.
#[cfg(feature = "cuda")]
pub(crate) fn cuda_or_skip(test: &str) -> Option<CudaAttention> {
    match CudaAttention::new() {
        Ok(k) => Some(k),
        Err(e) => {
            eprintln!("SKIP: no CUDA: {e} ({test})");
            None
        }
    }
}

/// Claim (AK8): without a usable GPU, asking for one is an `Err(CudaUnavailable)`, not a panic;
/// with a GPU, the probe succeeds and the device reports a name.
#[test]
fn skip_path_returns_cuda_unavailable_without_panicking() {
    let probe = std::panic::catch_unwind(attnmech::cuda::probe);
    let probe = probe.expect("cuda::probe panicked");
    let att = std::panic::catch_unwind(CudaAttention::new).expect("CudaAttention::new panicked");
    match (probe, att) {
        (Ok(()), Ok(_)) => {
            #[cfg(feature = "cuda")]
            {
                let dev = attnmech::cuda::CudaDevice::shared(0).expect("device after probe");
                eprintln!("CUDA device: {}", dev.name().expect("device name"));
            }
        }
        (Err(e1), Err(e2)) => {
            assert!(
                matches!(e1, attnmech::Error::CudaUnavailable(_)),
                "probe: expected CudaUnavailable, got {e1:?}"
            );
            assert!(
                matches!(e2, attnmech::Error::CudaUnavailable(_)),
                "new: expected CudaUnavailable, got {e2:?}"
            );
            eprintln!("SKIP: no CUDA: {e1}");
        }
        (p, a) => panic!("probe and constructor disagree: {p:?} vs {:?}", a.err()),
    }
}

/// Without the feature, the device handle cannot be built either.
#[cfg(not(feature = "cuda"))]
#[test]
fn without_feature_every_constructor_is_unavailable() {
    use attnmech::cuda::CudaDevice;
    assert!(matches!(
        CudaDevice::new(0),
        Err(attnmech::Error::CudaUnavailable(_))
    ));
    assert!(!attnmech::cuda::nvrtc_available());
}

// The shared attention conformance suite (AK1–AK7) on the CUDA kernels. Without a GPU (or without
// the `cuda` feature) the constructor returns `Err(CudaUnavailable)` and every test prints a
// `SKIP:` line. The backward accumulates dQ with atomics, so bitwise determinism is not claimed.
crate::conformance_suite!(
    conformance,
    fallible: attnmech::cuda::CudaAttention::new(),
    deterministic: false
);
