#!/usr/bin/python3
"""make_transforms.py - goldens for tests/test_transforms.cpp: fixed small images through
torchvision 0.14's tensor transforms (torchvision.transforms.functional on float tensors in
[0, 1]) with FIXED parameters, written to tests/golden/transforms.safetensors.

Run with /usr/bin/python3 (torch 1.13, torchvision 0.14). The safetensors file is written by hand
(8-byte little-endian header length, JSON header, raw little-endian float32), so the
`safetensors` package is not needed. Every parameter used is repeated in the file's metadata
and in tests/test_transforms.cpp.
"""
import json
import math
import os

import torch
import torchvision
import torchvision.transforms.functional as F
from torchvision.transforms import InterpolationMode

from safetensors_writer import write_safetensors  # tests/golden/safetensors_writer.py

assert torchvision.__version__.startswith("0.14"), torchvision.__version__
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "transforms.safetensors")
gen = torch.Generator().manual_seed(1234)


def blobs(channels, size, n_blobs):
    """A smooth, photo-like uint8 image: coloured Gaussian blobs on a gradient, plus noise."""
    yy, xx = torch.meshgrid(torch.arange(size, dtype=torch.float32), torch.arange(size, dtype=torch.float32), indexing="ij")
    img = torch.rand(channels, 1, 1, generator=gen) * 0.5 * (xx + yy) / (2 * size)
    for _ in range(n_blobs):
        cy, cx = torch.rand(2, generator=gen) * size
        r = 2 + torch.rand(1, generator=gen) * size / 3
        colour = torch.rand(channels, 1, 1, generator=gen)
        img = img + colour * torch.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / (2 * r * r))
    img = img + 0.04 * torch.randn(channels, size, size, generator=gen)
    return (img.clamp(0, 1) * 255).round().to(torch.uint8)


def cifar_like():
    img = blobs(3, 32, 6)
    img[:, 26:30, 2:12] = torch.randint(0, 256, (1, 4, 10), generator=gen, dtype=torch.uint8)  # gray: r == g == b
    img[:, 0, :] = torch.tensor([255, 0, 0], dtype=torch.uint8).view(3, 1)  # a saturated red row
    img[:, 31, 16:] = 255  # white pixels
    img[:, 30, 16:] = 0  # black pixels
    img[1, 2:6, 20:24] = img[0, 2:6, 20:24]  # r == g > b: sector boundaries of the hue code
    return img


def mnist_like():
    """A digit-like stroke: a thick anti-aliased ring and a bar on black."""
    yy, xx = torch.meshgrid(torch.arange(28, dtype=torch.float32), torch.arange(28, dtype=torch.float32), indexing="ij")
    ring = (((yy - 10) ** 2 + (xx - 14) ** 2).sqrt() - 6).abs()
    bar = (xx - 19 + 0.4 * (yy - 10)).abs() + torch.where(yy < 10, 10 - yy, torch.zeros_like(yy))
    d = torch.minimum(ring, bar)
    img = (1.5 - d).clamp(0, 1) + 0.1 * torch.rand(28, 28, generator=gen) * (d < 3)
    return (img.clamp(0, 1) * 255).round().to(torch.uint8).unsqueeze(0)


u8 = {"cifar_a": cifar_like(), "cifar_b": cifar_like(), "mnist_a": mnist_like()}
x = {k: v.float() / 255.0 for k, v in u8.items()}  # ToTensor
out = {f"input_{k}": v.float() for k, v in u8.items()}  # stored as 0..255 floats
meta = {}


def add(name, tensor, **params):
    out[name] = tensor.contiguous()
    meta[name] = json.dumps(params)


BIL = InterpolationMode.BILINEAR
for name, src, (i, j, h, w), size in [("resized_crop_cifar_a", "cifar_a", (3, 5, 17, 23), 32),
                                      ("resized_crop_cifar_b", "cifar_b", (10, 2, 9, 30), 32),
                                      ("resized_crop_mnist_a", "mnist_a", (4, 6, 15, 11), 28)]:
    add(name, F.resized_crop(x[src], i, j, h, w, [size, size], BIL), src=src, top=i, left=j, height=h, width=w, size=size)
