// Block sizes of the GPU transposed-convolution schedule. The runtime shares them to check,
// before it picks the compile-time-stride GPU kernel, that a layer's shared-memory tiles fit
// (runtime/src/halide_calls.cpp).
#pragma once

namespace ksconv::gpu_tiles {

constexpr int kTileX = 32;          // output columns per block: one warp of threads
constexpr int kTileY = 8;           // output rows per block
constexpr int kBlockChannels = 8;   // output channels per block
constexpr int kThreadChannels = 4;  // accumulators per thread and phase: output channels
constexpr int kInputChunk = 8;      // input channels staged in shared memory at a time

// Quotient pixels of one phase that a block's output tile meets along an axis of stride s:
// one more than tile / s where the padding is not a multiple of the stride.
constexpr int quotient_extent(int tile, int s) { return s == 1 ? tile : (tile + s - 1) / s + 1; }

}  // namespace ksconv::gpu_tiles
