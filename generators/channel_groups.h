// What both transposed-convolution generators share: the zero border around the input and
// the (channel in group, group) indexing of output channels.
#pragma once

#include "Halide.h"

namespace ksconv {

// The input with zeros outside its spatial extent (channels and batch stay unbounded, so
// they cost no test).
template <typename Input>
Halide::Func zero_border(const Input &input) {
    return Halide::BoundaryConditions::constant_exterior(
        input, 0.0f, {{input.dim(0).min(), input.dim(0).extent()}, {input.dim(1).min(), input.dim(1).extent()}});
}

// The packed weights split output channels into blocks of kChannelBlock (one 64-byte line):
// dimensions (channel in block, ..., block, ...), see runtime/src/packing.hpp. With the
// compile-time block size a register tile's channel vectors, which start on a multiple of
// their width, resolve to dense loads from one block.
constexpr int kChannelBlock = 16;

// A channel index into the packed weights, as (channel in block, block).
struct PackedChannel {
    Halide::Expr in_block, block;
};

// Output channels are computed as (channel in group, group) so a register tile over
// channels never straddles groups. Halide's interval bounds over a whole parallel task are
// loose for this split, so the kernels' reads are PROMISED in range rather than clamped (a
// clamp would turn channel-vectorized weight loads into gathers): the output only asks for
// channels and groups in range, and register tiles stay inside the packed weights' channel
// padding (runtime/src/packing.hpp). Builds with the check_unsafe_promises target feature
// verify this.
struct ChannelGroups {
    Halide::Expr groups, cin_per_group, cout_per_group;
    Halide::Expr out_channels;  // all groups: the bias extent
    Halide::Expr blocks;        // channel blocks of the packed weights, padding included

    // Input channel of reduction index ci_in_group for group g.
    Halide::Expr input_channel(Halide::Expr g, Halide::Expr ci_in_group) const {
        return Halide::unsafe_promise_clamped(g, 0, groups - 1) * cin_per_group + ci_in_group;
    }
    // Where channel-in-group co lies in the packed weights.
    PackedChannel packed_channel(Halide::Expr co) const {
        return {co % kChannelBlock, Halide::unsafe_promise_clamped(co / kChannelBlock, 0, blocks - 1)};
    }
    // Bias index for (co in group, group); padding channels read the last bias.
    Halide::Expr bias_index(Halide::Expr co, Halide::Expr g) const {
        return Halide::min(g * cout_per_group + co, out_channels - 1);
    }
    // The output's view: the group of output channel co, and co within it (the clamp keeps
    // bounds tight for any grouping). Ungrouped layers name co directly: in a schedule's
    // branch for single_group(), Halide then bounds a task's channels by the task's own range,
    // which starts on a multiple of a channel tile's width (the group arithmetic hides that),
    // so the x86 channel tiles' weight vectors are dense loads from one packed block.
    Halide::Expr single_group() const { return groups == 1; }
    Halide::Expr group_of(Halide::Expr co) const { return Halide::select(single_group(), 0, co / cout_per_group); }
    Halide::Expr in_group(Halide::Expr co) const {
        return Halide::select(single_group(), co,
                              Halide::clamp(co - (co / cout_per_group) * cout_per_group, 0, cout_per_group - 1));
    }
};

}  // namespace ksconv
