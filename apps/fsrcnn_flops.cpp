#include "fsrcnn_flops.hpp"

#include <algorithm>

namespace ksconv::cli {
namespace {

// Along one axis of length n: convolution pairs (o, t) with 0 <= o + t - pad < n.
int64_t conv_pairs(int64_t n, int kernel, int pad) {
    int64_t pairs = 0;
    for (int t = 0; t < kernel; t++) {
        const int64_t lo = pad - t, hi = n + pad - t;  // o in [lo, hi) keeps the input inside
        pairs += std::max<int64_t>(0, std::min(n, hi) - std::max<int64_t>(0, lo));
    }
    return pairs;
}

// Transposed convolution pairs (i, k), i < n, with 0 <= i*s - pad + k < n_out.
int64_t deconv_pairs(int64_t n, int kernel, int stride, int pad, int64_t n_out) {
    int64_t pairs = 0;
    for (int64_t i = 0; i < n; i++) {
        for (int k = 0; k < kernel; k++) {
            const int64_t o = i * stride - pad + k;
            pairs += o >= 0 && o < n_out;
        }
    }
    return pairs;
}

}  // namespace

double fsrcnn_useful_flops(const FsrcnnModel &model, int64_t width, int64_t height) {
    double flops = 0;
    for (const FsrcnnModel::Layer &l : model.layers) {
        const double channels = 2.0 * l.in_channels * l.out_channels;
        if (l.kind == FsrcnnModel::LayerKind::conv) {
            flops += channels * double(conv_pairs(width, l.kernel_w, l.padding)) *
                     double(conv_pairs(height, l.kernel_h, l.padding));
        } else {
            flops += channels * double(deconv_pairs(width, l.kernel_w, l.stride, l.padding, width * model.scale)) *
                     double(deconv_pairs(height, l.kernel_h, l.stride, l.padding, height * model.scale));
        }
    }
    return flops;
}

}  // namespace ksconv::cli
