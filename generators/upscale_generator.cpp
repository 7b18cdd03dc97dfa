// Image upscaling by an integer factor as a kernel-segregated transposed convolution.
//
// Interpolating by s is a depthwise stride-s transposed convolution with a fixed kernel.
// Segregated, each output phase is a dense correlation of the ORIGINAL image with a fixed
// sub-kernel (generators/upscale_filters.h), and the output is the interleave of the phases.
// The kernels are separable, so the phases factor per axis: one Func per column phase (a
// horizontal pass over each source row) and one per row phase (a vertical pass over those).
// Horizontal first: its result is already interleaved like the output, so the vertical pass,
// which produces s times as many samples, runs over dense rows without shuffles.
//
// Images stay interleaved 8- or 16-bit integers (set with input.type / output.type), results
// are rounded to nearest and saturated. Bilinear on 8 bits is exact integer arithmetic (its
// weights are multiples of 1/(2s)); everything else is float. To stream large images in
// strips, the input is a window of rows of an image `image_height` tall and output row y of
// the strip is image row s*strip_row + y. Sources outside the image replicate its edge.
#include <cmath>
#include <stdexcept>
#include <string>

#include "../schedules/gpu_schedules.h"
#include "../schedules/image_schedules.h"
#include "Halide.h"
#include "upscale_filters.h"
#include "upscale_parts.h"

using namespace Halide;

namespace ksconv {
namespace {

class Upscale : public Generator<Upscale> {
public:
    GeneratorParam<int> scale{"scale", 2, 2, 4};
    GeneratorParam<UpscaleFilter> filter{"filter",
                                         UpscaleFilter::bilinear,
                                         {{"nearest", UpscaleFilter::nearest},
                                          {"bilinear", UpscaleFilter::bilinear},
                                          {"bicubic", UpscaleFilter::bicubic},
                                          {"lanczos3", UpscaleFilter::lanczos3},
                                          {"lanczos4", UpscaleFilter::lanczos4}}};

    Input<Buffer<>> input{"input", 3};  // (c, x, y): rows of the source image, all its columns
    Input<int> image_height{"image_height"};
    Input<int> strip_row{"strip_row"};     // source row of the strip's first output row / s
    Output<Buffer<>> output{"output", 3};  // (c, x, y): s*width columns, s*rows of the strip

    void generate() {
        UpscaleParts &p = parts_;
        const int s = scale;
        p.scale = s;
        p.channels = input.dim(0).extent();
        nearest_ = filter == UpscaleFilter::nearest;
        exact_bilinear_ = filter == UpscaleFilter::bilinear && input.type() == UInt(8);
        p.accumulator = nearest_ ? input.type() : exact_bilinear_ ? UInt(16) : Float(32);
        Var c = p.c, x = p.x, y = p.y, qx = p.qx, qy = p.qy;

        Expr width = input.dim(1).extent();
        // Columns are clamped where the horizontal pass reads them, so this stage stays a
        // dense conversion of whole rows.
        p.widened(c, x, y) = cast(p.accumulator, input(c, x, clamp(y, 0, image_height - 1)));
        for (int px = 0; px < s; px++) {
            PhaseFilter f = phase_filter(filter, s, px);
            Expr sum = cast(p.accumulator, 0);
            for (size_t k = 0; k < f.weights.size(); k++) {
                Expr column = clamp(qx + f.first_tap + int(k), 0, width - 1);
                sum += weight(f.weights[k]) * p.widened(c, column, y);
            }
            Func phase("columns_" + std::to_string(px));
            phase(c, qx, y) = sum;
            p.column_phases.push_back(phase);
        }
        p.columns(c, x, y) = interleave(p.column_phases, x, [&](const Func &f, Expr q) { return f(c, q, y); });
        for (int py = 0; py < s; py++) {
            PhaseFilter f = phase_filter(filter, s, py);
            Expr sum = cast(p.accumulator, 0);
            for (size_t k = 0; k < f.weights.size(); k++) {
                sum += weight(f.weights[k]) * p.columns(c, x, strip_row + qy + f.first_tap + int(k));
            }
            Func phase("rows_" + std::to_string(py));
            phase(c, x, qy) = sum;
            p.row_phases.push_back(phase);
        }
        p.output(c, x, y) = to_sample(interleave(p.row_phases, y, [&](const Func &f, Expr q) { return f(c, x, q); }));
        output = p.output;
        constrain_buffers();
    }

    void schedule() {
        if (get_target().has_gpu_feature()) {
            schedule_upscale_gpu(parts_, get_target());
        } else {
            schedule_upscale_x86(parts_, get_target());
        }
    }

private:
    UpscaleParts parts_;
    bool nearest_ = false;  // a single tap of weight one: copies in the sample type
    bool exact_bilinear_ = false;

    // Phase (coordinate % s) of the coordinate picks its Func, called at coordinate / s. The
    // schedules split the coordinate by s and unroll, so each copy keeps one phase.
    template <typename Call>
    Expr interleave(const std::vector<Func> &phases, Var coordinate, Call call) {
        const int s = scale;
        Expr value = call(phases.back(), coordinate / s);
        for (int i = s - 2; i >= 0; i--) value = select(coordinate % s == i, call(phases[i], coordinate / s), value);
        return value;
    }

    // Exact bilinear scales each axis's weights by 2s, making them small integers.
    Expr weight(double w) {
        if (nearest_) return cast(input.type(), 1);
        if (!exact_bilinear_) return Expr(float(w));
        const double scaled = w * 2 * int(scale);
        if (std::fabs(scaled - std::round(scaled)) > 1e-9) {
            throw std::logic_error("bilinear weight " + std::to_string(w) + " is not a multiple of 1/(2s)");
        }
        return cast<uint16_t>(int(std::round(scaled)));
    }

    // Round half up and saturate to the sample type.
    Expr to_sample(Expr v) {
        Type t = input.type();  // the output has the same sample type
        if (nearest_) return v;
        if (exact_bilinear_) {
            // v <= 255 * (2s)^2 fits 16 bits; dividing with rounding cannot exceed 255.
            const int denominator = 4 * scale * scale;
            return cast(t, (v + denominator / 2) / denominator);
        }
        return cast(t, clamp(v + 0.5f, 0.0f, cast<float>(t.max())));
    }

    // Interleaved samples, output coordinates relative to the strip, as many output channels
    // as input channels: the interface the runtime provides.
    void constrain_buffers() {
        input.dim(0).set_stride(1);
        input.dim(1).set_min(0).set_stride(input.dim(0).extent());
        output.dim(0).set_stride(1);
        output.dim(0).set_bounds(0, input.dim(0).extent());
        output.dim(1).set_min(0).set_stride(input.dim(0).extent());
        output.dim(2).set_min(0);
    }
};

}  // namespace
}  // namespace ksconv

HALIDE_REGISTER_GENERATOR(ksconv::Upscale, upscale)
