// Kernel segregation on the host: which taps each output phase has, and the sub-kernels
// laid out for the segregated kernels. Mirrors generators/phase_taps.h.
#pragma once

#include <vector>

#include "ksconv/conv_transpose.hpp"

namespace ksconv::detail {

// The taps of one phase along one axis: k0, k0 + step, ... (count of them).
struct AxisPhase {
    int first = 0;
    int step = 1;
    int count = 0;
};

AxisPhase axis_phase(int phase, int stride, int kernel, int dilation);

// Sub-kernels in the generator's layout (co in group, tx, ty, ci, px, py), co fastest,
// zero where a phase has fewer taps than the largest one. The channel axis is padded by
// kChannelPadding zeros: a register tile of channels (at most 64 wide, see
// schedules/x86_schedules.cpp) rounds its range up past the last channel and reads there;
// the generators promise Halide those reads stay inside this padding.
constexpr int kChannelPadding = 64;

struct SubKernels {
    std::vector<float> data;
    int cout_padded = 0, taps_x = 0, taps_y = 0, cin = 0, stride_x = 0, stride_y = 0;
};

// The whole kernel for the zero-insert method, in the same channel-fastest padded layout:
// (co in group, kx, ky, ci).
struct PackedKernel {
    std::vector<float> data;
    int cout_padded = 0, kw = 0, kh = 0, cin = 0;
};

// `channel_padding`: zero channels appended past the last one; kernels that never tile
// channels (FSRCNN's one-channel deconvolution) pass 0.
PackedKernel pack_kernel(const WeightShape &shape, const float *weights, int channel_padding = kChannelPadding);

SubKernels segregate_kernel(const ConvTransposeParams &params, const WeightShape &shape, const float *weights,
                            int channel_padding = kChannelPadding);

}  // namespace ksconv::detail
