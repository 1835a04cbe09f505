#!/usr/bin/python3
"""A PyTorch twin of experiments/trainer.cpp's training loop (torch 1.13 on the CPU, /usr/bin/python3).

It replays one of our runs exactly: it starts from our initial weights and consumes our batches
(clean images, both views, labels) and the VAE's noise, as `train --debug-dump DIR` wrote them
(experiments/debug_dump.h), and trains the reference's Image2Vec for the run's method with the
reference's loss (docs/protocol.md sections 1, 3, 4): three encoder passes per step (clean, view 1,
view 2; the views under no_grad for the methods whose loss ignores them), the online probe on
h.detach() (h for supervised), the method's head and decoder, one torch.optim.Adam over every
parameter, train mode for the steps, and after each epoch the probe's accuracy on our validation
images in eval mode. The heads' BN eps is computed here from the protocol (faithful: the output
size), not read from our side.

    DL_TWIN_DUMP=twin_dump build/<dir>/tests/dl_tests --gtest_filter='TwinRun.*'
    /usr/bin/python3 tests/golden/twin_run.py twin_dump             -> tests/golden/twin_run.safetensors
    /usr/bin/python3 tests/golden/twin_run.py twin_dump --compare   per-step deviations, writes nothing

Each run is replayed twice: in float64 (the exact run, what the test compares against) and in
float32 (PyTorch's own float32 run). Their gap is the drift float32 rounding alone causes along
the trajectory (Adam amplifies it wherever a gradient is near zero), and the test's tolerances are
multiples of it. Golden keys per method m:
  m.loss, m.part.<name> (steps,)         float64 twin: total and cls, ae, vae, vae_recon, vae_kl, simclr
  m.f32.loss, m.f32.part.<name>          the same from the float32 twin
  m.val_correct, m.f32.val_correct       (epochs,) i32: validation images right after each epoch
  m.bn.<buffer>, m.bn_step0.<buffer>     float64 twin: every BN running mean/var at the end / after step 0
  m.f32_gap.bn.<buffer>                  (1,) max |float32 - float64| of that buffer at the end
"""
import json
import os
import sys

import torch
import torch.nn.functional as F
from torch.distributions import Normal, kl_divergence

from make_nn import MLP, ResNetDecoder, ResNetEncoder  # tests/golden/make_nn.py: our networks in torch
from safetensors_writer import read_safetensors, write_safetensors

HERE = os.path.dirname(os.path.abspath(__file__))
METHODS = ("ae", "vae", "simclr", "supervised")


class Image2Vec(torch.nn.Module):
    """experiments/model.h: encoder, cls_mlp, the method's head (ae_mlp / vae_mlp / simclr_mlp), decoder."""

    def __init__(self, cfg):
        super().__init__()
        w, hid, L = cfg["width"], cfg["hidden_dim"], cfg["latent_dim"]
        feat = 8 * w
        faithful = cfg["protocol"] == "faithful"

        def eps(out):  # docs/protocol.md 1.2: BatchNorm1d(hidden, out) makes eps = out
            return float(out) if faithful else 1e-5

        self.method = cfg["method"]
        self.encoder = ResNetEncoder(w)
        self.cls_mlp = MLP(feat, hid, 10, eps(10))
        if self.method == "ae":
            self.ae_mlp = MLP(feat, hid, L, eps(L))
        elif self.method == "vae":
            self.vae_mlp = MLP(feat, hid, 2 * L, eps(2 * L))
        elif self.method == "simclr":
            self.simclr_mlp = MLP(feat, hid, cfg["simclr_dim"], eps(cfg["simclr_dim"]))
        if self.method in ("ae", "vae"):
            self.decoder = ResNetDecoder(L, w)


