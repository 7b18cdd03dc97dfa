#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan + libFuzzer) into DIR (default
# build/fuzz). They compile the reader and parser sources directly: no Halide, no CMake
# project of their own, independent of the g++ build.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-build/fuzz}
mkdir -p "$out/obj"
CXX=${FUZZ_CXX:-clang++}
flags=(-std=c++17 -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
       -Wall -Wextra -Iruntime/include -Iruntime/src -Iapps)

# Library sources the targets share, compiled once.
sources=(runtime/src/model_file.cpp runtime/src/npy.cpp runtime/src/png_io.cpp runtime/src/temp_file.cpp
         runtime/src/temp_registry.cpp apps/cli_args.cpp)
objects=()
for src in "${sources[@]}"; do
    obj="$out/obj/$(basename "${src%.cpp}").o"
    "$CXX" "${flags[@]}" -fsanitize=fuzzer-no-link -c "$src" -o "$obj" &
    objects+=("$obj")
done
wait

for target in npy png cli_args model; do
    "$CXX" "${flags[@]}" -fsanitize=fuzzer "tests/fuzz/fuzz_$target.cpp" "${objects[@]}" $(pkg-config --libs libpng zlib) \
        -o "$out/fuzz_$target" &
done
wait
for target in npy png cli_args model; do
    [ -x "$out/fuzz_$target" ] || { echo "fuzz build: fuzz_$target failed to build" >&2; exit 1; }
done
echo "fuzz build: $out/fuzz_{npy,png,cli_args,model}"
