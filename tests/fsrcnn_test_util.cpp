#include "fsrcnn_test_util.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "fsrcnn_reference.hpp"
#include "upscale_reference.hpp"

namespace ksconv_test {
namespace {

using ksconv::FsrcnnModel;

FsrcnnModel::Layer conv(int out, int in, int k, std::mt19937 &rng) {
    FsrcnnModel::Layer l;
    l.out_channels = out;
    l.in_channels = in;
    l.kernel_h = l.kernel_w = k;
    l.padding = k / 2;
    std::normal_distribution<float> weight(0.0f, std::sqrt(2.0f / float(out * k * k)));
    std::uniform_real_distribution<float> bias(-0.05f, 0.05f), slope(0.0f, 0.5f);
    for (int i = 0; i < out * in * k * k; i++) l.weights.push_back(weight(rng));
    for (int i = 0; i < out; i++) {
        l.bias.push_back(bias(rng));
        l.prelu.push_back(slope(rng));
    }
    return l;
}

// MATLAB's rgb2ycbcr in float64 (8-bit units) and its inverse matrix.
void to_ycbcr(double r, double g, double b, double ycc[3]) {
    ycc[0] = 16 + 65.481 * r + 128.553 * g + 24.966 * b;
    ycc[1] = 128 - 37.797 * r - 74.203 * g + 112.0 * b;
    ycc[2] = 128 + 112.0 * r - 93.786 * g - 18.214 * b;
}
constexpr double kInverse[3][3] = {
    {4.5662100456621011e-03, 1.1808799897749284e-09, 6.2589289699439372e-03},
    {4.5662100456621011e-03, -1.5363236860449021e-03, -3.1881109496557070e-03},
    {4.5662100456621011e-03, 7.9107162335547414e-03, 1.1977497040443479e-08},
};

uint32_t to_sample(double unit, double max) {
    return uint32_t(std::min(max, std::max(0.0, std::nearbyint(unit * max))));
}

}  // namespace

FsrcnnModel random_fsrcnn_model(int scale, uint32_t seed) {
    std::mt19937 rng(seed);
    FsrcnnModel m;
    m.scale = scale;
    m.d = 56;
    m.s = 12;
    m.m = 4;
    m.layers.push_back(conv(56, 1, 5, rng));
    m.layers.push_back(conv(12, 56, 1, rng));
    for (int i = 0; i < 4; i++) m.layers.push_back(conv(12, 12, 3, rng));
    m.layers.push_back(conv(56, 12, 1, rng));
    FsrcnnModel::Layer d;
    d.kind = FsrcnnModel::LayerKind::deconv;
    d.out_channels = 1;
    d.in_channels = 56;
    d.kernel_h = d.kernel_w = 9;
    d.stride = scale;
    d.padding = 4;
    d.output_padding = scale - 1;
    std::normal_distribution<float> weight(0.0f, 0.01f);
    for (int i = 0; i < 56 * 81; i++) d.weights.push_back(weight(rng));
    d.bias.push_back(0.45f);
    m.layers.push_back(d);
    return m;
}

ksconv::Image random_photo(int64_t w, int64_t h, int channels, int bits, std::mt19937 &rng) {
    ksconv::Image image;
    image.format = ksconv::ImageFormat{w, h, channels, bits};
    image.data.resize(size_t(image.format.row_bytes() * h));
    const double max = bits == 8 ? 255 : 65535;
    std::uniform_real_distribution<double> unit(0, 1), noise(-0.05, 0.05);
    std::vector<double> base(channels), dx(channels), dy(channels);
    for (int c = 0; c < channels; c++) {
        base[c] = unit(rng);
        dx[c] = (unit(rng) - 0.5) / double(w);
        dy[c] = (unit(rng) - 0.5) / double(h);
    }
    for (int64_t y = 0; y < h; y++) {
        for (int64_t x = 0; x < w; x++) {
            for (int c = 0; c < channels; c++) {
                const double v = std::clamp(base[c] + dx[c] * double(x) + dy[c] * double(y) + noise(rng), 0.0, 1.0);
                const size_t at = size_t((y * w + x) * channels + c);
                if (bits == 8) {
                    image.data[at] = uint8_t(std::nearbyint(v * max));
                } else {
                    const uint16_t s = uint16_t(std::nearbyint(v * max));
                    std::memcpy(&image.data[2 * at], &s, 2);
                }
            }
        }
    }
    return image;
}

std::vector<uint32_t> reference_fsrcnn_image(const FsrcnnModel &model, const ksconv::Image &image) {
    const ksconv::ImageFormat &f = image.format;
    const int c = f.channels, s = model.scale;
    const bool colour = c >= 3, alpha = c == 2 || c == 4;
    const int nc = (colour ? 2 : 0) + (alpha ? 1 : 0);
    const double max = f.bit_depth == 8 ? 255 : 65535;
    const std::vector<uint32_t> in = samples_of(f, image.data);
    const int64_t n = f.width * f.height;
    std::vector<float> luma(static_cast<size_t>(n));
    std::vector<uint32_t> chroma(size_t(n * nc));
    for (int64_t i = 0; i < n; i++) {
        const uint32_t *p = &in[size_t(i * c)];
        double ycc[3] = {16 + 219 * (p[0] / max), 128, 128};
        if (colour) to_ycbcr(p[0] / max, p[1] / max, p[2] / max, ycc);
        luma[size_t(i)] = float(ycc[0] / 255);
        if (colour) {
            chroma[size_t(i * nc)] = uint32_t(std::nearbyint(ycc[1] * 257));
            chroma[size_t(i * nc + 1)] = uint32_t(std::nearbyint(ycc[2] * 257));
        }
        if (alpha) chroma[size_t(i * nc + nc - 1)] = uint32_t(std::nearbyint(p[c - 1] * (65535 / max)));
    }
    const std::vector<double> y = ksconv::test::fsrcnn_reference(model, luma.data(), int(f.height), int(f.width));
    std::vector<uint32_t> chroma_up;
    if (nc > 0) {
        chroma_up = reference_upscale(ksconv::ImageFormat{f.width, f.height, nc, 16}, chroma, s,
                                      ksconv::UpscaleMethod::bicubic);
    }
    std::vector<uint32_t> out(size_t(n * s * s * c));
    for (int64_t i = 0; i < n * s * s; i++) {
        uint32_t *q = &out[size_t(i * c)];
        const double luma_8 = y[size_t(i)] * 255;
        if (colour) {
            const double d[3] = {luma_8 - 16, chroma_up[size_t(i * nc)] / 257.0 - 128,
                                 chroma_up[size_t(i * nc + 1)] / 257.0 - 128};
            for (int k = 0; k < 3; k++) {
                q[k] = to_sample(kInverse[k][0] * d[0] + kInverse[k][1] * d[1] + kInverse[k][2] * d[2], max);
            }
        } else {
            q[0] = to_sample((luma_8 - 16) / 219, max);
        }
        if (alpha) q[c - 1] = to_sample(chroma_up[size_t(i * nc + nc - 1)] / 65535.0, max);
    }
    return out;
}

}  // namespace ksconv_test
