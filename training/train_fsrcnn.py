#!/usr/bin/python3
"""Trains FSRCNN on the luminance of skimage's photographs and synthetic images, and writes
a .ksm model. training/README.md has the recipe and the results.

  /usr/bin/python3 training/train_fsrcnn.py --scale 2 --out models/fsrcnn_x2.ksm
  /usr/bin/python3 training/train_fsrcnn.py --scale 3 --init models/fsrcnn_x2.ksm --out models/fsrcnn_x3.ksm

From scratch: Adam on the MSE of Y/255, all layers together, cosine learning-rate decay.
With --init (x3, x4, as the paper does): the convolutions come from that model, a new
deconvolution is trained alone for --freeze-iterations, then everything is fine-tuned.
"""

import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tools"))

import images  # noqa: E402
import measure  # noqa: E402
from bicubic_start import start_as_bicubic  # noqa: E402
from fast_deconv import SegregatedDeconv  # noqa: E402
from fsrcnn_torch import FSRCNN  # noqa: E402
import ksm_format  # noqa: E402

SIZE_AUGMENT = (1.0, 0.8, 0.6)  # each training image also shrunk to these sizes


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--scale", type=int, required=True, choices=(2, 3, 4))
    p.add_argument("--out", required=True, help="the .ksm model to write")
    p.add_argument("--init", help="a .ksm model whose convolutions start this one (fine-tuning)")
    p.add_argument("--iterations", type=int, default=None, help="default 16000 from scratch, 4000 fine-tuning")
    p.add_argument("--freeze-iterations", type=int, default=600,
                   help="with --init: iterations that train the new deconvolution alone")
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--patch", type=int, default=None, help="LR patch side (default 32, 24, 20 for x2, x3, x4)")
    p.add_argument("--lr", type=float, default=None, help="convolutions' learning rate (1e-3, 5e-4 fine-tuning)")
    p.add_argument("--deconv-lr-factor", type=float, default=1.0, help="deconvolution lr = lr * this")
    p.add_argument("--start", choices=("bicubic", "paper"), default="bicubic",
                   help="from scratch: start as bicubic upscaling (training/bicubic_start.py) or the paper's random start")
    p.add_argument("--seed", type=int, default=6)
    p.add_argument("--eval-every", type=int, default=1000)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--log", help="append progress lines here too")
    p.add_argument("--results", help="JSON file whose entry for this scale is replaced with the results")
    p.add_argument("--state-dict", help="also torch.save the state_dict here")
    args = p.parse_args()
    fine_tune = args.init is not None
    if args.iterations is None:
        args.iterations = 4000 if fine_tune else 16000
    if args.patch is None:
        args.patch = {2: 32, 3: 24, 4: 20}[args.scale]
    if args.lr is None:
        args.lr = 5e-4 if fine_tune else 1e-3
    if not fine_tune:
        args.freeze_iterations = 0
    return args


class Log:
    def __init__(self, path):
        self.file = open(path, "a") if path else None

    def __call__(self, text):
        print(text, flush=True)
        if self.file:
            self.file.write(text + "\n")
            self.file.flush()


def training_pairs(scale, patch):
    """(HR, LR) uint8 pairs: every training photo and synthetic image at each augmentation size."""
    sources = [images.load_photo_y(name) for name in images.TRAIN_PHOTOS] + images.synthetic_images()
    pairs = []
    for y in sources:
        for factor in SIZE_AUGMENT:
            hr = images.crop_to_multiple(y if factor == 1.0 else images.resize_by(y, factor), scale)
            if min(hr.shape) >= patch * scale:
                pairs.append((hr, images.downscale(hr, scale)))
    return pairs


class PatchSampler:
    """Random aligned (LR, HR) patches, images weighted by their number of patch positions,
    each patch under one of the 8 flips/rotations."""

    def __init__(self, pairs, scale, patch, rng):
        self.pairs, self.scale, self.patch, self.rng = pairs, scale, patch, rng
        counts = np.array([(lr.shape[0] - patch + 1) * (lr.shape[1] - patch + 1) for _, lr in pairs], float)
        self.weights = counts / counts.sum()

    def batch(self, size):
        p, s = self.patch, self.scale
        lrs, hrs = [], []
        for i in self.rng.choice(len(self.pairs), size=size, p=self.weights):
            hr, lr = self.pairs[i]
            y = self.rng.integers(0, lr.shape[0] - p + 1)
            x = self.rng.integers(0, lr.shape[1] - p + 1)
            a, b = lr[y:y + p, x:x + p], hr[y * s:(y + p) * s, x * s:(x + p) * s]
            turn, flip = self.rng.integers(0, 4), self.rng.integers(0, 2)
            a, b = np.rot90(a, turn), np.rot90(b, turn)
            if flip:
                a, b = a[:, ::-1], b[:, ::-1]
            lrs.append(a)
            hrs.append(b)
        to_tensor = lambda arrays: torch.from_numpy(np.stack(arrays)[:, None].astype(np.float32) / 255.0)  # noqa: E731
        return to_tensor(lrs), to_tensor(hrs)


def held_out_pairs(scale):
    pairs = {}
    for name in images.HELD_OUT_PHOTOS:
        hr = images.crop_to_multiple(images.load_photo_y(name), scale)
        pairs[name] = (hr, images.downscale(hr, scale))
    return pairs


def evaluate(net, pairs, scale):
    """Per image: (model PSNR, bicubic PSNR) on 8-bit Y, `scale` border pixels excluded.
    Uses the module's real ConvTranspose2d, not the training shortcut."""
    results = {}
    with torch.no_grad():
        for name, (hr, lr) in pairs.items():
            x = torch.from_numpy(lr.astype(np.float32) / 255.0)[None, None]
            sr = measure.to_8bit(net(x)[0, 0].double().numpy() * 255.0)
            bicubic = measure.to_8bit(measure.bicubic_upscale(lr, scale))
            results[name] = (measure.psnr(hr, sr, scale), measure.psnr(hr, bicubic, scale))
    return results


