#!/usr/bin/env bash
# Issue 16 side-by-side: attnmech's divergences, verifier, k-NN and Cholesky against PyTorch,
# faiss and scipy in the same run; prints one table of ratios against the issue's targets.
#
#   scripts/compare_kernels.sh                 # creates .venv-bench (torch, faiss-cpu, scipy)
#   VENV=/path/to/venv scripts/compare_kernels.sh   # reuse a venv that has them
#   PROFILE=dev scripts/compare_kernels.sh     # build the Rust side without the release profile
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv-bench}
PROFILE=${PROFILE:-release}
if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet numpy scipy faiss-cpu torch
fi
out=$(mktemp)
RAYON_NUM_THREADS=2 cargo run --quiet --profile "$PROFILE" --example kernel_compare | tee "$out"
OMP_NUM_THREADS=2 "$VENV/bin/python" scripts/compare_kernels.py "$out"
rm -f "$out"
