#!/usr/bin/python3
"""torch_steps.py - the PyTorch side of benchmarks/compare (a benchmark reference only; nothing
in the product or the tests imports torch).

One process = one measurement: build the networks, run `--warmup` steps, time `--reps` steps,
print one line
    RESULT side=torch case=<case> median_ms=<m> min_ms=<m> cpu_ms=<CPU time per step> reps=<r> rss_mb=<peak RSS> [gflops=<g>]
The same networks as ours (nn/resnet_encoder.*, nn/resnet_decoder.*, nn/mlp.*), written by hand
(not torchvision): the CIFAR ResNet18 of pl_bolts (3x3 stem, no maxpool), its decoder, and the
reference's MLP (Linear - BatchNorm1d(eps = out_dim, the reference's quirk) - ReLU - Linear).

Cases (batch 256 unless said otherwise; the step is forward, backward and Adam(lr 3e-4)):
    sup64, sup16   ResNet18 encoder (width 64 / 16) + MLP(8w, 512, 10) probe, cross-entropy
    ae16           encoder(16) -> MLP(128, 512, 128) -> ResNet18 decoder(16) -> MSE vs the input
    ntxent         l2-normalize + NT-Xent (tau 0.5) forward + backward, 2N = 512, d = 128
    mlp            MLP(512, 512, 10) probe step on 512-d features
    sgemm<M>       C = A B, square M x M (reports GFLOP/s in gflops=)
    ae64           as ae16 at width 64 (MLP(512, 512, 128))
    simclr64       one faithful SimCLR step (experiments/losses.h, paper preset): encoder(64) on the
                   clean batch and both views, probe MLP(512, 512, 10) on the detached clean
                   features + cross-entropy, MLP(512, 512, 128) on each view, L2-normalize,
                   cross-view NT-Xent (tau 0.1: cross-entropy of e1 e2^T / tau against the diagonal)
--device cuda runs the case on the GPU (each timed step ends with torch.cuda.synchronize(); the
result line adds gpu_mb=<peak allocated> device=<GPU>); compare.py --device cuda drives it
beside step_bench_cuda.

Install torch with `apt-get install python3-torch` (Debian: torch 1.13). Without it this
script prints `SKIP side=torch reason=...` and exits 0.
Run it under the tuned environment (benchmarks/compare/run.sh sets it): OPENBLAS_NUM_THREADS=1,
GLIBC_TUNABLES=glibc.malloc.mmap_max=0:glibc.malloc.trim_threshold=17179869184.
"""
import argparse
import resource
import statistics
import sys
import time

try:
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError as e:  # the benchmark is optional; the project never needs torch
    print(f"SKIP side=torch reason=no_torch ({e}); install with: apt-get install python3-torch")
    sys.exit(0)


def conv3x3(i, o, stride=1):
    return nn.Conv2d(i, o, 3, stride, 1, bias=False)


class EncoderBlock(nn.Module):
    def __init__(self, i, o, stride):
        super().__init__()
        self.conv1, self.bn1 = conv3x3(i, o, stride), nn.BatchNorm2d(o)
        self.conv2, self.bn2 = conv3x3(o, o), nn.BatchNorm2d(o)
        self.downsample = None
        if stride != 1 or i != o:
            self.downsample = nn.Sequential(nn.Conv2d(i, o, 1, stride, 0, bias=False), nn.BatchNorm2d(o))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + (self.downsample(x) if self.downsample is not None else x))


class Encoder(nn.Module):
    def __init__(self, w):
        super().__init__()
        self.conv1, self.bn1 = conv3x3(3, w), nn.BatchNorm2d(w)
        layers, cin = [], w
        for mult, stride in ((1, 1), (2, 2), (4, 2), (8, 2)):
            layers += [EncoderBlock(cin, mult * w, stride), EncoderBlock(mult * w, mult * w, 1)]
            cin = mult * w
        self.layers = nn.Sequential(*layers)

    def forward(self, x):
        h = self.layers(F.relu(self.bn1(self.conv1(x))))
        return torch.flatten(F.adaptive_avg_pool2d(h, 1), 1)


class Up(nn.Module):
    def forward(self, x):
        return F.interpolate(x, scale_factor=2, mode="nearest")


class DecoderBlock(nn.Module):
    def __init__(self, i, o, scale):
        super().__init__()
        self.conv1, self.bn1 = conv3x3(i, i), nn.BatchNorm2d(i)
        self.conv2 = conv3x3(i, o) if scale == 1 else nn.Sequential(Up(), conv3x3(i, o))
        self.bn2 = nn.BatchNorm2d(o)
        self.upsample = None
        if scale != 1 or i != o:
            c = nn.Conv2d(i, o, 1, bias=False)
            self.upsample = nn.Sequential(c if scale == 1 else nn.Sequential(Up(), c), nn.BatchNorm2d(o))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + (self.upsample(x) if self.upsample is not None else x))


class Decoder(nn.Module):
    def __init__(self, latent, w):
        super().__init__()
        self.w = w
        self.linear = nn.Linear(latent, 8 * w * 16)
        blocks, cin = [], 8 * w
        for out, scale in ((4 * w, 2), (2 * w, 2), (w, 2), (w, 1)):
            blocks += [DecoderBlock(cin, out, scale), DecoderBlock(out, out, 1)]
            cin = out
        self.layers = nn.Sequential(*blocks)
        self.conv1 = conv3x3(w, 3)

    def forward(self, z):
        return self.conv1(self.layers(self.linear(z).view(z.shape[0], 8 * self.w, 4, 4)))


def mlp(i, h, o):  # the reference's MLP: BatchNorm1d(h, o) sets eps = o (a quirk kept on purpose)
    return nn.Sequential(nn.Linear(i, h), nn.BatchNorm1d(h, eps=float(o)), nn.ReLU(), nn.Linear(h, o))


