#!/usr/bin/env bash
# Builds (dev profile: opt-level 2, dependencies 3; the host side is not timed) what scripts/gpu_check.sh runs on a GPU machine and copies it into DEST/.devbin
# (default: this repository's .devbin, git-ignored). Needs NVRTC (see .ci/cuda.sh) for the PTX.
#   scripts/prepare_devbin.sh [DEST]
set -euo pipefail
cd "$(dirname "$0")/.."
DEST="${1:-$PWD}/.devbin"
NVRTC_LIB="$PWD/.ci/nvrtc/nvidia/cu13/lib"
[ -d "$NVRTC_LIB" ] && export LD_LIBRARY_PATH="$NVRTC_LIB:${LD_LIBRARY_PATH:-}"
mkdir -p "$DEST/ptx"
TEST_BIN="$(cargo test --features cuda --test lib --no-run --message-format=json 2>/dev/null \
    | python3 -c 'import sys, json
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "lib" and m.get("executable"):
        print(m["executable"])')"
cargo build --features cuda --example gpu_bench
cp "$TEST_BIN" "$DEST/lib-test"
cp target/debug/examples/gpu_bench "$DEST/gpu_bench"
cp scripts/gpu_check.sh scripts/torch_sdpa_bench.py "$DEST/"
"$DEST/gpu_bench" --dump-ptx "$DEST/ptx"
ls -la "$DEST" "$DEST/ptx"
