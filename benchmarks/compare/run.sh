#!/bin/bash
# run.sh - our training steps vs PyTorch's, alternating, in one command:
#   benchmarks/compare/run.sh [--threads 2] [--rounds 3] [--cases sup16,ae16,...] [--python PY ...]
# Builds step_bench if needed, then runs compare.py (see there and in torch_steps.py for the
# cases, the environment of each side and how the medians are taken). References, each where
# present: today's PyTorch from PyPI (benchmarks/compare/setup_torch.sh makes its virtual
# environment, outside the source tree) and Debian's (`apt-get install python3-torch`, 1.13);
# without either the PyTorch column reads "skipped". The run starts with the CPU model and flags,
# both torch builds and the measured FMA peak (1 and --threads threads, AVX2 and AVX-512 where
# present); every step time is also given as GFLOP/s and as a share of that peak.
# BUILD_DIR (default build/cpu, the `cpu` preset) is where step_bench is built; REBUILD=0 skips it.
# OMP_WAIT_POLICY defaults to passive and OMP_PROC_BIND to true for BOTH sides (on a shared,
# oversubscribed machine the active policy makes 2-thread PyTorch 50x slower on small steps; unbound
# passive workers are sometimes woken on the master's CPU); export either to override.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
BUILD_DIR="${BUILD_DIR:-build/cpu}"
if [ ! -x "$BUILD_DIR/benchmarks/step_bench" ] || [ "${REBUILD:-1}" = 1 ]; then
  if [ "$BUILD_DIR" = build/cpu ]; then
    [ -f build/cpu/build.ninja ] || cmake --preset cpu >/dev/null
    cmake --build --preset cpu --target step_bench -j2 >/dev/null
  else
    [ -f "$BUILD_DIR/build.ninja" ] || cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
    cmake --build "$BUILD_DIR" --target step_bench -j2 >/dev/null
  fi
fi
args=()  # compare.py's default is build/cpu's step_bench
[ "$BUILD_DIR" = build/cpu ] || args=(--step-bench "$BUILD_DIR/benchmarks/step_bench")
exec /usr/bin/python3 benchmarks/compare/compare.py "${args[@]}" "$@"
