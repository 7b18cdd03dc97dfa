// Kernel-segregated transposed convolution for layers with few output channels per group
// (FSRCNN's 56->1 9x9 deconvolution, RGB outputs), ungrouped, compile-time square stride.
//
// With one output channel the phases' register tiles have nothing to share a loaded input
// pixel with: each multiply-add needs its own load, and the inner loops wait on memory. So
// the reduction over input channels comes first, as a GEMM over every (input pixel, kernel
// tap), independent of the phase:
//   products(ix, iy, tap, n) = sum over ci of tap_weights(tap, ci) * input(ix, iy, ci, n)
// with tap = kx + KW * (ky + KH * co). Each phase then adds, per output pixel, the products
// of its own taps only (kernel segregation: the taps a phase meets, phase_taps.h), at the
// input pixels they read:
//   phase(qx, qy, co, n) = bias(co) + sum over its taps (tx, ty) of products(qx + off_x - tx*step_x,
//                                      qy + off_y - ty*step_y, kx(tx) + KW * (ky(ty) + KH * co), n)
// and the output is the interleave of the phases. Every product is used by exactly one
// output pixel (or by none past the border): no multiply meets an inserted zero.
#include "../schedules/x86_schedules.h"
#include "Halide.h"
#include "channel_groups.h"
#include "conv_transpose_parts.h"
#include "phase_taps.h"

using namespace Halide;

namespace ksconv {
namespace {

class ConvTransposeTapProducts : public Generator<ConvTransposeTapProducts> {
public:
    GeneratorParam<int> stride{"stride", 2, 2, 4};  // along both axes

    Input<Buffer<float>> input{"input", 4};  // (x, y, ci, n)
    // (tap, ci), tap = kx + KW * (ky + KH * co), zero past the last tap up to a multiple of
    // kTapPadding (runtime/src/packing.hpp): a GEMM tile may round the taps up.
    Input<Buffer<float>> tap_weights{"tap_weights", 2};
    Input<Buffer<float>> bias{"bias", 1};  // (co)
    Input<int> pad_left{"pad_left"};
    Input<int> pad_top{"pad_top"};
    Input<int> kernel_w{"kernel_w"};
    Input<int> kernel_h{"kernel_h"};
    Input<int> dilation_x{"dilation_x"};
    Input<int> dilation_y{"dilation_y"};
    Input<int> output_width{"output_width"};
    Input<int> output_height{"output_height"};
    Output<Buffer<float>> output{"output", 4};  // (ox, oy, co, n)

    void generate() {
        TapProductParts &p = parts_;
        p.stride = stride;
        const int s = stride;
        const Expr channels = bias.dim(0).extent();
        taps_ = kernel_w * kernel_h * channels;
        tap_weights.dim(0).set_bounds(0, (taps_ + kTapPadding - 1) / kTapPadding * kTapPadding);
        tap_weights.dim(1).set_bounds(0, input.dim(2).extent());

        p.input_padded = zero_border(input);
        p.input_channels = RDom(0, input.dim(2).extent(), "input_channels");
        const RDom &ci = p.input_channels;
        p.products(p.ix, p.iy, p.tap, p.n) = 0.0f;
        p.products(p.ix, p.iy, p.tap, p.n) += tap_weights(p.tap, ci) * p.input_padded(p.ix, p.iy, ci, p.n);

        for (int py = 0; py < s; py++) {
            for (int px = 0; px < s; px++) p.phases.push_back(one_phase(px, py));
        }
        // As in the segregated generator: the interleave's column in the padded frame, rows
        // clamped to each phase's own quotients.
        Expr X = p.ox, Y = p.oy + pad_top, qx = X / s, qy = Y / s, rx = X % s, ry = Y % s;
        auto phase_at = [&](int i) {
            return p.phases[i].func(qx, phase_quotient(qy, i / s, s, pad_top, output_height), p.co, p.n);
        };
        p.interleave(p.ox, p.oy, p.co, p.n) = interleave_phases(s, s, rx, ry, phase_at);
        p.output(p.ox, p.oy, p.co, p.n) = p.interleave(p.ox + pad_left, p.oy, p.co, p.n);
        p.extents = {output_width, output_height, channels, input.dim(3).extent()};
        output = p.output;
        output.dim(0).set_min(0);
        output.dim(1).set_min(0);
    }

    void schedule() { schedule_tap_products_x86(parts_, get_target()); }

private:
    TapProductParts parts_;
    Expr taps_;  // of all output channels

    // Phase (px, py): bias plus its taps' products.
    PhaseFunc one_phase(int px, int py) {
        TapProductParts &p = parts_;
        PhaseTaps tx = phase_taps(px, stride, kernel_w, dilation_x);
        PhaseTaps ty = phase_taps(py, stride, kernel_h, dilation_y);
        std::string name = std::to_string(px) + "_" + std::to_string(py);
        RDom r(0, tx.count, 0, ty.count, "taps_" + name);
        Expr ix = p.qx + tx.offset - r.x * tx.tap_step;
        Expr iy = p.qy + ty.offset - r.y * ty.tap_step;
        Expr kx = tx.first + r.x * tx.kernel_step, ky = ty.first + r.y * ty.kernel_step;
        Func phase("phase_" + name);
        phase(p.qx, p.qy, p.co, p.n) = bias(p.co);
        // Promised, not clamped: the tap is in range whenever the phase has taps, but Halide's
        // interval bounds of it would exceed the packed weights (see ChannelGroups).
        Expr tap = unsafe_promise_clamped(kx + kernel_w * (ky + kernel_h * p.co), 0, taps_ - 1);
        phase(p.qx, p.qy, p.co, p.n) += p.products(ix, iy, tap, p.n);
        return {phase, r};
    }
};

}  // namespace
}  // namespace ksconv

HALIDE_REGISTER_GENERATOR(ksconv::ConvTransposeTapProducts, conv_transpose_tap_products)
