#!/usr/bin/env bash
# The whole test suite: the CPU build and every test, then - where nvcc is installed - the CUDA
# build (compile + link, as CI must check it) and the CUDA comparison tests, which skip with the
# reason when no GPU is usable.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --preset cpu
cmake --build --preset cpu
ctest --preset cpu
if command -v nvcc >/dev/null 2>&1 || [ -x /usr/local/cuda/bin/nvcc ]; then
  cmake --preset cuda
  cmake --build --preset cuda
  ctest --preset cuda -R '^Cuda'
  # The GPU machine's bundle, from this build: every binary starts and loads nothing from outside
  # it but glibc, libstdc++/libgcc, the driver and cuBLAS (tools/gpu_bundle.sh, docs/profiling.md).
  bash tools/gpu_bundle.sh --build-dir build/cuda --reuse --out build/cuda/gpu_bundle --no-tar
else
  echo "CUDA build skipped: nvcc not found (install the CUDA toolkit to build the cuda preset)"
fi
