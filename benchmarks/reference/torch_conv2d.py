#!/usr/bin/python3
"""PyTorch reference for benchmarks/bench_conv2d.cpp (not part of the product): conv2d forward,
backward and forward+backward at the ResNet18-CIFAR 3x3 shapes, batch 64, in GFLOP/s.
Run as:  OPENBLAS_NUM_THREADS=1 /usr/bin/python3 benchmarks/reference/torch_conv2d.py [threads]
Reports the median and the best of several timed runs (the machine is shared and noisy).
"""
import sys
import time

import torch

threads = int(sys.argv[1]) if len(sys.argv) > 1 else 2
torch.set_num_threads(threads)
N = 64
print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, mkldnn={torch.backends.mkldnn.is_available()}")
for C, HW in [(64, 32), (128, 16), (256, 8), (512, 4)]:
    x = torch.rand(N, C, HW, HW) * 2 - 1
    w = (torch.rand(C, C, 3, 3) * 2 - 1) * 0.05
    x.requires_grad_()
    w.requires_grad_()
    dy = torch.rand(N, C, HW, HW) * 2 - 1
    flops = 2.0 * N * C * HW * HW * C * 9

    def fwd():
        with torch.no_grad():
            torch.nn.functional.conv2d(x, w, None, 1, 1)

    def fwd_bwd():
        y = torch.nn.functional.conv2d(x, w, None, 1, 1)
        y.backward(dy)

    for name, fn, f in [("forward", fwd, flops), ("fwd_bwd", fwd_bwd, 3 * flops)]:
        fn()  # warm-up (oneDNN primitive creation)
        times = []
        for _ in range(5):
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
        times.sort()
        print(f"C={C:3d} HW={HW:2d} {name:8s} median {times[2] * 1e3:7.1f} ms {f / times[2] * 1e-9:6.1f} GFLOP/s"
              f"   best {times[0] * 1e3:7.1f} ms {f / times[0] * 1e-9:6.1f} GFLOP/s")
