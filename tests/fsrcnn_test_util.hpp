// Helpers of the FSRCNN tests: random models of the compiled shape, test images, and the
// image path recomputed in float64 (conversion, reference network, bicubic reference).
#pragma once

#include <cstdint>
#include <random>
#include <vector>

#include "ksconv/model.hpp"
#include "ksconv/png.hpp"

namespace ksconv_test {

// FSRCNN(56, 12, 4) at `scale` with He-normal convolutions, small random biases, PReLU
// slopes in [0, 0.5] and a small deconvolution around a mid-gray bias (as trained models
// look), deterministic in `seed`.
ksconv::FsrcnnModel random_fsrcnn_model(int scale, uint32_t seed);

// A w x h image of smooth random colour (a few random gradients and noise), the kinds of
// values photographs have rather than white noise.
ksconv::Image random_photo(int64_t w, int64_t h, int channels, int bits, std::mt19937 &rng);

// What FsrcnnUpscaler::run should produce, in float64: MATLAB's rgb2ycbcr (gray: R = G =
// B), the float64 reference network on Y/255, Cb, Cr and alpha quantized to 16 bits as the
// library does and upscaled by the float64 bicubic reference, the inverse conversion,
// rounding and saturation.
std::vector<uint32_t> reference_fsrcnn_image(const ksconv::FsrcnnModel &model, const ksconv::Image &image);

}  // namespace ksconv_test