def training_loss(model, cfg, b):
    """experiments/losses.cpp, as the reference's training_step: returns total and the parts."""
    m, clean, y = model.method, b["clean"], b["labels"].long()
    h = model.encoder(clean)
    if m == "simclr":
        h1, h2 = model.encoder(b["view1"]), model.encoder(b["view2"])
    elif cfg["view_passes"]:
        with torch.no_grad():  # the reference records them but never differentiates them
            model.encoder(b["view1"])
            model.encoder(b["view2"])
    parts = {"cls": F.cross_entropy(model.cls_mlp(h if m == "supervised" else h.detach()), y)}
    if m == "ae":
        parts["ae"] = F.mse_loss(model.decoder(model.ae_mlp(h)), clean)
        method_loss = parts["ae"]
    elif m == "vae":
        L = cfg["latent_dim"]
        stats = model.vae_mlp(h)
        mu, logvar = stats[:, :L], stats[:, L:]
        q = Normal(mu, torch.exp(logvar / 2))
        z = q.loc + b["noise"] * q.scale  # q.rsample() with our eps
        parts["vae_recon"] = F.mse_loss(model.decoder(z), clean)
        parts["vae_kl"] = kl_divergence(q, Normal(torch.zeros_like(mu), torch.ones_like(mu))).mean()
        parts["vae"] = parts["vae_recon"] + cfg["vae_beta"] * parts["vae_kl"]
        method_loss = parts["vae"]
    elif m == "simclr":
        e1 = F.normalize(model.simclr_mlp(h1), dim=1)
        e2 = F.normalize(model.simclr_mlp(h2), dim=1)
        logits = e1 @ e2.t() / cfg["tau"]  # one way, cross-view negatives only (docs/nt_xent.md)
        parts["simclr"] = F.cross_entropy(logits, torch.arange(logits.shape[0]))
        method_loss = parts["simclr"]
    else:
        method_loss = None
    total = parts["cls"] if method_loss is None else parts["cls"] + method_loss
    return total, parts


@torch.no_grad()
def validate(model, images, labels):
    """experiments/evaluate.cpp probe_accuracy: eval mode (running statistics), batches of 256."""
    model.eval()
    logits = torch.cat([model.cls_mlp(model.encoder(images[i:i + 256])) for i in range(0, len(images), 256)])
    model.train()
    return int((logits.argmax(1) == labels.long()).sum())


def tensors(path, dtype):
    arrays, meta = read_safetensors(path)
    out = {}
    for k, a in arrays.items():
        t = torch.from_numpy(a.copy())
        out[k] = t.to(dtype) if t.is_floating_point() else t
    return out, meta


def replay(dump, dtype=torch.float32):
    """Replays the run dumped in `dump`; returns (config, per-step records, epoch results, model)."""
    init, meta = tensors(os.path.join(dump, "init.safetensors"), dtype)
    cfg = json.loads(meta["config"])
    if cfg.get("lr_schedule", "constant") != "constant" or cfg["weight_decay"] != 0:
        raise SystemExit(f"{dump}: the twin implements Adam without a schedule or weight decay (the paper's)")
    model = Image2Vec(cfg).to(dtype)
    missing, unexpected = model.load_state_dict(init, strict=False)
    missing = [k for k in missing if not k.endswith("num_batches_tracked")]
    if missing or unexpected:
        raise SystemExit(f"{dump}: names differ: missing {missing}, unexpected {unexpected}")
    opt = torch.optim.Adam(model.parameters(), lr=cfg["lr"], betas=(cfg["beta1"], cfg["beta2"]), eps=cfg["adam_eps"])
    val, _ = tensors(os.path.join(dump, "val.safetensors"), dtype)

    files = sorted(f for f in os.listdir(dump) if f.startswith("step_"))
    records, epochs, bn_first = [], [], None
    model.train()
    for i, f in enumerate(files):
        b, bmeta = tensors(os.path.join(dump, f), dtype)
        if int(bmeta["step"]) != i:
            raise SystemExit(f"{dump}/{f}: expected step {i}")
        total, parts = training_loss(model, cfg, b)
        opt.zero_grad(set_to_none=True)
        total.backward()
        opt.step()
        rec = {"loss": float(total), **{k: float(v) for k, v in parts.items()}}
        ours = {k[5:]: float(v[0]) for k, v in b.items() if k.startswith("ours.")}
        records.append((rec, ours))
        if i == 0:
            bn_first = bn_buffers(model)
        last_of_epoch = i + 1 == len(files) or \
            int(read_safetensors(os.path.join(dump, files[i + 1]))[1]["epoch"]) != int(bmeta["epoch"])
        if last_of_epoch:
            epochs.append(validate(model, val["images"], val["labels"]))
    return cfg, records, epochs, bn_first, bn_buffers(model)


