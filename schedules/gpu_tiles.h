// Block sizes of the GPU transposed-convolution schedule. The runtime shares them to check,
// before it picks the compile-time-stride GPU kernel, that a layer's shared-memory tiles fit.
#pragma once

#include <cstdint>
#include <numeric>

namespace ksconv::gpu_tiles {

constexpr int kTileX = 32;          // output columns per block: one warp of threads
constexpr int kTileY = 8;           // output rows per block
constexpr int kBlockChannels = 8;   // output channels per block
constexpr int kThreadChannels = 4;  // accumulators per thread and phase: output channels
constexpr int kInputChunk = 8;      // input channels staged in shared memory at a time

// Quotient pixels of one phase that a block's output tile meets along an axis of stride s:
// one more than tile / s where the padding is not a multiple of the stride.
constexpr int quotient_extent(int tile, int s) { return s == 1 ? tile : (tile + s - 1) / s + 1; }

// Input pixels one block stages along an axis: its quotient pixels, the reach of the taps
// (the most taps a phase has, tap_step apart) and the phases' offsets (0 down to 1 - d).
inline int64_t staged_extent(int tile, int s, int64_t kernel, int64_t d) {
    const int64_t g = std::gcd(int64_t(s), d), step = s / g, tap_step = d / g;
    const int64_t taps = (kernel + step - 1) / step;
    return quotient_extent(tile, s) + (taps - 1) * tap_step + (d - 1);
}

// Shared memory of one block of the compile-time-stride kernel: the block's phases plus
// one chunk of its input tile.
inline int64_t shared_bytes(int sx, int sy, int64_t kw, int64_t kh, int64_t dx, int64_t dy) {
    const int64_t phases = int64_t(quotient_extent(kTileX, sx)) * quotient_extent(kTileY, sy) * sx * sy * kBlockChannels;
    const int64_t staged = staged_extent(kTileX, sx, kw, dx) * staged_extent(kTileY, sy, kh, dy) * kInputChunk;
    return int64_t(sizeof(float)) * (phases + staged);
}

// What the runtime allows a block (CUDA guarantees 48 KiB; OpenCL devices 32 KiB).
constexpr int64_t kSharedBudget = 32 * 1024;

}  // namespace ksconv::gpu_tiles
