#!/usr/bin/env bash
# gpu_bundle.sh - builds, on a machine with nvcc but without a GPU, everything tools/gpu_check.sh
# runs on a GPU machine that has no build dependencies (no OpenBLAS, GoogleTest, Google Benchmark,
# cairo, CLI11 or JSON packages; only the NVIDIA driver, CUDA 13 and a Python with PyTorch):
#
#   <bundle>/bin/     dl_tests, dl_bench, train, step_bench_cuda (sm_90: H100 and H200)
#   <bundle>/lib/     every shared library they load that is not glibc, libstdc++/libgcc, the
#                     NVIDIA driver or cuBLAS (OpenBLAS, gfortran, quadmath, gomp, benchmark,
#                     cairo and its libraries, zlib, ..., and the small cudart)
#   <bundle>/lib/cudnn-fallback/libcudnn.so.9
#                     cuDNN's loader only (dl_bench links it for the cuDNN reference benchmarks);
#                     its engine libraries (~500 MB) are not bundled: gpu_check.sh puts the
#                     device's own cuDNN (PyTorch's wheel) first, and without it the cuDNN
#                     benchmarks skip, saying why
#   <bundle>/data/mnist/   the MNIST files (11 MB) for gpu_check.sh's short `train` run
#   <bundle>/scripts/      gpu_check.sh and benchmarks/compare's scripts, as built
#   <bundle>/MANIFEST      the commit, the build flags, every file and where each library came from
# and <bundle>.tar.gz (what travels to the device: it must stay well under 48 MiB).
#
# cuBLAS/cuBLASLt (~600 MB) are the one CUDA dependency left outside: the device has them in its
# CUDA toolkit or PyTorch's nvidia-cublas wheel, and gpu_check.sh finds them.
#
#   tools/gpu_bundle.sh                           # configure + build build/gpu-sm90, bundle, tar, check
#   tools/gpu_bundle.sh --build-dir build/cuda --reuse --out build/cuda/gpu_bundle --no-tar
#                                                 # CI: bundle an existing cuda-preset build and check it
#   tools/gpu_bundle.sh --check-only build/gpu_bundle
#   tools/gpu_bundle.sh --build-dir build/gpu-sm90 --no-build   # bundle what is built, as it is
#
# The check (also run at the end of every bundling): each binary starts (--gtest_list_tests,
# --help, --benchmark_list_tests) with LD_LIBRARY_PATH = the bundle's lib dirs + CUDA's lib dir,
# and `ldd` resolves every library of every binary and bundled library inside the bundle, except
# glibc, libstdc++/libgcc, the CUDA driver and cuBLAS/cuBLASLt. Exit status 1 if any check fails.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

BUILD=build/gpu-sm90
OUT=build/gpu_bundle
REUSE=0
TAR=1
CHECK_ONLY=
ARCH=90
while [ $# -gt 0 ]; do
  case "$1" in
    --build-dir) BUILD=$2; shift ;;
    --out) OUT=$2; shift ;;
    --reuse) REUSE=1 ;;
    --no-build) REUSE=2 ;;
    --no-tar) TAR=0 ;;
    --arch) ARCH=$2; shift ;;
    --check-only) CHECK_ONLY=$2; shift ;;
    -h|--help) awk 'NR > 1 && /^#/ {print; next} NR > 1 {exit}' "$0"; exit 0 ;;
    *) echo "gpu_bundle.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done

CUDA_HOME=${CUDA_HOME:-/usr/local/cuda}
CUDA_LIB=$CUDA_HOME/lib64
BINS="tests/dl_tests benchmarks/dl_bench bin/train benchmarks/step_bench_cuda"

# Libraries allowed to resolve outside the bundle: glibc, the C++ runtime, the driver, cuBLAS.
system_lib() {
  case "$(basename "$1")" in
    linux-vdso.so*|ld-linux*|libc.so*|libm.so*|libpthread.so*|libdl.so*|librt.so*|libresolv.so*|libutil.so*) return 0 ;;
    libstdc++.so*|libgcc_s.so*) return 0 ;;
    libcuda.so*|libnvidia-*) return 0 ;;
    libcublas.so*|libcublasLt.so*) return 0 ;;
  esac
  return 1
}

