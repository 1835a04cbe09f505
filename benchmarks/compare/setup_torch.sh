#!/bin/bash
# setup_torch.sh - a virtual environment with today's `torch` from PyPI, OUTSIDE the source tree,
# as the second reference of benchmarks/compare (the first is Debian's python3-torch). Nothing in
# the product or the tests needs torch; run.sh uses this environment when it exists.
#
#   benchmarks/compare/setup_torch.sh            # create or update, print the interpreter's path
#   TORCH_VENV=/some/dir benchmarks/compare/setup_torch.sh
#   TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu benchmarks/compare/setup_torch.sh
#
# Location: $TORCH_VENV, default ${XDG_CACHE_HOME:-$HOME/.cache}/ae-transfer/torch-venv (run.sh
# looks in the same place). The benchmark uses the CPU only. PyPI's Linux x86-64 wheel pulls the
# CUDA libraries as dependencies (a few GB); PyPI has no CPU-only wheel, so that is what the
# default gets. TORCH_INDEX_URL points pip at another index (PyTorch's own CPU-only index above
# is a ~200 MB download) for whoever prefers it. TORCH_SPEC pins a version (default: `torch`).
set -euo pipefail
VENV="${TORCH_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/ae-transfer/torch-venv}"
PY="${PYTHON:-/usr/bin/python3}"
command -v "$PY" >/dev/null || PY=python3
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
case "$(realpath -m "$VENV")/" in
  "$ROOT"/*) echo "setup_torch.sh: $VENV is inside the source tree; choose another TORCH_VENV" >&2; exit 2 ;;
esac

if [ ! -x "$VENV/bin/python" ]; then
  mkdir -p "$(dirname "$VENV")"
  "$PY" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --upgrade pip
index=()
[ -n "${TORCH_INDEX_URL:-}" ] && index=(--index-url "$TORCH_INDEX_URL")
"$VENV/bin/python" -m pip install --quiet --upgrade "${index[@]}" "${TORCH_SPEC:-torch}"
# numpy only silences torch's import warning; the benchmark does not use it.
"$VENV/bin/python" -m pip install --quiet --upgrade numpy || true
"$VENV/bin/python" - <<'EOF'
import torch
print(f"torch {torch.__version__} (MKL {torch.backends.mkl.is_available()}, "
      f"oneDNN {torch.backends.mkldnn.is_available()}) in {torch.__file__.rsplit('/', 2)[0]}")
EOF
echo "$VENV/bin/python"
