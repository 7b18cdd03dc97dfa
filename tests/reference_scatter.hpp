// Independent float64 reference for the correctness tests, in direct scatter form: every
// input pixel pushes in*w to each output position one of its kernel taps reaches. The
// library works in gather / phase form, so this checks it rather than restating it.
#pragma once

#include <vector>

#include "ksconv/conv_transpose.hpp"

namespace ksconv::test {

// Output extents from the PyTorch formula, computed here rather than by the library.
// h or w come out < 1 for combinations the library must reject.
Shape4 scatter_output_shape(const ConvTransposeParams &params, const WeightShape &weight_shape,
                            const Shape4 &input_shape);

// out[n, co, oy, ox] (NCHW, scatter_output_shape extents) accumulated in double.
// `weights` is Cin x Cout/groups x KH x KW, `bias` holds Cout values or is null.
// Throws std::invalid_argument for inconsistent shapes or an empty output.
std::vector<double> reference_scatter(const ConvTransposeParams &params,
                                      const WeightShape &weight_shape, const float *weights,
                                      const float *bias, const float *input,
                                      const Shape4 &input_shape);

}  // namespace ksconv::test
