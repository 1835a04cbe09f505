#!/bin/bash
# run.sh - our training steps vs PyTorch 1.13's, alternating, in one command:
#   benchmarks/compare/run.sh [--threads 2] [--rounds 3] [--cases sup16,ae16,...]
# Builds step_bench if needed, then runs compare.py (see there and in torch_steps.py for the
# cases, the environment of each side and how the medians are taken). PyTorch is optional:
# `apt-get install python3-torch`; without it the PyTorch column reads "skipped".
# OMP_WAIT_POLICY defaults to passive for BOTH sides (on this shared, oversubscribed machine the
# active policy makes 2-thread PyTorch 50x slower on small steps); export it to override.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
if [ ! -x build/cpu/benchmarks/step_bench ] || [ "${REBUILD:-1}" = 1 ]; then
  [ -f build/cpu/build.ninja ] || cmake --preset cpu >/dev/null
  cmake --build --preset cpu --target step_bench -j2 >/dev/null
fi
exec /usr/bin/python3 benchmarks/compare/compare.py "$@"
