#!/usr/bin/env bash
# attnmech vs PyTorch CPU SDPA on the shapes of issue 10 section 4 (2 threads each), one table.
# Creates .venv-bench with CPU torch unless VENV points at an existing venv (e.g. VENV=/work/venv).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${VENV:-.venv-bench}"
if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --index-url https://download.pytorch.org/whl/cpu torch
fi
results="$(mktemp)"
RAYON_NUM_THREADS=2 cargo run --release --quiet --example attention_bench | tee "$results"
"$VENV/bin/python" scripts/attention_vs_torch.py "$results"
rm -f "$results"
