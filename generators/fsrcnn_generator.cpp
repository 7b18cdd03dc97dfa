// FSRCNN (Dong, Loy, Tang, ECCV 2016) on the luminance channel, one pipeline per scale:
//   5x5 conv 1->d, 1x1 conv d->s, m x 3x3 conv s->s, 1x1 conv s->d (PReLU after each),
//   then a 9x9 transposed convolution d->1 with stride = scale, padding 4 and output
//   padding scale-1, which makes the output exactly scale times the input.
// Every convolution is PyTorch's Conv2d with zero padding at the IMAGE border, so every
// layer's map is zero outside the image; each layer masks its output to the image.
//
// Tiles: the input is a window of rows and columns of an image image_width x image_height
// (Y/255, its buffer coordinates are image coordinates) and the output is the tile whose
// low-resolution origin is (tile_x, tile_y), in coordinates relative to that origin. The
// caller gives the window the tile plus the receptive field's reach (2 + m + 2 pixels,
// clipped to the image); tiles then join exactly.
//
// The deconvolution is kernel-segregated (generators/conv_transpose_generator.cpp): each of
// the scale^2 output phases is its own Func, a dense stride-1 correlation of the ORIGINAL
// d-channel map with its sub-kernel (packed once by the runtime, runtime/src/packing.hpp),
// and the output interleaves them. deconv=zero_insert is the conventional method on the
// same network, for comparison: the map with zeros inserted, then a dense 9x9 correlation.
#include <stdexcept>
#include <string>

#include "../schedules/fsrcnn_schedules.h"
#include "Halide.h"
#include "fsrcnn_parts.h"
#include "phase_taps.h"

using namespace Halide;

namespace ksconv {
namespace {

constexpr int kDeconvKernel = 9;
constexpr int kDeconvPadding = 4;

class Fsrcnn : public Generator<Fsrcnn> {
public:
    GeneratorParam<int> scale{"scale", 2, 2, 4};
    GeneratorParam<int> d{"d", 56, 1, 1024};  // feature channels
    GeneratorParam<int> s{"s", 12, 1, 1024};  // shrunk channels
    GeneratorParam<int> m{"m", 4, 0, 64};     // mapping layers
    GeneratorParam<FsrcnnDeconv> deconv{
        "deconv",
        FsrcnnDeconv::segregated,
        {{"segregated", FsrcnnDeconv::segregated}, {"zero_insert", FsrcnnDeconv::zero_insert}}};
    GeneratorParam<FsrcnnFusion> fusion{
        "fusion", FsrcnnFusion::layers, {{"layers", FsrcnnFusion::layers}, {"fused", FsrcnnFusion::fused}}};

    Input<Buffer<float>> input{"input", 2};  // (x, y) in image coordinates: Y/255
    Input<int> image_width{"image_width"};
    Input<int> image_height{"image_height"};
    Input<int> tile_x{"tile_x"};  // low-resolution origin of the output tile
    Input<int> tile_y{"tile_y"};
    // The convolutions' parameters in model-file order (models/README.md): per layer the
    // weights [out][in][kh][kw], the bias [out] and the PReLU slopes [out].
    Input<Buffer<float>> conv_parameters{"conv_parameters", 1};
    // segregated: the sub-kernels (co = 1, tx, ty, ci, px, py) of runtime/src/packing.hpp;
    // zero_insert: the whole kernel (co = 1, kx, ky, ci) with two unit dimensions.
    Input<Buffer<float>> deconv_weights{"deconv_weights", 6};
    Input<float> deconv_bias{"deconv_bias"};
    Output<Buffer<float>> output{"output", 2};  // (ox, oy) relative to the tile's origin

    void generate() {
        FsrcnnParts &p = parts_;
        p.scale = scale;
        p.deconv = deconv;
        p.fusion = fusion;
        Func clamped = BoundaryConditions::constant_exterior(input, 0.0f);
        p.input_padded(p.x, p.y) = select(inside(p.x, p.y), clamped(p.x, p.y), 0.0f);

        int offset = 0;
        Func previous = p.input_padded;
        auto add = [&](int in, int out, int kernel) {
            p.convs.push_back(conv_prelu(previous, in, out, kernel, offset, int(p.convs.size())));
            previous = p.convs.back().layer;
        };
        add(1, d, 5);
        add(d, s, 1);
        for (int i = 0; i < m; i++) add(s, s, 3);
        add(s, d, 1);
        conv_parameters.dim(0).set_bounds(0, offset);

        if (deconv == FsrcnnDeconv::segregated) {
            segregated_deconv(previous);
        } else {
            zero_insert_deconv(previous);
        }
        output = p.output;
        output.dim(0).set_min(0);
        output.dim(1).set_min(0);
    }

    void schedule() {
        if (get_target().has_gpu_feature()) {
            schedule_fsrcnn_gpu(parts_, get_target());
        } else {
            schedule_fsrcnn_x86(parts_, get_target());
        }
    }

private:
    FsrcnnParts parts_;

    Expr inside(Expr x, Expr y) { return x >= 0 && x < image_width && y >= 0 && y < image_height; }