add("hflip_cifar_a", F.hflip(x["cifar_a"]), src="cifar_a")
for src, f in [("cifar_a", 0.7), ("cifar_a", 1.3), ("mnist_a", 1.4)]:
    add(f"brightness_{src}_{f}", F.adjust_brightness(x[src], f), src=src, factor=f)
for src, f in [("cifar_a", 0.6), ("cifar_b", 1.4), ("mnist_a", 1.3)]:
    add(f"contrast_{src}_{f}", F.adjust_contrast(x[src], f), src=src, factor=f)
for src, f in [("cifar_a", 0.6), ("cifar_b", 1.4)]:
    add(f"saturation_{src}_{f}", F.adjust_saturation(x[src], f), src=src, factor=f)
for src, f in [("cifar_a", -0.1), ("cifar_b", 0.08), ("cifar_a", 0.5)]:
    add(f"hue_{src}_{f}", F.adjust_hue(x[src], f), src=src, factor=f)
add("grayscale_cifar_b", F.rgb_to_grayscale(x["cifar_b"], num_output_channels=3), src="cifar_b")
for src, k, s in [("cifar_a", 3, 0.7), ("cifar_b", 5, 1.9), ("mnist_a", 3, 1.2)]:
    add(f"blur_{src}_{k}_{s}", F.gaussian_blur(x[src], [k, k], [s, s]), src=src, kernel=k, sigma=s)

# The final transforms, exactly as the reference composes them.
cifar_norm = torchvision.transforms.Normalize(mean=[v / 255.0 for v in [125.3, 123.0, 113.9]],
                                              std=[v / 255.0 for v in [63.0, 62.1, 66.7]])
add("clean_cifar_a", cifar_norm(x["cifar_a"]), src="cifar_a")
mnist_final = torchvision.transforms.Compose([
    torchvision.transforms.Normalize((0.5,), (0.5,)),
    torchvision.transforms.Resize((32, 32)),  # on a tensor: bilinear, antialias None -> False in 0.14
    torchvision.transforms.Lambda(lambda t: t.repeat(3, 1, 1)),
])
add("clean_mnist_a", mnist_final(x["mnist_a"]), src="mnist_a")

# Statistics of RandomResizedCrop.get_params (torchvision's own code and RNG) for the C++
# version to match in distribution: [mean area fraction h*w/(H*W), its std, mean log(w/h),
# std log(w/h), fraction of draws that fell back to the whole image, mean top/(H-h) over crops
# with h < H].
def crop_stats(size, n=200000):
    torch.manual_seed(0)
    img = torch.zeros(1, size, size)
    area, logr, full, rel_top = [], [], 0, []
    for _ in range(n):
        i, j, h, w = torchvision.transforms.RandomResizedCrop.get_params(img, [0.08, 1.0], [3 / 4, 4 / 3])
        area.append(h * w / size / size)
        logr.append(math.log(w / h))
        full += (h == size and w == size)
        if h < size:
            rel_top.append(i / (size - h))
    a, r = torch.tensor(area, dtype=torch.float64), torch.tensor(logr, dtype=torch.float64)
    return torch.tensor([a.mean(), a.std(), r.mean(), r.std(), full / n, sum(rel_top) / len(rel_top)])


add("crop_stats_32", crop_stats(32), n=200000, scale=[0.08, 1.0], ratio=[0.75, 4 / 3])
add("crop_stats_28", crop_stats(28), n=200000, scale=[0.08, 1.0], ratio=[0.75, 4 / 3])

# ---- write safetensors by hand --------------------------------------------------------------
write_safetensors(OUT, {name: t.to(torch.float32) for name, t in out.items()},
                  {"torch": torch.__version__, "torchvision": torchvision.__version__, **meta})
