// The Funcs of the image upscaling algorithm, handed from the generator to the schedules.
#pragma once

#include <vector>

#include "Halide.h"

namespace ksconv {

struct UpscaleParts {
    Halide::Func output{"upscaled"};          // (c, x, y): rounded and clamped to the sample type
    Halide::Func widened{"widened"};          // (c, x, y): source rows (edge rows replicated) in the accumulator type
    std::vector<Halide::Func> column_phases;  // per column phase px: (c, qx, source row)
    Halide::Func columns{"columns"};          // (c, x, source row): the column phases interleaved
    std::vector<Halide::Func> row_phases;     // per row phase py: (c, x, qy)
    Halide::Var c{"c"}, x{"x"}, y{"y"}, qx{"qx"}, qy{"qy"};
    Halide::Expr channels;     // interleaved channels of input and output (1 to 4)
    Halide::Type accumulator;  // float; uint16 for exact bilinear on 8 bits; the sample type for nearest
    int scale = 2;
};

}  // namespace ksconv
