#!/usr/bin/env bash
# gpu_check.sh - the first minutes on a GPU machine: a verdict on the CUDA backend from the
# prebuilt bundle of tools/gpu_bundle.sh (the GPU machine has the driver, CUDA 13 and PyTorch but
# none of our build dependencies, so nothing is built there). Phases, each under its own time cut
# so that what finished is kept, about 5 minutes in all:
#   libs       every library of every bundled binary resolves (bundle, CUDA, cuDNN from PyTorch)
#   tests      all CUDA tests (dl_tests --gtest_filter='Cuda*': every CUDA op against the CPU,
#              whole training steps, memory, checkpoints)                           cut  80 s
#   memcheck   compute-sanitizer memcheck over a short subset of those tests          cut  35 s
#   bench      the kernel benchmarks in groups (one JSON each), ours against cuDNN
#              and against the device-to-device copy bound                            cut  70 s
#   compare    whole training steps, ours vs PyTorch on this GPU, alternating
#              (benchmarks/compare/compare.py --device cuda: sup64, ae64, simclr64)   cut  65 s
#   train      `train --preset smoke` (SimCLR on MNIST, CUDA) end to end              cut  20 s
# 270 s of cuts plus ~15 s of setup (unpacking, finding the libraries). Then a verdict table (stdout and $OUT_DIR/gpu_check.md); raw logs and JSON next to it.
#
# On the device machine (the repository root of a copy of the working tree; only $OUT comes
# back), with the bundle carried along (docs/profiling.md, "GPU check"):
#   carry ["build/gpu_bundle.tar.gz"], command: bash tools/gpu_check.sh
# Elsewhere:
#   OUT_DIR=results/gpu_check BUNDLE=build/gpu_bundle tools/gpu_check.sh
#   PHASES="tests memcheck" tools/gpu_check.sh       # a subset of the phases
# Exit status: 0 when every phase that ran passed, 1 otherwise, 2 when the bundle is missing.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
[ -d "$ROOT/tools" ] || ROOT=$(pwd)  # run from <bundle>/scripts: paths relative to the cwd
cd "$ROOT"
OUT_DIR=${OUT_DIR:-${OUT:-$ROOT/results/gpu_check}}
BUNDLE=${BUNDLE:-build/gpu_bundle}
PHASES=${PHASES:-libs tests memcheck bench compare train}
mkdir -p "$OUT_DIR"
OUT_DIR=$(cd "$OUT_DIR" && pwd)
REPORT=$OUT_DIR/gpu_check.md
VERDICT=$OUT_DIR/verdict.txt
start=$(date +%s)
status=0
: > "$VERDICT"
verdict() { printf '| %-9s | %-8s | %5s s | %s\n' "$1" "$2" "$3" "$4" >> "$VERDICT"; [ "$2" = FAIL ] && status=1; return 0; }
want() { case " $PHASES " in *" $1 "*) return 0 ;; esac; return 1; }
log() { echo "[gpu_check $(( $(date +%s) - start ))s] $*"; }

# ---- the bundle ------------------------------------------------------------------------------
# Unpack the archive unless the folder already holds the same bundle (same MANIFEST: commit,
# build flags, every file's size); a folder left by an earlier run is replaced.
if [ -f "$BUNDLE.tar.gz" ] &&
   ! tar -xzOf "$BUNDLE.tar.gz" "$(basename "$BUNDLE")/MANIFEST" 2>/dev/null | cmp -s - "$BUNDLE/MANIFEST"; then
  rm -rf "$BUNDLE"
  mkdir -p "$(dirname "$BUNDLE")"
  tar -C "$(dirname "$BUNDLE")" -xzf "$BUNDLE.tar.gz"
fi
if [ ! -x "$BUNDLE/bin/dl_tests" ]; then
  echo "gpu_check.sh: no bundle at $BUNDLE (nor $BUNDLE.tar.gz): run tools/gpu_bundle.sh on a machine with nvcc" \
       "and carry build/gpu_bundle.tar.gz" | tee "$REPORT"
  exit 2
fi
B=$(cd "$BUNDLE" && pwd)

