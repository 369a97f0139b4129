//! Device handle, device buffers, NVRTC compilation with a per-device module cache.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use cudarc::driver::sys::CUfunction_attribute_enum;
use cudarc::driver::{
    CudaContext, CudaEvent, CudaFunction, CudaModule, CudaSlice, CudaStream, DeviceRepr,
    DriverError, ValidAsZeroBits,
};
use cudarc::nvrtc::{compile_ptx_with_opts, CompileError, CompileOptions, Ptx};

use super::source::{program_text, KernelSource};
use crate::error::{Error, Result};

/// Maps a driver status to the crate error, naming the call that failed.
pub(crate) fn driver_err(what: &'static str) -> impl Fn(DriverError) -> Error {
    move |e| Error::Cuda(format!("{what}: {e}"))
}

/// Whether `libnvrtc` can be loaded (NVRTC runs on the CPU and needs no driver or GPU).
pub fn nvrtc_available() -> bool {
    // SAFETY: only tries to dlopen the library names; no symbol is called.
    unsafe { cudarc::nvrtc::sys::is_culib_present() }
}

fn driver_available() -> bool {
    // SAFETY: only tries to dlopen the library names; no symbol is called.
    unsafe { cudarc::driver::sys::is_culib_present() }
}

/// Checks whether CUDA device 0 can be used: driver library, at least one device, a context.
/// Never panics; the error says which step failed.
pub fn probe() -> Result<()> {
    CudaDevice::shared(0).map(|_| ())
}

fn describe_compile_error(e: CompileError) -> String {
    match e {
        CompileError::CompileError { nvrtc, log, .. } => {
            format!("{nvrtc:?}\n{}", log.to_string_lossy())
        }
        other => format!("{other:?}"),
    }
}

/// Compiles one kernel source to PTX with NVRTC for `arch` (e.g. `"sm_90"`).
///
/// Needs only `libnvrtc` (no driver, no GPU). A syntax error comes back as [`Error::Cuda`]
/// carrying NVRTC's log.
pub fn compile_source(src: &KernelSource, arch: &str) -> Result<Ptx> {
    if !nvrtc_available() {
        return Err(Error::CudaUnavailable(
            "libnvrtc could not be loaded (set LD_LIBRARY_PATH to a CUDA 13 NVRTC)".into(),
        ));
    }
    let opts = CompileOptions {
        options: vec![
            format!("--gpu-architecture={arch}"),
            "--std=c++17".into(),
            "-lineinfo".into(),
        ],
        name: Some(src.file.into()),
        ..Default::default()
    };
    compile_ptx_with_opts(program_text(src), opts).map_err(|e| {
        Error::Cuda(format!(
            "NVRTC compile of {} for {arch} failed: {}",
            src.file,
            describe_compile_error(e)
        ))
    })
}

/// A CUDA device: its context, the stream every launch of this crate goes to, and the modules
/// compiled for it (each `.cu` file is compiled by NVRTC at first use, once per device).
pub struct CudaDevice {
    ctx: Arc<CudaContext>,
    stream: Arc<CudaStream>,
    arch: String,
    functions: Mutex<HashMap<&'static str, CudaFunction>>,
    modules: Mutex<HashMap<&'static str, Arc<CudaModule>>>,
}

impl std::fmt::Debug for CudaDevice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CudaDevice")
            .field("ordinal", &self.ctx.ordinal())
            .field("arch", &self.arch)
            .finish()
    }
}

impl CudaDevice {
    /// Opens device `ordinal`. Returns [`Error::CudaUnavailable`] (never panics) when there is
    /// no driver library, no NVRTC library, or no such device.
    pub fn new(ordinal: usize) -> Result<Self> {
        if !driver_available() {
            return Err(Error::CudaUnavailable(
                "no CUDA driver library (libcuda.so) could be loaded".into(),
            ));
        }
        if !nvrtc_available() {
            return Err(Error::CudaUnavailable(
                "libnvrtc could not be loaded (set LD_LIBRARY_PATH to a CUDA 13 NVRTC)".into(),
            ));
        }
        let count = CudaContext::device_count()
            .map_err(|e| Error::CudaUnavailable(format!("cuDeviceGetCount: {e}")))?;
        if ordinal >= count.max(0) as usize {
            return Err(Error::CudaUnavailable(format!(
                "device {ordinal} requested, {count} present"
            )));
        }
        let ctx = CudaContext::new(ordinal)
            .map_err(|e| Error::CudaUnavailable(format!("context on device {ordinal}: {e}")))?;
        let (major, minor) = ctx
            .compute_capability()
            .map_err(driver_err("compute capability"))?;
        let stream = ctx.default_stream();
        Ok(CudaDevice {
            ctx,
            stream,
            arch: format!("sm_{major}{minor}"),
            functions: Mutex::new(HashMap::new()),
            modules: Mutex::new(HashMap::new()),
        })
    }

    /// The process-wide handle of device `ordinal` (opened on first use, then shared, so the
    /// compiled modules are cached per device).
    pub fn shared(ordinal: usize) -> Result<Arc<Self>> {
        static DEVICES: OnceLock<Mutex<HashMap<usize, Arc<CudaDevice>>>> = OnceLock::new();
        let mut map = DEVICES
            .get_or_init(|| Mutex::new(HashMap::new()))
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        if let Some(dev) = map.get(&ordinal) {
            return Ok(dev.clone());
        }
        let dev = Arc::new(CudaDevice::new(ordinal)?);
        map.insert(ordinal, dev.clone());
        Ok(dev)
    }

