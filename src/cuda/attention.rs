//! FlashAttention-2 forward/backward on a CUDA device, mirroring [`crate::attention`].

use std::sync::Arc;

use cudarc::driver::{DeviceRepr, LaunchConfig, PushKernelArg};

use super::device::{driver_err, CudaDevice, DeviceBuffer};
use super::source::{KernelSource, FLASH_BWD, FLASH_FWD, FLASH_FWD_BF16};
use super::MAX_HEAD_DIM;
use crate::attention::{
    validate_backward, validate_forward, AttentionKernel, Feature, Forward, Grads, GradsMut,
    Options, Plan, Shape, View, ViewMut,
};
use crate::error::{check_len, Error, Result};

const THREADS: u32 = 128;
const FWD_BR: usize = 64;
const FWD_BC: usize = 64;

/// Compile-time head dimension of the kernel instance that serves `d` (`d` is zero-padded).
fn padded_dim(d: usize) -> usize {
    match d {
        0..=32 => 32,
        33..=64 => 64,
        65..=128 => 128,
        _ => 256,
    }
}

/// `(kernel, key tile BC, query tile BR, threads)` of the backward instance for padded dim `dp`
/// (must match the `FLASH_BWD_F32` instantiations in `cuda/flash_bwd.cu`).
fn bwd_config(dp: usize) -> (&'static str, usize, usize, u32) {
    match dp {
        32 => ("flash_bwd_f32_d32", 64, 64, 128),
        64 => ("flash_bwd_f32_d64", 64, 64, 128),
        128 => ("flash_bwd_f32_d128", 64, 32, 128),
        _ => ("flash_bwd_f32_d256", 32, 32, 128),
    }
}

/// `(kernel, threads)` of the forward instance (must match `FLASH_FWD_F32` in
/// `cuda/flash_fwd.cu`).
fn fwd_kernel(dp: usize) -> (&'static str, u32) {
    match dp {
        32 => ("flash_fwd_f32_d32", 128),
        64 => ("flash_fwd_f32_d64", 128),
        128 => ("flash_fwd_f32_d128", 128),
        _ => ("flash_fwd_f32_d256", 128),
    }
}

/// Largest head dimension of the bf16 tensor-core forward kernel.
pub const MAX_HEAD_DIM_BF16: usize = 128;

/// Q tile plus double-buffered K and V tiles, `[64][dp + 8]` bf16 each.
fn fwd_bf16_smem_bytes(dp: usize) -> usize {
    2 * (FWD_BR + 4 * FWD_BC) * (dp + 8)
}

fn fwd_smem_bytes(dp: usize) -> usize {
    4 * (2 * FWD_BR * (dp + 4) + FWD_BR * (FWD_BC + 4))
}

fn bwd_smem_bytes(dp: usize, bc: usize, br: usize) -> usize {
    4 * ((2 * bc + 2 * br) * (dp + 4) + bc * (br + 4) + 3 * br)
}

fn to_i32(what: &'static str, x: usize) -> Result<i32> {
    i32::try_from(x).map_err(|_| Error::InvalidArgument {
        what,
        reason: format!("{x} does not fit the kernels' 32-bit sizes"),
    })
}

/// Kernel arguments shared by forward and backward, checked against the device's limits.
struct Launch {
    heads: i32,
    n: i32,
    m: i32,
    d: i32,
    causal: i32,
    scale: f32,
    bh: u32,
    dp: usize,
}

impl Launch {
    fn new(plan: &Plan) -> Result<Self> {
        let s = plan.shape();
        if s.head_dim > MAX_HEAD_DIM {
            return Err(Error::InvalidArgument {
                what: "shape.head_dim",
                reason: format!(
                    "the CUDA kernels support head_dim <= {MAX_HEAD_DIM}, got {}",
                    s.head_dim
                ),
            });
        }
        let bh = s.batch_heads();
        if bh > 65_535 {
            return Err(Error::InvalidArgument {
                what: "shape",
                reason: format!("batch * heads = {bh} exceeds the grid limit 65535"),
            });
        }
        // Element offsets are computed in 64 bits on the device, row indices in 32 bits.
        to_i32("shape.q_len", s.q_len.max(s.kv_len) + 1)?;
        Ok(Launch {
            heads: to_i32("shape.heads", s.heads)?,
            n: to_i32("shape.q_len", s.q_len)?,
            m: to_i32("shape.kv_len", s.kv_len)?,
            d: to_i32("shape.head_dim", s.head_dim)?,
            causal: i32::from(plan.causal()),
            scale: plan.scale() as f32,
            bh: bh as u32,
            dp: padded_dim(s.head_dim),
        })
    }
}