# ---- the self-containment check --------------------------------------------------------------
check_bundle() {
  local B fails=0
  B=$(cd "$1" && pwd)
  local LDP="$B/lib:$B/lib/cudnn-fallback:$CUDA_LIB"
  echo "== self-containment check of $B (LD_LIBRARY_PATH=<bundle>/lib:<bundle>/lib/cudnn-fallback:$CUDA_LIB)"
  local f
  for f in "$B"/bin/* "$B"/lib/*.so* "$B"/lib/cudnn-fallback/*.so*; do
    [ -f "$f" ] || continue
    local out
    out=$(env -i PATH=/usr/bin:/bin LD_LIBRARY_PATH="$LDP" ldd "$f" 2>&1) || true
    while read -r line; do
      [ -z "$line" ] && continue
      case "$line" in
        *"not a dynamic executable"*|*"statically linked"*) continue ;;
      esac
      local name path
      name=$(echo "$line" | awk '{print $1}')
      path=$(echo "$line" | awk '$2 == "=>" {print $3}')
      if echo "$line" | grep -q 'not found'; then
        echo "FAIL $(basename "$f"): $name not found"; fails=$((fails + 1)); continue
      fi
      [ -z "$path" ] && path=$name
      case "$path" in "$B"/*) continue ;; esac
      system_lib "$path" && continue
      echo "FAIL $(basename "$f"): $name resolved outside the bundle ($path)"; fails=$((fails + 1))
    done <<< "$out"
  done
  start() {  # name, args...: the binary must exit 0 and print something
    local bin=$1; shift
    local log
    if log=$(env -i PATH=/usr/bin:/bin HOME=/tmp LD_LIBRARY_PATH="$LDP" timeout 60 "$B/bin/$bin" "$@" 2>&1) &&
       [ -n "$log" ]; then
      echo "ok   $bin $* ($(echo "$log" | wc -l) lines)"
    else
      echo "FAIL $bin $* did not start:"; echo "$log" | tail -5; fails=$((fails + 1))
    fi
  }
  start dl_tests --gtest_list_tests
  start dl_bench --benchmark_list_tests=true --benchmark_filter='BM_cuda|BM_cudnn'
  start train --help
  start step_bench_cuda --help
  echo "libraries outside the bundle (allowed): $(for f in "$B"/bin/*; do
      env -i LD_LIBRARY_PATH="$LDP" ldd "$f" 2>/dev/null | awk '$2 == "=>" {print $1}'; done | sort -u |
      while read -r n; do system_lib "$n" && [ ! -e "$B/lib/$n" ] && printf '%s ' "$n"; done)"
  if [ $fails -eq 0 ]; then echo "== self-contained: yes"; else echo "== self-contained: NO ($fails problems)"; fi
  return $((fails > 0))
}

if [ -n "$CHECK_ONLY" ]; then
  check_bundle "$CHECK_ONLY"
  exit $?
fi

# ---- build -----------------------------------------------------------------------------------
if [ "$REUSE" = 0 ]; then
  # Portable host code (-march=x86-64-v3: AVX2/FMA, which the CPU kernels need, and nothing
  # specific to this machine's CPU); device code for sm_$ARCH only.
  cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DDL_WITH_CUDA=ON \
    -DCMAKE_CUDA_ARCHITECTURES="$ARCH" -DDL_NATIVE=OFF -DCMAKE_CXX_FLAGS=-march=x86-64-v3 > /dev/null
fi
[ "$REUSE" = 2 ] || ninja -C "$BUILD" dl_tests dl_bench train step_bench_cuda
for b in $BINS; do
  [ -x "$BUILD/$b" ] || { echo "gpu_bundle.sh: $BUILD/$b was not built" >&2; exit 1; }
done

# ---- collect ---------------------------------------------------------------------------------
rm -rf "$OUT"
mkdir -p "$OUT/bin" "$OUT/lib/cudnn-fallback" "$OUT/scripts" "$OUT/data"
MANIFEST=$OUT/MANIFEST
{
  echo "commit: $(git rev-parse HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD 2>/dev/null || echo ' (+ uncommitted changes)')"
  echo "build: $BUILD ($(grep -E '^CMAKE_CUDA_ARCHITECTURES:|^CMAKE_CXX_FLAGS:|^DL_NATIVE:' "$BUILD/CMakeCache.txt" | tr '\n' ' '))"
  echo "nvcc: $("$CUDA_HOME/bin/nvcc" --version | tail -1)"
  echo
  echo "files:"
} > "$MANIFEST"
for b in $BINS; do
  # Host symbols are dropped (the device code keeps its line info for compute-sanitizer).
  strip --strip-unneeded -o "$OUT/bin/$(basename "$b")" "$BUILD/$b"
done

# Every library the binaries load (ldd lists the whole closure), copied under its soname.
for b in "$OUT"/bin/*; do ldd "$b"; done | awk '$2 == "=>" && $3 ~ /^\// {print $1, $3}' | sort -u |
  while read -r soname path; do
    system_lib "$soname" && continue
    case "$soname" in
      libcudnn*) cp -L "$path" "$OUT/lib/cudnn-fallback/$soname" ;;
      *) cp -L "$path" "$OUT/lib/$soname" ;;
    esac
    echo "  lib $soname <- $path" >> "$MANIFEST"
  done

# Data for the `train` run: MNIST, found as the programs find it (data/data_dir.h).
DATA_SRC=
for d in "${DL_DATA_DIR:-}" data ../shared/data; do
  [ -n "$d" ] && [ -f "$d/mnist/train-images-idx3-ubyte.gz" ] && { DATA_SRC=$d; break; }
done
if [ -n "$DATA_SRC" ]; then
  mkdir -p "$OUT/data/mnist"
  cp "$DATA_SRC"/mnist/*-ubyte.gz "$OUT/data/mnist/"
  echo "  data mnist <- $DATA_SRC/mnist" >> "$MANIFEST"
else
  echo "  data: MNIST not found (DL_DATA_DIR, ./data, ../shared/data): gpu_check.sh skips the train run" >> "$MANIFEST"
fi
cp tools/gpu_check.sh benchmarks/compare/compare.py benchmarks/compare/torch_steps.py "$OUT/scripts/"
(cd "$OUT" && find . -type f ! -name MANIFEST -printf '  %P %s\n' | sort) >> "$MANIFEST"

if [ "$TAR" = 1 ]; then
  tar -C "$(dirname "$OUT")" -czf "$OUT.tar.gz" "$(basename "$OUT")"
fi
echo "bundle: $OUT ($(du -sm "$OUT" | cut -f1) MiB unpacked)"
[ "$TAR" = 1 ] && echo "archive: $OUT.tar.gz ($(( $(stat -c %s "$OUT.tar.gz") / 1024 )) KiB)"
check_bundle "$OUT"