def nt_xent(z1, z2, tau):
    z = torch.cat([F.normalize(z1, dim=1), F.normalize(z2, dim=1)])
    n = z1.shape[0]
    s = z @ z.t() / tau
    s = s.masked_fill(torch.eye(2 * n, dtype=torch.bool), float("-inf"))
    target = torch.cat([torch.arange(n, 2 * n), torch.arange(0, n)])
    return F.cross_entropy(s, target)


def make_case(case, batch, dev="cpu"):
    """Returns step() -> None running one timed unit of work (model cases on `dev`)."""
    g = torch.Generator().manual_seed(1)
    if case.startswith("sgemm"):
        m = int(case[5:])
        a, b = torch.rand(m, m, generator=g), torch.rand(m, m, generator=g)
        return lambda: torch.mm(a, b), 2.0 * m ** 3
    if case == "ntxent":
        z1 = torch.randn(batch, 128, generator=g, requires_grad=True)
        z2 = torch.randn(batch, 128, generator=g, requires_grad=True)

        def step():
            z1.grad = z2.grad = None
            nt_xent(z1, z2, 0.5).backward()
        return step, None
    if case == "mlp":
        head = mlp(512, 512, 10)
        x = torch.randn(batch, 512, generator=g)
        y = torch.randint(0, 10, (batch,), generator=g)
        opt = torch.optim.Adam(head.parameters(), lr=3e-4)

        def step():
            opt.zero_grad(set_to_none=True)
            F.cross_entropy(head(x), y).backward()
            opt.step()
        return step, None
    x = (torch.rand(batch, 3, 32, 32, generator=g) * 2 - 1).to(dev)
    y = torch.randint(0, 10, (batch,), generator=g).to(dev)
    if case in ("sup64", "sup16"):
        w = int(case[3:])
        enc, head = Encoder(w).to(dev), mlp(8 * w, 512, 10).to(dev)
        params = list(enc.parameters()) + list(head.parameters())
        loss_fn = lambda: F.cross_entropy(head(enc(x)), y)
    elif case in ("ae16", "ae64"):
        w = int(case[2:])
        enc, ae_mlp, dec = Encoder(w).to(dev), mlp(8 * w, 512, 128).to(dev), Decoder(128, w).to(dev)
        params = list(enc.parameters()) + list(ae_mlp.parameters()) + list(dec.parameters())
        loss_fn = lambda: F.mse_loss(dec(ae_mlp(enc(x))), x)
    elif case == "simclr64":
        enc, cls, head = Encoder(64).to(dev), mlp(512, 512, 10).to(dev), mlp(512, 512, 128).to(dev)
        v1, v2 = torch.rand(batch, 3, 32, 32, generator=g).to(dev), torch.rand(batch, 3, 32, 32, generator=g).to(dev)
        params = list(enc.parameters()) + list(cls.parameters()) + list(head.parameters())
        diag = torch.arange(batch, device=dev)

        def loss_fn():
            h, h1, h2 = enc(x), enc(v1), enc(v2)  # the reference's order: clean, view 1, view 2
            e1, e2 = F.normalize(head(h1), dim=1), F.normalize(head(h2), dim=1)
            return F.cross_entropy(cls(h.detach()), y) + F.cross_entropy(e1 @ e2.t() / 0.1, diag)
    else:
        raise SystemExit(f"unknown case {case}")
    opt = torch.optim.Adam(params, lr=3e-4)

    def step():
        opt.zero_grad(set_to_none=True)
        loss_fn().backward()
        opt.step()
    return step, None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--case", required=True)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    ap.add_argument("--tf32", action="store_true", help="cuda: TF32 tensor cores in cuBLAS and cuDNN (ours: --tf32)")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    cuda = a.device == "cuda"
    if cuda and not torch.cuda.is_available():
        print("SKIP side=torch reason=no_cuda (torch.cuda.is_available() is False)")
        sys.exit(0)
    if cuda:  # FP32 everywhere, as ours (no TF32 in cuBLAS or cuDNN), unless --tf32 (both sides)
        torch.backends.cuda.matmul.allow_tf32 = a.tf32
        torch.backends.cudnn.allow_tf32 = a.tf32
        torch.backends.cudnn.benchmark = True
    sync = torch.cuda.synchronize if cuda else (lambda: None)
    step, flops = make_case(a.case, a.batch, a.device)  # ntxent: z1, z2 (batch, 128), 2N = 2 batch rows
    for _ in range(a.warmup):
        step()
    sync()
    times = []
    c0 = resource.getrusage(resource.RUSAGE_SELF)
    for _ in range(a.reps):
        t0 = time.perf_counter()
        step()
        sync()
        times.append((time.perf_counter() - t0) * 1e3)
    c1 = resource.getrusage(resource.RUSAGE_SELF)
    cpu_ms = (c1.ru_utime + c1.ru_stime - c0.ru_utime - c0.ru_stime) * 1e3 / a.reps
    med = statistics.median(times)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    extra = f" gflops={flops / med / 1e6:.1f}" if flops else ""
    if cuda:
        extra += (f" gpu_mb={torch.cuda.max_memory_allocated() / 2**20:.0f}"
                  f" device={torch.cuda.get_device_name().replace(' ', '_')} torch={torch.__version__}"
                  f" math={'tf32' if a.tf32 else 'fp32'}")
    print(f"RESULT side=torch case={a.case} median_ms={med:.3f} min_ms={min(times):.3f} cpu_ms={cpu_ms:.3f} reps={a.reps} "
          f"rss_mb={rss_mb:.1f} threads={torch.get_num_threads()}{extra}")


if __name__ == "__main__":
    main()
