// Kernel-segregated transposed convolution (Tida et al. 2022).
//
// Output row oy only meets taps ky with (oy + pad_top - ky*dh) mod sh == 0. Grouping output
// rows by their phase ry = (oy + pad_top) mod sh (and columns likewise) splits the kernel
// into sh*sw sub-kernels; each phase is a dense stride-1 correlation of the ORIGINAL input
// with its sub-kernel, and the output is the interleave of the phases. No zero-inserted
// tensor exists and no multiply meets an inserted zero.
//
// The runtime segregates the kernel once when a layer is built (runtime/src/packing.cpp):
//   sub_kernels(co % 16, tx, ty, ci, co / 16, px, py) = w[ci][co][ky0(py) + ty*step_y][kx0(px) + tx*step_x]
// for channel-in-group co, in blocks of 16 channels (channel_groups.h),
// where generators/phase_taps.h says which taps (k0, step, count) each phase has.
#include "../schedules/gpu_schedules.h"
#include "../schedules/x86_schedules.h"
#include "Halide.h"
#include "channel_groups.h"
#include "conv_transpose_parts.h"
#include "phase_taps.h"

using namespace Halide;

namespace ksconv {
namespace {

// Small maps (SegregatedParts::narrow()): phases of at most kNarrowPhase columns in layers with
// fewer than kFewChannels output channels per group (the column tile, which needs the column
// clamp), of at most kNarrowPhaseManyChannels in others: on 17-32 columns the wide maps' 16x6
// tiles measured 7% faster than 16x4 on unet_up1 (Zen 3: 8 accumulators leave its two FMA
// pipes idle).
constexpr int kNarrowPhase = 32;
constexpr int kNarrowPhaseManyChannels = 16;
constexpr int kFewChannels = 16;

class ConvTransposeSegregated : public Generator<ConvTransposeSegregated> {
public:
    // Compile-time stride per axis; 0 makes it a run-time input (the generic variant).
    GeneratorParam<int> stride_x{"stride_x", 2, 0, 16};
    GeneratorParam<int> stride_y{"stride_y", 2, 0, 16};
    // CPU: reduce input channels in blocks of this many (0: all at once); see
    // schedules/x86_schedules.cpp, schedule_phase.
    GeneratorParam<int> input_block{"input_block", 0, 0, 1024};

    Input<Buffer<float>> input{"input", 4};              // (x, y, ci, n)
    Input<Buffer<float>> sub_kernels{"sub_kernels", 7};  // (co in block, tx, ty, ci, block, px, py)
    Input<Buffer<float>> bias{"bias", 1};                // (co)
    Input<int> pad_left{"pad_left"};
    Input<int> pad_top{"pad_top"};
    Input<int> kernel_w{"kernel_w"};
    Input<int> kernel_h{"kernel_h"};
    Input<int> dilation_x{"dilation_x"};
    Input<int> dilation_y{"dilation_y"};
    Input<int> groups{"groups"};
    // The output buffer's width and height (its mins are 0): the phases' quotient ranges and
    // the CPU schedule's tasks come from them (the schedule declares them as the output's
    // bounds, which Halide checks against the buffer).
    Input<int> output_width{"output_width"};
    Input<int> output_height{"output_height"};
    Input<int> runtime_stride_x{"runtime_stride_x"};  // read only by the generic variant
    Input<int> runtime_stride_y{"runtime_stride_y"};
    Output<Buffer<float>> output{"output", 4};  // (ox, oy, co, n)