    // Conv2d(in, out, kernel, padding = kernel / 2) + PReLU(out), reading its parameters at
    // `offset` of conv_parameters and advancing it past them.
    FsrcnnConv conv_prelu(Func previous, int in, int out, int kernel, int &offset, int index) {
        FsrcnnParts &p = parts_;
        const int weights = offset, bias = weights + out * in * kernel * kernel, slopes = bias + out;
        offset = slopes + out;
        const std::string name = "conv" + std::to_string(index);
        FsrcnnConv conv;
        conv.channels = out;
        conv.kernel = kernel;
        conv.taps = RDom(0, kernel, 0, kernel, 0, in, "taps" + std::to_string(index));
        conv.sum = Func(name + "_sum");
        conv.layer = Func(name);
        const RDom &r = conv.taps;
        const int pad = kernel / 2;
        Expr w = conv_parameters(weights + ((p.c * in + r.z) * kernel + r.y) * kernel + r.x);
        conv.sum(p.x, p.y, p.c) = conv_parameters(bias + p.c);
        Expr ix = p.x + r.x - pad, iy = p.y + r.y - pad;
        Expr in_value =
            previous.dimensions() == 2 ? previous(ix, iy) : previous(ix, iy, r.z);  // the input has 1 channel
        conv.sum(p.x, p.y, p.c) += w * in_value;
        Expr v = conv.sum(p.x, p.y, p.c);
        Expr activated = select(v > 0.0f, v, conv_parameters(slopes + p.c) * v);
        conv.layer(p.x, p.y, p.c) = select(inside(p.x, p.y), activated, 0.0f);
        return conv;
    }

    // Output pixel ox of the tile is image pixel scale*tile_x + ox; in the padded frame
    // X = that + 4 it has phase X % scale and quotient X / scale. Relative to the tile the
    // phase is (ox + 4) % scale, so a schedule that splits ox by the scale makes it constant.
    void segregated_deconv(Func features) {
        FsrcnnParts &p = parts_;
        const int sc = scale;
        for (int py = 0; py < sc; py++) {
            for (int px = 0; px < sc; px++) {
                PhaseTaps tx = phase_taps(px, sc, kDeconvKernel, 1), ty = phase_taps(py, sc, kDeconvKernel, 1);
                const std::string name = std::to_string(px) + "_" + std::to_string(py);
                RDom r(0, constant(tx.count), 0, constant(ty.count), 0, int(d), "phase_taps_" + name);
                Func phase("phase_" + name);
                // Tap j of a phase reads quotient q + offset - j * tap_step (phase_taps.h).
                Expr ix = p.qx + constant(tx.offset) - r.x * constant(tx.tap_step);
                Expr iy = p.qy + constant(ty.offset) - r.y * constant(ty.tap_step);
                phase(p.qx, p.qy) = deconv_bias;
                phase(p.qx, p.qy) += deconv_weights(0, r.x, r.y, r.z, px, py) * features(ix, iy, r.z);
                p.phases.push_back(phase);
                p.phase_taps.push_back(r);
            }
        }
        Expr X = p.ox + kDeconvPadding, Y = p.oy + kDeconvPadding;
        Expr qx = tile_x + X / sc, qy = tile_y + Y / sc, rx = X % sc, ry = Y % sc;
        Expr value = p.phases.back()(qx, qy);
        for (int i = sc * sc - 2; i >= 0; i--) value = select(ry == i / sc && rx == i % sc, p.phases[i](qx, qy), value);
        p.output(p.ox, p.oy) = value;
    }

    // ConvTranspose2d as zero insertion and a correlation with the flipped kernel:
    // out(h) = bias + sum over k of Z(h - 4 + k) * w(8 - k), with Z(z) = features(z / scale)
    // where scale divides z, else 0 (high-resolution image coordinates).
    void zero_insert_deconv(Func features) {
        FsrcnnParts &p = parts_;
        const int sc = scale;
        Var hx("hx"), hy("hy");
        p.zero_inserted(hx, hy, p.c) = select(hx % sc == 0 && hy % sc == 0, features(hx / sc, hy / sc, p.c), 0.0f);
        RDom r(0, kDeconvKernel, 0, kDeconvKernel, 0, int(d), "zero_insert_taps");
        p.zero_insert_taps = r;
        const int last = kDeconvKernel - 1;
        Expr hx0 = sc * tile_x + p.ox - kDeconvPadding, hy0 = sc * tile_y + p.oy - kDeconvPadding;
        p.zero_insert_conv(p.ox, p.oy) = deconv_bias;
        p.zero_insert_conv(p.ox, p.oy) +=
            deconv_weights(0, last - r.x, last - r.y, r.z, 0, 0) * p.zero_inserted(hx0 + r.x, hy0 + r.y, r.z);
        p.output(p.ox, p.oy) = p.zero_insert_conv(p.ox, p.oy);
    }

    // Tap tables of phase_taps() are constant here (compile-time stride, kernel, dilation).
    static int constant(Expr e) {
        const int64_t *value = as_const_int(simplify(e));
        if (value == nullptr) throw std::logic_error("phase taps are not constant");
        return int(*value);
    }
};

}  // namespace
}  // namespace ksconv

HALIDE_REGISTER_GENERATOR(ksconv::Fsrcnn, fsrcnn)
