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

// Output channels are computed as (channel in group, group) so a register tile over
// channels never straddles groups. Halide's interval bounds over a whole parallel task are
// loose for this split, so the kernels' reads are PROMISED in range rather than clamped (a
// clamp would turn channel-vectorized weight loads into gathers): the output only asks for
// channels and groups in range, and register tiles stay inside the packed weights' channel
// padding (runtime/src/packing.hpp). Builds with the check_unsafe_promises target feature
// verify this.
struct ChannelGroups {
    Halide::Expr groups, cin_per_group, cout_per_group;
    Halide::Expr out_channels;     // all groups: the bias extent
    Halide::Expr packed_channels;  // channel extent of the packed weights, padding included

    // Input channel of reduction index ci_in_group for group g.
    Halide::Expr input_channel(Halide::Expr g, Halide::Expr ci_in_group) const {
        return Halide::unsafe_promise_clamped(g, 0, groups - 1) * cin_per_group + ci_in_group;
    }
    // Channel index into the packed weights for channel-in-group co.
    Halide::Expr packed_channel(Halide::Expr co) const {
        return Halide::unsafe_promise_clamped(co, 0, packed_channels - 1);
    }
    // Bias index for (co in group, group); padding channels read the last bias.
    Halide::Expr bias_index(Halide::Expr co, Halide::Expr g) const {
        return Halide::min(g * cout_per_group + co, out_channels - 1);
    }
    // The output's view: the group of output channel co, and co within it (the clamp keeps
    // bounds tight for any grouping).
    Halide::Expr group_of(Halide::Expr co) const { return co / cout_per_group; }
    Halide::Expr in_group(Halide::Expr co) const {
        return Halide::clamp(co - group_of(co) * cout_per_group, 0, cout_per_group - 1);
    }
};

}  // namespace ksconv