# ---- where the device keeps cuBLAS and cuDNN -------------------------------------------------
# cuBLAS 13: the CUDA toolkit or PyTorch's nvidia wheels; cuDNN 9: PyTorch's nvidia-cudnn wheel
# (the bundle has cuDNN's loader only, as a last resort, so dl_bench starts either way).
PY=${PYTHON:-$(command -v python3 || command -v python || echo python3)}
py_dirs=$("$PY" - 2>/dev/null <<'EOF'
import glob, os
dirs = []
try:
    import nvidia
    for root in list(nvidia.__path__):
        dirs += sorted(glob.glob(os.path.join(root, "*", "lib")) + glob.glob(os.path.join(root, "cu*", "lib")))
except Exception:
    pass
try:
    import torch
    dirs.append(os.path.join(os.path.dirname(torch.__file__), "lib"))
except Exception:
    pass
print(":".join(d for i, d in enumerate(dirs) if d not in dirs[:i] and os.path.isdir(d)))
EOF
)
find_lib() {  # first dir (of the candidates, then ldconfig) that has $1
  local d
  for d in ${CUDA_HOME:-/usr/local/cuda}/lib64 /usr/local/cuda/targets/x86_64-linux/lib /usr/lib/x86_64-linux-gnu \
           $(echo "$py_dirs" | tr ':' ' '); do
    [ -e "$d/$1" ] && { echo "$d"; return 0; }
  done
  ldconfig -p 2>/dev/null | awk -v n="$1" '$1 == n {print $NF; exit}' | xargs -r dirname
}
CUBLAS_DIR=$(find_lib libcublas.so.13)
CUBLASLT_DIR=$(find_lib libcublasLt.so.13)
CUDNN_DIR=
for d in $(echo "$py_dirs" | tr ':' ' ') ${CUDA_HOME:-/usr/local/cuda}/lib64; do
  [ -e "$d/libcudnn.so.9" ] && [ -e "$d/libcudnn_cnn.so.9" ] && { CUDNN_DIR=$d; break; }
done
# Order: the bundle; the device's cuDNN before the bundled loader (whose engines are absent);
# cuBLAS; PyTorch's other nvidia libraries (nvrtc for cuDNN's runtime-compiled engines).
LDP=$B/lib
for d in "$CUDNN_DIR" "$CUBLAS_DIR" "$CUBLASLT_DIR" ${CUDA_HOME:-/usr/local/cuda}/lib64; do
  [ -n "$d" ] && [ -d "$d" ] && case ":$LDP:" in *":$d:"*) ;; *) LDP=$LDP:$d ;; esac
done
for d in $(echo "$py_dirs" | tr ':' ' '); do
  case "$d" in */torch/lib) continue ;; esac  # torch's own copies of common libraries: not ours
  case ":$LDP:" in *":$d:"*) ;; *) LDP=$LDP:$d ;; esac
done
LDP=$LDP:$B/lib/cudnn-fallback
ours() { LD_LIBRARY_PATH=$LDP "$@"; }
SANITIZER=$(command -v compute-sanitizer || ls ${CUDA_HOME:-/usr/local/cuda}/bin/compute-sanitizer 2>/dev/null ||
            ls /usr/local/cuda*/compute-sanitizer/compute-sanitizer 2>/dev/null | head -1)

{
  echo "# GPU check ($(date -u '+%Y-%m-%d %H:%M UTC'))"
  echo
  echo '```'
  nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv 2>&1 | head -3
  echo "bundle: $(head -3 "$B/MANIFEST" | tr '\n' ' ')"
  echo "python: $PY ($("$PY" -c 'import torch; print("torch", torch.__version__, "CUDA", torch.version.cuda, "cuDNN", torch.backends.cudnn.version())' 2>&1 | tail -1))"
  echo "cuBLAS: ${CUBLAS_DIR:-NOT FOUND}   cuDNN: ${CUDNN_DIR:-not found (cuDNN benchmarks skip)}"
  echo "compute-sanitizer: ${SANITIZER:-not found}"
  echo "LD_LIBRARY_PATH for our binaries: $LDP"
  echo '```'
} > "$REPORT"
cat "$REPORT"

