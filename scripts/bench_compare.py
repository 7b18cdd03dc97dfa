#!/usr/bin/env python3
"""Compare two `ksconv bench --format csv` runs and flag rows that got slower.

usage: scripts/bench_compare.py BASE.csv NEW.csv [--slower 1.5]

Prints new/base median per (shape, method, device, threads) present in both files and
exits 1 if any row is more than --slower times the base (default 1.5: this project's 2-vCPU
guests drift by 15-30% between runs, so smaller ratios are not evidence). A schedule change
can hit shapes it was not aimed at (a specialization that stopped simplifying made
fsrcnn_x2_deconv 7x slower while the shapes being tuned were unchanged), so run the whole
suite before and after, on the same machine.
"""
import argparse
import csv
import sys

KEY = ("name", "method", "device", "threads")


def read(path):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    if not rows or any(k not in rows[0] for k in KEY + ("median_ms",)):
        sys.exit(f"{path}: not a ksconv bench CSV (needs columns {', '.join(KEY)}, median_ms)")
    return {tuple(r[k] for k in KEY): float(r["median_ms"]) for r in rows}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base")
    parser.add_argument("new")
    parser.add_argument("--slower", type=float, default=1.5, help="flag rows above this new/base ratio")
    args = parser.parse_args()
    base, new = read(args.base), read(args.new)
    common = [k for k in base if k in new]
    if not common:
        sys.exit("no (shape, method, device, threads) row is in both files")
    flagged = 0
    print(f"{'shape':18s} {'method':12s} {'threads':>7s} {'base ms':>10s} {'new ms':>10s} {'new/base':>9s}")
    for k in common:
        ratio = new[k] / base[k]
        mark = "  SLOWER" if ratio > args.slower else ""
        flagged += bool(mark)
        print(f"{k[0]:18s} {k[1]:12s} {k[3]:>7s} {base[k]:10.3f} {new[k]:10.3f} {ratio:8.2f}x{mark}")
    if flagged:
        print(f"{flagged} row(s) more than {args.slower}x slower than the base")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
