//! AK8: every `.cu` source compiles with NVRTC (on the CPU; no driver or GPU needed).

use attnmech::cuda::source::{KernelSource, ALL};
use attnmech::cuda::{compile_source, nvrtc_available};

/// The target of the lent GPUs (H100/H200).
const ARCH: &str = "sm_90";

/// Claim: each file of `cuda/` (with `common.cuh` prepended) compiles for sm_90 and the PTX
/// holds each kernel entry point the Rust side launches. Runs whenever libnvrtc loads; fails
/// with the NVRTC log on a syntax error.
#[test]
fn every_kernel_source_compiles_with_nvrtc() {
    if !nvrtc_available() {
        eprintln!("SKIP: no CUDA: NVRTC unavailable (no `cuda` feature or no loadable libnvrtc; compile check)");
        return;
    }
    for src in ALL {
        match compile_source(src, ARCH) {
            Ok(_ptx) => {
                #[cfg(feature = "cuda")]
                {
                    let text = _ptx.to_src();
                    for entry in entry_points(src) {
                        assert!(
                            text.contains(&format!(".entry {entry}(")),
                            "{}: entry point {entry} missing from the PTX",
                            src.file
                        );
                    }
                }
            }
            Err(e) => panic!("{e}"),
        }
    }
}

/// Names of the `extern "C"` kernels a source declares through its instantiation macros.
#[cfg(feature = "cuda")]
fn entry_points(src: &KernelSource) -> Vec<String> {
    let mut names = Vec::new();
    for line in src.text.lines() {
        let line = line.trim();
        for (mac, prefix) in [
            ("FLASH_FWD_F32(", "flash_fwd_f32_d"),
            ("FLASH_BWD_F32(", "flash_bwd_f32_d"),
        ] {
            if let Some(rest) = line.strip_prefix(mac) {
                let d: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
                names.push(format!("{prefix}{d}"));
            }
        }
    }
    if src.file == "flash_bwd.cu" {
        names.push("flash_bwd_delta_f32".into());
    }
    names
}

/// Negative check: a source with a syntax error is rejected and the error carries the log
/// (so the compile test above can fail, and says why).
#[test]
fn nvrtc_reports_syntax_errors_with_the_log() {
    if !nvrtc_available() {
        eprintln!("SKIP: no CUDA: NVRTC unavailable (no `cuda` feature or no loadable libnvrtc; negative check)");
        return;
    }
    let broken = KernelSource {
        file: "broken.cu",
        text: "extern \"C\" __global__ void k(float* x) { x[0] = undeclared_name; }\n",
    };
    let Err(err) = compile_source(&broken, ARCH) else {
        panic!("broken source compiled");
    };
    let msg = err.to_string();
    assert!(
        msg.contains("undeclared_name") && msg.contains("broken.cu"),
        "log missing: {msg}"
    );
}
