#!/usr/bin/env bash
# CI for the `cuda` feature (called from .ci/run; needs no GPU and no CUDA toolkit):
#   - installs NVRTC of the CUDA 13.0 series (the lent GPUs run driver 580 = CUDA 13.0; PTX from
#     a newer NVRTC may not load there) into .ci/nvrtc (git-ignored), once;
#   - builds and tests with --features cuda: the NVRTC test compiles every cuda/*.cu for sm_90,
#     so a syntax error in a kernel fails here; device tests print "SKIP: no CUDA: ..." and pass;
#   - lints with clippy --features cuda.
# Usage: .ci/cuda.sh            (from anywhere; extra cargo test args are passed through)
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never

NVRTC_DIR=.ci/nvrtc
NVRTC_LIB="$PWD/$NVRTC_DIR/nvidia/cu13/lib"
if [ ! -e "$NVRTC_LIB/libnvrtc.so.13" ]; then
    echo "== installing NVRTC 13.0 into $NVRTC_DIR"
    python3 -m pip install --quiet --disable-pip-version-check --target "$NVRTC_DIR" \
        "nvidia-cuda-nvrtc==13.0.*"
fi
export LD_LIBRARY_PATH="$NVRTC_LIB:${LD_LIBRARY_PATH:-}"
# NVRTC is installed above, so the compile check must run: a missing libnvrtc fails the test.
export ATTNMECH_REQUIRE_NVRTC=1

echo "== cargo test --features cuda: builds every target with the feature, then runs the CUDA tests"
echo "   (NVRTC compile of every kernel; GPU tests skip without a GPU; the CPU suite ran in .ci/run)"
cargo test --release --features cuda --no-run
cargo test --release --features cuda --test lib cuda "$@" -- --nocapture 2>&1 | tee /tmp/attnmech-nvrtc.log
test "${PIPESTATUS[0]}" -eq 0

echo "== NVRTC compile check must have run (not skipped)"
if grep -q "SKIP: no CUDA: NVRTC unavailable" /tmp/attnmech-nvrtc.log; then
    echo "NVRTC was not loadable: the kernel compile check did not run" >&2
    exit 1
fi

echo "== cargo clippy --features cuda --all-targets -- -D warnings"
cargo clippy --features cuda --all-targets -- -D warnings

echo "CUDA CI OK"
