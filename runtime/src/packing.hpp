// Kernel segregation on the host: which taps each output phase has, and the sub-kernels
// laid out for the segregated kernels. Mirrors generators/phase_taps.h.
#pragma once

#include <vector>

#include "HalideRuntime.h"
#include "ksconv/conv_transpose.hpp"

namespace ksconv::detail {

// The taps of one phase along one axis: k0, k0 + step, ... (count of them).
struct AxisPhase {
    int first = 0;
    int step = 1;
    int count = 0;
};

AxisPhase axis_phase(int phase, int stride, int kernel, int dilation);

// The channel axis is padded with zeros to a multiple of kChannelPadding: a register tile of
// channels rounds its range up past the last channel and reads there, but never past the
// end of its task's block of channels (16, 32 or 64 channels starting on a multiple of that
// size, see schedules/x86_schedules.cpp; GPU tiles are 4 channels in blocks of 8), so never
// past the next multiple of 64. The generators promise Halide those reads stay inside.
// (Padding by 64 channels past the last instead cost 25% more memory at 256 channels.)
// Layers of at most kChannelBlock (16) channels are padded to one block: their tasks hold
// all of their channels, and no tile wider than 16 channels is chosen for fewer than 32
// (x86_schedules.cpp's channel_tile_choice; the check_unsafe_promises build verifies it).
// That is 4x less for the few-channel layers and for the per-group layers of 8-16 channels.
constexpr int kChannelPadding = 64;

// With channel padding, output channels are packed in blocks of kChannelBlock (one 64-byte
// line; generators/channel_groups.h splits channels the same way). A block holds the run of
// its channels for every (input channel, tap), input channel fastest, then the taps: the
// order in which a register tile's reduction reads them, so a tile's weights are one
// sequential stream. Channel-fastest rows instead put successive input channels a whole row
// of every channel and tap apart (5 KB on dcgan_l1): every step of the reduction touched
// another page, and small maps, which read each weight only a few times, waited on them.
// The data starts on a 64-byte line. Without channel padding (FSRCNN's one-channel
// deconvolution) there is one block of all the channels and the data is dense from data[0].
constexpr int kChannelBlock = 16;
static_assert(kChannelPadding % kChannelBlock == 0, "the padding is whole blocks");

struct ChannelBlocks {
    std::vector<float> data;  // the layout starts `offset` elements in
    size_t offset = 0;
    int block = 0;   // channels per block (kChannelBlock, or all of them without padding)
    int blocks = 0;  // blocks of the padded channel axis
    float *values() { return data.data() + offset; }
    const float *values() const { return data.data() + offset; }
};

// Sub-kernels in the generator's layout (channel in block, tx, ty, ci, block, px, py), zero
// where a phase has fewer taps than the largest one, blocks as above: memory order channel
// in block, ci, tx, ty, block, px, py.
struct SubKernels : ChannelBlocks {
    int taps_x = 0, taps_y = 0, cin = 0, stride_x = 0, stride_y = 0;
    std::vector<halide_dimension_t> dimensions() const;  // for a Halide buffer
};

// The whole kernel for the zero-insert method, blocked the same way: (channel in block, kx,
// ky, ci, block), in memory channel in block, ci, kx, ky, block.
struct PackedKernel : ChannelBlocks {
    int kw = 0, kh = 0, cin = 0;
    std::vector<halide_dimension_t> dimensions() const;
};

// Taps are padded with zeros to a multiple of kTapPadding (generators/conv_transpose_parts.h):
// the tap-products GEMM's tiles round the taps up to their width.
constexpr int kTapPadding = 12;

// The weights of the tap-products kernel (few output channels): (tap, ci) with tap =
// kx + kw * (ky + kh * co) fastest, padded to `padded_taps` with zeros; the same order as
// a row of the PyTorch layout, so each input channel's row is one copy.
struct TapWeights {
    std::vector<float> data;
    int taps = 0, padded_taps = 0, cin = 0;
    std::vector<halide_dimension_t> dimensions() const;
};

// `channel_padding`: the channels are padded with zeros to a multiple of it; kernels that
// never tile channels (FSRCNN's one-channel deconvolution) pass 0.
PackedKernel pack_kernel(const WeightShape &shape, const float *weights, int channel_padding = kChannelPadding);

TapWeights pack_tap_weights(const WeightShape &shape, const float *weights);

SubKernels segregate_kernel(const ConvTransposeParams &params, const WeightShape &shape, const float *weights,
                            int channel_padding = kChannelPadding);

}  // namespace ksconv::detail
