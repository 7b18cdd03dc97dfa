// Calls into the generated FSRCNN libraries (one per scale, deconvolution method and device).
#pragma once

#include "HalideRuntime.h"
#include "ksconv/device.hpp"
#include "ksconv/fsrcnn.hpp"

namespace ksconv::detail {

// The network shape the libraries are compiled for (generators/fsrcnn_generator.cpp).
constexpr int kFsrcnnBuiltD = 56, kFsrcnnBuiltS = 12, kFsrcnnBuiltM = 4;

struct FsrcnnCall {
    halide_buffer_t *input;  // (x, y) Y/255 in image coordinates: the tile and its context
    int image_width, image_height;
    int tile_x, tile_y;                // low-resolution origin of the tile
    halide_buffer_t *conv_parameters;  // every convolution's weights, bias and slopes in file order
    halide_buffer_t *deconv_weights;   // sub-kernels (segregated) or the whole kernel (zero-insert)
    float deconv_bias;
    halide_buffer_t *output;  // (ox, oy) relative to the tile: scale times its size
};

// Buffers already on `device`. Throws Error with Halide's message on failure.
void run_fsrcnn_kernel(Device device, FsrcnnDeconvolution deconvolution, int scale, const FsrcnnCall &call);

}  // namespace ksconv::detail
