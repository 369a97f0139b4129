#!/usr/bin/env bash
# Speed of the `models` feature against PyTorch CPU, both on 2 threads, in the same run:
# criterion (benches/models.rs) then scripts/models_torch_bench.py, which prints the table.
# Creates its own venv (.venv-bench) unless VENV points at one with torch and transformers.
set -euo pipefail
cd "$(dirname "$0")/.."
MODEL_DIR="${ATTNMECH_MODELS:-$HOME/.cache/attnmech}/all-minilm-l6-v2"
[ -s "$MODEL_DIR/model.safetensors" ] || bash scripts/fetch_minilm.sh
VENV="${VENV:-.venv-bench}"
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet torch --index-url https://download.pytorch.org/whl/cpu
  "$VENV/bin/pip" install --quiet transformers
fi
TARGET="${CARGO_TARGET_DIR:-target}"
cargo bench --features models --bench models -- --warm-up-time 1 --measurement-time 3
OMP_NUM_THREADS=2 "$VENV/bin/python" scripts/models_torch_bench.py "$MODEL_DIR" "$TARGET/criterion"
