//! Stand-ins for the CUDA types when the crate is built without the `cuda` feature (candle's
//! dummy-backend pattern): the same names exist, every constructor returns
//! [`Error::CudaUnavailable`], and the types cannot be instantiated otherwise.

use std::convert::Infallible;
use std::marker::PhantomData;
use std::sync::Arc;

use super::source::KernelSource;
use crate::attention::{AttentionKernel, Feature, GradsMut, Options, View, ViewMut};
use crate::error::{Error, Result};

fn not_compiled() -> Error {
    Error::CudaUnavailable("built without the `cuda` feature".into())
}

/// Always `Err(CudaUnavailable)`: the crate was built without the `cuda` feature.
pub fn probe() -> Result<()> {
    Err(not_compiled())
}

/// Always `false` without the `cuda` feature.
pub fn nvrtc_available() -> bool {
    false
}

/// Always `Err(CudaUnavailable)` without the `cuda` feature.
pub fn compile_source(_src: &KernelSource, _arch: &str) -> Result<()> {
    Err(not_compiled())
}

/// A CUDA device (uninhabited without the `cuda` feature).
#[derive(Debug)]
pub struct CudaDevice {
    never: Infallible,
}

impl CudaDevice {
    /// Always `Err(CudaUnavailable)` without the `cuda` feature.
    pub fn new(_ordinal: usize) -> Result<Self> {
        Err(not_compiled())
    }
    /// Always `Err(CudaUnavailable)` without the `cuda` feature.
    pub fn shared(_ordinal: usize) -> Result<Arc<Self>> {
        Err(not_compiled())
    }
    /// Device name.
    pub fn name(&self) -> Result<String> {
        match self.never {}
    }
}

/// A device buffer (uninhabited without the `cuda` feature).
pub struct DeviceBuffer<T> {
    never: Infallible,
    _t: PhantomData<T>,
}

impl<T> DeviceBuffer<T> {
    /// Number of elements.
    pub fn len(&self) -> usize {
        match self.never {}
    }
    /// Whether the buffer has no elements.
    pub fn is_empty(&self) -> bool {
        match self.never {}
    }
}

/// Device-event timer (uninhabited without the `cuda` feature).
pub struct Timer {
    never: Infallible,
}

impl Timer {
    /// Milliseconds between the two events.
    pub fn elapsed_ms(&self) -> Result<f32> {
        match self.never {}
    }
}

/// Largest head dimension of the bf16 forward kernel.
pub const MAX_HEAD_DIM_BF16: usize = 128;

/// Forward result of the bf16 kernel (same fields as with the `cuda` feature).
#[derive(Clone, Debug, PartialEq)]
pub struct ForwardBf16 {
    /// `[batch, heads, q_len, head_dim]` bf16 words.
    pub out: Vec<u16>,
    /// `[batch, heads, q_len]`.
    pub lse: Vec<f32>,
}

/// FlashAttention-2 on a CUDA device (uninhabited without the `cuda` feature).
#[derive(Clone, Debug)]
pub struct CudaAttention {
    never: Arc<Infallible>,
}

impl CudaAttention {
    /// Always `Err(CudaUnavailable)` without the `cuda` feature.
    pub fn new() -> Result<Self> {
        Err(not_compiled())
    }
}

impl AttentionKernel for CudaAttention {
    fn name(&self) -> &'static str {
        "cuda"
    }
    fn supports(&self, _: Feature) -> bool {
        match *self.never {}
    }
    fn forward_into(
        &self,
        _q: View<'_, f32>,
        _k: View<'_, f32>,
        _v: View<'_, f32>,
        _opts: &Options,
        _out: ViewMut<'_, f32>,
        _lse: &mut [f32],
    ) -> Result<()> {
        match *self.never {}
    }
    fn backward_into(
        &self,
        _q: View<'_, f32>,
        _k: View<'_, f32>,
        _v: View<'_, f32>,
        _out: View<'_, f32>,
        _lse: &[f32],
        _d_out: View<'_, f32>,
        _opts: &Options,
        _grads: GradsMut<'_, f32>,
    ) -> Result<()> {
        match *self.never {}
    }
}

/// GPU losses (uninhabited without the `cuda` feature).
#[derive(Clone, Debug)]
pub struct CudaLosses {
    _never: Arc<Infallible>,
}

impl CudaLosses {
    /// Always `Err(CudaUnavailable)` without the `cuda` feature.
    pub fn new() -> Result<Self> {
        Err(not_compiled())
    }
}