    void generate() {
        SegregatedParts &p = parts_;
        p.runtime_stride = (stride_x == 0 || stride_y == 0);
        p.stride_x = p.runtime_stride ? 0 : int(stride_x);
        p.stride_y = p.runtime_stride ? 0 : int(stride_y);
        p.input_block = input_block;
        p.input_padded = zero_border(input);
        sub_kernels.dim(0).set_bounds(0, kChannelBlock);
        // bias has one value per output channel
        channels_ = ChannelGroups{groups, input.dim(2).extent() / groups, bias.dim(0).extent() / groups,
                                  bias.dim(0).extent(), sub_kernels.dim(4).extent()};
        p.cout_per_group = channels_.cout_per_group;

        // Coordinates in the padded output frame: phase = remainder, q = quotient.
        Expr X = p.ox + pad_left, Y = p.oy + pad_top;
        Expr group = channels_.group_of(p.co), co_in_group = channels_.in_group(p.co);
        p.single_group = channels_.single_group();
        if (p.runtime_stride) {
            Expr sx = runtime_stride_x, sy = runtime_stride_y;
            p.phases = {any_phase()};
            p.output(p.ox, p.oy, p.co, p.n) = p.phases[0].func(X / sx, Y / sy, clamp(X % sx, 0, sx - 1),
                                                               clamp(Y % sy, 0, sy - 1), co_in_group, group, p.n);
        } else if (get_target().has_gpu_feature()) {
            // On GPUs the phases are one Func with the phase as a dimension, so that one
            // block-level loop over input channels can stage the input in shared memory once
            // for all phases (Halide 14 cannot fuse the reduction loops of separate phase Funcs
            // around a staged input). The schedule unrolls the phase, so each phase keeps its
            // own loop body and tap count. Only ungrouped layers: the runtime gives grouped
            // ones to the generic variant (a block's channels there may span groups, and
            // its staged input would span their input channels).
            const int sx = stride_x, sy = stride_y;
            p.phases = {all_phases()};
            p.output(p.ox, p.oy, p.co, p.n) = p.phases[0].func(X / sx, Y / sy, X % sx, Y % sy, p.co, 0, p.n);
        } else {
            const int sx = stride_x, sy = stride_y;
            // Small-map variants only for strides up to 2x2 (DCGAN-like generators) and
            // ungrouped layers, as they double what the compiler builds per phase.
            if (sx * sy <= 4) {
                p.narrow_width = output_width <= kNarrowPhaseManyChannels * sx;
                p.narrow_width_few_channels = output_width <= kNarrowPhase * sx;
                p.few_channels = channels_.cout_per_group < kFewChannels;
            }
            for (int py = 0; py < sy; py++) {
                for (int px = 0; px < sx; px++) p.phases.push_back(one_phase(px, py));
            }
            // The interleave's column is in the padded frame (X, not ox): a schedule that
            // aligns its columns to the stride then knows each column's phase at compile time.
            Expr qx = p.ox / sx, qy = Y / sy, rx = p.ox % sx, ry = Y % sy;
            const Expr narrow = p.narrow();
            // Rows are clamped to each phase's own quotients (phase_quotient, phase_taps.h);
            // columns only on small maps (narrow(), a specialization of the schedule): there
            // the clamp saves a whole register tile per row, elsewhere it would only turn the
            // interleave's vector loads into gathers.
            auto phase_at = [&](int i) {
                Expr column = qx;
                if (narrow.defined())
                    column = select(narrow, phase_quotient(qx, i % sx, sx, pad_left, output_width), qx);
                Expr row = phase_quotient(qy, i / sx, sy, pad_top, output_height);
                return p.phases[i].func(column, row, co_in_group, group, p.n);
            };
            Expr value = interleave_phases(sx, sy, rx, ry, phase_at);
            // Its own Func so that a schedule can compute it apart from the output (the x86 one
            // does at strides of 3 and more, in column groups; see x86_schedules.cpp).
            p.interleave(p.ox, p.oy, p.co, p.n) = value;
            p.output(p.ox, p.oy, p.co, p.n) = p.interleave(X, p.oy, p.co, p.n);
        }
        p.extents = {output_width, output_height, bias.dim(0).extent(), input.dim(3).extent()};
        output = p.output;
        output.dim(0).set_min(0);
        output.dim(1).set_min(0);
    }

