#!/usr/bin/python3
"""Golden values for the tests, computed with PyTorch (torch 1.13, /usr/bin/python3) and written
as small safetensors files next to this script. The tests never need PyTorch; rerun this only when
a case changes:   /usr/bin/python3 tests/golden/make_goldens.py

Inputs are float32; references are computed in float64 from those float32 inputs and stored as
float32, so a correct float32 implementation matches to ~1e-6 relative.

safetensors is written by hand (tensor/safetensors.h): 8-byte little-endian header length, JSON
header {name: {dtype, shape, data_offsets}, "__metadata__": {...}}, then the raw bytes.

Sections: batchnorm, cross_entropy, mse_loss, kl_normal, nt_xent (one function each).
"""
import os

import torch
import torch.nn.functional as F

from safetensors_writer import write_safetensors  # tests/golden/safetensors_writer.py

HERE = os.path.dirname(os.path.abspath(__file__))


def write_golden(name, tensors, metadata=None):
    write_safetensors(os.path.join(HERE, name + ".safetensors"), tensors, metadata)


def rand(gen, *shape, lo=-1.0, hi=1.0):
    return (torch.rand(*shape, generator=gen, dtype=torch.float32) * (hi - lo) + lo)


def leaf(t):
    return t.to(torch.float64).requires_grad_(True)


# ---- batchnorm -----------------------------------------------------------------------------------
def batchnorm_case(name, shape, eps, momentum=0.1, seed=0):
    g = torch.Generator().manual_seed(seed)
    C = shape[1]
    x = rand(g, *shape, lo=-2, hi=3)
    w, b = rand(g, C, lo=0.5, hi=1.5), rand(g, C)
    rm_in, rv_in = rand(g, C, lo=-0.5, hi=0.5), rand(g, C, lo=0.5, hi=2.0)
    dout = rand(g, *shape)
    out = {"x": x, "weight": w, "bias": b, "running_mean_in": rm_in, "running_var_in": rv_in, "dout": dout}
    for mode in ("train", "eval"):
        xl, wl, bl = leaf(x), leaf(w), leaf(b)
        rm, rv = rm_in.to(torch.float64).clone(), rv_in.to(torch.float64).clone()
        y = F.batch_norm(xl, rm, rv, wl, bl, training=(mode == "train"), momentum=momentum, eps=eps)
        y.backward(dout.to(torch.float64))
        out[f"out_{mode}"] = y
        out[f"dx_{mode}"], out[f"dweight_{mode}"], out[f"dbias_{mode}"] = xl.grad, wl.grad, bl.grad
        if mode == "train":
            out["running_mean_out"], out["running_var_out"] = rm, rv
    write_golden(name, out, {"eps": eps, "momentum": momentum})


# ---- cross_entropy -------------------------------------------------------------------------------
def cross_entropy_goldens():
    out = {}
    for tag, (N, K, scale, seed) in {"small": (6, 5, 3.0, 1), "k10": (16, 10, 8.0, 2)}.items():
        g = torch.Generator().manual_seed(seed)
        logits = rand(g, N, K) * scale
        labels = torch.randint(0, K, (N,), generator=g)
        lg = leaf(logits)
        loss = F.cross_entropy(lg, labels)
        loss.backward()
        out.update({f"{tag}_logits": logits, f"{tag}_labels": labels, f"{tag}_loss": loss, f"{tag}_dlogits": lg.grad})
    write_golden("cross_entropy", out)


# ---- mse_loss, kl_normal -------------------------------------------------------------------------
def mse_goldens():
    g = torch.Generator().manual_seed(3)
    pred, target = rand(g, 3, 4, 5), rand(g, 3, 4, 5)
    p = leaf(pred)
    loss = F.mse_loss(p, target.to(torch.float64))
    loss.backward()
    write_golden("mse_loss", {"pred": pred, "target": target, "loss": loss, "dpred": p.grad})


def kl_goldens():
    from torch.distributions import Normal, kl_divergence
    g = torch.Generator().manual_seed(4)
    mu, logvar = rand(g, 4, 8, lo=-2, hi=2), rand(g, 4, 8, lo=-3, hi=2)
    m, lv = leaf(mu), leaf(logvar)
    q = Normal(m, torch.exp(lv / 2))  # exactly as the reference VAE
    p = Normal(torch.zeros_like(m), torch.ones_like(m))
    loss = kl_divergence(q, p).mean()
    loss.backward()
    write_golden("kl_normal", {"mu": mu, "logvar": logvar, "loss": loss, "dmu": m.grad, "dlogvar": lv.grad})


# ---- nt_xent -------------------------------------------------------------------------------------
def cross_view_loss(e1, e2, tau):  # the reference's compute_simclr_loss
    sim = e1 @ e2.T
    return -(sim / tau).log_softmax(dim=1).diag().mean()


def simclr_nt_xent(z1, z2, tau):  # standard SimCLR NT-Xent over 2N rows
    z = torch.cat([z1, z2])
    n2 = z.shape[0]
    sim = z @ z.T / tau
    sim = sim.masked_fill(torch.eye(n2, dtype=torch.bool), float("-inf"))
    pos = (torch.arange(n2) + n2 // 2) % n2
    return F.cross_entropy(sim, pos)


def nt_xent_goldens():
    N, D = 8, 16
    for name, fn in (("nt_xent_cross_view", cross_view_loss), ("nt_xent", simclr_nt_xent)):
        out = {}
        for tag, tau in (("t01", 0.1), ("t05", 0.5)):
            g = torch.Generator().manual_seed(5 if tau == 0.1 else 6)
            a = F.normalize(torch.randn(N, D, generator=g), dim=1)
            b = F.normalize(a + 0.7 * torch.randn(N, D, generator=g), dim=1)  # correlated views
            al, bl = leaf(a), leaf(b)
            loss = fn(al, bl, tau)
            loss.backward()
            out.update({f"{tag}_a": a, f"{tag}_b": b, f"{tag}_loss": loss, f"{tag}_da": al.grad, f"{tag}_db": bl.grad})
        write_golden(name, out, {"N": N, "D": D, "t01": 0.1, "t05": 0.5})


if __name__ == "__main__":
    batchnorm_case("batchnorm_2d", (8, 6), eps=1e-5, seed=10)
    batchnorm_case("batchnorm_4d", (4, 3, 5, 5), eps=1e-5, seed=11)
    batchnorm_case("batchnorm_eps10", (16, 10), eps=10.0, seed=12)
    cross_entropy_goldens()
    mse_goldens()
    kl_goldens()
    nt_xent_goldens()
