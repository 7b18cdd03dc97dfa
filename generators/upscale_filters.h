// The fixed interpolation kernels of `ksconv upscale` as polyphase filters.
//
// Upscaling by an integer s with half-pixel centres (OpenCV's cv::resize convention) maps
// output coordinate o to the source position f = (o + 0.5) / s - 0.5. Writing o = s*q + p,
// f = q + d(p) with d(p) = (2p + 1 - s) / (2s): every output of phase p sits at the same
// fraction between source pixels, so the phase is a dense stride-1 correlation of the
// ORIGINAL input with a fixed sub-kernel. That is exactly kernel segregation of the
// equivalent stride-s transposed convolution: no inserted zeros, no per-pixel weights.
#pragma once

#include <cmath>
#include <string>
#include <vector>

namespace ksconv {

enum class UpscaleFilter { nearest, bilinear, bicubic, lanczos3, lanczos4 };

// Phase p of one axis reads source samples q + first_tap + k for k = 0..weights.size()-1.
struct PhaseFilter {
    int first_tap = 0;
    std::vector<double> weights;
};

inline double lanczos(double x, int a) {
    if (x == 0) return 1.0;
    if (std::fabs(x) >= a) return 0.0;
    const double pi = 3.14159265358979323846;
    return a * std::sin(pi * x) * std::sin(pi * x / a) / (pi * pi * x * x);
}

// Keys' cubic convolution kernel with a = -0.75, the value OpenCV's INTER_CUBIC uses.
inline double keys_cubic(double x) {
    const double a = -0.75;
    x = std::fabs(x);
    if (x <= 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
    if (x < 2) return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
    return 0.0;
}

// Half-width of the kernel's support in source pixels.
inline int filter_radius(UpscaleFilter filter) {
    switch (filter) {
        case UpscaleFilter::nearest:
            return 0;
        case UpscaleFilter::bilinear:
            return 1;
        case UpscaleFilter::bicubic:
            return 2;
        case UpscaleFilter::lanczos3:
            return 3;
        case UpscaleFilter::lanczos4:
            return 4;
    }
    return 0;
}

inline PhaseFilter phase_filter(UpscaleFilter filter, int scale, int phase) {
    PhaseFilter result;
    if (filter == UpscaleFilter::nearest) {
        // OpenCV's INTER_NEAREST takes floor(o / s), which is q for every phase.
        result.weights = {1.0};
        return result;
    }
    const double d = (2.0 * phase + 1 - scale) / (2.0 * scale);
    const int base = int(std::floor(d));  // the source pixel at or left of f
    const double t = d - base;            // in [0, 1)
    const int radius = filter_radius(filter);
    result.first_tap = base - radius + 1;
    double sum = 0;
    for (int k = 1 - radius; k <= radius; k++) {
        double x = t - k, w = 0;
        if (filter == UpscaleFilter::bilinear) w = std::fmax(0.0, 1 - std::fabs(x));
        if (filter == UpscaleFilter::bicubic) w = keys_cubic(x);
        if (filter == UpscaleFilter::lanczos3) w = lanczos(x, 3);
        if (filter == UpscaleFilter::lanczos4) w = lanczos(x, 4);
        result.weights.push_back(w);
        sum += w;
    }
    // Lanczos weights do not sum to one; normalize as OpenCV does so flat areas stay flat.
    for (double &w : result.weights) w /= sum;
    return result;
}

}  // namespace ksconv
