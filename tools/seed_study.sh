#!/bin/bash
# The seed study (docs/experiments.md, "Seed study"): the same small MNIST configuration trained by
# our `train` + `probe` and by PyTorch (tools/twin_seed_study.py, torch 1.13 on the CPU) for several
# seeds, then one Markdown row per method and side: the online probe's validation accuracy and the
# post-hoc probe's test accuracy of every seed, their mean and standard deviation.
#
#   tools/seed_study.sh BUILD_DIR DATA_DIR OUT_DIR [SEED ...]     (seeds default: 0 1 2)
#
# Settings on both sides: the paper's protocol at width 8, the first 4000 images of the reference
# train split, 2 epochs of batch 256, one thread; post-hoc probe 10 epochs on those 4000 images,
# tested on the first 2000 official test images. ~30 s per run on our side, ~40 s on PyTorch's.
set -euo pipefail
if [[ $# -lt 3 ]]; then
  echo "usage: $0 BUILD_DIR DATA_DIR OUT_DIR [SEED ...]" >&2
  exit 2
fi
build=$1 data=$2 out=$3
shift 3
seeds=("$@")
[[ ${#seeds[@]} -eq 0 ]] && seeds=(0 1 2)
here=$(cd "$(dirname "$0")" && pwd)
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
mkdir -p "$out"

for s in "${seeds[@]}"; do
  for m in ae vae simclr supervised; do
    run="$out/ours_s$s/mnist_$m" log="$out/ours_s${s}_$m.log"
    echo "ours: $m, seed $s (log: $log)"
    { "$build/bin/train" --preset paper --method "$m" --dataset mnist --width 8 --train-limit 4000 \
          --test-limit 2000 --epochs 2 --seed "$s" --loader-threads 1 --data-dir "$data" \
          --out-dir "$out/ours_s$s" --quiet &&
      "$build/bin/probe" "$run/checkpoint.safetensors" --epochs 10 --test-limit 2000 --quiet \
          --out "$run/probe10.json"; } > "$log" 2>&1 || { tail -n 20 "$log" >&2; exit 1; }
  done
done
echo "PyTorch: seeds ${seeds[*]}"
/usr/bin/python3 "$here/twin_seed_study.py" "$data" --seeds "${seeds[@]}" > "$out/pytorch.jsonl"

python3 - "$out" "${seeds[@]}" <<'PY'
import json, statistics, sys
out, seeds = sys.argv[1], [int(s) for s in sys.argv[2:]]
runs = {}  # (method, side) -> [(online val acc, post-hoc test acc)], percent
for line in open(f"{out}/pytorch.jsonl"):
    d = json.loads(line)
    runs.setdefault((d["method"], "PyTorch"), []).append((100 * d["val_acc"], 100 * d["posthoc_test_acc"]))
for s in seeds:
    for m in ("ae", "vae", "simclr", "supervised"):
        result = json.load(open(f"{out}/ours_s{s}/mnist_{m}/result.json"))
        probe = json.load(open(f"{out}/ours_s{s}/mnist_{m}/probe10.json"))
        runs.setdefault((m, "ours"), []).append((100 * result["val_acc"], 100 * probe["test_acc"]))

def cell(values):
    spread = statistics.stdev(values) if len(values) > 1 else 0.0
    return f"{', '.join(f'{v:.1f}' for v in values)} | {statistics.mean(values):.1f} ± {spread:.1f}"

print("| method | side | online probe (val) per seed | mean ± sd | post-hoc probe (test) per seed | mean ± sd |")
print("|---|---|---|---|---|---|")
for m in ("ae", "vae", "simclr", "supervised"):
    for side in ("ours", "PyTorch"):
        v = runs[(m, side)]
        print(f"| {m} | {side} | {cell([x[0] for x in v])} | {cell([x[1] for x in v])} |")
PY
