#!/usr/bin/python3
"""compare.py - alternate our training steps (step_bench) and PyTorch's (torch_steps.py) and
print medians, ratios and peak RSS. Normally started through benchmarks/compare/run.sh.

Every measurement is its own process (so ru_maxrss is that side's peak RSS), and the two sides
alternate A B, B A, A B ... per case, so that load drifts on this shared machine hit both alike.
Each process warms up, times a few steps and reports their median; the table gives, per side,
the median of those per-process medians, and ratio = ours / PyTorch.
Standard library only: runs where torch is missing (the PyTorch column then says "skipped").

Two PyTorch references by default, each where present: today's from PyPI in the virtual environment
of setup_torch.sh ($TORCH_VENV, default ~/.cache/ae-transfer/torch-venv) and Debian's python3-torch
(/usr/bin/python3); --python (repeatable) names others. The header gives both versions (oneDNN,
CPU capability), the CPU model and flags, and the measured FMA peak (step_bench --peak,
benchmarks/fma_peak.h: 1 thread and --threads threads, AVX2 and AVX-512 where present). Each case's
FLOPs are counted once, in step_bench (step_gflop=), and both sides' step times are also given as
GFLOP/s and as a share of the all-thread peak (the best ISA's). A markdown summary ends the run.

--device cuda: the GPU comparison (tools/gpu_check.sh runs it): step_bench_cuda against
torch_steps.py --device cuda, cases sup64, ae64 and simclr64 (one faithful SimCLR step), warm-up
and timed steps from GPU_PLAN; --step-bench names our binary and --ours-ld-path the library path
our side needs (a bundle's lib dirs), which PyTorch's process does not get. --tf32 (cuda only)
passes --tf32 to both sides: cuBLAS's TF32 tensor cores for ours, allow_tf32 in cuBLAS and cuDNN
for PyTorch; without it both compute in FP32.
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


def default_venv_python():
    venv = os.environ.get("TORCH_VENV") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "ae-transfer", "torch-venv")
    return os.path.join(venv, "bin", "python")


def find_torches(pythons, on_cpu):
    """[(label, interpreter)] of the interpreters that import torch; prints each one's build."""
    if not pythons:
        pythons = [p for p in (default_venv_python(), "/usr/bin/python3") if os.access(p, os.X_OK)]
        if not on_cpu:
            pythons = pythons[:1]
    probe = ("import re, torch; c = torch.__config__.show(); "
             "d = re.search(r'(?:oneDNN|MKL-DNN) v([0-9.]+)', c); "
             "cap = re.search(r'CPU capability usage: (\\w+)', c); "
             "print(torch.__version__, d.group(1) if d else '-', 'MKL' if torch.backends.mkl.is_available() else 'no-MKL', "
             "cap.group(1) if cap else '-')")
    found = []
    for py in pythons:
        try:
            p = subprocess.run([py, "-c", probe], capture_output=True, text=True, timeout=120)
        except (OSError, subprocess.TimeoutExpired) as e:
            print(f"# torch: {py}: not usable ({e})")
            continue
        if p.returncode != 0:
            print(f"# torch: {py}: no torch ({p.stderr.strip().splitlines()[-1:]})")
            continue
        version, dnnl, mkl, cap = p.stdout.split()
        label = f"torch {version.split('+')[0]}"
        while label in (l for l, _ in found):
            label += "'"
        print(f"# {label}: {version}, oneDNN {dnnl}, {mkl}, CPU capability {cap} ({py})")
        found.append((label, py))
    if not found:
        print("# torch: none found (benchmarks/compare/setup_torch.sh, apt-get install python3-torch)")
        found.append(("torch", pythons[0] if pythons else "/usr/bin/python3"))  # its column says why
    return found


def print_cpu():
    info = {}
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, timeout=30).stdout
        info = {k.strip(): v.strip() for k, v in (l.split(":", 1) for l in out.splitlines() if ":" in l)}
    except OSError:
        pass
    flags = info.get("Flags", "")
    simd = [f for f in flags.split() if f.startswith(("avx", "fma", "amx")) or f in ("sse4_2", "f16c")]
    print(f"# cpu: {info.get('Model name', '?')}, {info.get('CPU(s)', '?')} CPUs, "
          f"{info.get('Thread(s) per core', '?')} thread(s) per core; SIMD flags: {' '.join(simd)}")
    print(f"# lscpu flags: {flags}", flush=True)


