#!/usr/bin/env bash
# Recomputes tests/fixtures/minilm/reference.safetensors with PyTorch (CPU, float32).
# Creates its own virtual environment (.venv-minilm) unless VENV points at one that has torch,
# transformers and safetensors. Needs the weights: run scripts/fetch_minilm.sh first.
set -euo pipefail
cd "$(dirname "$0")/.."
MODEL_DIR="${ATTNMECH_MODELS:-$HOME/.cache/attnmech}/all-minilm-l6-v2"
[ -s "$MODEL_DIR/model.safetensors" ] || bash scripts/fetch_minilm.sh
VENV="${VENV:-.venv-minilm}"
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet torch --index-url https://download.pytorch.org/whl/cpu
  "$VENV/bin/pip" install --quiet transformers safetensors
fi
HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 OMP_NUM_THREADS="${OMP_NUM_THREADS:-2}" \
  "$VENV/bin/python" scripts/minilm_reference.py "$MODEL_DIR" tests/fixtures/minilm
