#!/usr/bin/env bash
# tools/fuzz.sh [seconds per target] [target ...] - builds the libFuzzer targets (the `fuzz`
# preset: clang, ASan + UBSan) and runs each for the given time (default 60 s), two at a time,
# at low priority. Each target starts from its committed seed corpus fuzz/corpus/<target>/ and
# grows a working corpus in build/fuzz/corpus/<target>/ (not committed). A crash input is copied
# to fuzz/regressions/<target>/, which the normal test suite replays
# (tests/test_fuzz_regressions.cpp). Prints per target: seconds, executions, corpus size, crashes.
#
#   tools/fuzz.sh            # 60 s each
#   tools/fuzz.sh 600 gzip   # 10 minutes of the gzip target
# Environment: FUZZ_BUILD_DIR (default build/fuzz), FUZZ_JOBS (parallel targets, default 2),
# FUZZ_INSTALL=1 installs clang and libFuzzer first (Debian: clang, libfuzzer-14-dev).
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_TARGET="${1:-60}"
shift || true
ALL_TARGETS=(mnist_idx cifar10 gzip safetensors checkpoint config)
[ "$#" -gt 0 ] && TARGETS=("$@") || TARGETS=("${ALL_TARGETS[@]}")
BUILD="${FUZZ_BUILD_DIR:-build/fuzz}"
JOBS="${FUZZ_JOBS:-2}"

if [ "${FUZZ_INSTALL:-0}" = 1 ]; then
  apt-get install -y clang libfuzzer-14-dev libomp-dev
fi
command -v clang++ >/dev/null || { echo "fuzz.sh: clang++ not found (FUZZ_INSTALL=1 installs it)" >&2; exit 1; }

cmake --preset fuzz -B "$BUILD" >/dev/null
ninja -C "$BUILD" $(printf 'fuzz_%s ' "${TARGETS[@]}")

run_one() {
  local t="$1" work="$BUILD/corpus/$1" art="$BUILD/crashes/$1/" log="$BUILD/logs/$1.log"
  mkdir -p "$work" "$art" "$(dirname "$log")"
  # -rss_limit_mb / -malloc_limit_mb: a header that asks for gigabytes is a finding, not a hang.
  nice -n 10 "$BUILD/fuzz/fuzz_$t" "$work" "fuzz/corpus/$t" -max_total_time="$SECONDS_PER_TARGET" \
    -rss_limit_mb=2048 -malloc_limit_mb=1024 -timeout=10 -max_len=16384 -print_final_stats=1 \
    -artifact_prefix="$art" >"$log" 2>&1 || true
  local execs corpus crashes
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
  corpus=$(find "$work" -type f | wc -l)
  crashes=$(find "$art" -type f | wc -l)
  if [ "$crashes" -gt 0 ]; then
    mkdir -p "fuzz/regressions/$t"
    cp "$art"* "fuzz/regressions/$t/"
  fi
  printf '%-12s %6ss %12s execs %6s corpus files %3s crashes (log: %s)\n' "$t" "$SECONDS_PER_TARGET" "$execs" \
    "$corpus" "$crashes" "$log"
}

running=0
for t in "${TARGETS[@]}"; do
  run_one "$t" &
  running=$((running + 1))
  if [ "$running" -ge "$JOBS" ]; then
    wait -n
    running=$((running - 1))
  fi
done
wait
