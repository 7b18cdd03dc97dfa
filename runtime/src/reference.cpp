// Gather form of transposed convolution: each output element sums the taps that reach it.
// Deliberately naive (no phases, no blocking) so that it is obviously right.
#include "reference.hpp"

#include <cstdint>

namespace ksconv::detail {

namespace {

// Input index that tap k feeds into output position o along one dimension, or -1 when the
// tap misses the input grid: o = i*stride - pad + k*dilation must hold for an integer i in range.
int64_t source_index(int64_t o, int64_t k, int64_t stride, int64_t pad, int64_t dilation,
                     int64_t extent) {
    const int64_t t = o + pad - k * dilation;
    if (t < 0 || t % stride != 0) return -1;
    const int64_t i = t / stride;
    return i < extent ? i : -1;
}

// Sum, without bias, of every tap of co's group that reaches output element (n, co, oy, ox).
double output_element(const ConvTransposeParams &p, const WeightShape &ws, const float *weights,
                      const float *input, const Shape4 &in, int64_t n, int64_t co, int64_t oy,
                      int64_t ox) {
    const int64_t cin_per_group = ws.cin / p.groups;
    const int64_t group = co / ws.cout_per_group;
    const int64_t co_in_group = co % ws.cout_per_group;
    double acc = 0.0;
    for (int64_t ci = group * cin_per_group; ci < (group + 1) * cin_per_group; ++ci) {
        const float *plane = input + (n * in.c + ci) * in.h * in.w;
        const float *kernel = weights + (ci * ws.cout_per_group + co_in_group) * ws.kh * ws.kw;
        for (int64_t ky = 0; ky < ws.kh; ++ky) {
            const int64_t iy = source_index(oy, ky, p.stride_h, p.pad_top, p.dilation_h, in.h);
            if (iy < 0) continue;
            for (int64_t kx = 0; kx < ws.kw; ++kx) {
                const int64_t ix =
                    source_index(ox, kx, p.stride_w, p.pad_left, p.dilation_w, in.w);
                if (ix < 0) continue;
                acc += double(plane[iy * in.w + ix]) * double(kernel[ky * ws.kw + kx]);
            }
        }
    }
    return acc;
}

}  // namespace

void reference_conv_transpose(const ConvTransposeParams &p, const WeightShape &ws,
                              const float *weights, const float *bias, const float *input,
                              const Shape4 &in, float *output) {
    const Shape4 out = output_shape(p, ws, in);
    float *dst = output;
    for (int64_t n = 0; n < out.n; ++n) {
        for (int64_t co = 0; co < out.c; ++co) {
            const double b = bias ? double(bias[co]) : 0.0;
            for (int64_t oy = 0; oy < out.h; ++oy) {
                for (int64_t ox = 0; ox < out.w; ++ox) {
                    *dst++ = float(b + output_element(p, ws, weights, input, in, n, co, oy, ox));
                }
            }
        }
    }
}

}  // namespace ksconv::detail
