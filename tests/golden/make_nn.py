#!/usr/bin/env python3
"""Golden values for tests/test_networks.cpp and tests/test_optim.cpp (run with /usr/bin/python3, torch 1.13):
    /usr/bin/python3 tests/golden/make_nn.py   ->  tests/golden/nn.safetensors

The modules below are written by hand to match lightning-bolts 0.6.0.post1
(pl_bolts/models/autoencoders/components.py) and ssl-sandbox's MLP block, with the same attribute
names, so that torch's state_dict names are the names our modules register. Torch initializes the
weights (BN affine parameters are randomized too so they matter); our tests load them by name.
Parameter counts of the full-size networks are printed; tests/test_networks.cpp asserts them.
"""
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

from safetensors_writer import write_safetensors  # tests/golden/safetensors_writer.py


class Interpolate(nn.Module):
    def __init__(self, size=None, scale_factor=None):
        super().__init__()
        self.size, self.scale_factor = size, scale_factor

    def forward(self, x):
        return F.interpolate(x, size=self.size, scale_factor=self.scale_factor)


def conv3x3(i, o, stride=1):
    return nn.Conv2d(i, o, kernel_size=3, stride=stride, padding=1, bias=False)


def conv1x1(i, o, stride=1):
    return nn.Conv2d(i, o, kernel_size=1, stride=stride, bias=False)


def resize_conv3x3(i, o, scale=1):
    return conv3x3(i, o) if scale == 1 else nn.Sequential(Interpolate(scale_factor=scale), conv3x3(i, o))


def resize_conv1x1(i, o, scale=1):
    return conv1x1(i, o) if scale == 1 else nn.Sequential(Interpolate(scale_factor=scale), conv1x1(i, o))


class EncoderBlock(nn.Module):
    def __init__(self, inplanes, planes, stride=1, downsample=None):
        super().__init__()
        self.conv1 = conv3x3(inplanes, planes, stride)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = conv3x3(planes, planes)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = downsample

    def forward(self, x):
        identity = x
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        if self.downsample is not None:
            identity = self.downsample(x)
        return self.relu(out + identity)


class DecoderBlock(nn.Module):
    def __init__(self, inplanes, planes, scale=1, upsample=None):
        super().__init__()
        self.conv1 = resize_conv3x3(inplanes, inplanes)
        self.bn1 = nn.BatchNorm2d(inplanes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = resize_conv3x3(inplanes, planes, scale)
        self.bn2 = nn.BatchNorm2d(planes)
        self.upsample = upsample

    def forward(self, x):
        identity = x
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        if self.upsample is not None:
            identity = self.upsample(x)
        return self.relu(out + identity)


class ResNetEncoder(nn.Module):  # first_conv=False, maxpool1=False, base width w (64 in pl_bolts)
    def __init__(self, w=64):
        super().__init__()
        self.inplanes = w
        self.conv1 = nn.Conv2d(3, w, kernel_size=3, stride=1, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(w)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=1, stride=1)
        self.layer1 = self._make_layer(w, 2)
        self.layer2 = self._make_layer(2 * w, 2, stride=2)
        self.layer3 = self._make_layer(4 * w, 2, stride=2)
        self.layer4 = self._make_layer(8 * w, 2, stride=2)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))

    def _make_layer(self, planes, blocks, stride=1):
        downsample = None
        if stride != 1 or self.inplanes != planes:
            downsample = nn.Sequential(conv1x1(self.inplanes, planes, stride), nn.BatchNorm2d(planes))
        layers = [EncoderBlock(self.inplanes, planes, stride, downsample)]
        self.inplanes = planes
        layers += [EncoderBlock(self.inplanes, planes) for _ in range(1, blocks)]
        return nn.Sequential(*layers)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return torch.flatten(self.avgpool(x), 1)


