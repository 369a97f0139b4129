//! Times the CUDA attention kernels with device events (used by `scripts/gpu_check.sh`).
//!
//! `cargo build --features cuda --example gpu_bench`, then on a GPU machine
//! `gpu_bench [reps]`. Prints one `RESULT` line per (dtype, shape, causal) with the median
//! milliseconds of forward and of forward + backward, and TFLOP/s in the FlashAttention
//! convention (forward 4·B·H·N²·d, backward 2.5×, causal halves). Exits 0 with a `SKIP` line
//! when no GPU is usable.

use attnmech::attention::{Options, Shape};
use attnmech::cuda::{CudaAttention, DeviceBuffer};
use attnmech::Result;

/// Cheap deterministic fill in ±[0.25, 1.25] (no zeros), fast enough for 10^8 elements.
fn fill(n: usize, seed: u64) -> Vec<f32> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let u = (x >> 40) as f32 / (1u64 << 24) as f32; // [0, 1)
            let mag = 0.25 + u;
            if x & 1 == 0 {
                mag
            } else {
                -mag
            }
        })
        .collect()
}

fn median(mut xs: Vec<f32>) -> f32 {
    xs.sort_by(|a, b| a.total_cmp(b));
    xs[xs.len() / 2]
}

struct Buffers {
    q: DeviceBuffer<f32>,
    k: DeviceBuffer<f32>,
    v: DeviceBuffer<f32>,
    g: DeviceBuffer<f32>,
    out: DeviceBuffer<f32>,
    lse: DeviceBuffer<f32>,
    dq: DeviceBuffer<f32>,
    dk: DeviceBuffer<f32>,
    dv: DeviceBuffer<f32>,
}

fn time_f32(att: &CudaAttention, s: Shape, causal: bool, reps: usize) -> Result<(f32, f32)> {
    let dev = att.device();
    let mut b = Buffers {
        q: dev.upload(&fill(s.q_elems(), 1))?,
        k: dev.upload(&fill(s.kv_elems(), 2))?,
        v: dev.upload(&fill(s.kv_elems(), 3))?,
        g: dev.upload(&fill(s.q_elems(), 4))?,
        out: dev.zeros(s.q_elems())?,
        lse: dev.zeros(s.lse_elems())?,
        dq: dev.zeros(s.q_elems())?,
        dk: dev.zeros(s.kv_elems())?,
        dv: dev.zeros(s.kv_elems())?,
    };
    let opts = Options::new().causal(causal);
    let fwd =
        |b: &mut Buffers| att.forward_device(&b.q, &b.k, &b.v, &mut b.out, &mut b.lse, s, &opts);
    let bwd = |b: &mut Buffers| {
        att.backward_device(
            &b.q, &b.k, &b.v, &b.out, &b.lse, &b.g, &mut b.dq, &mut b.dk, &mut b.dv, s, &opts,
        )
    };
    let timer = dev.timer()?;
    // Warm-up: NVRTC compile, module load, first-touch.
    for _ in 0..2 {
        fwd(&mut b)?;
        bwd(&mut b)?;
    }
    dev.synchronize()?;
    let mut t_fwd = Vec::new();
    let mut t_all = Vec::new();
    for _ in 0..reps {
        timer.start()?;
        fwd(&mut b)?;
        timer.stop()?;
        t_fwd.push(timer.elapsed_ms()?);
        timer.start()?;
        fwd(&mut b)?;
        bwd(&mut b)?;
        timer.stop()?;
        t_all.push(timer.elapsed_ms()?);
    }
    // Sanity: outputs finite (a NaN here means a kernel bug at the timed size).
    let out = dev.download(&b.out)?;
    let dq = dev.download(&b.dq)?;
    if out.iter().chain(dq.iter()).any(|x| !x.is_finite()) {
        eprintln!("WARNING: non-finite output at {s:?} causal={causal}");
    }
    Ok((median(t_fwd), median(t_all)))
}

