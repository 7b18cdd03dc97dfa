// Plain float64 transposed convolution, the yardstick the fast variants are checked against
// and the implementation behind Method::Reference. Private to the library.
#pragma once

#include "ksconv/conv_transpose.hpp"

namespace ksconv::detail {

// Computes `output` (output_shape(p, ws, in).elements() floats, fully overwritten) from
// `input` (in.elements() floats), `weights` (ws.elements() floats, Cin x Cout/groups x KH x KW)
// and `bias` (Cout floats, or null). Accumulates in double. Meant for validated parameters;
// it derives the output shape with output_shape(), so bad ones still throw ksconv::Error.
void reference_conv_transpose(const ConvTransposeParams &p, const WeightShape &ws,
                              const float *weights, const float *bias, const float *input,
                              const Shape4 &in, float *output);

}  // namespace ksconv::detail
