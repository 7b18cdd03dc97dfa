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

// The channel axis is padded by kChannelPadding zeros: a register tile of channels (at most
// 64 wide, see schedules/x86_schedules.cpp) rounds its range up past the last channel and
// reads there; the generators promise Halide those reads stay inside this padding.
constexpr int kChannelPadding = 64;

// Both packed layouts keep one input channel's weights together (a block) and, with
// channel padding, are laid out for the CPU's register tiles, which read one tile-wide
// channel run per input channel: the data starts on a 64-byte boundary and successive
// blocks are an odd number of 64-byte lines apart (a gap after each where needed), so they
// spread over all of a cache's sets. At an even number of lines they used a few: dcgan_l1's
// 5 KB step used a sixteenth of a 32 KB L1's sets, and the layer took 3.0 ms, not 1.9-2.4.
// Without channel padding (FSRCNN's one-channel deconvolution) the blocks are dense from
// data[0].
struct ChannelBlocks {
    std::vector<float> data;  // the layout starts `offset` elements in
    size_t offset = 0;
    int64_t ci_stride = 0;  // elements from one input channel's block to the next
    float *values() { return data.data() + offset; }
    const float *values() const { return data.data() + offset; }
};

// Sub-kernels in the generator's layout (co in group, tx, ty, ci, px, py), co fastest,
// zero where a phase has fewer taps than the largest one, blocks as above.
struct SubKernels : ChannelBlocks {
    int cout_padded = 0, taps_x = 0, taps_y = 0, cin = 0, stride_x = 0, stride_y = 0;
    std::vector<halide_dimension_t> dimensions() const;  // for a Halide buffer
};

// The whole kernel for the zero-insert method, in the same channel-fastest padded layout:
// (co in group, kx, ky, ci).
struct PackedKernel : ChannelBlocks {
    int cout_padded = 0, kw = 0, kh = 0, cin = 0;
    std::vector<halide_dimension_t> dimensions() const;
};

// `channel_padding`: zero channels appended past the last one; kernels that never tile
// channels (FSRCNN's one-channel deconvolution) pass 0.
PackedKernel pack_kernel(const WeightShape &shape, const float *weights, int channel_padding = kChannelPadding);

SubKernels segregate_kernel(const ConvTransposeParams &params, const WeightShape &shape, const float *weights,
                            int channel_padding = kChannelPadding);

}  // namespace ksconv::detail
