#include "upscale_reference.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace ksconv_test {

namespace {

using ksconv::UpscaleMethod;

const double kPi = 3.14159265358979323846;

double kernel(UpscaleMethod method, double distance) {
    const double d = std::fabs(distance);
    switch (method) {
        case UpscaleMethod::bilinear:
            return d < 1 ? 1 - d : 0;
        case UpscaleMethod::bicubic: {
            const double a = -0.75;  // Keys (1981) with OpenCV's a
            if (d < 1) return (a + 2) * d * d * d - (a + 3) * d * d + 1;
            if (d < 2) return a * d * d * d - 5 * a * d * d + 8 * a * d - 4 * a;
            return 0;
        }
        case UpscaleMethod::lanczos3:
        case UpscaleMethod::lanczos4: {
            const double n = method == UpscaleMethod::lanczos3 ? 3 : 4;
            if (d < 1e-12) return 1;
            if (d >= n) return 0;
            return std::sin(kPi * d) / (kPi * d) * std::sin(kPi * d / n) / (kPi * d / n);
        }
        case UpscaleMethod::nearest:
        case UpscaleMethod::fsrcnn:  // a network, not a kernel
            break;
    }
    return 0;
}

int radius(UpscaleMethod method) {
    switch (method) {
        case UpscaleMethod::bilinear:
            return 1;
        case UpscaleMethod::bicubic:
            return 2;
        case UpscaleMethod::lanczos3:
            return 3;
        case UpscaleMethod::lanczos4:
            return 4;
        case UpscaleMethod::nearest:
        case UpscaleMethod::fsrcnn:
            break;
    }
    return 0;
}

// (source index, weight) pairs for output coordinate o along an axis of n source samples.
std::vector<std::pair<int64_t, double>> taps(UpscaleMethod method, int scale, int64_t o, int64_t n) {
    if (method == UpscaleMethod::nearest) return {{std::min(o / scale, n - 1), 1.0}};
    const double position = (double(o) + 0.5) / scale - 0.5;
    const int64_t left = int64_t(std::floor(position));
    std::vector<std::pair<int64_t, double>> result;
    double sum = 0;
    for (int64_t i = left - radius(method) + 1; i <= left + radius(method); i++) {
        const double w = kernel(method, position - double(i));
        result.push_back({std::clamp<int64_t>(i, 0, n - 1), w});
        sum += w;
    }
    for (auto &tap : result) tap.second /= sum;
    return result;
}

}  // namespace

std::vector<double> reference_upscale_unrounded(const ksconv::ImageFormat &f, const std::vector<uint32_t> &samples,
                                               int scale, ksconv::UpscaleMethod method) {
    const int64_t ow = f.width * scale, oh = f.height * scale, c = f.channels;
    std::vector<double> out(size_t(ow * oh * c));
    for (int64_t oy = 0; oy < oh; oy++) {
        const auto rows = taps(method, scale, oy, f.height);
        for (int64_t ox = 0; ox < ow; ox++) {
            const auto columns = taps(method, scale, ox, f.width);
            for (int64_t ch = 0; ch < c; ch++) {
                double sum = 0;
                for (const auto &[y, wy] : rows) {
                    for (const auto &[x, wx] : columns) sum += wy * wx * samples[size_t((y * f.width + x) * c + ch)];
                }
                out[size_t((oy * ow + ox) * c + ch)] = sum;
            }
        }
    }
    return out;
}

std::vector<uint32_t> reference_upscale(const ksconv::ImageFormat &f, const std::vector<uint32_t> &samples, int scale,
                                        ksconv::UpscaleMethod method) {
    const double max_value = f.bit_depth == 8 ? 255 : 65535;
    const std::vector<double> sums = reference_upscale_unrounded(f, samples, scale, method);
    std::vector<uint32_t> out(sums.size());
    for (size_t i = 0; i < sums.size(); i++) out[i] = uint32_t(std::clamp(std::floor(sums[i] + 0.5), 0.0, max_value));
    return out;
}

std::vector<uint32_t> samples_of(const ksconv::ImageFormat &f, const std::vector<uint8_t> &bytes) {
    std::vector<uint32_t> out(size_t(f.width * f.height * f.channels));
    for (size_t i = 0; i < out.size(); i++) {
        if (f.bit_depth == 8) {
            out[i] = bytes[i];
        } else {
            uint16_t v;
            std::memcpy(&v, &bytes[2 * i], 2);
            out[i] = v;
        }
    }
    return out;
}

}  // namespace ksconv_test
