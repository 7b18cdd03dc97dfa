#!/usr/bin/env bash
# README command 1: install dependencies, build, and run ksconv on the bundled samples:
# the test card data/sample.png upscaled 2x with bicubic interpolation, and a 2x bilinear
# upsampling of a 3-channel 32x48 tensor written as a depthwise stride-2 transposed
# convolution (data/README.md).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
mkdir -p out
build/bin/ksconv convt --input data/sample_input.npy --weight data/sample_weight.npy --bias data/sample_bias.npy \
    --output out/sample_output.npy --stride 2 --padding 1 --groups 3 --verbose
build/bin/ksconv upscale data/sample.png out/sample_x2.png --scale 2 --method bicubic --verbose
echo "quickstart: wrote out/sample_output.npy and out/sample_x2.png"
