#!/usr/bin/env bash
# Mutation testing of the theorem checks (issue 13): cargo-mutants on the paper modules' source
# files, killed (or not) by the `tests/lib.rs` binary. Not part of CI: a module costs tens of
# minutes on 2 cores. Survivors go to proofs-notes/MUTANTS.md, each killed by a new check or
# explained as equivalent.
#
# Usage:
#   scripts/mutants.sh                      # the src/ files this branch touches (vs $BASE)
#   scripts/mutants.sh src/cascade/*.rs     # these files
#
# Environment:
#   BASE         git ref to diff against when no files are given (default: main)
#   TEST_FILTER  test-name filters for the lib test binary (space-separated substrings, any may
#                match), so each mutant runs only the checks that can see it (e.g. `cascade`, which
#                also selects hostile::cascade); default: every test in tests/lib.rs
#   TIMEOUT      seconds per mutant's test run (default 300)
#   JOBS         parallel mutants (default 1; each builds the crate)
#   IN_PLACE     1: mutate this checkout in place (reuses its incremental build)
#   OUT          where cargo-mutants writes mutants.out/ (default: target)
#   FEATURES     cargo features to build with (default: papers, without the default features:
#                the paper modules and their tests, not the report or the CLI, build faster)
#   SHARD        k/n: run only every n-th mutant (those with index ≡ k mod n in `--list` order,
#                cargo-mutants' round-robin sharding): a reproducible systematic sample for
#                estimating a module's kill rate when the whole module is too slow for the machine
#   PROFILE      cargo profile (default `mutants`: opt-level 1, no debug info, incremental; see
#                Cargo.toml: a mutant rebuild takes about 35 s instead of 85 s at the test profile)
#   BASELINE     `skip` to skip the unmutated baseline run (when it is known to pass)
#   UNIT         1: also build and run the unit tests in src/ (`--lib`), which some kernels' checks
#                live in (e.g. `distill::lanes::tests`); about doubles a mutant's build time
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v cargo-mutants >/dev/null 2>&1; then
  echo "== installing cargo-mutants"
  cargo install cargo-mutants --locked
fi

files=("$@")
if [ ${#files[@]} -eq 0 ]; then
  base=${BASE:-main}
  mapfile -t files < <(
    {
      git diff --name-only "$base"... -- 'src/*.rs'
      git diff --name-only -- 'src/*.rs'
    } | sort -u
  )
fi
# Only files that still exist (a change may delete some).
existing=()
for f in "${files[@]}"; do
  [ -f "$f" ] && existing+=("$f")
done
if [ ${#existing[@]} -eq 0 ]; then
  echo "no src/*.rs files to mutate"
  exit 0
fi

args=()
for f in "${existing[@]}"; do
  args+=(--file "$f")
done
echo "== cargo mutants on: ${existing[*]}"
# `--cargo-arg=--test=lib` builds and runs only the theorem-check binary; cargo-mutants hands
# what follows its own `--` to `cargo test`, so a second `--` sends the filters to the binary
# (libtest takes several; `cargo test` alone takes only one TESTNAME). IN_PLACE=1 mutates this checkout instead of a
# fresh copy, so the crate's incremental build is reused across runs (do not edit meanwhile).
# The exit status is non-zero when mutants survive: that is the report, not a script failure.
set +e
# shellcheck disable=SC2086 # TEST_FILTER is a space-separated list of libtest filters
cargo mutants "${args[@]}" --profile "${PROFILE:-mutants}" --no-default-features --features "${FEATURES:-papers}" \
  --cargo-arg=--test=lib ${UNIT:+--cargo-arg=--lib} --timeout "${TIMEOUT:-300}" --output "${OUT:-target}" \
  $(if [ -n "${IN_PLACE:-}" ]; then echo --in-place; else echo --jobs "${JOBS:-1}"; fi) \
  ${SHARD:+--shard "$SHARD" --sharding round-robin} ${BASELINE:+--baseline "$BASELINE"} \
  ${TEST_FILTER:+-- -- $TEST_FILTER}
status=$?
set -e
out="${OUT:-target}/mutants.out"
if [ -d "$out" ]; then
  echo "== survivors (missed.txt), to list in proofs-notes/MUTANTS.md"
  cat "$out/missed.txt" 2>/dev/null || true
  echo "== caught: $(wc -l <"$out/caught.txt" 2>/dev/null || echo 0), missed: $(wc -l <"$out/missed.txt" 2>/dev/null || echo 0), unviable: $(wc -l <"$out/unviable.txt" 2>/dev/null || echo 0), timeout: $(wc -l <"$out/timeout.txt" 2>/dev/null || echo 0)"
fi
exit $status