def mean_gain(results):
    model = float(np.mean([m for m, _ in results.values()]))
    bicubic = float(np.mean([b for _, b in results.values()]))
    return model, bicubic


def load_convolutions(net, path, log):
    scale, d, s, m, layers = ksm_format.read_model(path)
    if (d, s, m) != (net.d, net.s, net.m):
        raise SystemExit(f"{path}: FSRCNN(d={d}, s={s}, m={m}) does not match this network")
    net.load_layers(layers, deconvolution=False)
    log(f"convolutions from {path} (its scale {scale}); new deconvolution")


def make_optimizer(net, lr, factor, deconv_only):
    deconv = list(net.last_part.parameters())
    groups = [{"params": deconv, "lr": lr * factor}]
    if not deconv_only:
        others = [p for name, p in net.named_parameters() if not name.startswith("last_part")]
        groups.append({"params": others, "lr": lr})
    for group in groups:
        group["initial_lr"] = group["lr"]
    return torch.optim.Adam(groups)


def set_cosine_lr(optimizer, step, total, floor=0.01):
    """Cosine decay from each group's initial lr to floor times it."""
    scale = floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * min(step / max(total, 1), 1.0)))
    for group in optimizer.param_groups:
        group["lr"] = group["initial_lr"] * scale


def main():
    args = parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    log = Log(args.log)
    log(f"train_fsrcnn: {vars(args)}")

    started = time.time()
    pairs = training_pairs(args.scale, args.patch)
    sampler = PatchSampler(pairs, args.scale, args.patch, rng)
    held_out = held_out_pairs(args.scale)
    log(f"{len(pairs)} training images ({sum(lr.size for _, lr in pairs)} LR pixels), "
        f"held out: {', '.join(held_out)}")

    net = FSRCNN(args.scale).to(memory_format=torch.channels_last)
    if args.init:
        load_convolutions(net, args.init, log)
    # The new deconvolution's bias starts at the mean target, not 0: at its small learning
    # rate it would otherwise take thousands of steps to get there.
    with torch.no_grad():
        net.last_part.bias.fill_(float(np.mean([hr.mean() for hr, _ in pairs])) / 255.0)
    if args.start == "bicubic" and not args.init:
        start_as_bicubic(net)
    deconv = SegregatedDeconv(9, args.scale, 4)
    total = args.freeze_iterations + args.iterations
    optimizer = make_optimizer(net, args.lr, args.deconv_lr_factor, deconv_only=args.freeze_iterations > 0)

    history, running = [], []
    for step in range(1, total + 1):
        if step == args.freeze_iterations + 1 and args.freeze_iterations > 0:
            optimizer = make_optimizer(net, args.lr, args.deconv_lr_factor, deconv_only=False)
            log(f"step {step}: fine-tuning all layers")
        phase_step = step - (args.freeze_iterations if step > args.freeze_iterations else 0)
        phase_total = args.iterations if step > args.freeze_iterations else args.freeze_iterations
        set_cosine_lr(optimizer, phase_step - 1, phase_total)
        lr, hr = sampler.batch(args.batch)
        features = net.mid_part(net.first_part(lr.contiguous(memory_format=torch.channels_last)))
        loss = F.mse_loss(deconv(features, net.last_part.weight, net.last_part.bias), hr)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        running.append(loss.item())
        if step % args.eval_every == 0 or step == total:
            results = evaluate(net, held_out, args.scale)
            model, bicubic = mean_gain(results)
            elapsed = time.time() - started
            history.append({"step": step, "loss": float(np.mean(running)), "psnr": model, "bicubic": bicubic,
                            "seconds": round(elapsed, 1)})
            log(f"step {step}/{total}  loss {np.mean(running):.6f}  held-out PSNR {model:.3f} dB "
                f"(bicubic {bicubic:.3f}, gain {model - bicubic:+.3f})  {elapsed:.0f} s")
            running = []

    layers = ksm_format.layers_from_module(net)
    ksm_format.write_model(args.out, args.scale, net.d, net.s, net.m, layers)
    if args.state_dict:
        torch.save(net.state_dict(), args.state_dict)
    seconds = time.time() - started
    results = evaluate(net, held_out, args.scale)
    model, bicubic = mean_gain(results)
    log(f"wrote {args.out}: held-out PSNR {model:.3f} dB vs bicubic {bicubic:.3f} ({model - bicubic:+.3f}), "
        f"{seconds:.0f} s")
    if args.results:
        record_results(args, results, history, seconds)


def record_results(args, results, history, seconds):
    table = {}
    if os.path.exists(args.results):
        with open(args.results) as f:
            table = json.load(f)
    model, bicubic = mean_gain(results)
    settings = {k: v for k, v in vars(args).items() if k not in ("log", "results", "state_dict", "eval_every")}
    table[f"x{args.scale}"] = {
        "settings": settings,
        "size_augment": list(SIZE_AUGMENT),
        "train_photos": list(images.TRAIN_PHOTOS),
        "held_out": list(images.HELD_OUT_PHOTOS),
        "seconds": round(seconds, 1),
        "torch": torch.__version__,
        "psnr_db": {name: {"model": round(m, 3), "bicubic": round(b, 3)} for name, (m, b) in results.items()},
        "mean_psnr_db": {"model": round(model, 3), "bicubic": round(bicubic, 3), "gain": round(model - bicubic, 3)},
        "history": history,
    }
    with open(args.results, "w") as f:
        json.dump(table, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