class ResNetDecoder(nn.Module):  # first_conv=False, maxpool1=False, input_height=32
    def __init__(self, latent_dim, w=64):
        super().__init__()
        self.w = w
        self.inplanes = 8 * w
        self.linear = nn.Linear(latent_dim, self.inplanes * 4 * 4)
        self.layer1 = self._make_layer(4 * w, 2, scale=2)
        self.layer2 = self._make_layer(2 * w, 2, scale=2)
        self.layer3 = self._make_layer(w, 2, scale=2)
        self.layer4 = self._make_layer(w, 2)
        self.upscale = Interpolate(scale_factor=1)
        self.upscale1 = Interpolate(size=32 // 8)
        self.conv1 = nn.Conv2d(w, 3, kernel_size=3, stride=1, padding=1, bias=False)

    def _make_layer(self, planes, blocks, scale=1):
        upsample = None
        if scale != 1 or self.inplanes != planes:
            upsample = nn.Sequential(resize_conv1x1(self.inplanes, planes, scale), nn.BatchNorm2d(planes))
        layers = [DecoderBlock(self.inplanes, planes, scale, upsample)]
        self.inplanes = planes
        layers += [DecoderBlock(self.inplanes, planes) for _ in range(1, blocks)]
        return nn.Sequential(*layers)

    def forward(self, x):
        x = self.linear(x).view(x.size(0), 8 * self.w, 4, 4)
        x = self.upscale1(x)
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.conv1(self.upscale(x))


class MLP(nn.Module):  # ssl_sandbox/models/blocks.py, with the eps made explicit
    def __init__(self, input_dim, hidden_dim, output_dim, eps):
        super().__init__()
        self.fc1 = nn.Linear(input_dim, hidden_dim)
        self.bn = nn.BatchNorm1d(hidden_dim, eps)
        self.relu = nn.ReLU()
        self.fc2 = nn.Linear(hidden_dim, output_dim)

    def forward(self, x):
        return self.fc2(self.relu(self.bn(self.fc1(x))))


def save_file(tensors, path, metadata=None):
    write_safetensors(path, tensors, metadata)


def count(m):
    return sum(p.numel() for p in m.parameters())


def randomize_bn(m):
    for mod in m.modules():
        if isinstance(mod, (nn.BatchNorm1d, nn.BatchNorm2d)):
            with torch.no_grad():
                mod.weight.uniform_(0.5, 1.5)
                mod.bias.uniform_(-0.5, 0.5)


def state(m):  # without num_batches_tracked, which our modules do not keep
    return {k: v.detach().clone() for k, v in m.state_dict().items() if not k.endswith("num_batches_tracked")}


def module_case(out, prefix, m, x_shape):
    """Initial state (prefix.p.*), input, seed r, train-mode output, gradients of sum(out * r)
    wrt the input and every parameter (prefix.grad.*), running stats after (prefix.after.*)."""
    randomize_bn(m)
    m.train()
    for k, v in state(m).items():
        out[f"{prefix}.p.{k}"] = v
    x = torch.randn(*x_shape, requires_grad=True)
    y = m(x)
    r = torch.randn_like(y)
    (y * r).sum().backward()
    out[f"{prefix}.x"] = x.detach().clone()
    out[f"{prefix}.r"] = r
    out[f"{prefix}.out"] = y.detach().clone()
    out[f"{prefix}.grad.x"] = x.grad.clone()
    for k, p in m.named_parameters():
        out[f"{prefix}.grad.{k}"] = p.grad.clone()
    for k, b in m.named_buffers():
        if not k.endswith("num_batches_tracked"):
            out[f"{prefix}.after.{k}"] = b.detach().clone()
    m.eval()  # eval-mode forward with the updated running statistics
    with torch.no_grad():
        out[f"{prefix}.eval_out"] = m(x.detach())


def optim_case(out, prefix, make_opt):
    """Linear(3 -> 4) on a fixed batch, loss 0.5 sum((xW^T + b - y)^2), five steps."""
    torch.manual_seed(7)
    lin = nn.Linear(3, 4)
    x, y = torch.randn(5, 3), torch.randn(5, 4)
    out[f"{prefix}.p.weight"], out[f"{prefix}.p.bias"] = lin.weight.detach().clone(), lin.bias.detach().clone()
    out[f"{prefix}.x"], out[f"{prefix}.y"] = x, y
    opt = make_opt(lin.parameters())
    for step in range(1, 6):
        opt.zero_grad()
        (0.5 * ((lin(x) - y) ** 2).sum()).backward()
        opt.step()
        if step in (1, 5):
            out[f"{prefix}.step{step}.weight"] = lin.weight.detach().clone()
            out[f"{prefix}.step{step}.bias"] = lin.bias.detach().clone()


def main():
    torch.manual_seed(0)
    out = {}
    module_case(out, "bb", EncoderBlock(4, 4), (3, 4, 6, 6))
    module_case(out, "bbd", EncoderBlock(4, 8, 2, nn.Sequential(conv1x1(4, 8, 2), nn.BatchNorm2d(8))), (3, 4, 6, 6))
    up = nn.Sequential(resize_conv1x1(8, 4, 2), nn.BatchNorm2d(4))
    module_case(out, "db", DecoderBlock(8, 4, 2, up), (3, 8, 3, 3))
    module_case(out, "mlp", MLP(5, 7, 3, eps=10.0), (6, 5))
    module_case(out, "enc", ResNetEncoder(2), (2, 3, 16, 16))
    module_case(out, "dec", ResNetDecoder(4, 2), (2, 4))

    optim_case(out, "adam", lambda p: torch.optim.Adam(p, lr=0.1, weight_decay=0.01))
    optim_case(out, "adamw", lambda p: torch.optim.AdamW(p, lr=0.1, weight_decay=0.1))
    optim_case(out, "sgd", lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9, dampening=0.1, weight_decay=0.01))
    optim_case(out, "nesterov", lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01))

    out = {k: v.contiguous().float() for k, v in out.items()}
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "nn.safetensors")
    meta = {}
    for tag, m in (("encoder_w2", ResNetEncoder(2)), ("decoder_w2_latent4", ResNetDecoder(4, 2))):
        meta[tag + ".parameters"] = ",".join(k for k, _ in m.named_parameters())
        meta[tag + ".buffers"] = ",".join(k for k, _ in m.named_buffers() if not k.endswith("num_batches_tracked"))
    save_file(out, path, meta)
    print(f"wrote {path} ({os.path.getsize(path)} bytes, {len(out)} tensors)")

    for w in (64, 32, 16):
        print(f"encoder w{w}: {count(ResNetEncoder(w))}")
        print(f"decoder w{w} latent 128: {count(ResNetDecoder(128, w))}")
    for o in (10, 128, 256):
        print(f"MLP(512, 512, {o}): {count(MLP(512, 512, o, float(o)))}")
    enc = ResNetEncoder(64)
    print("encoder w64 output:", tuple(enc(torch.randn(2, 3, 32, 32)).shape))
    print("decoder w64 output:", tuple(ResNetDecoder(128)(torch.randn(2, 128)).shape))
    print("names:", [k for k in ResNetDecoder(128, 4).state_dict().keys()][:16])


if __name__ == "__main__":
    main()
