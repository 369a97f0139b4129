#!/usr/bin/env bash
# Fuzz campaign over every cargo-fuzz target of attnmech (stable Rust, no sanitizer).
#
#     scripts/fuzz_campaign.sh [SECONDS_PER_TARGET] [TARGET...]
#
# Runs each target for SECONDS_PER_TARGET (default 60) from a working corpus seeded with the
# committed one (fuzz/corpus/<target>), then prints one line per target with libFuzzer's final
# counts: executions, coverage (`cov`: edges, `ft`: features) and corpus size, plus the crash
# artifacts found (fuzz/artifacts/<target>/, replayed by `cargo test` once committed).
#
# Environment:
#   FUZZ_WORK=DIR   working corpora (default fuzz/target/campaign; not committed)
#   KEEP_GOING=1    libFuzzer fork mode that records crashes, timeouts and OOMs and continues
#   CMIN=1          afterwards minimise each working corpus into fuzz/corpus/<target> (cargo fuzz cmin)
#   JOBS=N          fork-mode workers (with KEEP_GOING=1; default 1)
#   WELL_POSED=1    build with the fuzz crate's `well-posed` feature (mode byte's hostile bit cleared)
#   NO_BUILD=1      reuse the last `cargo fuzz build -s none -O` instead of building first
#   CARGO_TARGET_DIR  build directory of the fuzz crate, as for any cargo command
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
shift || true
if [ $# -gt 0 ]; then
    targets=("$@")
else
    mapfile -t targets < <(sed -n 's/^name = "\(.*\)"$/\1/p' fuzz/Cargo.toml | grep -v '^attnmech-fuzz$')
fi
work=${FUZZ_WORK:-fuzz/target/campaign}
mkdir -p "$work/logs"
features=()
if [ "${WELL_POSED:-0}" = 1 ]; then
    features=(--features well-posed)
fi
if [ "${NO_BUILD:-0}" != 1 ]; then
    cargo fuzz build -s none -O "${features[@]}" >&2
fi
bin_dir=${CARGO_TARGET_DIR:-fuzz/target}/x86_64-unknown-linux-gnu/release
printf '%-20s %8s %12s %8s %8s %8s %8s\n' target seconds execs cov ft corpus crashes
total=0
for t in "${targets[@]}"; do
    mkdir -p "$work/corpus/$t" "fuzz/corpus/$t" "fuzz/artifacts/$t"
    extra=()
    if [ "${KEEP_GOING:-0}" = 1 ]; then
        extra=(-fork="${JOBS:-1}" -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1)
    fi
    log="$work/logs/$t.log"
    # What `cargo fuzz run -s none -O <target>` runs, without its rebuild check.
    "$bin_dir/$t" -artifact_prefix="fuzz/artifacts/$t/" "$work/corpus/$t" "fuzz/corpus/$t" \
        -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=2048 \
        -max_len=4096 -print_final_stats=1 "${extra[@]}" >"$log" 2>&1 || true
    # The last status line, "#<execs> <event> cov: <edges> ft: <features> corp: <units>/...",
    # carries the totals (in fork mode too).
    last=$(grep -E '^#[0-9]+' "$log" | tail -n 1 || true)
    execs=$(sed -n 's/^#\([0-9]*\).*/\1/p' <<<"$last")
    cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
    ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
    corp=$(sed -n 's/.* corp: \([0-9]*\).*/\1/p' <<<"$last")
    crashes=$(find "fuzz/artifacts/$t" -type f ! -name '*.md' | wc -l)
    printf '%-20s %8s %12s %8s %8s %8s %8s\n' "$t" "$secs" "${execs:-0}" "${cov:-?}" "${ft:-?}" "${corp:-?}" "$crashes"
    total=$((total + ${execs:-0}))
    if [ "${CMIN:-0}" = 1 ]; then
        cargo fuzz cmin -s none -O "${features[@]}" "$t" "$work/corpus/$t" -- -rss_limit_mb=2048 >>"$log" 2>&1 || true
        rm -rf "fuzz/corpus/$t"
        cp -r "$work/corpus/$t" "fuzz/corpus/$t"
    fi
done
printf '%-20s %8s %12s\n' total "" "$total"
