#!/usr/bin/env bash
# README command 2: install what is missing, build, and run the whole test suite: the
# Release tests (on the cpu, on OpenCL through PoCL, and on CUDA where a driver is present),
# the same tests on the ASan+UBSan twins (CTest label asan), and each fuzz target for
# FUZZ_SECONDS (default 30). Any failure or sanitizer finding fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
# Each phase reports its wall time, so a slow CI run shows where the time went.
phase() {
    local start=$SECONDS
    "$@"
    echo "test.sh: $* took $((SECONDS - start)) s"
}
phase scripts/install-deps.sh
BUILD_DIR=${BUILD_DIR:-build}
# install-deps.sh installs PoCL, so the GPU schedules' OpenCL tests must run, not skip.
export KSCONV_REQUIRE_OPENCL=${KSCONV_REQUIRE_OPENCL:-1}
phase scripts/build.sh -DKSCONV_SANITIZE=ON
# Release tests first: PoCL compiles each OpenCL kernel once and caches it, so the sanitized
# twins (under which that compiler runs several times slower) find every kernel compiled.
phase ctest --test-dir "$BUILD_DIR" --output-on-failure -j "$(nproc)" -LE asan
phase ctest --test-dir "$BUILD_DIR" --output-on-failure -j "$(nproc)" -L asan
phase tests/fuzz/build.sh "$BUILD_DIR/fuzz"
phase tests/fuzz/run.sh "$BUILD_DIR/fuzz" "${FUZZ_SECONDS:-30}"
