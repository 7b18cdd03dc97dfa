#!/usr/bin/python3
"""PyTorch running FSRCNN, the peer of `ksconv bench --upscale IMAGE --method fsrcnn`.

  fsrcnn_torch_bench.py --model M.ksm --input Y.npy --output OUT.npy --threads N [--min-time S]

Loads the weights of a .ksm model (tools/ksm_format.py) into tools/fsrcnn_torch.FSRCNN, whose
last layer is torch.nn.ConvTranspose2d, runs the forward pass on the (H, W) float32 plane
Y/255 of Y.npy under torch.no_grad() with torch.set_num_threads(N), and writes the output
plane to OUT.npy (for ksconv to check before it trusts the timing). Then times the forward
pass alone with ksconv's policy (apps/bench_timer.cpp): warm-up of at least 2 runs and 0.1 s,
then max(10, runs covering 0.5 s) repetitions, at most 2.5 s of them (at least 3), each
timed on its own; --min-time S scales these times as ksconv's option does. Prints one line:
  median_ms min_ms repetitions torch_version
"""

import argparse
import math
import os
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))

import ksm_format  # noqa: E402
from fsrcnn_torch import FSRCNN  # noqa: E402


def load(path):
    scale, d, s, m, layers = ksm_format.read_model(path)
    return FSRCNN(scale, d, s, m).load_layers(layers).eval()


def time_runs(run, target_s):
    """apps/bench_timer.cpp's time_runs, line for line: (median ms, min ms, repetitions)."""
    factor = target_s / 0.5
    warmup_s, max_cell_s, min_reps, min_reps_slow, max_reps = 0.1 * factor, 2.5 * factor, 10, 3, 2000
    estimate, warmup_start, runs = 1e30, time.perf_counter(), 0
    while True:
        runs += 1
        t = time.perf_counter()
        run()
        estimate = min(estimate, time.perf_counter() - t)
        if runs == 1 and estimate > max_cell_s / 2:
            break
        if runs >= 2 and time.perf_counter() - warmup_start >= warmup_s:
            break
    estimate = max(estimate, 1e-7)
    reps = min(max(min_reps, math.ceil(target_s / estimate)), max_reps)
    if reps * estimate > max_cell_s:
        reps = max(min_reps_slow, int(max_cell_s / estimate))
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        run()
        times.append(time.perf_counter() - t)
    times.sort()
    mid = len(times) // 2
    median = times[mid] if len(times) % 2 else 0.5 * (times[mid - 1] + times[mid])
    return 1e3 * median, 1e3 * times[0], reps


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", required=True)
    p.add_argument("--input", required=True)
    p.add_argument("--output", required=True)
    p.add_argument("--threads", type=int, required=True)
    p.add_argument("--min-time", type=float, default=0.5)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    net = load(args.model)
    x = torch.from_numpy(np.load(args.input).astype(np.float32))[None, None]
    with torch.no_grad():
        np.save(args.output, net(x)[0, 0].numpy().astype(np.float32))
        median, least, reps = time_runs(lambda: net(x), args.min_time)
    print(f"{median:.4f} {least:.4f} {reps} {torch.__version__}")


if __name__ == "__main__":
    main()