/// FlashAttention-2 on a CUDA device, f32 inputs, f32 accumulation.
///
/// Same contract as [`crate::attention::forward`] / [`crate::attention::backward`]: layout
/// `[B, H, N, d]` / `[B, H, M, d]` row-major, `lse` `[B, H, N]` (natural log of each softmax
/// denominator), scale default `1/sqrt(d)`, bottom-right causal (`j <= i + M − N`),
/// `kv_valid_len` right padding; a row that sees no key gets output `0`, `lse = −∞` and zero
/// gradients. `head_dim <= 256`, `batch · heads <= 65535`.
///
/// Work per call (the FlashAttention convention): forward `4·B·H·N·M·d` FLOPs, backward 2.5×,
/// both halved when causal. The backward pass accumulates `dQ` with atomics, so its last bits
/// may differ between runs.
#[derive(Clone, Debug)]
pub struct CudaAttention {
    dev: Arc<CudaDevice>,
}

impl CudaAttention {
    /// Attention on device 0. [`Error::CudaUnavailable`] (never a panic) without a driver,
    /// NVRTC or GPU.
    pub fn new() -> Result<Self> {
        Ok(CudaAttention {
            dev: CudaDevice::shared(0)?,
        })
    }

    /// Attention on a given device.
    pub fn on(dev: Arc<CudaDevice>) -> Self {
        CudaAttention { dev }
    }

    /// The device the kernels run on.
    pub fn device(&self) -> &Arc<CudaDevice> {
        &self.dev
    }

    /// Forward pass from host slices (uploads, runs, downloads). Validates like the CPU kernel.
    pub fn forward(
        &self,
        q: &[f32],
        k: &[f32],
        v: &[f32],
        shape: Shape,
        opts: &Options,
    ) -> Result<Forward<f32>> {
        let plan = validate_forward(q, k, v, shape, opts)?;
        if shape.q_elems() == 0 || shape.kv_elems() == 0 {
            return Ok(empty_forward(shape));
        }
        let dev = &self.dev;
        let (qd, kd, vd) = (dev.upload(q)?, dev.upload(k)?, dev.upload(v)?);
        let mut out = dev.zeros::<f32>(shape.q_elems())?;
        let mut lse = dev.zeros::<f32>(shape.lse_elems())?;
        self.launch_forward(&plan, &qd, &kd, &vd, &mut out, &mut lse)?;
        Ok(Forward {
            out: dev.download(&out)?,
            lse: dev.download(&lse)?,
        })
    }

    /// Backward pass from host slices. `fwd` must be this call's forward result.
    #[allow(clippy::too_many_arguments)]
    pub fn backward(
        &self,
        q: &[f32],
        k: &[f32],
        v: &[f32],
        fwd: &Forward<f32>,
        d_out: &[f32],
        shape: Shape,
        opts: &Options,
    ) -> Result<Grads<f32>> {
        let plan = validate_backward(q, k, v, fwd, d_out, shape, opts)?;
        if shape.q_elems() == 0 || shape.kv_elems() == 0 {
            return Ok(Grads {
                dq: vec![0.0; shape.q_elems()],
                dk: vec![0.0; shape.kv_elems()],
                dv: vec![0.0; shape.kv_elems()],
                d_sink: Vec::new(),
            });
        }
        let dev = &self.dev;
        let (qd, kd, vd) = (dev.upload(q)?, dev.upload(k)?, dev.upload(v)?);
        let (od, ld, gd) = (
            dev.upload(&fwd.out)?,
            dev.upload(&fwd.lse)?,
            dev.upload(d_out)?,
        );
        let mut dq = dev.zeros::<f32>(shape.q_elems())?;
        let mut dk = dev.zeros::<f32>(shape.kv_elems())?;
        let mut dv = dev.zeros::<f32>(shape.kv_elems())?;
        self.launch_backward(
            &plan, &qd, &kd, &vd, &od, &ld, &gd, &mut dq, &mut dk, &mut dv,
        )?;
        Ok(Grads {
            dq: dev.download(&dq)?,
            dk: dev.download(&dk)?,
            dv: dev.download(&dv)?,
            d_sink: Vec::new(),
        })
    }

