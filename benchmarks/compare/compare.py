#!/usr/bin/python3
"""compare.py - alternate our training steps (step_bench) and PyTorch's (torch_steps.py) and
print medians, ratios and peak RSS. Normally started through benchmarks/compare/run.sh.

Every measurement is its own process (so ru_maxrss is that side's peak RSS), and the two sides
alternate A B, B A, A B ... per case, so that load drifts on this shared machine hit both alike.
Each process warms up, times a few steps and reports their median; the table gives, per side,
the median of those per-process medians, and ratio = ours / PyTorch.
Standard library only: runs where torch is missing (the PyTorch column then says "skipped").

--device cuda: the GPU comparison (tools/gpu_check.sh runs it): step_bench_cuda against
torch_steps.py --device cuda, cases sup64, ae64 and simclr64 (one faithful SimCLR step), warm-up
and timed steps from GPU_PLAN; --step-bench names our binary and --ours-ld-path the library path
our side needs (a bundle's lib dirs), which PyTorch's process does not get.
"""
import argparse
import os
import re
import shlex
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

# case -> (warm-up steps, timed steps per process)
PLAN = {
    "sup64": (1, 1), "sup16": (1, 3), "ae16": (1, 3), "ntxent": (5, 21), "mlp": (5, 21),
    "sgemm256": (5, 21), "sgemm512": (3, 11), "sgemm1024": (2, 5), "sgemm2048": (1, 3),
}
DEFAULT_CASES = "sup16,ae16,ntxent,mlp,sgemm256,sgemm512,sgemm1024,sgemm2048,sup64"
GPU_PLAN = {"sup64": (3, 10), "sup16": (3, 10), "ae64": (3, 10), "ae16": (3, 10), "simclr64": (3, 10)}
GPU_CASES = "sup64,ae64,simclr64"
TUNED_GLIBC = "glibc.malloc.mmap_max=0:glibc.malloc.trim_threshold=17179869184"


def parse(line):
    return {k: v for k, v in re.findall(r"(\w+)=(\S+)", line)}


