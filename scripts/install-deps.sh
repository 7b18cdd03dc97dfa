#!/usr/bin/env bash
# Installs every Debian 12 package ksconv's build, tests and benchmarks need. Idempotent:
# packages already present are left alone, and apt is not touched when nothing is missing.
set -euo pipefail

packages=(
    cmake ninja-build g++ pkg-config
    libhalide14-0-dev libpng-dev libjpeg-dev   # Halide 14 and the image libraries it links
    libgtest-dev                               # unit tests
    clang libclang-rt-14-dev                   # fuzz targets: libclang-rt has libFuzzer (-fsanitize=fuzzer)
    python3 python3-numpy                      # end-to-end tests (Debian's /usr/bin/python3)
    python3-torch python3-pil python3-skimage  # FSRCNN converter test (torch); training/ (all three)
    pocl-opencl-icd ocl-icd-opencl-dev         # OpenCL on the CPU, for GPU-schedule tests
    libdnnl-dev                                # oneDNN, the benchmark peer
    libopencv-core-dev libopencv-imgproc-dev   # OpenCV's cv::resize, the upscale peer
)

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
    echo "install-deps: all ${#packages[@]} packages present"
    exit 0
fi

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "install-deps: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
