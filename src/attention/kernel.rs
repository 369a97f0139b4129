//! One trait over every attention implementation, so one conformance suite runs against all of them.

use super::{Forward, Grads, Options, Shape};
use crate::error::{Error, Result};

/// An attention implementation (reference, CPU tiled, CUDA, ...).
///
/// f32 is required; f64 is optional (`supports_f64`). The conformance suite
/// ([`crate::attention::conformance`]) takes `&dyn AttentionKernel`.
pub trait AttentionKernel: Sync {
    /// Short name for messages and reports (`"reference"`, `"cpu"`, `"cuda"`).
    fn name(&self) -> &'static str;
    /// Forward pass in f32.
    fn forward_f32(
        &self,
        q: &[f32],
        k: &[f32],
        v: &[f32],
        shape: Shape,
        opts: &Options,
    ) -> Result<Forward<f32>>;
    /// Backward pass in f32.
    #[allow(clippy::too_many_arguments)]
    fn backward_f32(
        &self,
        q: &[f32],
        k: &[f32],
        v: &[f32],
        fwd: &Forward<f32>,
        d_out: &[f32],
        shape: Shape,
        opts: &Options,
    ) -> Result<Grads<f32>>;
    /// Whether the f64 entry points are implemented.
    fn supports_f64(&self) -> bool {
        false
    }
    /// Forward pass in f64 (default: unsupported).
    fn forward_f64(
        &self,
        _q: &[f64],
        _k: &[f64],
        _v: &[f64],
        _shape: Shape,
        _opts: &Options,
    ) -> Result<Forward<f64>> {
        Err(unsupported(self.name()))
    }
    /// Backward pass in f64 (default: unsupported).
    #[allow(clippy::too_many_arguments)]
    fn backward_f64(
        &self,
        _q: &[f64],
        _k: &[f64],
        _v: &[f64],
        _fwd: &Forward<f64>,
        _d_out: &[f64],
        _shape: Shape,
        _opts: &Options,
    ) -> Result<Grads<f64>> {
        Err(unsupported(self.name()))
    }
}

fn unsupported(name: &'static str) -> Error {
    Error::InvalidArgument {
        what: "dtype",
        reason: format!("{name} has no f64 kernels"),
    }
}

/// Implements the trait for a pair of generic `forward`/`backward` functions.
macro_rules! generic_kernel {
    ($ty:ident, $name:literal, $fwd:path, $bwd:path) => {
        impl AttentionKernel for $ty {
            fn name(&self) -> &'static str {
                $name
            }
            fn forward_f32(
                &self,
                q: &[f32],
                k: &[f32],
                v: &[f32],
                shape: Shape,
                opts: &Options,
            ) -> Result<Forward<f32>> {
                $fwd(q, k, v, shape, opts)
            }
            fn backward_f32(
                &self,
                q: &[f32],
                k: &[f32],
                v: &[f32],
                fwd: &Forward<f32>,
                d_out: &[f32],
                shape: Shape,
                opts: &Options,
            ) -> Result<Grads<f32>> {
                $bwd(q, k, v, fwd, d_out, shape, opts)
            }
            fn supports_f64(&self) -> bool {
                true
            }
            fn forward_f64(
                &self,
                q: &[f64],
                k: &[f64],
                v: &[f64],
                shape: Shape,
                opts: &Options,
            ) -> Result<Forward<f64>> {
                $fwd(q, k, v, shape, opts)
            }
            fn backward_f64(
                &self,
                q: &[f64],
                k: &[f64],
                v: &[f64],
                fwd: &Forward<f64>,
                d_out: &[f64],
                shape: Shape,
                opts: &Options,
            ) -> Result<Grads<f64>> {
                $bwd(q, k, v, fwd, d_out, shape, opts)
            }
        }
    };
}

/// The f64 oracle ([`super::reference`]).
#[derive(Clone, Copy, Debug, Default)]
pub struct Reference;
generic_kernel!(
    Reference,
    "reference",
    super::reference::forward,
    super::reference::backward
);

/// The optimised CPU kernels ([`super::forward`], [`super::backward`]).
#[derive(Clone, Copy, Debug, Default)]
pub struct CpuTiled;
generic_kernel!(CpuTiled, "cpu", super::forward, super::backward);
