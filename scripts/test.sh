#!/usr/bin/env bash
# README command 2: install what is missing, build, and run the whole test suite: the
# Release tests, the same tests on the ASan+UBSan twins (CTest label asan), and each fuzz
# target for FUZZ_SECONDS (default 45). Any failure or sanitizer finding fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
BUILD_DIR=${BUILD_DIR:-build}
scripts/build.sh -DKSCONV_SANITIZE=ON
ctest --test-dir "$BUILD_DIR" --output-on-failure -j "$(nproc)"
tests/fuzz/build.sh "$BUILD_DIR/fuzz"
tests/fuzz/run.sh "$BUILD_DIR/fuzz" "${FUZZ_SECONDS:-45}"
