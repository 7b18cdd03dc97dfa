// Transposed convolution the conventional way, the baseline kernel segregation is measured
// against: insert stride-1 zeros between input pixels, pad by dilation*(K-1) - pad, and run
// a stride-1 correlation with the spatially flipped kernel. Same semantics and the same
// kind of inputs as the segregated generator; the zero-inserted tensor is really formed.
//
// Derivation: out[oy] = sum over ky of Z[oy + pad - ky*d] * w[ky], where Z[t] = in[t/s] when
// s divides t and 0 otherwise. With kf = K-1-ky this is the correlation
//   out[oy] = sum over kf of Z[oy + kf*d - (d*(K-1) - pad)] * w[K-1-kf].
#include "../schedules/gpu_schedules.h"
#include "../schedules/x86_schedules.h"
#include "Halide.h"
#include "channel_groups.h"
#include "conv_transpose_parts.h"

using namespace Halide;

namespace ksconv {
namespace {

class ConvTransposeZeroInsert : public Generator<ConvTransposeZeroInsert> {
public:
    // CPU: reduce input channels in blocks of this many (0: all at once), as the segregated
    // generator's parameter of the same name.
    GeneratorParam<int> input_block{"input_block", 0, 0, 1024};

    Input<Buffer<float>> input{"input", 4};  // (x, y, ci, n)
    // Packed once by the runtime in blocks of 16 channels, padded past the channel count like
    // the segregated sub-kernels: (co in block, kx, ky, ci, block).
    Input<Buffer<float>> weights{"weights", 5};
    Input<Buffer<float>> bias{"bias", 1};  // (co)
    Input<int> pad_left{"pad_left"};
    Input<int> pad_top{"pad_top"};
    Input<int> stride_x{"stride_x"};
    Input<int> stride_y{"stride_y"};
    Input<int> dilation_x{"dilation_x"};
    Input<int> dilation_y{"dilation_y"};
    Input<int> groups{"groups"};
    Output<Buffer<float>> output{"output", 4};  // (ox, oy, co, n)

    void generate() {
        ZeroInsertParts &p = parts_;
        p.input_block = input_block;
        Func padded = zero_border(input);
        p.zero_inserted(p.x, p.y, p.ci, p.n) =
            select(p.x % stride_x == 0 && p.y % stride_y == 0, padded(p.x / stride_x, p.y / stride_y, p.ci, p.n), 0.0f);

        Expr kw = weights.dim(1).extent(), kh = weights.dim(2).extent();
        weights.dim(0).set_bounds(0, kChannelBlock);
        // bias has one value per output channel
        ChannelGroups channels{groups, input.dim(2).extent() / groups, bias.dim(0).extent() / groups,
                               bias.dim(0).extent(), weights.dim(4).extent()};
        p.cout_per_group = channels.cout_per_group;
        p.taps = RDom(0, channels.cin_per_group, 0, kw, 0, kh, "taps");
        Expr ci = channels.input_channel(p.g, p.taps.x);
        Expr zx = p.ox + p.taps.y * dilation_x - (dilation_x * (kw - 1) - pad_left);
        Expr zy = p.oy + p.taps.z * dilation_y - (dilation_y * (kh - 1) - pad_top);
        PackedChannel packed = channels.packed_channel(p.co);
        Expr w = weights(packed.in_block, kw - 1 - p.taps.y, kh - 1 - p.taps.z, ci, packed.block);

        p.conv(p.ox, p.oy, p.co, p.g, p.n) = bias(channels.bias_index(p.co, p.g));
        p.conv(p.ox, p.oy, p.co, p.g, p.n) += w * p.zero_inserted(zx, zy, ci, p.n);
        p.output(p.ox, p.oy, p.co, p.n) = p.conv(p.ox, p.oy, channels.in_group(p.co), channels.group_of(p.co), p.n);
        p.single_group = channels.single_group();
        output = p.output;
        // about the output's extents (padding aside), to size the schedule's tiles and tasks
        p.extents = {input.dim(0).extent() * stride_x, input.dim(1).extent() * stride_y, bias.dim(0).extent(),
                     input.dim(3).extent()};
    }

    void schedule() {
        if (get_target().has_gpu_feature()) {
            schedule_zero_insert_gpu(parts_, get_target());
        } else {
            schedule_zero_insert_x86(parts_, get_target());
        }
    }

private:
    ZeroInsertParts parts_;
};

}  // namespace
}  // namespace ksconv

HALIDE_REGISTER_GENERATOR(ksconv::ConvTransposeZeroInsert, conv_transpose_zero_insert)
