#!/usr/bin/python3
"""compare_pil.py - how far the reference's PIL path is from the float-tensor semantics we
implement (docs/augmentations.md). Not a golden: it prints a table.

The reference applies RandomResizedCrop, flip, ColorJitter and RandomGrayscale to PIL uint8
images and only then ToTensor; we (and the goldens) apply torchvision.transforms.functional to
float tensors in [0, 1]. Same parameters on both sides; differences are in [0, 1] units.
Usage: python3 tests/golden/compare_pil.py [DATA_DIR]   (default: shared/data beside the repository)
"""
import gzip
import os
import sys

import numpy as np
import torch
import torchvision.transforms as T
import torchvision.transforms.functional as F
from PIL import Image

REPO = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
data_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(REPO, "..", "shared", "data")
N = 300
raw = gzip.open(f"{data_dir}/cifar10/data_batch_1.bin.gz").read(N * 3073)
cifar = np.frombuffer(raw, np.uint8).reshape(N, 3073)[:, 1:].reshape(N, 3, 32, 32)
raw = gzip.open(f"{data_dir}/mnist/train-images-idx3-ubyte.gz").read(16 + N * 784)
mnist = np.frombuffer(raw[16:], np.uint8).reshape(N, 1, 28, 28)
torch.manual_seed(0)


def to_pil(a):
    return Image.fromarray(a[0]) if a.shape[0] == 1 else Image.fromarray(a.transpose(1, 2, 0))


def stats(name, diffs):
    d = torch.cat([x.flatten() for x in diffs]).abs()
    print(f"| {name:34s} | {d.max().item() * 255:6.2f} | {d.mean().item() * 255:6.3f} | {(d > 1.5 / 255).float().mean().item() * 100:6.2f}% |")


def u(lo, hi):
    return float(torch.empty(1).uniform_(lo, hi))


print("| op (same parameters) | max diff (/255) | mean diff (/255) | pixels > 1.5/255 |")
print("|---|---|---|---|")
for tag, imgs in [("CIFAR", cifar), ("MNIST", mnist)]:
    size = imgs.shape[-1]
    ops = {
        "resized_crop": None,  # parameters drawn per image below
        "brightness U(0.6,1.4)": (lambda f: lambda im: F.adjust_brightness(im, f)),
        "contrast U(0.6,1.4)": (lambda f: lambda im: F.adjust_contrast(im, f)),
        "saturation U(0.6,1.4)": (lambda f: lambda im: F.adjust_saturation(im, f)),
        "hue U(-0.1,0.1)": (lambda f: lambda im: F.adjust_hue(im, f)),
        "grayscale": (lambda im: F.rgb_to_grayscale(im, num_output_channels=1 if tag == "MNIST" else 3)),
    }
    for name, op in ops.items():
        if tag == "MNIST" and name.startswith(("saturation", "hue", "grayscale")):
            continue  # no-ops on 'L' images in both paths
        diffs = []
        for a in imgs:
            if name == "resized_crop":
                p = T.RandomResizedCrop.get_params(torch.zeros(1, size, size), [0.08, 1], [3 / 4, 4 / 3])
                f = lambda im: F.resized_crop(im, *p, [size, size], T.InterpolationMode.BILINEAR)
            elif name.startswith("hue"):
                f = op(u(-0.1, 0.1))
            elif name == "grayscale":
                f = op
            else:
                f = op(u(0.6, 1.4))
            pil = F.to_tensor(f(to_pil(a)))
            ten = f(torch.from_numpy(a.copy()).float() / 255)
            diffs.append(pil - ten)
        stats(f"{tag} {name}", diffs)
    # The whole view: the same random parameters replayed on both paths.
    jitter = T.ColorJitter(0.4, 0.4, 0.4, 0.1)
    diffs = []
    for a in imgs:
        p = T.RandomResizedCrop.get_params(torch.zeros(1, size, size), [0.08, 1], [3 / 4, 4 / 3])
        flip = torch.rand(1).item() < 0.5
        do_jit = torch.rand(1).item() < 0.8
        order, b, c, s, h = T.ColorJitter.get_params(jitter.brightness, jitter.contrast, jitter.saturation, jitter.hue)
        gray = torch.rand(1).item() < 0.2

        def view(im):
            im = F.resized_crop(im, *p, [size, size], T.InterpolationMode.BILINEAR)
            if flip:
                im = F.hflip(im)
            if do_jit:
                for fn in order.tolist():
                    im = [F.adjust_brightness, F.adjust_contrast, F.adjust_saturation, F.adjust_hue][fn](im, [b, c, s, h][fn])
            if gray:
                im = F.rgb_to_grayscale(im, num_output_channels=1 if tag == "MNIST" else 3)
            return im

        diffs.append(F.to_tensor(view(to_pil(a))) - view(torch.from_numpy(a.copy()).float() / 255))
    stats(f"{tag} whole view (crop..grayscale)", diffs)
