#!/usr/bin/env bash
# One prepared run on a GPU machine (no Rust toolchain, no network; PyTorch installed):
#   1. the CUDA conformance tests (prebuilt test binary) against the f64 CPU reference;
#   2. ptxas resource report (registers, spills) of the NVRTC-built PTX, when ptxas exists;
#   3. timings of attnmech's kernels (prebuilt gpu_bench) and of PyTorch's SDPA on the same GPU,
#      printed as one table of TFLOP/s and ratios.
#
# Build on the development machine first (see scripts/prepare_devbin.sh), which fills .devbin/:
#   .devbin/lib-test       cargo test --features cuda --test lib --no-run   (the tests/lib.rs binary)
#   .devbin/gpu_bench      cargo build --features cuda --example gpu_bench   (host side untimed)
#   .devbin/ptx/*.ptx      the kernels compiled by NVRTC for sm_90
#   .devbin/gpu_check.sh, .devbin/torch_sdpa_bench.py   copies of these scripts
# Then: bash .devbin/gpu_check.sh   (writes logs and the table under $OUT when set)
set -uo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
OUT="${OUT:-$HERE/out}"
mkdir -p "$OUT"
REPS="${REPS:-7}"

# libnvrtc.so.13: the CUDA toolkit's, else a pip wheel's (torch ships one in nvidia/cu13).
NVRTC="$(ls /usr/local/cuda/lib64/libnvrtc.so.13* 2>/dev/null | head -1)"
[ -z "$NVRTC" ] && NVRTC="$(find / -xdev -name 'libnvrtc.so.13*' 2>/dev/null | head -1)"
if [ -n "$NVRTC" ]; then
    export LD_LIBRARY_PATH="$(dirname "$NVRTC"):${LD_LIBRARY_PATH:-}"
fi
echo "== nvrtc: ${NVRTC:-not found}"
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.max.sm --format=csv,noheader 2>&1 | head -2

echo "== 1. conformance (CUDA vs f64 reference)"
"$HERE/lib-test" cuda --test-threads=1 --nocapture 2>&1 | tee "$OUT/conformance.log" | grep -E "^test |test result|SKIP|panicked|case|error" | tail -60
CONF=${PIPESTATUS[0]}
echo "conformance exit code: $CONF"

echo "== 2. ptxas resource usage"
if command -v ptxas >/dev/null 2>&1 || [ -x /usr/local/cuda/bin/ptxas ]; then
    PTXAS="$(command -v ptxas || echo /usr/local/cuda/bin/ptxas)"
    for f in "$HERE"/ptx/*.ptx; do
        "$PTXAS" -arch=sm_90 -v "$f" -o /dev/null 2>&1 | grep -E "Compiling|Used|spill" \
            | sed -e 's/ptxas info    : //' -e "s/for 'sm_90'//"
    done 2>&1 | tee "$OUT/ptxas.log" | head -60
else
    echo "no ptxas"
fi

echo "== 3. timings"
"$HERE/gpu_bench" "$REPS" 2>&1 | tee "$OUT/rust_bench.txt"
PYTHONUNBUFFERED=1 python3 "$HERE/torch_sdpa_bench.py" "$OUT/rust_bench.txt" "$REPS" 2>&1 | tee "$OUT/table.txt"
echo "== conformance exit code: $CONF"
exit "$CONF"
