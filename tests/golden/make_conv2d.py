#!/usr/bin/python3
"""Golden values for tests/test_conv2d.cpp: torch.nn.functional.conv2d forward and its input,
weight and bias gradients for a fixed upstream gradient gy, on a few configurations that walk
every path of kernels/cpu/conv2d.cpp (multi-image blocks with uneven sizes, one image per block,
the 1x1 stride-1 shortcut without im2col, strides, non-square kernels, with and without bias).

Run:  /usr/bin/python3 tests/golden/make_conv2d.py   (writes tests/golden/conv2d.safetensors)
The file is written by hand in the safetensors format (tensor/safetensors.h): 8-byte
little-endian header length, JSON header, raw little-endian float32.
"""
import os

import numpy as np
import torch

from safetensors_writer import write_safetensors  # tests/golden/safetensors_writer.py

# name: (x shape, weight shape, has bias, stride, pad)
CONFIGS = {
    "k5s2p1_bias": ((3, 5, 7, 7), (4, 5, 5, 5), True, 2, 1),
    "k3s1p1": ((2, 4, 6, 6), (5, 4, 3, 3), False, 1, 1),
    "k1s2_shortcut": ((3, 6, 5, 5), (4, 6, 1, 1), False, 2, 0),
    "k3x2s2_bias": ((2, 3, 8, 6), (2, 3, 3, 2), True, 2, 0),
    "blocks_4x4_bias": ((5, 8, 4, 4), (6, 8, 3, 3), True, 1, 1),  # several images per GEMM
    "large_k3s1p1": ((2, 2, 34, 34), (2, 2, 3, 3), True, 1, 1),   # one image per GEMM
    "pointwise_24x24": ((2, 3, 24, 24), (3, 3, 1, 1), True, 1, 0),  # no im2col
}


def main():
    g = torch.Generator().manual_seed(20240607)
    tensors = {}
    for name, (xs, ws, has_bias, stride, pad) in CONFIGS.items():
        x = (torch.rand(xs, generator=g) * 2 - 1).requires_grad_()
        w = (torch.rand(ws, generator=g) * 2 - 1).requires_grad_()
        b = (torch.rand(ws[0], generator=g) * 2 - 1).requires_grad_() if has_bias else None
        y = torch.nn.functional.conv2d(x, w, b, stride=stride, padding=pad)
        gy = torch.rand(y.shape, generator=g) * 2 - 1
        y.backward(gy)
        out = {"x": x, "w": w, "y": y, "gy": gy, "gx": x.grad, "gw": w.grad}
        if has_bias:
            out.update({"b": b, "gb": b.grad})
        for k, v in out.items():
            tensors[f"{name}.{k}"] = v.detach().numpy().astype("<f4")
        tensors[f"{name}.stride_pad"] = np.array([stride, pad], dtype="<f4")

    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "conv2d.safetensors")
    write_safetensors(path, tensors, {"generator": "tests/golden/make_conv2d.py", "torch": torch.__version__})


if __name__ == "__main__":
    main()