# ---- libs ------------------------------------------------------------------------------------
if want libs; then
  t0=$(date +%s)
  missing=$(for f in "$B"/bin/*; do ours ldd "$f" | awk -v b="$(basename "$f")" '/not found/ {print b": "$1}'; done)
  if [ -z "$missing" ]; then
    verdict libs PASS $(( $(date +%s) - t0 )) "every library of the 4 binaries resolves"
  else
    verdict libs FAIL $(( $(date +%s) - t0 )) "missing: $(echo "$missing" | tr '\n' ' ')"
  fi
  for f in "$B"/bin/*; do echo "== $f"; ours ldd "$f"; done > "$OUT_DIR/ldd.log" 2>&1
fi

# ---- tests -----------------------------------------------------------------------------------
if want tests; then
  log "CUDA tests (cut ${TESTS_CUT:-80} s)"
  t0=$(date +%s)
  # The bundle's MNIST: the CUDA tests that run train() (tests/cuda/test_cuda_sync.cpp) need it.
  [ -d "$B/data/mnist" ] && export DL_DATA_DIR=${DL_DATA_DIR:-$B/data}
  ours timeout "${TESTS_CUT:-80}" "$B/bin/dl_tests" --gtest_filter='Cuda*' > "$OUT_DIR/tests.log" 2>&1
  rc=$?
  passed=$(grep -c '^\[       OK \]' "$OUT_DIR/tests.log")
  failed=$(grep -c '^\[  FAILED  \] [A-Za-z0-9_]*\.[A-Za-z0-9_]* (' "$OUT_DIR/tests.log")
  skipped=$(grep -c '^\[  SKIPPED \] [A-Za-z0-9_]*\.[A-Za-z0-9_]* (' "$OUT_DIR/tests.log")
  total=$(ours "$B/bin/dl_tests" --gtest_filter='Cuda*' --gtest_list_tests 2>/dev/null | grep -c '^  ')
  note="$passed passed, $failed failed, $skipped skipped of $total"
  [ $rc -eq 124 ] && note="$note (CUT at ${TESTS_CUT:-80} s: $(grep '^\[ RUN' "$OUT_DIR/tests.log" | tail -1 | awk '{print $4}') was running)"
  # One skip is expected with a GPU: CudaBackend.WithoutGpuAskingForCudaIsAClearError. More skips
  # mean the tests did not run (no usable GPU, or too little memory for CudaLarge): say why.
  why=$(grep -A1 'Skipped$' "$OUT_DIR/tests.log" | grep -v 'Skipped$\|^--\|a GPU is present' | head -1 | cut -c1-160)
  if [ $rc -ne 0 ] || [ "$failed" -ne 0 ]; then verdict tests FAIL $(( $(date +%s) - t0 )) "$note; exit $rc"
  elif [ "$skipped" -gt 1 ] || [ "$passed" -eq 0 ]; then verdict tests SKIPPED $(( $(date +%s) - t0 )) "$note; e.g. $why"
  else verdict tests PASS $(( $(date +%s) - t0 )) "$note"; fi
  {
    echo -e "\n## CUDA tests\n\n$note\n\n\`\`\`"
    grep -E '^\[  (FAILED|SKIPPED) +\] [A-Za-z]' "$OUT_DIR/tests.log" | head -40
    grep -B2 -A12 'Failure$' "$OUT_DIR/tests.log" | head -120
    echo '```'
  } >> "$REPORT"
fi

# ---- memcheck --------------------------------------------------------------------------------
MEMCHECK_FILTER=${MEMCHECK_FILTER:-CudaTrainingStep.EveryMethodMatchesCpu:CudaConv2d.ModelAndOddShapes:CudaAddRelu.*:CudaNarrowCols.*:CudaRows.*:CudaBackend.CopiesRoundTrip:CudaMemory.*}
if want memcheck; then
  log "compute-sanitizer memcheck (cut ${MEMCHECK_CUT:-35} s)"
  t0=$(date +%s)
  if [ -z "$SANITIZER" ]; then
    verdict memcheck SKIP 0 "compute-sanitizer not found"
  else
    ours timeout "${MEMCHECK_CUT:-35}" "$SANITIZER" --tool memcheck --leak-check no --error-exitcode 9 \
      "$B/bin/dl_tests" --gtest_filter="$MEMCHECK_FILTER" > "$OUT_DIR/memcheck.log" 2>&1
    rc=$?
    errors=$(grep -m1 -oE 'ERROR SUMMARY: [0-9]+' "$OUT_DIR/memcheck.log" | awk '{print $3}')
    ran=$(grep -c '^\[       OK \]\|^\[  FAILED  \] [A-Za-z0-9_]*\.[A-Za-z0-9_]* (' "$OUT_DIR/memcheck.log")
    if [ $rc -eq 124 ]; then
      n=$(grep -c '^========= Invalid\|^========= Program hit' "$OUT_DIR/memcheck.log")
      verdict memcheck $([ "$n" -eq 0 ] && echo CUT || echo FAIL) $(( $(date +%s) - t0 )) \
        "cut after $ran tests; $n errors reported so far"
    elif [ "${errors:-x}" = 0 ] && [ $rc -eq 0 ]; then
      verdict memcheck PASS $(( $(date +%s) - t0 )) "0 errors over $ran tests ($MEMCHECK_FILTER)"
    else
      verdict memcheck FAIL $(( $(date +%s) - t0 )) "${errors:-?} errors, exit $rc over $ran tests"
    fi
    { echo -e "\n## memcheck\n\n\`\`\`"; grep -E '^=========' "$OUT_DIR/memcheck.log" | head -60; echo '```'; } >> "$REPORT"
  fi
fi

# ---- kernel benchmarks -----------------------------------------------------------------------
if want bench; then
  log "kernel benchmarks (cut ${BENCH_CUT:-70} s)"
  t0=$(date +%s)
  deadline=$(( t0 + ${BENCH_CUT:-70} ))
  # Groups, each its own process and JSON, so that a cut loses one group only. Conv first: the
  # ratios to cuDNN are the numbers the GPU work is judged on.
  # (Google Benchmark's filter is a POSIX extended regex: "rest" lists its names explicitly.)
  rest=$(ours "$B/bin/dl_bench" --benchmark_list_tests=true --benchmark_filter='^BM_cuda_' 2>/dev/null |
         sed 's|/.*||' | grep -vE '^BM_cuda_(conv|bn|add_relu|memcpy)' | sort -u | paste -sd'|')
  groups=("conv:^BM_cuda_conv" "cudnn_conv:^BM_cudnn_conv" "bn:^BM_cuda_(bn|add_relu|memcpy)|^BM_cudnn_bn"
          "rest:^(${rest:-BM_cuda_copy_bound})(/|\$)")
  ran=() cut=()
  for g in "${groups[@]}"; do
    name=${g%%:*} filter=${g#*:}
    left=$(( deadline - $(date +%s) ))
    [ $left -le 2 ] && { cut+=("$name (not started)"); continue; }
    ours timeout "$left" "$B/bin/dl_bench" --benchmark_filter="$filter" --benchmark_min_time="${MIN_TIME:-0.02}" \
      --benchmark_out="$OUT_DIR/bench_$name.json" --benchmark_out_format=json > "$OUT_DIR/bench_$name.log" 2>&1
    rc=$?
    if [ $rc -eq 0 ]; then ran+=("$name"); else cut+=("$name (exit $rc)"); rm -f "$OUT_DIR/bench_$name.json"; fi
  done
  counts=$("$PY" - "$OUT_DIR" 2>/dev/null <<'PY'
import glob, json, sys
ok = err = 0
for f in glob.glob(sys.argv[1] + "/bench_*.json"):
    for b in json.load(open(f)).get("benchmarks", []):
        if b.get("run_type", "iteration") == "iteration":
            err, ok = err + bool(b.get("error_occurred")), ok + (not b.get("error_occurred"))
print(f"{ok} ran, {err} skipped")
PY
)
  note="${counts:-?}; groups done: ${ran[*]:-none}"
  [ ${#cut[@]} -gt 0 ] && note="$note; not done: ${cut[*]}"
  result=$([ ${#cut[@]} -eq 0 ] && echo PASS || echo CUT)
  case "$counts" in "0 ran"*) result=SKIPPED ;; esac  # e.g. no usable GPU: each says why in the JSON
  verdict bench $result $(( $(date +%s) - t0 )) "$note"
  # Ratios: ours / cuDNN for conv and batchnorm (same shape names), and the memory-bound
  # kernels' GB/s against the device-to-device copy.
  "$PY" - "$OUT_DIR" >> "$REPORT" <<'PY'
import glob, json, sys
runs = {}
for f in sorted(glob.glob(sys.argv[1] + "/bench_*.json")):
    try:
        for b in json.load(open(f))["benchmarks"]:
            if b.get("run_type", "iteration") == "iteration":
                runs[b["name"].replace("/manual_time", "")] = b
    except Exception as e:
        print(f"\n(unreadable {f}: {e})")
ok = {n: b for n, b in runs.items() if not b.get("error_occurred")}
print("\n## Kernel benchmarks (batch 256, CUDA events, L2 flushed)\n")
errs = {n: b.get("error_message", "") for n, b in runs.items() if b.get("error_occurred")}
if errs:
    print(f"{len(errs)} skipped, e.g. {next(iter(errs))}: {next(iter(errs.values()))}\n")
print("### Time relative to cuDNN (ours / cuDNN; 1.0 = as fast, 2.0 = twice as slow)\n")
print("| benchmark | ours (us) | cuDNN (us) | ratio |\n|---|---|---|---|")
for name, b in ok.items():
    if name.startswith("BM_cuda_conv") or name.startswith("BM_cuda_bn_fwd") or name.startswith("BM_cuda_bn_bwd"):
        ref = ok.get(name.replace("BM_cuda_", "BM_cudnn_"))
        ref_t = f"{ref['real_time']:.1f}" if ref else "-"
        ratio = f"{b['real_time'] / ref['real_time']:.2f}" if ref else "-"
        print(f"| {name[3:]} | {b['real_time']:.1f} | {ref_t} | {ratio} |")
bound = ok.get("BM_cuda_copy_bound", {}).get("GB/s")
if bound:
    print(f"\n### Memory-bound kernels against cudaMemcpy D2D ({bound / 1e9:.0f} GB/s)\n")
    print("| benchmark | us | GB/s | of copy bound |\n|---|---|---|---|")
    for name, b in ok.items():
        if "GB/s" in b and name.startswith("BM_cuda"):
            print(f"| {name[3:]} | {b['real_time']:.1f} | {b['GB/s'] / 1e9:.0f} | {b['GB/s'] / bound:.2f} |")
PY
fi

# ---- whole training steps against PyTorch ----------------------------------------------------
if want compare; then
  log "training steps vs PyTorch (cut ${COMPARE_CUT:-65} s)"
  t0=$(date +%s)
  CMP=benchmarks/compare/compare.py
  [ -f "$CMP" ] || CMP=$B/scripts/compare.py
  ours_bin=$B/bin/step_bench_cuda
  timeout "${COMPARE_CUT:-65}" "$PY" "$CMP" --device cuda --rounds "${COMPARE_ROUNDS:-2}" \
    --cases "${COMPARE_CASES:-simclr64,sup64,ae64}" --step-bench "$ours_bin" --ours-ld-path "$LDP" \
    --python "$PY" --timeout 40 > "$OUT_DIR/compare.log" 2>&1
  rc=$?
  # compare.py prints a line per side: "<case> ours <ms> ...", then "<torch label> <ms> ... | ours/this <ratio>".
  cases=$(grep -cE '^(simclr|sup|ae)[0-9]+ +ours ' "$OUT_DIR/compare.log")
  # (An older compare.py prints one line per case ending "| ratio <ours / torch>".)
  summary=$(awk '/^(simclr|sup|ae)[0-9]+ +ours /{c=$1} /ours\/this/{match($0, /ours\/this +[0-9.]+/);
                 print c "=" substr($0, RSTART + 10, RLENGTH - 10)}
                 /^(simclr|sup|ae)[0-9]+ +ours .*\| ratio +[0-9.]+/{match($0, /\| ratio +[0-9.]+/);
                 print $1 "=" substr($0, RSTART + 8, RLENGTH - 8)}' "$OUT_DIR/compare.log" | tr -d ' ' | tr '\n' ' ')
  verdict compare $([ $rc -eq 0 ] && echo DONE || echo CUT) $(( $(date +%s) - t0 )) \
    "$cases cases; ours/torch step time: ${summary:-none} (exit $rc)"
  { echo -e "\n## Training steps, ours vs PyTorch (same GPU, FP32)\n\n\`\`\`"; cat "$OUT_DIR/compare.log"; echo '```'; } >> "$REPORT"
fi

# ---- train -----------------------------------------------------------------------------------
if want train; then
  log "train --preset smoke on CUDA (cut ${TRAIN_CUT:-20} s)"
  t0=$(date +%s)
  if [ -f "$B/data/mnist/train-images-idx3-ubyte.gz" ]; then
    ours timeout "${TRAIN_CUT:-20}" "$B/bin/train" --preset smoke --method simclr --dataset mnist --device cuda \
      --data-dir "$B/data" --out-dir "$OUT_DIR/train_runs" --quiet > "$OUT_DIR/train.log" 2>&1
    rc=$?
    if [ $rc -eq 0 ]; then
      verdict train PASS $(( $(date +%s) - t0 )) "$(grep -oE '"[a-z_]*acc[a-z_]*": *[0-9.]+' "$OUT_DIR/train.log" | head -3 | tr '\n' ' ')"
    else
      verdict train FAIL $(( $(date +%s) - t0 )) "exit $rc: $(grep -m1 'error' "$OUT_DIR/train.log" | cut -c1-160)"
    fi
  else
    verdict train SKIP 0 "no MNIST in the bundle"
  fi
fi

{
  echo -e "\n## Verdict\n"
  echo '| phase | result | time | details'
  echo '|---|---|---|---'
  cat "$VERDICT"
  echo -e "\nTotal: $(( $(date +%s) - start )) s"
} | tee -a "$REPORT"
echo "wrote $REPORT (status $status)"
exit $status
