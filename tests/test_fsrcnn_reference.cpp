// Checks of the float64 FSRCNN reference on networks whose outputs are known by hand: a
// single-channel network that passes the input through, so the output is the deconvolution
// kernel placed at each input pixel, scaled by PReLU on negative inputs, and zero padding at
// the border. (tests/e2e/test_fsrcnn_converter.py compares it with PyTorch on random models.)
#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "fsrcnn_reference.hpp"
#include "ksconv/model.hpp"

namespace {

using ksconv::FsrcnnModel;

FsrcnnModel::Layer conv(int k, float centre, float slope) {
    FsrcnnModel::Layer layer;
    layer.out_channels = layer.in_channels = 1;
    layer.kernel_h = layer.kernel_w = k;
    layer.padding = k / 2;
    layer.weights.assign(size_t(k) * k, 0.0f);
    layer.weights[size_t(k) * k / 2] = centre;
    layer.bias = {0.0f};
    layer.prelu = {slope};
    return layer;
}

// FSRCNN(d=1, s=1, m=1): every convolution passes its input through (centre tap 1), each
// PReLU has slope 0.25, and the deconvolution's 9x9 taps are 1, 2, ..., 81 with bias 0.5.
FsrcnnModel pass_through(int scale) {
    FsrcnnModel model;
    model.scale = scale;
    model.d = model.s = model.m = 1;
    model.layers = {conv(5, 1, 0.25f), conv(1, 1, 0.25f), conv(3, 1, 0.25f), conv(1, 1, 0.25f)};
    FsrcnnModel::Layer deconv;
    deconv.kind = FsrcnnModel::LayerKind::deconv;
    deconv.out_channels = deconv.in_channels = 1;
    deconv.kernel_h = deconv.kernel_w = 9;
    deconv.stride = scale;
    deconv.padding = 4;
    deconv.output_padding = scale - 1;
    for (int i = 0; i < 81; ++i) deconv.weights.push_back(float(i + 1));
    deconv.bias = {0.5f};
    model.layers.push_back(deconv);
    return model;
}

TEST(FsrcnnReference, PlacesTheDeconvolutionKernelAtEachInputPixel) {
    for (int scale : {2, 3, 4}) {
        SCOPED_TRACE("x" + std::to_string(scale));
        const int h = 5, w = 6, iy = 1, ix = 4;
        for (float value : {2.0f, -2.0f}) {
            std::vector<float> image(size_t(h) * w, 0.0f);
            image[size_t(iy) * w + ix] = value;
            const std::vector<double> out = ksconv::test::fsrcnn_reference(pass_through(scale), image.data(), h, w);
            const int oh = h * scale, ow = w * scale;
            ASSERT_EQ(out.size(), size_t(oh) * ow);
            // Four PReLUs on a negative value: times 0.25^4.
            const double through = value > 0 ? value : value / 256.0;
            for (int oy = 0; oy < oh; ++oy) {
                for (int ox = 0; ox < ow; ++ox) {
                    const int ky = oy - iy * scale + 4, kx = ox - ix * scale + 4;
                    const bool tap = ky >= 0 && ky < 9 && kx >= 0 && kx < 9;
                    const double expected = 0.5 + (tap ? through * (ky * 9 + kx + 1) : 0.0);
                    ASSERT_DOUBLE_EQ(out[size_t(oy) * ow + ox], expected) << "at " << oy << ", " << ox;
                }
            }
        }
    }
}

TEST(FsrcnnReference, ZeroPadsEveryConvolutionAtTheBorder) {
    // A 5x5 box of ones on an image of ones counts the neighbours inside the image; a
    // deconvolution with only its centre tap puts that count at output (2y, 2x).
    FsrcnnModel model = pass_through(2);
    model.layers[0].weights.assign(25, 1.0f);
    model.layers.back().weights.assign(81, 0.0f);
    model.layers.back().weights[40] = 1.0f;
    model.layers.back().bias = {0.0f};
    const int h = 4, w = 7;
    const std::vector<float> ones(size_t(h) * w, 1.0f);
    const std::vector<double> out = ksconv::test::fsrcnn_reference(model, ones.data(), h, w);
    auto inside = [](int i, int n) { return std::min(i + 2, n - 1) - std::max(i - 2, 0) + 1; };
    for (int y = 0; y < 2 * h; ++y) {
        for (int x = 0; x < 2 * w; ++x) {
            const double expected = y % 2 == 0 && x % 2 == 0 ? inside(y / 2, h) * inside(x / 2, w) : 0.0;
            ASSERT_EQ(out[size_t(y) * 2 * w + x], expected) << "at " << y << ", " << x;
        }
    }
}

}  // namespace