def run(cmd, env, timeout):
    try:
        p = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, "timeout"
    for line in p.stdout.splitlines():
        if line.startswith("RESULT"):
            return parse(line), None
        if line.startswith("SKIP"):
            return None, "skipped"
    return None, f"rc={p.returncode}: {(p.stderr or p.stdout).strip()[-300:]}"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=3, help="processes per side and case (alternating)")
    ap.add_argument("--cases", default=None, help=f"default: {DEFAULT_CASES} (cpu), {GPU_CASES} (cuda)")
    ap.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    ap.add_argument("--ours-ld-path", default=None, help="LD_LIBRARY_PATH for our side only")
    ap.add_argument("--step-bench", default=os.path.join(ROOT, "build/cpu/benchmarks/step_bench"))
    ap.add_argument("--python", default="/usr/bin/python3", help="the interpreter that has torch")
    ap.add_argument("--timeout", type=float, default=600, help="seconds per process")
    a = ap.parse_args()
    gpu = a.device == "cuda"
    if a.cases is None:
        a.cases = GPU_CASES if gpu else DEFAULT_CASES
    if gpu and a.step_bench == ap.get_default("step_bench"):
        a.step_bench = os.path.join(ROOT, "build/cuda/benchmarks/step_bench_cuda")
    if not os.access(a.step_bench, os.X_OK):
        sys.exit(f"{a.step_bench} not found: cmake --preset cpu && cmake --build --preset cpu --target step_bench")

    base = dict(os.environ)
    base["OMP_NUM_THREADS"] = str(a.threads)
    base.setdefault("OMP_WAIT_POLICY", "passive")
    ours_env = dict(base)
    ours_env.pop("OPENBLAS_NUM_THREADS", None)  # our OpenMP OpenBLAS follows OMP_NUM_THREADS
    if a.ours_ld_path:
        ours_env["LD_LIBRARY_PATH"] = a.ours_ld_path
    torch_env = dict(base, OPENBLAS_NUM_THREADS="1", GLIBC_TUNABLES=TUNED_GLIBC)
    with open("/proc/loadavg") as f:
        load0 = f.read().split()[:3]
    shown = lambda env, keys: " ".join(f"{k}={env.get(k, '(unset)')}" for k in keys)
    print(f"# threads={a.threads} rounds={a.rounds} loadavg at start: {' '.join(load0)}")
    print(f"# ours : {shown(ours_env, ['OMP_NUM_THREADS', 'OMP_WAIT_POLICY', 'OPENBLAS_CORETYPE', 'OPENBLAS_NUM_THREADS', 'GLIBC_TUNABLES'])}")
    print(f"# torch: {shown(torch_env, ['OMP_NUM_THREADS', 'OMP_WAIT_POLICY', 'OPENBLAS_CORETYPE', 'OPENBLAS_NUM_THREADS', 'GLIBC_TUNABLES'])}"
          f" + torch.set_num_threads({a.threads})")
    print("# ms: median over processes of per-process median step wall times; cpu-ms: CPU time per step (all threads)")
    print("# MB: max peak RSS of a process; ratio = ours / torch (wall), cpu-ratio = ours / torch (CPU time)",
          flush=True)

    rows = []
    for case in a.cases.split(","):
        warm, reps = (GPU_PLAN if gpu else PLAN).get(case, (1, 3))
        common = ["--case", case, "--warmup", str(warm), "--reps", str(reps), "--threads", str(a.threads)]
        if gpu:
            common += ["--device", "cuda"]
        cmds = {"ours": ([a.step_bench] + common, ours_env),
                "torch": ([a.python, os.path.join(HERE, "torch_steps.py")] + common, torch_env)}
        res = {"ours": [], "torch": []}
        notes = {}
        for r in range(a.rounds):
            order = ("ours", "torch") if r % 2 == 0 else ("torch", "ours")
            for side in order:
                if notes.get(side) in ("skipped",):
                    continue
                out, err = run(cmds[side][0], cmds[side][1], a.timeout)
                if out:
                    res[side].append(out)
                else:
                    notes[side] = err
        cell = {}
        for side in ("ours", "torch"):
            if res[side]:
                cell[side] = {"ms": statistics.median(float(x["median_ms"]) for x in res[side]),
                              "cpu": statistics.median(float(x.get("cpu_ms", "nan")) for x in res[side]),
                              # MB: peak GPU memory on the GPU, peak RSS on the CPU
                              "rss": max(float(x.get("gpu_mb", "nan") if gpu else x["rss_mb"]) for x in res[side]),
                              "all": [float(x["median_ms"]) for x in res[side]]}
        with open("/proc/loadavg") as f:
            load = f.read().split()[0]

        def fmt(s):
            if s not in cell:
                return f"{notes.get(s, 'n/a'):>34}"
            return f"{cell[s]['ms']:9.2f} ms {cell[s]['cpu']:9.2f} cpu-ms {cell[s]['rss']:6.0f} MB"
        both = "ours" in cell and "torch" in cell
        ratio = f"{cell['ours']['ms'] / cell['torch']['ms']:5.2f}" if both else "  n/a"
        cratio = f"{cell['ours']['cpu'] / cell['torch']['cpu']:5.2f}" if both else "  n/a"
        extra = ""
        if case.startswith("sgemm"):
            m = int(case[5:])
            extra = "  GFLOP/s " + " ".join(f"{s} {2 * m**3 / cell[s]['ms'] / 1e6:.1f}" for s in ("ours", "torch") if s in cell)
        rounds = " | ".join(" ".join(f"{x:.1f}" for x in cell[s]["all"]) for s in ("ours", "torch") if s in cell)
        line = (f"{case:10s} ours {fmt('ours')} | torch {fmt('torch')} | ratio {ratio} cpu-ratio {cratio}"
                f" | load {load}{extra}  [per process: {rounds}]")
        print(line, flush=True)
        rows.append(line)
    with open("/proc/loadavg") as f:
        print(f"# loadavg at end: {' '.join(f.read().split()[:3])}")


if __name__ == "__main__":
    main()