    void schedule() {
        if (get_target().has_gpu_feature()) {
            schedule_segregated_gpu(parts_, get_target());
        } else {
            schedule_segregated_x86(parts_, get_target());
        }
    }

private:
    SegregatedParts parts_;
    ChannelGroups channels_;

    // Phase (px, py): bias plus a dense stride-1 correlation with its sub-kernel.
    PhaseFunc one_phase(int px, int py) {
        PhaseTaps tx = phase_taps(px, stride_x, kernel_w, dilation_x);
        PhaseTaps ty = phase_taps(py, stride_y, kernel_h, dilation_y);
        std::string name = std::to_string(px) + "_" + std::to_string(py);
        RDom r(0, channels_.cin_per_group, 0, tx.count, 0, ty.count, "taps_" + name);
        Func phase("phase_" + name);
        define_phase(phase, {parts_.qx, parts_.qy, parts_.co, parts_.g, parts_.n}, r, tx, ty, px, py);
        return {phase, r};
    }

    // All phases in one Func, for strides known only at run time. Taps past a phase's
    // count are masked out by the predicate, never multiplied.
    PhaseFunc any_phase() {
        SegregatedParts &p = parts_;
        PhaseTaps tx = phase_taps_runtime(p.px, runtime_stride_x, kernel_w, dilation_x, "x");
        PhaseTaps ty = phase_taps_runtime(p.py, runtime_stride_y, kernel_h, dilation_y, "y");
        RDom r(0, channels_.cin_per_group, 0, sub_kernels.dim(1).extent(), 0, sub_kernels.dim(2).extent(), "taps_any");
        r.where(r.y < tx.count && r.z < ty.count);
        p.tap_tables = tx.tables;
        p.tap_tables.insert(p.tap_tables.end(), ty.tables.begin(), ty.tables.end());
        Func phase("phase_any");
        define_phase(phase, {p.qx, p.qy, p.px, p.py, p.co, p.g, p.n}, r, tx, ty, p.px, p.py);
        return {phase, r};
    }

    // All phases of a compile-time stride in one Func (GPUs): as any_phase, the taps of each
    // phase chosen by (px, py).
    PhaseFunc all_phases() {
        SegregatedParts &p = parts_;
        PhaseTaps tx = phase_taps_of(p.px, stride_x, kernel_w, dilation_x);
        PhaseTaps ty = phase_taps_of(p.py, stride_y, kernel_h, dilation_y);
        RDom r(0, channels_.cin_per_group, 0, sub_kernels.dim(1).extent(), 0, sub_kernels.dim(2).extent(), "taps_all");
        r.where(r.y < tx.count && r.z < ty.count);
        Func phase("phase_all");
        define_phase(phase, {p.qx, p.qy, p.px, p.py, p.co, p.g, p.n}, r, tx, ty, p.px, p.py);
        return {phase, r};
    }

    // phase(qx, qy, [px, py,] co in group, group, n). Sub-kernels are padded past the
    // channel count (runtime/src/packing.cpp) so register tiles may round channels up.
    void define_phase(Func phase, const std::vector<Var> &args, const RDom &r, const PhaseTaps &tx, const PhaseTaps &ty,
                      Expr px, Expr py) {
        SegregatedParts &p = parts_;
        Expr ci = channels_.input_channel(p.g, r.x);
        Expr ix = p.qx + tx.offset - r.y * tx.tap_step;
        Expr iy = p.qy + ty.offset - r.z * ty.tap_step;
        std::vector<Expr> at(args.begin(), args.end());
        phase(at) = bias(channels_.bias_index(p.co, p.g));
        PackedChannel w = channels_.packed_channel(p.co);
        phase(at) += sub_kernels(w.in_block, r.y, r.z, ci, w.block, px, py) * p.input_padded(ix, iy, ci, p.n);
    }
};

}  // namespace
}  // namespace ksconv

HALIDE_REGISTER_GENERATOR(ksconv::ConvTransposeSegregated, conv_transpose)
