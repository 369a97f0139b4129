//! CUDA kernels compiled at run time by NVRTC through cudarc (feature `cuda`).
//!
//! (Filled in by issue 7.) Without the feature every entry point returns
//! [`crate::Error::CudaUnavailable`].

use crate::error::{Error, Result};

/// Checks whether a CUDA device can be used; never panics.
pub fn probe() -> Result<()> {
    Err(Error::CudaUnavailable(
        "built without the `cuda` feature".into(),
    ))
}
