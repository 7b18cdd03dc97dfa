// Float64 reference forward pass of FSRCNN, for checking the library's network and the
// model files: plain loops, zero padding at the image border for every convolution (as
// PyTorch's Conv2d), PReLU per channel, and the deconvolution as a direct scatter.
#pragma once

#include <vector>

#include "ksconv/model.hpp"

namespace ksconv::test {

// y: h x w luminance samples as the network takes them (Y/255). Returns the (h*scale) x
// (w*scale) output, row-major. Throws std::invalid_argument if h or w is below 1.
std::vector<double> fsrcnn_reference(const FsrcnnModel &model, const float *y, int h, int w);

}  // namespace ksconv::test