    /// Forward pass on device buffers (queued on the device's stream; no host synchronisation).
    /// Checks lengths and options; the values are not checked for finiteness.
    #[allow(clippy::too_many_arguments)]
    pub fn forward_device(
        &self,
        q: &DeviceBuffer<f32>,
        k: &DeviceBuffer<f32>,
        v: &DeviceBuffer<f32>,
        out: &mut DeviceBuffer<f32>,
        lse: &mut DeviceBuffer<f32>,
        shape: Shape,
        opts: &Options,
    ) -> Result<()> {
        let plan = Plan::new(shape, opts)?;
        check_forward_lens(shape, [q.len(), k.len(), v.len(), out.len(), lse.len()])?;
        if shape.q_elems() == 0 {
            return Ok(());
        }
        if shape.kv_elems() == 0 {
            let host = empty_forward(shape);
            *out = self.dev.upload(&host.out)?;
            *lse = self.dev.upload(&host.lse)?;
            return Ok(());
        }
        self.launch_forward(&plan, q, k, v, out, lse)
    }

    /// Backward pass on device buffers (`out`, `lse` from [`Self::forward_device`]); writes
    /// `dq`, `dk`, `dv`. Checks lengths and options, not values.
    #[allow(clippy::too_many_arguments)]
    pub fn backward_device(
        &self,
        q: &DeviceBuffer<f32>,
        k: &DeviceBuffer<f32>,
        v: &DeviceBuffer<f32>,
        out: &DeviceBuffer<f32>,
        lse: &DeviceBuffer<f32>,
        d_out: &DeviceBuffer<f32>,
        dq: &mut DeviceBuffer<f32>,
        dk: &mut DeviceBuffer<f32>,
        dv: &mut DeviceBuffer<f32>,
        shape: Shape,
        opts: &Options,
    ) -> Result<()> {
        let plan = Plan::new(shape, opts)?;
        for (what, want, got) in [
            ("q", shape.q_elems(), q.len()),
            ("k", shape.kv_elems(), k.len()),
            ("v", shape.kv_elems(), v.len()),
            ("out", shape.q_elems(), out.len()),
            ("lse", shape.lse_elems(), lse.len()),
            ("d_out", shape.q_elems(), d_out.len()),
            ("dq", shape.q_elems(), dq.len()),
            ("dk", shape.kv_elems(), dk.len()),
            ("dv", shape.kv_elems(), dv.len()),
        ] {
            check_len(what, want, got)?;
        }
        if shape.q_elems() == 0 || shape.kv_elems() == 0 {
            self.dev.fill_zero(dq)?;
            self.dev.fill_zero(dk)?;
            return self.dev.fill_zero(dv);
        }
        self.launch_backward(&plan, q, k, v, out, lse, d_out, dq, dk, dv)
    }

    fn valid_lens(&self, plan: &Plan) -> Result<DeviceBuffer<i32>> {
        let valid = plan
            .valid()
            .iter()
            .map(|&l| to_i32("options.kv_valid_len", l))
            .collect::<Result<Vec<_>>>()?;
        self.dev.upload(&valid)
    }

    fn check_smem(&self, bytes: usize) -> Result<()> {
        let cap = self.dev.max_shared_per_block()?;
        if bytes > cap {
            return Err(Error::CudaUnavailable(format!(
                "kernel needs {bytes} bytes of shared memory per block, the device allows {cap}"
            )));
        }
        Ok(())
    }

