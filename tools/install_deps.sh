#!/usr/bin/env bash
# Installs what the build needs on Debian 12 (as root); a no-op where everything is present.
set -euo pipefail
pkgs=(build-essential cmake ninja-build pkg-config libopenblas-openmp-dev libgtest-dev libgmock-dev
      libbenchmark-dev zlib1g-dev nlohmann-json3-dev libcairo2-dev libcli11-dev)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
fi
