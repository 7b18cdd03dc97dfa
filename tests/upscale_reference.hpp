// An independent float64 reference for image upscaling, written from the definition
// (OpenCV's cv::resize at integer factors) rather than from the polyphase decomposition the
// kernels use: each output sample evaluates its kernel at the real source distances.
#pragma once

#include <cstdint>
#include <vector>

#include "ksconv/upscale.hpp"

namespace ksconv_test {

// Samples as stored (uint8 or native uint16), interleaved; returns the output samples
// (widened to uint32 so 8- and 16-bit share one type).
std::vector<uint32_t> reference_upscale(const ksconv::ImageFormat &format, const std::vector<uint32_t> &samples,
                                        int scale, ksconv::UpscaleMethod method);

// The same before rounding and saturation: each output sample's exact weighted sum.
std::vector<double> reference_upscale_unrounded(const ksconv::ImageFormat &format, const std::vector<uint32_t> &samples,
                                               int scale, ksconv::UpscaleMethod method);

// An image's samples as stored (uint8 or native uint16), widened to uint32.
std::vector<uint32_t> samples_of(const ksconv::ImageFormat &f, const std::vector<uint8_t> &bytes);

}  // namespace ksconv_test