    /// Device name as the driver reports it.
    pub fn name(&self) -> Result<String> {
        self.ctx.name().map_err(driver_err("device name"))
    }

    /// The NVRTC target of this device, e.g. `"sm_90"`.
    pub fn arch(&self) -> &str {
        &self.arch
    }

    /// The stream every launch of this crate goes to.
    pub fn stream(&self) -> &Arc<CudaStream> {
        &self.stream
    }

    /// Waits for all work queued on [`Self::stream`].
    pub fn synchronize(&self) -> Result<()> {
        self.stream.synchronize().map_err(driver_err("synchronize"))
    }

    /// Copies a host slice to a new device buffer.
    pub fn upload<T: DeviceRepr>(&self, host: &[T]) -> Result<DeviceBuffer<T>> {
        Ok(DeviceBuffer {
            slice: self
                .stream
                .clone_htod(host)
                .map_err(driver_err("copy to device"))?,
        })
    }

    /// A new zero-filled device buffer of `len` elements.
    pub fn zeros<T: DeviceRepr + ValidAsZeroBits>(&self, len: usize) -> Result<DeviceBuffer<T>> {
        Ok(DeviceBuffer {
            slice: self
                .stream
                .alloc_zeros(len)
                .map_err(driver_err("device allocation"))?,
        })
    }

    /// Copies a device buffer back to the host (waits for the stream).
    pub fn download<T: DeviceRepr>(&self, buf: &DeviceBuffer<T>) -> Result<Vec<T>> {
        self.stream
            .clone_dtoh(&buf.slice)
            .map_err(driver_err("copy to host"))
    }

    /// Sets every byte of `buf` to zero.
    pub fn fill_zero<T: DeviceRepr + ValidAsZeroBits>(
        &self,
        buf: &mut DeviceBuffer<T>,
    ) -> Result<()> {
        self.stream
            .memset_zeros(&mut buf.slice)
            .map_err(driver_err("memset"))
    }

    fn module(&self, src: &KernelSource) -> Result<Arc<CudaModule>> {
        let mut modules = self.modules.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(m) = modules.get(src.file) {
            return Ok(m.clone());
        }
        let arch: &str = &self.arch;
        let ptx = compile_source(src, arch)?;
        let module = self
            .ctx
            .load_module(ptx)
            .map_err(driver_err("cuModuleLoadData"))?;
        modules.insert(src.file, module.clone());
        Ok(module)
    }

    /// The kernel `name` of `src`, compiled at first use, with its dynamic shared-memory limit
    /// raised to `max_dynamic_smem` bytes (kernels above the default 48 KiB need the opt-in).
    pub(crate) fn function(
        &self,
        src: &KernelSource,
        name: &'static str,
        max_dynamic_smem: usize,
    ) -> Result<CudaFunction> {
        let mut functions = self.functions.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(f) = functions.get(name) {
            return Ok(f.clone());
        }
        let module = self.module(src)?;
        let f = module
            .load_function(name)
            .map_err(driver_err("cuModuleGetFunction"))?;
        if max_dynamic_smem > 48 * 1024 {
            f.set_attribute(
                CUfunction_attribute_enum::CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES,
                max_dynamic_smem as i32,
            )
            .map_err(driver_err("cuFuncSetAttribute(max dynamic shared memory)"))?;
        }
        functions.insert(name, f.clone());
        Ok(f)
    }

    /// A pair of timing events around work queued on this device's stream.
    pub fn timer(&self) -> Result<Timer> {
        let flags = Some(cudarc::driver::sys::CUevent_flags::CU_EVENT_DEFAULT);
        let start = self
            .ctx
            .new_event(flags)
            .map_err(driver_err("cuEventCreate"))?;
        let end = self
            .ctx
            .new_event(flags)
            .map_err(driver_err("cuEventCreate"))?;
        Ok(Timer {
            start,
            end,
            stream: self.stream.clone(),
        })
    }

    /// Unpadded caps of the device: the largest opt-in dynamic shared memory per block.
    pub(crate) fn max_shared_per_block(&self) -> Result<usize> {
        self.ctx
            .attribute(
                cudarc::driver::sys::CUdevice_attribute::CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN,
            )
            .map(|v| v.max(0) as usize)
            .map_err(driver_err("cuDeviceGetAttribute"))
    }
}

/// A typed buffer in device memory (owned; freed on drop).
pub struct DeviceBuffer<T> {
    pub(crate) slice: CudaSlice<T>,
}

impl<T> DeviceBuffer<T> {
    /// Number of elements.
    pub fn len(&self) -> usize {
        self.slice.len()
    }
    /// Whether the buffer has no elements.
    pub fn is_empty(&self) -> bool {
        self.slice.len() == 0
    }
}

/// Device-event timer: [`Timer::start`] and [`Timer::stop`] record events on the device's
/// stream; [`Timer::elapsed_ms`] waits and returns the device time between them.
pub struct Timer {
    start: CudaEvent,
    end: CudaEvent,
    stream: Arc<CudaStream>,
}

impl Timer {
    /// Records the start event.
    pub fn start(&self) -> Result<()> {
        self.start
            .record(&self.stream)
            .map_err(driver_err("cuEventRecord"))
    }
    /// Records the end event.
    pub fn stop(&self) -> Result<()> {
        self.end
            .record(&self.stream)
            .map_err(driver_err("cuEventRecord"))
    }
    /// Milliseconds of device time between the two events (waits for the end event).
    pub fn elapsed_ms(&self) -> Result<f32> {
        self.start
            .elapsed_ms(&self.end)
            .map_err(driver_err("cuEventElapsedTime"))
    }
}