/// Writes the NVRTC PTX of every kernel source for sm_90 into `dir` (for `ptxas -v` on a machine
/// that has the toolkit).
fn dump_ptx(dir: &str) -> Result<()> {
    std::fs::create_dir_all(dir)?;
    for src in attnmech::cuda::source::ALL {
        let ptx = attnmech::cuda::compile_source(src, "sm_90")?;
        let path = format!("{dir}/{}.ptx", src.file.trim_end_matches(".cu"));
        std::fs::write(&path, ptx.to_src())?;
        println!("wrote {path}");
    }
    Ok(())
}

fn time_bf16(att: &CudaAttention, s: Shape, causal: bool, reps: usize) -> Result<f32> {
    use attnmech::cuda::bf16;
    let dev = att.device();
    let q = dev.upload(&bf16::slice_from_f32(&fill(s.q_elems(), 1)))?;
    let k = dev.upload(&bf16::slice_from_f32(&fill(s.kv_elems(), 2)))?;
    let v = dev.upload(&bf16::slice_from_f32(&fill(s.kv_elems(), 3)))?;
    let mut out = dev.zeros::<u16>(s.q_elems())?;
    let mut lse = dev.zeros::<f32>(s.lse_elems())?;
    let opts = Options::new().causal(causal);
    let timer = dev.timer()?;
    for _ in 0..2 {
        att.forward_bf16_device(&q, &k, &v, &mut out, &mut lse, s, &opts)?;
    }
    let mut t = Vec::new();
    for _ in 0..reps {
        timer.start()?;
        att.forward_bf16_device(&q, &k, &v, &mut out, &mut lse, s, &opts)?;
        timer.stop()?;
        t.push(timer.elapsed_ms()?);
    }
    if dev.download(&lse)?.iter().any(|x| !x.is_finite()) {
        eprintln!("WARNING: non-finite bf16 lse at {s:?} causal={causal}");
    }
    Ok(median(t))
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() == 3 && args[1] == "--dump-ptx" {
        if let Err(e) = dump_ptx(&args[2]) {
            eprintln!("{e}");
            std::process::exit(1);
        }
        return;
    }
    let reps: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(7);
    let att = match CudaAttention::new() {
        Ok(a) => a,
        Err(e) => {
            println!("SKIP: no CUDA: {e}");
            return;
        }
    };
    let name = att.device().name().unwrap_or_default();
    println!("DEVICE {name}");
    for &d in &[64usize, 128] {
        for &causal in &[false, true] {
            let s = Shape {
                batch: 4,
                heads: 16,
                q_len: 4096,
                kv_len: 4096,
                head_dim: d,
            };
            match time_f32(&att, s, causal, reps) {
                Ok((f, fb)) => {
                    let ff = s.flops_forward(causal);
                    let fbf = ff + s.flops_backward(causal);
                    println!(
                        "RESULT impl=attnmech dtype=f32 B=4 H=16 N=4096 d={d} causal={} fwd_ms={f:.4} fwdbwd_ms={fb:.4} fwd_tflops={:.3} fwdbwd_tflops={:.3}",
                        u8::from(causal),
                        ff / (f as f64 * 1e9),
                        fbf / (fb as f64 * 1e9)
                    );
                }
                Err(e) => println!(
                    "RESULT impl=attnmech dtype=f32 B=4 H=16 N=4096 d={d} causal={} error={}",
                    u8::from(causal),
                    e.to_string().replace(char::is_whitespace, "_")
                ),
            }
            match time_bf16(&att, s, causal, reps) {
                Ok(f) => println!(
                    "RESULT impl=attnmech dtype=bf16 B=4 H=16 N=4096 d={d} causal={} fwd_ms={f:.4} fwd_tflops={:.3}",
                    u8::from(causal),
                    s.flops_forward(causal) / (f as f64 * 1e9)
                ),
                Err(e) => println!(
                    "RESULT impl=attnmech dtype=bf16 B=4 H=16 N=4096 d={d} causal={} error={}",
                    u8::from(causal),
                    e.to_string().replace(char::is_whitespace, "_")
                ),
            }
        }
    }
}