    fn launch_forward(
        &self,
        plan: &Plan,
        q: &DeviceBuffer<f32>,
        k: &DeviceBuffer<f32>,
        v: &DeviceBuffer<f32>,
        out: &mut DeviceBuffer<f32>,
        lse: &mut DeviceBuffer<f32>,
    ) -> Result<()> {
        let a = Launch::new(plan)?;
        let (name, threads) = fwd_kernel(a.dp);
        let kernel = (&FLASH_FWD, name, threads, fwd_smem_bytes(a.dp));
        self.launch_forward_kernel(kernel, plan, &a, q, k, v, out, lse)
    }

    /// Launches a forward kernel with the signature shared by `flash_fwd_f32_d*` and
    /// `flash_fwd_bf16_d*`: `(q, k, v, out, lse, valid_len, heads, n, m, d, scale_log2, causal)`,
    /// one block per 64 query rows and (batch, head). `kernel` is (source, entry point, threads,
    /// dynamic shared memory bytes).
    #[allow(clippy::too_many_arguments)]
    fn launch_forward_kernel<T: DeviceRepr>(
        &self,
        kernel: (&KernelSource, &'static str, u32, usize),
        plan: &Plan,
        a: &Launch,
        q: &DeviceBuffer<T>,
        k: &DeviceBuffer<T>,
        v: &DeviceBuffer<T>,
        out: &mut DeviceBuffer<T>,
        lse: &mut DeviceBuffer<f32>,
    ) -> Result<()> {
        let (src, name, threads, smem) = kernel;
        self.check_smem(smem)?;
        let f = self.dev.function(src, name, smem)?;
        let valid = self.valid_lens(plan)?;
        let scale_log2 = (plan.scale() * std::f64::consts::LOG2_E) as f32;
        let cfg = LaunchConfig {
            grid_dim: (plan.shape().q_len.div_ceil(FWD_BR) as u32, a.bh, 1),
            block_dim: (threads, 1, 1),
            shared_mem_bytes: smem as u32,
        };
        let mut b = self.dev.stream().launch_builder(&f);
        b.arg(&q.slice)
            .arg(&k.slice)
            .arg(&v.slice)
            .arg(&mut out.slice)
            .arg(&mut lse.slice)
            .arg(&valid.slice)
            .arg(&a.heads)
            .arg(&a.n)
            .arg(&a.m)
            .arg(&a.d)
            .arg(&scale_log2)
            .arg(&a.causal);
        // SAFETY: the argument list matches the forward kernels' common signature, and every
        // buffer length was checked against the shape the kernel indexes with.
        unsafe { b.launch(cfg) }.map_err(|e| Error::Cuda(format!("launch {name}: {e}")))?;
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn launch_backward(
        &self,
        plan: &Plan,
        q: &DeviceBuffer<f32>,
        k: &DeviceBuffer<f32>,
        v: &DeviceBuffer<f32>,
        out: &DeviceBuffer<f32>,
        lse: &DeviceBuffer<f32>,
        d_out: &DeviceBuffer<f32>,
        dq: &mut DeviceBuffer<f32>,
        dk: &mut DeviceBuffer<f32>,
        dv: &mut DeviceBuffer<f32>,
    ) -> Result<()> {
        let a = Launch::new(plan)?;
        let shape = plan.shape();
        let (name, bc, br, threads) = bwd_config(a.dp);
        let smem = bwd_smem_bytes(a.dp, bc, br);
        self.check_smem(smem)?;
        let f_delta = self.dev.function(&FLASH_BWD, "flash_bwd_delta_f32", 0)?;
        let f = self.dev.function(&FLASH_BWD, name, smem)?;
        let valid = self.valid_lens(plan)?;
        let stream = self.dev.stream();

        let rows = shape.lse_elems() as i64;
        let mut delta = self.dev.zeros::<f32>(shape.lse_elems())?;
        let cfg = LaunchConfig {
            grid_dim: (
                (shape.lse_elems().div_ceil(THREADS as usize / 32)) as u32,
                1,
                1,
            ),
            block_dim: (THREADS, 1, 1),
            shared_mem_bytes: 0,
        };
        let mut b = stream.launch_builder(&f_delta);
        b.arg(&out.slice)
            .arg(&d_out.slice)
            .arg(&mut delta.slice)
            .arg(&rows)
            .arg(&a.d);
        // SAFETY: matches `flash_bwd_delta_f32`; out and d_out hold rows * d elements.
        unsafe { b.launch(cfg) }.map_err(driver_err("launch flash_bwd_delta_f32"))?;

        self.dev.fill_zero(dq)?;
        let cfg = LaunchConfig {
            grid_dim: (shape.kv_len.div_ceil(bc) as u32, a.bh, 1),
            block_dim: (threads, 1, 1),
            shared_mem_bytes: smem as u32,
        };
        let mut b = stream.launch_builder(&f);
        b.arg(&q.slice)
            .arg(&k.slice)
            .arg(&v.slice)
            .arg(&d_out.slice)
            .arg(&lse.slice)
            .arg(&delta.slice)
            .arg(&mut dq.slice)
            .arg(&mut dk.slice)
            .arg(&mut dv.slice)
            .arg(&valid.slice)
            .arg(&a.heads)
            .arg(&a.n)
            .arg(&a.m)
            .arg(&a.d)
            .arg(&a.scale)
            .arg(&a.causal);
        // SAFETY: matches `flash_bwd_f32_d*` in cuda/flash_bwd.cu; lengths checked by callers.
        unsafe { b.launch(cfg) }.map_err(driver_err("launch flash_bwd_f32"))?;
        Ok(())
    }
}

/// Forward result of the bf16 kernel: `out` in bf16 words, `lse` in f32.
#[derive(Clone, Debug, PartialEq)]
pub struct ForwardBf16 {
    /// `[batch, heads, q_len, head_dim]`, bf16 stored as `u16` (see [`super::bf16`]).
    pub out: Vec<u16>,
    /// `[batch, heads, q_len]`, natural log of each softmax denominator; `−∞` for empty rows.
    pub lse: Vec<f32>,
}

impl CudaAttention {
    /// bf16 forward pass from host slices of bf16 words (see [`super::bf16`]): tensor cores
    /// (`mma.sync` m16n8k16) with f32 accumulation and an f32 online softmax; `out` rounded to
    /// bf16 once at the end. Same conventions as [`Self::forward`]; `head_dim <= 128`.
    pub fn forward_bf16(
        &self,
        q: &[u16],
        k: &[u16],
        v: &[u16],
        shape: Shape,
        opts: &Options,
    ) -> Result<ForwardBf16> {
        Plan::new(shape, opts)?;
        check_len("q", shape.q_elems(), q.len())?;
        check_len("k", shape.kv_elems(), k.len())?;
        check_len("v", shape.kv_elems(), v.len())?;
        for (what, x) in [("q", q), ("k", k), ("v", v)] {
            // exponent all ones: inf or NaN
            if let Some(index) = x.iter().position(|&w| w & 0x7f80 == 0x7f80) {
                return Err(Error::NonFinite { what, index });
            }
        }
        if shape.q_elems() == 0 || shape.kv_elems() == 0 {
            return Ok(ForwardBf16 {
                out: vec![0; shape.q_elems()],
                lse: vec![f32::NEG_INFINITY; shape.lse_elems()],
            });
        }
        let dev = &self.dev;
        let (qd, kd, vd) = (dev.upload(q)?, dev.upload(k)?, dev.upload(v)?);
        let mut out = dev.zeros::<u16>(shape.q_elems())?;
        let mut lse = dev.zeros::<f32>(shape.lse_elems())?;
        self.forward_bf16_device(&qd, &kd, &vd, &mut out, &mut lse, shape, opts)?;
        Ok(ForwardBf16 {
            out: dev.download(&out)?,
            lse: dev.download(&lse)?,
        })
    }

    /// bf16 forward pass on device buffers (queued, no host synchronisation). Checks lengths and
    /// options, not values. Needs `q_len, kv_len >= 1`.
    #[allow(clippy::too_many_arguments)]
    pub fn forward_bf16_device(
        &self,
        q: &DeviceBuffer<u16>,
        k: &DeviceBuffer<u16>,
        v: &DeviceBuffer<u16>,
        out: &mut DeviceBuffer<u16>,
        lse: &mut DeviceBuffer<f32>,
        shape: Shape,
        opts: &Options,
    ) -> Result<()> {
        let plan = Plan::new(shape, opts)?;
        check_forward_lens(shape, [q.len(), k.len(), v.len(), out.len(), lse.len()])?;
        if shape.head_dim > MAX_HEAD_DIM_BF16 {
            return Err(Error::InvalidArgument {
                what: "shape.head_dim",
                reason: format!(
                    "the bf16 kernel supports head_dim <= {MAX_HEAD_DIM_BF16}, got {}",
                    shape.head_dim
                ),
            });
        }
        if shape.q_elems() == 0 || shape.kv_elems() == 0 {
            return Err(Error::InvalidArgument {
                what: "shape",
                reason: "the device bf16 entry point needs q_len, kv_len >= 1".into(),
            });
        }
        let a = Launch::new(&plan)?;
        let dp = a.dp.max(64);
        let name = if dp == 64 {
            "flash_fwd_bf16_d64"
        } else {
            "flash_fwd_bf16_d128"
        };
        let kernel = (&FLASH_FWD_BF16, name, THREADS, fwd_bf16_smem_bytes(dp));
        self.launch_forward_kernel(kernel, &plan, &a, q, k, v, out, lse)
    }
}

/// Checks the lengths of `[q, k, v, out, lse]` against the shape.
fn check_forward_lens(shape: Shape, lens: [usize; 5]) -> Result<()> {
    let want = [
        ("q", shape.q_elems()),
        ("k", shape.kv_elems()),
        ("v", shape.kv_elems()),
        ("out", shape.q_elems()),
        ("lse", shape.lse_elems()),
    ];
    for ((what, expected), got) in want.into_iter().zip(lens) {
        check_len(what, expected, got)?;
    }
    Ok(())
}

/// The result when there is nothing to attend to: zeros and `lse = −∞` (or empty buffers).
fn empty_forward(shape: Shape) -> Forward<f32> {
    Forward {
        out: vec![0.0; shape.q_elems()],
        lse: vec![f32::NEG_INFINITY; shape.lse_elems()],
    }
}

/// The dense `[B, H, S, D]` slice of a view, when the view is exactly that (the CUDA kernels
/// take no other layout).
fn dense<'a>(what: &'static str, x: &View<'a, f32>) -> Result<&'a [f32]> {
    let d = x.dims();
    let n = d.batch * d.heads * d.seq * d.dim;
    if x.is_bhsd() && x.data().len() >= n {
        Ok(&x.data()[..n])
    } else {
        Err(Error::InvalidArgument {
            what,
            reason: "the CUDA kernels take dense [B, H, S, D] views only".into(),
        })
    }
}

/// The dense shape of `q`, `k`, `v` views, or `Err` for what the CUDA kernels do not support
/// (GQA, `d_v ≠ d`, and through [`check_cuda_options`] the newer options).
fn dense_shape(q: &View<'_, f32>, k: &View<'_, f32>, v: &View<'_, f32>) -> Result<Shape> {
    let (qd, kd, vd) = (q.dims(), k.dims(), v.dims());
    if kd.heads != qd.heads || vd.dim != qd.dim {
        return Err(Error::InvalidArgument {
            what: "k.heads",
            reason: "the CUDA kernels support neither GQA nor d_v != d".into(),
        });
    }
    Ok(Shape {
        batch: qd.batch,
        heads: qd.heads,
        q_len: qd.seq,
        kv_len: kd.seq,
        head_dim: qd.dim,
    })
}

fn check_cuda_options(opts: &Options) -> Result<()> {
    let unsupported = opts.get_window().is_some()
        || opts.get_softcap().is_some()
        || opts.get_alibi().is_some()
        || opts.get_sinks().is_some()
        || opts.get_varlen().is_some();
    if unsupported {
        return Err(Error::InvalidArgument {
            what: "options",
            reason: "the CUDA kernels support causal, scale and kv_valid_len only".into(),
        });
    }
    Ok(())
}

impl AttentionKernel for CudaAttention {
    fn name(&self) -> &'static str {
        "cuda"
    }
    fn supports(&self, feature: Feature) -> bool {
        matches!(feature, Feature::Causal | Feature::KeyPadding)
    }
    fn forward_into(
        &self,
        q: View<'_, f32>,
        k: View<'_, f32>,
        v: View<'_, f32>,
        opts: &Options,
        mut out: ViewMut<'_, f32>,
        lse: &mut [f32],
    ) -> Result<()> {
        check_cuda_options(opts)?;
        let shape = dense_shape(&q, &k, &v)?;
        let f = self.forward(
            dense("q", &q)?,
            dense("k", &k)?,
            dense("v", &v)?,
            shape,
            opts,
        )?;
        check_len("lse", f.lse.len(), lse.len())?;
        let od = out.dims();
        if !out.as_view().is_bhsd() || od.batch * od.heads * od.seq * od.dim != f.out.len() {
            return Err(Error::InvalidArgument {
                what: "out",
                reason: "the CUDA kernels write dense [B, H, S, D] views only".into(),
            });
        }
        for b in 0..od.batch {
            for h in 0..od.heads {
                for s in 0..od.seq {
                    let at = ((b * od.heads + h) * od.seq + s) * od.dim;
                    out.row_mut(b, s, h)
                        .copy_from_slice(&f.out[at..at + od.dim]);
                }
            }
        }
        lse.copy_from_slice(&f.lse);
        Ok(())
    }
    fn backward_into(
        &self,
        q: View<'_, f32>,
        k: View<'_, f32>,
        v: View<'_, f32>,
        out: View<'_, f32>,
        lse: &[f32],
        d_out: View<'_, f32>,
        opts: &Options,
        grads: GradsMut<'_, f32>,
    ) -> Result<()> {
        check_cuda_options(opts)?;
        let shape = dense_shape(&q, &k, &v)?;
        let fwd = Forward {
            out: dense("fwd.out", &out)?.to_vec(),
            lse: lse.to_vec(),
        };
        let g = self.backward(
            dense("q", &q)?,
            dense("k", &k)?,
            dense("v", &v)?,
            &fwd,
            dense("d_out", &d_out)?,
            shape,
            opts,
        )?;
        for (mut dst, src) in [(grads.dq, g.dq), (grads.dk, g.dk), (grads.dv, g.dv)] {
            let dd = dst.dims();
            if !dst.as_view().is_bhsd() || dd.batch * dd.heads * dd.seq * dd.dim != src.len() {
                return Err(Error::InvalidArgument {
                    what: "grads",
                    reason: "the CUDA kernels write dense [B, H, S, D] views only".into(),
                });
            }
            for b in 0..dd.batch {
                for h in 0..dd.heads {
                    for s in 0..dd.seq {
                        let at = ((b * dd.heads + h) * dd.seq + s) * dd.dim;
                        dst.row_mut(b, s, h).copy_from_slice(&src[at..at + dd.dim]);
                    }
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_head_dim_maps_to_an_instance_that_holds_it() {
        for d in 1..=MAX_HEAD_DIM {
            let dp = padded_dim(d);
            assert!(dp >= d && dp.is_multiple_of(32), "d = {d} -> {dp}");
            let (_, bc, br, threads) = bwd_config(dp);
            let row_groups = threads as usize / 8;
            assert!(bc.is_multiple_of(row_groups) && br.is_multiple_of(row_groups));
            // Shared memory stays under the Hopper opt-in limit (227 KiB).
            assert!(fwd_smem_bytes(dp) <= 227 * 1024);
            assert!(bwd_smem_bytes(dp, bc, br) <= 227 * 1024);
            assert!(fwd_bf16_smem_bytes(dp.max(64)) <= 227 * 1024);
        }
    }
}
