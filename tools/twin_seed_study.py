#!/usr/bin/python3
"""The seed study's PyTorch side (docs/experiments.md, "Seed study"): the training loop of
tests/golden/twin_run.py run standalone, with PyTorch's own seeded initialization, shuffling and
augmentations, on real MNIST, then the post-hoc probe of experiments/probe.cpp. torch 1.13 on the CPU.

    /usr/bin/python3 tools/twin_seed_study.py DATA_DIR --seeds 0 1 2 [--methods ae vae simclr supervised]

Settings (the same as our side in tools/seed_study.sh, which also runs this script): the paper's
protocol at width 8, the first 4000 images of the reference train split, 2 epochs of batch 256,
online probe on the 1000 validation images after each epoch; post-hoc probe: features of the 4000
training images and the first 2000 official test images, MLP(64, 512, 10) with BN eps 1e-5, Adam
3e-4, 10 epochs.
Prints one JSON line per run.

The data path follows docs/protocol.md section 2 with torch tensor operations: MNIST to [0, 1],
(x - 0.5) / 0.5, bilinear resize 28 -> 32 (align_corners False), 3 channels; a view is a random
resized crop (scale (0.08, 1), ratio (3/4, 4/3), torchvision's parameter draw, bilinear to 28), a
flip with p 0.5, with p 0.8 brightness and contrast jitter 0.4 in random order (saturation and hue
do nothing on one channel, nor does grayscale), then the clean transform.
"""
import argparse
import gzip
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "golden"))
from make_nn import MLP  # noqa: E402
from twin_run import Image2Vec, training_loss  # noqa: E402


def read_idx(path, offset):
    with gzip.open(path) as f:
        return np.frombuffer(f.read(), np.uint8)[offset:]


def load_mnist(root):
    d = os.path.join(root, "mnist")
    tr = read_idx(f"{d}/train-images-idx3-ubyte.gz", 16).reshape(-1, 28, 28)
    trl = read_idx(f"{d}/train-labels-idx1-ubyte.gz", 8)
    te = read_idx(f"{d}/t10k-images-idx3-ubyte.gz", 16).reshape(-1, 28, 28)
    tel = read_idx(f"{d}/t10k-labels-idx1-ubyte.gz", 8)
    return tr, trl, te, tel


def clean(x01):
    """(N, 1, 28, 28) in [0, 1] -> (N, 3, 32, 32): normalize, resize the tensor, repeat."""
    x = F.interpolate((x01 - 0.5) / 0.5, size=(32, 32), mode="bilinear", align_corners=False)
    return x.repeat(1, 3, 1, 1)


def view(img, g):
    """One SimCLR view of one (1, 28, 28) image in [0, 1]."""
    H = W = 28
    area = H * W
    box = None
    for _ in range(10):  # torchvision RandomResizedCrop.get_params
        target = area * float(torch.empty(1).uniform_(0.08, 1.0, generator=g))
        log_r = (math.log(3 / 4), math.log(4 / 3))
        ratio = math.exp(float(torch.empty(1).uniform_(log_r[0], log_r[1], generator=g)))
        w, h = int(round(math.sqrt(target * ratio))), int(round(math.sqrt(target / ratio)))
        if 0 < w <= W and 0 < h <= H:
            i = int(torch.randint(0, H - h + 1, (1,), generator=g))
            j = int(torch.randint(0, W - w + 1, (1,), generator=g))
            box = (i, j, h, w)
            break
    if box is None:
        box = (0, 0, H, W)
    i, j, h, w = box
    x = F.interpolate(img[None, :, i:i + h, j:j + w], size=(28, 28), mode="bilinear", align_corners=False)[0]
    if float(torch.rand(1, generator=g)) < 0.5:
        x = x.flip(-1)
    if float(torch.rand(1, generator=g)) < 0.8:
        fb = float(torch.empty(1).uniform_(0.6, 1.4, generator=g))
        fc = float(torch.empty(1).uniform_(0.6, 1.4, generator=g))
        for op in torch.randperm(4, generator=g).tolist():
            if op == 0:
                x = (x * fb).clamp(0, 1)
            elif op == 1:
                x = ((x - x.mean()) * fc + x.mean()).clamp(0, 1)
    return x.clamp(0, 1)


def views(x01, g):
    return clean(torch.stack([view(im, g) for im in x01]))


