// Useful work of the FSRCNN network on an image, for GFLOP/s: 2 * in * out channels times
// the (output pixel, tap) pairs whose input lies inside the image, per layer; taps that read
// the zero padding, and the inserted zeros of the zero-insert method, are not counted.
#pragma once

#include <cstdint>

#include "ksconv/model.hpp"

namespace ksconv::cli {

double fsrcnn_useful_flops(const FsrcnnModel &model, int64_t width, int64_t height);

}  // namespace ksconv::cli
