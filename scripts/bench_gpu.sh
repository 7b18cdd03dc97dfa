#!/usr/bin/env bash
# GPU benchmark run for a machine with an NVIDIA GPU: ksconv on CUDA (segregated and
# zero-insert, kernel time with device synchronization; copies as their own rows) beside
# PyTorch's conv_transpose2d (cuDNN) on the same GPU, one CSV in bench/results/ named after
# the date and the GPU.   scripts/bench_gpu.sh [SHAPES.csv] [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
shapes=${1:-bench/shapes.csv}
build=${2:-build}
gpu=$(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -n 1 || true)
[ -n "$gpu" ] || { echo "bench_gpu: no NVIDIA GPU (nvidia-smi found none)" >&2; exit 1; }
slug=$(echo "$gpu" | tr 'A-Z' 'a-z' | tr -cs 'a-z0-9' '-' | sed 's/^-//; s/-$//')
out="bench/results/$(date +%F)-$slug.csv"
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
"$build/bin/ksconv" bench --shapes "$shapes" --device cuda --format csv >"$tmp"
/usr/bin/python3 bench/torch_conv_transpose_bench.py "$shapes" --device cuda | tail -n +2 >>"$tmp"
mv "$tmp" "$out"
trap - EXIT
echo "bench_gpu: $gpu -> $out"