def measure_peaks(step_bench, env, threads, timeout):
    """{threads: best GFLOP/s over the ISAs} from step_bench --peak (benchmarks/fma_peak.h)."""
    peaks = {}
    try:
        p = subprocess.run([step_bench, "--peak", "--threads", str(threads)], env=env, capture_output=True,
                           text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        print("# FMA peak: timeout")
        return peaks
    for line in p.stdout.splitlines():
        if line.startswith("PEAK"):
            x = parse(line)
            print(f"# FMA peak {x['isa']:6s} {int(x['threads'])} thread(s): {float(x['gflops']):7.1f} GFLOP/s "
                  f"(best of {x['runs']} runs; median {x['median_gflops']})")
            t = int(x["threads"])
            peaks[t] = max(peaks.get(t, 0.0), float(x["gflops"]))
    if threads in peaks:
        print(f"# share of peak below: of {peaks[threads]:.1f} GFLOP/s ({threads} threads, best ISA)", flush=True)
    return peaks


def print_case(case, sides, cell, notes, flop, peak, load):
    """One line per side; returns the case's summary row."""
    def rate(s):
        return flop / cell[s]["ms"] * 1e3 if flop and s in cell else None

    for s in sides:
        if s not in cell:
            body = f"{notes.get(s, 'n/a'):>40}"
        else:
            c, g = cell[s], rate(s)
            body = f"{c['ms']:9.2f} ms {c['cpu']:9.2f} cpu-ms {c['rss']:6.0f} MB"
            body += f" {g:7.1f} GFLOP/s" if g else ""
            body += f" {100 * g / peak:4.0f}% of peak" if g and peak else ""
            if s != "ours" and "ours" in cell:
                body += (f" | ours/this {cell['ours']['ms'] / c['ms']:5.2f}"
                         f" cpu {cell['ours']['cpu'] / c['cpu']:5.2f}")
            body += "  [per process: " + " ".join(f"{x:.1f}" for x in c["all"]) + "]"
        print(f"{case if s == 'ours' else '':10s} {s:14s} {body}" + (f" | load {load}" if s == "ours" else ""),
              flush=True)
    return {"case": case, "cell": cell, "flop": flop, "peak": peak}


def print_summary(rows, labels, threads, peaks):
    """Markdown: per case, ms (GFLOP/s, share of peak) per side, ours / each torch, ours / the faster."""
    if not rows:
        return
    print(f"\n| case | GFLOP/step | ours ms (GFLOP/s, % peak) | "
          + " | ".join(f"{l} ms (GFLOP/s, % peak) | ours / {l}" for l in labels)
          + " | ours / faster torch | peak RSS MB ours / " + " / ".join(labels) + " |")
    print("|" + "---|" * (5 + 2 * len(labels)))
    for r in rows:
        cell, flop, peak = r["cell"], r["flop"], r["peak"]

        def side(s):
            if s not in cell:
                return "-"
            ms = cell[s]["ms"]
            extra = f" ({flop / ms * 1e3:.1f}" + (f", {100 * flop / ms * 1e3 / peak:.0f} %" if peak else "") + ")" if flop else ""
            return f"{ms:.2f}{extra}"

        ratio = lambda l: f"{cell['ours']['ms'] / cell[l]['ms']:.2f}" if "ours" in cell and l in cell else "-"
        present = [l for l in labels if l in cell]
        faster = min(present, key=lambda l: cell[l]["ms"]) if present else None
        rss = " / ".join(f"{cell[s]['rss']:.0f}" if s in cell else "-" for s in ["ours"] + labels)
        print(f"| {r['case']} | {flop:.3f} | " if flop else f"| {r['case']} | - | ", end="")
        print(side("ours") + " | " + " | ".join(f"{side(l)} | {ratio(l)}" for l in labels)
              + f" | {ratio(faster) + ' (' + faster + ')' if faster else '-'} | {rss} |")
    if threads in peaks:
        print(f"\n% peak: of the measured all-thread FMA peak, {peaks[threads]:.1f} GFLOP/s at {threads} threads; "
              f"1 thread: {peaks.get(1, float('nan')):.1f} GFLOP/s")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=3, help="processes per side and case (alternating)")
    ap.add_argument("--cases", default=None, help=f"default: {DEFAULT_CASES} (cpu), {GPU_CASES} (cuda)")
    ap.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    ap.add_argument("--ours-ld-path", default=None, help="LD_LIBRARY_PATH for our side only")
    ap.add_argument("--step-bench", default=os.path.join(ROOT, "build/cpu/benchmarks/step_bench"))
    ap.add_argument("--python", action="append", default=None,
                    help="an interpreter with torch (repeatable); default: the setup_torch.sh venv and /usr/bin/python3")
    ap.add_argument("--timeout", type=float, default=600, help="seconds per process")
    ap.add_argument("--tf32", action="store_true", help="--device cuda: TF32 tensor-core GEMMs on both sides")
    a = ap.parse_args()
    gpu = a.device == "cuda"
    if a.tf32 and not gpu:
        sys.exit("--tf32 needs --device cuda (the CPU sides always compute in FP32)")
    if a.cases is None:
        a.cases = GPU_CASES if gpu else DEFAULT_CASES
    if gpu and a.step_bench == ap.get_default("step_bench"):
        a.step_bench = os.path.join(ROOT, "build/cuda/benchmarks/step_bench_cuda")
    if not os.access(a.step_bench, os.X_OK):
        sys.exit(f"{a.step_bench} not found: cmake --preset cpu && cmake --build --preset cpu --target step_bench")

    base = dict(os.environ)
    base["OMP_NUM_THREADS"] = str(a.threads)
    base.setdefault("OMP_WAIT_POLICY", "passive")
    # One thread per CPU for both sides: unbound, a passively waiting worker is sometimes woken on
    # the master's CPU and a whole process runs serialized (CPU time = wall time; seen on 2-vCPU
    # VMs in the millisecond cases, ours and PyTorch's alike).
    base.setdefault("OMP_PROC_BIND", "true")
    ours_env = dict(base)
    ours_env.pop("OPENBLAS_NUM_THREADS", None)  # our OpenMP OpenBLAS follows OMP_NUM_THREADS
    if a.ours_ld_path:
        ours_env["LD_LIBRARY_PATH"] = a.ours_ld_path
    torch_env = dict(base, OPENBLAS_NUM_THREADS="1", GLIBC_TUNABLES=TUNED_GLIBC)
    with open("/proc/loadavg") as f:
        load0 = f.read().split()[:3]
    shown = lambda env, keys: " ".join(f"{k}={env.get(k, '(unset)')}" for k in keys)
    print(f"# threads={a.threads} rounds={a.rounds} loadavg at start: {' '.join(load0)}"
          + (f" math={'tf32' if a.tf32 else 'fp32'}" if gpu else ""))
    print(f"# ours : {shown(ours_env, ['OMP_NUM_THREADS', 'OMP_WAIT_POLICY', 'OMP_PROC_BIND', 'OPENBLAS_CORETYPE', 'OPENBLAS_NUM_THREADS', 'GLIBC_TUNABLES'])}")
    print(f"# torch: {shown(torch_env, ['OMP_NUM_THREADS', 'OMP_WAIT_POLICY', 'OMP_PROC_BIND', 'OPENBLAS_CORETYPE', 'OPENBLAS_NUM_THREADS', 'GLIBC_TUNABLES'])}"
          f" + torch.set_num_threads({a.threads})")
    print("# ms: median over processes of per-process median step wall times; cpu-ms: CPU time per step (all threads)")
    print("# MB: max peak RSS of a process; ratio = ours / torch (wall), cpu-ratio = ours / torch (CPU time)",
          flush=True)
    on_cpu = getattr(a, "device", "cpu") == "cpu"
    print_cpu()
    torches = find_torches(a.python, on_cpu)
    peaks = measure_peaks(a.step_bench, ours_env, a.threads, a.timeout) if on_cpu else {}
    summary = []

    for case in a.cases.split(","):
        warm, reps = (GPU_PLAN if gpu else PLAN).get(case, (1, 3))
        common = ["--case", case, "--warmup", str(warm), "--reps", str(reps), "--threads", str(a.threads)]
        if gpu:
            common += ["--device", "cuda"] + (["--tf32"] if a.tf32 else [])
        cmds = {"ours": ([a.step_bench] + common, ours_env)}
        for label, py in torches:
            cmds[label] = ([py, os.path.join(HERE, "torch_steps.py")] + common, torch_env)
        sides = list(cmds)
        res = {s: [] for s in sides}
        notes = {}
        for r in range(a.rounds):
            order = sides if r % 2 == 0 else sides[::-1]  # ours first, then last, ...
            for side in order:
                if notes.get(side) in ("skipped",):
                    continue
                out, err = run(cmds[side][0], cmds[side][1], a.timeout)
                if out:
                    res[side].append(out)
                else:
                    notes[side] = err
        cell = {}
        for side in sides:
            if res[side]:
                cell[side] = {"ms": statistics.median(float(x["median_ms"]) for x in res[side]),
                              "cpu": statistics.median(float(x.get("cpu_ms", "nan")) for x in res[side]),
                              # MB: peak GPU memory on the GPU, peak RSS on the CPU
                              "rss": max(float(x.get("gpu_mb", "nan") if gpu else x["rss_mb"]) for x in res[side]),
                              "all": [float(x["median_ms"]) for x in res[side]]}
        with open("/proc/loadavg") as f:
            load = f.read().split()[0]

        # FLOPs of one step, counted once in step_bench (its FlopCount), for every side
        flop = next((float(x["step_gflop"]) for x in res["ours"] if "step_gflop" in x), None)
        summary.append(print_case(case, sides, cell, notes, flop, peaks.get(a.threads), load))
    with open("/proc/loadavg") as f:
        print(f"# loadavg at end: {' '.join(f.read().split()[:3])}")
    print_summary(summary, [label for label, _ in torches], a.threads, peaks)


if __name__ == "__main__":
    main()