@torch.no_grad()
def features(encoder, x, bs=256):
    encoder.eval()
    return torch.cat([encoder(x[i:i + bs]) for i in range(0, len(x), bs)])


@torch.no_grad()
def probe_correct(model, x, y, bs=256):
    model.eval()
    logits = torch.cat([model.cls_mlp(model.encoder(x[i:i + bs])) for i in range(0, len(x), bs)])
    model.train()
    return int((logits.argmax(1) == y).sum())


def posthoc(ftr, ytr, fte, yte, hidden, epochs, seed):
    torch.manual_seed(seed + 2)
    mlp = MLP(ftr.shape[1], hidden, 10, 1e-5)
    opt = torch.optim.Adam(mlp.parameters(), lr=3e-4)
    g = torch.Generator().manual_seed(seed + 3)
    for _ in range(epochs):
        mlp.train()
        order = torch.randperm(len(ftr), generator=g)
        for b in range(0, len(order), 256):
            idx = order[b:b + 256]
            if len(idx) < 2:
                continue
            loss = F.cross_entropy(mlp(ftr[idx]), ytr[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
    mlp.eval()
    with torch.no_grad():
        return float((mlp(fte).argmax(1) == yte).float().mean())


def run(method, seed, data, a):
    tr, trl, te, tel = data
    perm = torch.randperm(60000, generator=torch.Generator().manual_seed(42)).tolist()  # docs/protocol.md 2.1
    tr_idx, val_idx = perm[:59000][:a.train_limit], perm[59000:]
    x_tr = torch.from_numpy(tr[tr_idx].astype(np.float32) / 255)[:, None]
    y_tr = torch.from_numpy(trl[tr_idx].astype(np.int64))
    x_val = clean(torch.from_numpy(tr[val_idx].astype(np.float32) / 255)[:, None])
    y_val = torch.from_numpy(trl[val_idx].astype(np.int64))
    x_te = clean(torch.from_numpy(te[:a.test_limit].astype(np.float32) / 255)[:, None])
    y_te = torch.from_numpy(tel[:a.test_limit].astype(np.int64))
    cfg = {"method": method, "width": a.width, "hidden_dim": 512, "latent_dim": 128, "simclr_dim": 128,
           "protocol": "faithful", "view_passes": True, "vae_beta": 0.1, "tau": 0.1}
    torch.manual_seed(seed)
    model = Image2Vec(cfg)
    opt = torch.optim.Adam(model.parameters(), lr=3e-4, betas=(0.9, 0.999), eps=1e-8)
    g = torch.Generator().manual_seed(seed + 1)
    t0, val_acc = time.time(), []
    for epoch in range(a.epochs):
        model.train()
        order = torch.randperm(len(x_tr), generator=g)
        for b in range(0, len(order), 256):
            idx = order[b:b + 256]
            if len(idx) < 2:
                continue
            xb = x_tr[idx]
            batch = {"clean": clean(xb), "labels": y_tr[idx], "view1": views(xb, g), "view2": views(xb, g),
                     "noise": torch.randn(len(idx), 128, generator=g)}
            total, _ = training_loss(model, cfg, batch)
            opt.zero_grad(set_to_none=True)
            total.backward()
            opt.step()
        val_acc.append(probe_correct(model, x_val, y_val) / len(y_val))
    train_s = time.time() - t0
    ftr = features(model.encoder, clean(x_tr))
    fte = features(model.encoder, x_te)
    post = posthoc(ftr, y_tr, fte, y_te, 512, a.probe_epochs, seed)
    return {"side": "pytorch", "method": method, "seed": seed, "val_acc": val_acc[-1], "val_acc_per_epoch": val_acc,
            "posthoc_test_acc": post, "train_seconds": round(train_s, 1)}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("data_dir")
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    p.add_argument("--methods", nargs="+", default=["ae", "vae", "simclr", "supervised"])
    p.add_argument("--width", type=int, default=8)
    p.add_argument("--train-limit", type=int, default=4000)
    p.add_argument("--test-limit", type=int, default=2000)
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--probe-epochs", type=int, default=10)
    p.add_argument("--threads", type=int, default=1)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    data = load_mnist(a.data_dir)
    for m in a.methods:
        for s in a.seeds:
            print(json.dumps(run(m, s, data, a)), flush=True)


if __name__ == "__main__":
    main()
