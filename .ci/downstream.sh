#!/usr/bin/env bash
# A kernel user's build: .ci/downstream depends on attnmech with `default-features = false`.
# Fails if the application's crates (plotting, CLI, JSON, progress bars, statistics) are compiled,
# then builds and runs it.
set -euo pipefail
cd "$(dirname "$0")/.."
manifest=.ci/downstream/Cargo.toml
# attnmech's lock file and target folder: the same dependency versions, compiled once.
cp Cargo.lock .ci/downstream/Cargo.lock
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
tree=$(cargo tree --manifest-path "$manifest" -e normal,build --prefix none --no-dedupe | sort -u)
forbidden='^(plotters|plotters-svg|plotters-backend|clap|clap_builder|clap_derive|serde_json|indicatif|statrs|console) '
if bad=$(grep -E "$forbidden" <<<"$tree"); then
  echo "a default-features = false build compiles application crates:" >&2
  echo "$bad" >&2
  exit 1
fi
echo "$(cut -d' ' -f1 <<<"$tree" | sort -u | wc -l) crates in the kernel-only build"
cargo run --manifest-path "$manifest"