def bn_buffers(model):
    return {k: v.detach().float().clone() for k, v in model.named_buffers() if not k.endswith("num_batches_tracked")}


def max_gap(a, b):
    return float((a.double() - b.double()).abs().max())


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    compare = "--compare" in sys.argv
    if len(args) != 1:
        raise SystemExit(__doc__)
    torch.set_num_threads(1)
    root, out, meta = args[0], {}, {}
    for m in METHODS:
        dump = os.path.join(root, m)
        if not os.path.isdir(dump):
            raise SystemExit(f"{dump}: missing (run the TwinRun tests with DL_TWIN_DUMP={root} first)")
        # The exact run (float64) and PyTorch's float32 run: their gap is float32's own drift.
        cfg, rec64, ep64, bn0, bn64 = replay(dump, torch.float64)
        _, rec32, ep32, _, bn32 = replay(dump, torch.float32)
        ratio = 0.0
        env = {}
        for (a, o), (b, _) in zip(rec32, rec64):
            for k in b:
                env[k] = max(env.get(k, 0.0), abs(a[k] - b[k]))
                ratio = max(ratio, abs(o[k] - b[k]) / (env[k] + 1e-6 * abs(b[k]) + 1e-7))
        print(f"{m}: {len(rec64)} steps, loss {rec64[0][0]['loss']:.5f} -> {rec64[-1][0]['loss']:.5f}; val correct per "
              f"epoch float64 {ep64}, float32 {ep32}, ours in the dump's run: see the "
              f"test; max |ours - float64| / running max |float32 - float64| over steps and parts: {ratio:.1f}")
        if compare:
            for s, ((a, o), (b, _)) in enumerate(zip(rec32, rec64)):
                print(f"  step {s:3d} " + "  ".join(
                    f"{k} {b[k]:.6f} f32 {abs(a[k] - b[k]) / abs(b[k]):.0e} ours {abs(o[k] - b[k]) / abs(b[k]):.0e}"
                    for k in b))
            continue
        out[f"{m}.loss"] = torch.tensor([r["loss"] for r, _ in rec64])
        out[f"{m}.f32.loss"] = torch.tensor([r["loss"] for r, _ in rec32])
        for k in rec64[0][0]:
            if k != "loss":
                out[f"{m}.part.{k}"] = torch.tensor([r[k] for r, _ in rec64])
                out[f"{m}.f32.part.{k}"] = torch.tensor([r[k] for r, _ in rec32])
        out[f"{m}.val_correct"] = torch.tensor(ep64, dtype=torch.int32)
        out[f"{m}.f32.val_correct"] = torch.tensor(ep32, dtype=torch.int32)
        for k in bn64:
            out[f"{m}.bn.{k}"] = bn64[k]
            out[f"{m}.bn_step0.{k}"] = bn0[k]
            out[f"{m}.f32_gap.bn.{k}"] = torch.tensor([max_gap(bn32[k], bn64[k])])
        meta[f"{m}.config"] = json.dumps({k: cfg[k] for k in sorted(cfg) if k not in ("data_dir", "out_dir")})
    if not compare:
        meta["torch"] = torch.__version__
        write_safetensors(os.path.join(HERE, "twin_run.safetensors"), out, meta)


if __name__ == "__main__":
    main()
