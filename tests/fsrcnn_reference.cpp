#include "fsrcnn_reference.hpp"

#include <stdexcept>
#include <vector>

namespace ksconv::test {
namespace {

// Feature maps: channels x h x w, row-major.
struct Maps {
    int channels, h, w;
    std::vector<double> values;
    double &at(int c, int y, int x) { return values[(size_t(c) * h + y) * w + x]; }
};

// Stride-1 convolution with zero padding, then PReLU with one slope per output channel.
Maps conv_prelu(const FsrcnnModel::Layer &layer, Maps &in) {
    Maps out{layer.out_channels, in.h, in.w, std::vector<double>(size_t(layer.out_channels) * in.h * in.w)};
    const int kh = layer.kernel_h, kw = layer.kernel_w, pad = layer.padding;
    for (int co = 0; co < out.channels; ++co) {
        for (int y = 0; y < in.h; ++y) {
            for (int x = 0; x < in.w; ++x) {
                double sum = layer.bias[size_t(co)];
                for (int ci = 0; ci < in.channels; ++ci) {
                    for (int ky = 0; ky < kh; ++ky) {
                        const int iy = y + ky - pad;
                        if (iy < 0 || iy >= in.h) continue;
                        for (int kx = 0; kx < kw; ++kx) {
                            const int ix = x + kx - pad;
                            if (ix < 0 || ix >= in.w) continue;
                            const size_t tap = ((size_t(co) * in.channels + ci) * kh + ky) * kw + kx;
                            sum += in.at(ci, iy, ix) * double(layer.weights[tap]);
                        }
                    }
                }
                out.at(co, y, x) = sum > 0 ? sum : double(layer.prelu[size_t(co)]) * sum;
            }
        }
    }
    return out;
}

// Transposed convolution as a scatter: input pixel (iy, ix) adds in * w[ci][co][ky][kx] at
// output (iy*stride - pad + ky, ix*stride - pad + kx) when that lies inside the output.
Maps deconv(const FsrcnnModel::Layer &layer, Maps &in) {
    const int s = layer.stride, pad = layer.padding, kh = layer.kernel_h, kw = layer.kernel_w;
    const int oh = (in.h - 1) * s - 2 * pad + kh + layer.output_padding;
    const int ow = (in.w - 1) * s - 2 * pad + kw + layer.output_padding;
    Maps out{layer.out_channels, oh, ow, std::vector<double>(size_t(layer.out_channels) * oh * ow)};
    for (int co = 0; co < out.channels; ++co) {
        for (int y = 0; y < oh; ++y) {
            for (int x = 0; x < ow; ++x) out.at(co, y, x) = layer.bias[size_t(co)];
        }
    }
    for (int ci = 0; ci < in.channels; ++ci) {
        for (int iy = 0; iy < in.h; ++iy) {
            for (int ix = 0; ix < in.w; ++ix) {
                const double v = in.at(ci, iy, ix);
                for (int co = 0; co < out.channels; ++co) {
                    for (int ky = 0; ky < kh; ++ky) {
                        const int oy = iy * s - pad + ky;
                        if (oy < 0 || oy >= oh) continue;
                        for (int kx = 0; kx < kw; ++kx) {
                            const int ox = ix * s - pad + kx;
                            if (ox < 0 || ox >= ow) continue;
                            const size_t tap = ((size_t(ci) * out.channels + co) * kh + ky) * kw + kx;
                            out.at(co, oy, ox) += v * double(layer.weights[tap]);
                        }
                    }
                }
            }
        }
    }
    return out;
}

}  // namespace

std::vector<double> fsrcnn_reference(const FsrcnnModel &model, const float *y, int h, int w) {
    if (h < 1 || w < 1) throw std::invalid_argument("fsrcnn_reference: empty image");
    Maps maps{1, h, w, std::vector<double>(y, y + size_t(h) * w)};
    for (const FsrcnnModel::Layer &layer : model.layers) {
        maps = layer.kind == FsrcnnModel::LayerKind::deconv ? deconv(layer, maps) : conv_prelu(layer, maps);
    }
    return maps.values;
}

}  // namespace ksconv::test
