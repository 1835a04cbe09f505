#!/usr/bin/env bash
# gpu_check.sh - the one command for a machine with a GPU: configure and build the cuda preset,
# run the CUDA tests (every CUDA op against the CPU) and the CUDA kernel benchmarks (short), and
# write results/gpu_check.md (plus the raw logs and benchmark JSON next to it).
# Budget: under 8 minutes on an H200 with 16 cores (the build is most of it). The benchmarks:
# 123 match BM_cuda|BM_cudnn. With manual (CUDA event) time, Google Benchmark grows the
# iteration count (x10 until a trial reaches 10% of MIN_TIME) until ~0.05 s of kernel time, so a
# benchmark accumulates ~0.08-0.15 s of kernel time, and every iteration also pays an L2 flush
# (~100 MB memset) and an event sync, ~50 us: a benchmark costs about 0.1 s x (1 + 50 us / kernel
# time): ~0.2 s for the 50-100 us kernels, ~1.5-2 s for the ~3 us ones (small row ops, losses,
# narrow_cols, the MLP-sized batchnorms). Estimate: 60-90 s in all (under 3 minutes even if the
# per-iteration overhead were twice that), inside the 240 s timeout below.
#
#   tools/gpu_check.sh            # everything
#   SKIP_BUILD=1 tools/gpu_check.sh
#   BENCH_FILTER='conv|bn' tools/gpu_check.sh
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
OUT=${OUT_DIR:-$ROOT/results}
mkdir -p "$OUT"
REPORT=$OUT/gpu_check.md
JOBS=${JOBS:-$(nproc)}
BENCH_FILTER=${BENCH_FILTER:-BM_cuda|BM_cudnn}
MIN_TIME=${MIN_TIME:-0.05}
start=$(date +%s)
status=0

{
  echo "# GPU check ($(date -u '+%Y-%m-%d %H:%M UTC'))"
  echo
  echo '```'
  nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv 2>&1 | head -3
  /usr/local/cuda/bin/nvcc --version 2>&1 | tail -1
  echo '```'
} > "$REPORT"

# ---- build ---------------------------------------------------------------------------------
if [ -z "${SKIP_BUILD:-}" ]; then
  t0=$(date +%s)
  if cmake --preset cuda > "$OUT/gpu_check_configure.log" 2>&1 &&
     cmake --build --preset cuda -j"$JOBS" > "$OUT/gpu_check_build.log" 2>&1; then
    echo -e "\n## Build\n\nok in $(( $(date +%s) - t0 )) s (cuda preset, -j$JOBS)" >> "$REPORT"
  else
    echo -e "\n## Build\n\nFAILED; last lines of the log:\n\n\`\`\`" >> "$REPORT"
    tail -n 40 "$OUT/gpu_check_build.log" "$OUT/gpu_check_configure.log" >> "$REPORT" 2>/dev/null
    echo '```' >> "$REPORT"
    echo "build failed: see $REPORT"
    exit 1
  fi
fi
BUILD=$ROOT/build/cuda

# ---- tests ---------------------------------------------------------------------------------
t0=$(date +%s)
timeout 300 "$BUILD/tests/dl_tests" --gtest_filter='Cuda*' --gtest_brief=1 > "$OUT/gpu_check_tests.log" 2>&1
rc=$?
{
  echo -e "\n## CUDA tests (CUDA op vs CPU op, forward and gradients)\n"
  echo "exit code $rc in $(( $(date +%s) - t0 )) s"
  echo '```'
  grep -E '^\[  (PASSED|FAILED|SKIPPED) +\]|tests? from .* ran' "$OUT/gpu_check_tests.log" | head -60
  grep -B2 -A12 'Failure' "$OUT/gpu_check_tests.log" | head -80
  echo '```'
} >> "$REPORT"
[ $rc -ne 0 ] && status=1

# ---- benchmarks ----------------------------------------------------------------------------
t0=$(date +%s)
timeout 240 "$BUILD/benchmarks/dl_bench" --benchmark_filter="$BENCH_FILTER" --benchmark_min_time="$MIN_TIME" \
  --benchmark_out="$OUT/gpu_check_bench.json" --benchmark_out_format=json > "$OUT/gpu_check_bench.log" 2>&1
brc=$?
{
  echo -e "\n## Kernel benchmarks (batch 256, CUDA events, L2 flushed; min_time $MIN_TIME s)\n"
  echo "exit code $brc in $(( $(date +%s) - t0 )) s"
  echo '```'
  grep -E '^BM_' "$OUT/gpu_check_bench.log"
  echo '```'
} >> "$REPORT"
[ $brc -ne 0 ] && status=1

# Ratios to the references: ours / cuDNN for conv and batchnorm (same shape names), and the
# memory-bound kernels' GB/s against the device-to-device copy.
if command -v python3 > /dev/null && [ -s "$OUT/gpu_check_bench.json" ]; then
  python3 - "$OUT/gpu_check_bench.json" >> "$REPORT" <<'PY'
import json, sys
runs = {b["name"].replace("/manual_time", ""): b for b in json.load(open(sys.argv[1]))["benchmarks"]
        if b.get("run_type", "iteration") == "iteration" and not b.get("error_occurred")}
print("\n### Time relative to cuDNN (ours / cuDNN; 1.0 = as fast, 2.0 = twice as slow)\n")
print("| benchmark | ours (us) | cuDNN (us) | ratio |\n|---|---|---|---|")
for name, b in runs.items():
    if not name.startswith("BM_cuda_conv") and not name.startswith("BM_cuda_bn"):
        continue
    ref = runs.get(name.replace("BM_cuda_", "BM_cudnn_"))
    if ref:
        print(f"| {name[3:]} | {b['real_time']:.1f} | {ref['real_time']:.1f} | {b['real_time'] / ref['real_time']:.2f} |")
bound = runs.get("BM_cuda_copy_bound", {}).get("GB/s")
if bound:
    print(f"\n### Memory-bound kernels against cudaMemcpy D2D ({bound / 1e9:.0f} GB/s)\n")
    print("| benchmark | GB/s | of copy bound |\n|---|---|---|")
    for name, b in runs.items():
        if "GB/s" in b and name.startswith("BM_cuda"):
            print(f"| {name[3:]} | {b['GB/s'] / 1e9:.0f} | {b['GB/s'] / bound:.2f} |")
PY
fi

echo -e "\nTotal: $(( $(date +%s) - start )) s" >> "$REPORT"
echo "wrote $REPORT (status $status)"
exit $status
