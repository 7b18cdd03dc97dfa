// The Funcs and loop variables of the transposed-convolution algorithms, handed from the
// generators (what is computed) to the schedules (how). Keeping them in one struct lets a
// schedule in schedules/ reach every stage without the generator knowing the target.
#pragma once

#include <vector>

#include "Halide.h"

namespace ksconv {

// The output's extents, from the pipeline's inputs (schedules size their tasks by them).
struct LayerExtents {
    Halide::Expr width, height, channels, batch;
};

// A phase Func and its reduction domain (ci in group, tap x, tap y).
struct PhaseFunc {
    Halide::Func func;
    Halide::RDom taps;
};

// Kernel-segregated transposed convolution.
struct SegregatedParts {
    Halide::Func output{"conv_transpose"};  // (ox, oy, co, n): the phases interleaved
    Halide::Func interleave{"interleave"};  // compile-time stride on CPUs: the interleave, which output copies or inlines
    Halide::Func input_padded;              // (ix, iy, ci, n): input with a zero border
    // The phases, by variant:
    // - compile-time stride on CPUs: one (qx, qy, co in group, group, n) Func per phase,
    //   phase (px, py) at index py*stride_x + px;
    // - run-time stride: one (qx, qy, px, py, co in group, group, n) Func;
    // - compile-time stride on GPUs: the same, px and py in [0, stride).
    std::vector<PhaseFunc> phases;
    std::vector<Halide::Func> tap_tables;  // run-time stride: which taps each phase has
    Halide::Var ox{"ox"}, oy{"oy"}, co{"co"}, n{"n"}, qx{"qx"}, qy{"qy"}, px{"px"}, py{"py"}, g{"g"};
    Halide::Expr cout_per_group;  // output channels per group
    LayerExtents extents;
    Halide::Expr single_group;  // groups == 1: a condition schedules specialize on
    // Small maps (CPU, strides up to 2x2; undefined elsewhere): the parts of narrow(), which
    // schedules specialize on one comparison at a time (see x86_schedules.cpp).
    Halide::Expr narrow_width, narrow_width_few_channels, few_channels;
    bool runtime_stride = false;
    int stride_x = 0, stride_y = 0;  // compile-time strides (0 when they are run-time inputs)
    int input_block = 0;             // CPU: input channels per block of the reduction (0: one block)

    // If defined: a small map, whose phases clamp their columns and take narrower register tiles.
    Halide::Expr narrow() const {
        if (!narrow_width.defined()) return Halide::Expr();
        return single_group && (narrow_width || (narrow_width_few_channels && few_channels));
    }
};

// Kernel segregation for layers with few output channels (FSRCNN's 56->1, RGB outputs): the
// reduction over input channels is done once per (input pixel, kernel tap) as a GEMM, and each
// phase sums its taps' products, shifted. See tap_products_generator.cpp.
// Taps in the packed tap weights are padded with zeros to a multiple of kTapPadding
// (runtime/src/packing.hpp), so that a GEMM tile may round the taps up to its width.
constexpr int kTapPadding = 12;

struct TapProductParts {
    Halide::Func output{"conv_transpose_tap_products"};  // (ox, oy, co, n): the phases interleaved
    Halide::Func interleave{"interleave"};  // (X, oy, co, n), X in the padded frame
    Halide::Func input_padded;              // (ix, iy, ci, n): input with a zero border
    Halide::Func products{"tap_products"};  // (ix, iy, tap, n): sum over ci of weight * input
    Halide::RDom input_channels;            // the GEMM's reduction
    std::vector<PhaseFunc> phases;          // (qx, qy, co, n), phase (px, py) at py*stride + px
    Halide::Var ox{"ox"}, oy{"oy"}, co{"co"}, n{"n"}, qx{"qx"}, qy{"qy"}, ix{"ix"}, iy{"iy"}, tap{"tap"};
    LayerExtents extents;
    int stride = 0;
};

// Zero insertion followed by a stride-1 convolution with the flipped kernel.
struct ZeroInsertParts {
    Halide::Func output{"conv_transpose_zero_insert"};  // (ox, oy, co, n)
    Halide::Func conv{"conv"};  // (ox, oy, co in group, group, n): bias + correlation of zero_inserted
    Halide::Func zero_inserted{"zero_inserted"};  // (x, y, ci, n): the upsampled, zero-filled, padded input
    Halide::RDom taps;                            // (ci within group, kx, ky)
    Halide::Var ox{"ox"}, oy{"oy"}, co{"co"}, n{"n"}, x{"x"}, y{"y"}, ci{"ci"}, g{"g"};
    Halide::Expr cout_per_group;  // output channels per group
    Halide::Expr single_group;    // groups == 1: a condition schedules specialize on
    LayerExtents extents;         // about the output's (padding aside)
    int input_block = 0;          // CPU: input channels per block of the reduction (0: one block)
};

}  // namespace ksconv
