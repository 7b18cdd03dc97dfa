#include "reference_scatter.hpp"

#include <cstdint>
#include <stdexcept>

namespace ksconv::test {

Shape4 scatter_output_shape(const ConvTransposeParams &p, const WeightShape &ws,
                            const Shape4 &in) {
    const int64_t h = (in.h - 1) * p.stride_h - p.pad_top - p.pad_bottom +
                      int64_t{p.dilation_h} * (ws.kh - 1) + p.output_padding_h + 1;
    const int64_t w = (in.w - 1) * p.stride_w - p.pad_left - p.pad_right +
                      int64_t{p.dilation_w} * (ws.kw - 1) + p.output_padding_w + 1;
    return Shape4{in.n, ws.cout_per_group * p.groups, h, w};
}

std::vector<double> reference_scatter(const ConvTransposeParams &p, const WeightShape &ws,
                                      const float *weights, const float *bias,
                                      const float *input, const Shape4 &in) {
    if (p.groups < 1 || in.c != ws.cin || ws.cin % p.groups != 0)
        throw std::invalid_argument("reference_scatter: inconsistent channels or groups");
    const Shape4 out = scatter_output_shape(p, ws, in);
    if (out.h < 1 || out.w < 1)
        throw std::invalid_argument("reference_scatter: output size < 1");

    const int64_t cin_per_group = ws.cin / p.groups;
    const int64_t cout_per_group = ws.cout_per_group;
    std::vector<double> acc(static_cast<size_t>(out.elements()), 0.0);

    for (int64_t n = 0; n < in.n; ++n) {
        for (int64_t ci = 0; ci < in.c; ++ci) {
            const int64_t group = ci / cin_per_group;
            for (int64_t iy = 0; iy < in.h; ++iy) {
                for (int64_t ix = 0; ix < in.w; ++ix) {
                    const double v = input[((n * in.c + ci) * in.h + iy) * in.w + ix];
                    for (int64_t j = 0; j < cout_per_group; ++j) {
                        const int64_t co = group * cout_per_group + j;
                        double *plane = &acc[static_cast<size_t>((n * out.c + co) * out.h * out.w)];
                        const float *kernel = weights + (ci * cout_per_group + j) * ws.kh * ws.kw;
                        for (int64_t ky = 0; ky < ws.kh; ++ky) {
                            const int64_t oy = iy * p.stride_h - p.pad_top + ky * p.dilation_h;
                            // Taps landing in the cropped padding (or beyond the output
                            // padding) contribute nothing.
                            if (oy < 0 || oy >= out.h) continue;
                            for (int64_t kx = 0; kx < ws.kw; ++kx) {
                                const int64_t ox = ix * p.stride_w - p.pad_left + kx * p.dilation_w;
                                if (ox < 0 || ox >= out.w) continue;
                                plane[oy * out.w + ox] += v * double{kernel[ky * ws.kw + kx]};
                            }
                        }
                    }
                }
            }
        }
    }

    // Bias last, added to every position, including those no tap reaches.
    if (bias) {
        for (int64_t n = 0; n < out.n; ++n)
            for (int64_t co = 0; co < out.c; ++co) {
                double *plane = &acc[static_cast<size_t>((n * out.c + co) * out.h * out.w)];
                for (int64_t i = 0; i < out.h * out.w; ++i) plane[i] += bias[co];
            }
    }
    return acc;
}

}  // namespace ksconv::test
