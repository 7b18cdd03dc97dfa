#!/usr/bin/python3
"""PyTorch's conv_transpose2d (cuDNN on an NVIDIA GPU) on the shapes of a ksconv bench file.

Usage: /usr/bin/python3 bench/torch_conv_transpose_bench.py SHAPES.csv [--device cuda|cpu]
           [--threads N] [--min-time S]

Prints CSV rows in the format of `ksconv bench --format csv`
(name,method,device,threads,median_ms,min_ms,gflops,extra_bytes), method `torch`, so the
two outputs concatenate into one results file (scripts/bench_gpu.sh does that). The timing
policy is ksconv bench's: random data in (-1, 1) with no bias, warm-up of at least 2 runs
and 0.1 s, then at least 10 runs covering at least min-time seconds, each timed on its own
with a device synchronization inside the timed region, median and minimum reported.
GFLOP/s counts useful work exactly as ksconv bench does; extra_bytes is the peak memory
torch allocated on the device beyond input, weights and output (torch.cuda.max_memory_allocated;
0 on the cpu, where it is not measured).
"""

import argparse
import csv
import statistics
import sys
import time

import torch


def useful_pairs(size, kernel, stride, pad_begin, pad_end, dilation, output_padding):
    """(input position, tap) pairs along one axis whose output lands inside the output."""
    out = (size - 1) * stride - pad_begin - pad_end + dilation * (kernel - 1) + output_padding + 1
    count = 0
    for i in range(size):
        for k in range(kernel):
            o = i * stride - pad_begin + k * dilation
            count += 0 <= o < out
    return count


def time_runs(run, sync, min_time):
    start = time.perf_counter()
    runs = 0
    while runs < 2 or time.perf_counter() - start < 0.1:  # warm-up
        run()
        sync()
        runs += 1
    times = []
    total = 0.0
    while len(times) < 10 or (total < min_time and len(times) < 2000):
        t0 = time.perf_counter()
        run()
        sync()
        dt = time.perf_counter() - t0
        times.append(dt * 1e3)
        total += dt
    return statistics.median(times), min(times)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("shapes")
    ap.add_argument("--device", default="cuda", choices=["cuda", "cpu"])
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--min-time", type=float, default=0.5)
    args = ap.parse_args()
    if args.device == "cuda" and not torch.cuda.is_available():
        sys.exit("torch_conv_transpose_bench: error: torch sees no CUDA device")
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    sync = torch.cuda.synchronize if args.device == "cuda" else (lambda: None)
    torch.backends.cudnn.benchmark = True  # let cuDNN pick its fastest algorithm, as users do
    threads = args.threads if args.threads > 0 else torch.get_num_threads()
    print("name,method,device,threads,median_ms,min_ms,gflops,extra_bytes", flush=True)
    with open(args.shapes, newline="") as f:
        rows = [r for r in csv.DictReader(line for line in f if line.strip() and not line.startswith("#"))]
    for r in rows:
        n, cin, h, w, cout, kh, kw = (int(r[k]) for k in ("N", "Cin", "H", "W", "Cout", "KH", "KW"))
        s, p, op, d, g = (int(r[k]) for k in ("stride", "pad", "output_pad", "dilation", "groups"))
        gen = torch.Generator().manual_seed(1)
        x = (torch.rand((n, cin, h, w), generator=gen) * 2 - 1).to(device)
        wt = (torch.rand((cin, cout // g, kh, kw), generator=gen) * 2 - 1).to(device)
        y = torch.nn.functional.conv_transpose2d(x, wt, None, s, p, op, g, d)
        sync()
        base = 0
        if args.device == "cuda":
            base = torch.cuda.memory_allocated()
            torch.cuda.reset_peak_memory_stats()

        def run():
            torch.nn.functional.conv_transpose2d(x, wt, None, s, p, op, g, d)

        with torch.no_grad():
            median, best = time_runs(run, sync, args.min_time)
        extra = torch.cuda.max_memory_allocated() - base - y.numel() * 4 if args.device == "cuda" else 0
        pairs = useful_pairs(h, kh, s, p, p, d, op) * useful_pairs(w, kw, s, p, p, d, op)
        gflops = 2.0 * (cout // g) * cin * n * pairs / (median * 1e-3) / 1e9
        print(f"{r['name']},torch,{args.device},{threads},{median:.6g},{best:.6g},{gflops:.6g},{max(extra, 0)}",
              flush=True)


if __name__ == "__main__":
    main()
