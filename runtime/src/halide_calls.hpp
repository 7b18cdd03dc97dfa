// Calls into the generated Halide libraries. Everything that touches halide_buffer_t or
// the Halide runtime lives here; failures come back as ksconv::Error.
#pragma once

#include "ksconv/conv_transpose.hpp"
#include "packing.hpp"

namespace ksconv::detail {

// True when a compiled segregated variant exists for these strides; otherwise the
// run-time-stride variant is used.
bool has_fixed_stride_variant(int stride_h, int stride_w);

void run_segregated(const ConvTransposeParams &p, const WeightShape &ws, const SubKernels &sub, const float *bias,
                    const float *input, const Shape4 &in, float *output, const Shape4 &out);

void run_zero_insert(const ConvTransposeParams &p, const PackedKernel &kernel, const float *bias,
                     const float *input, const Shape4 &in, float *output, const Shape4 &out);

// Throws Error with Halide's last message when a kernel returned a non-zero status.
void check_kernel_status(int status, const char *kernel);

// Routes Halide's error and print hooks into the library (never stderr); idempotent.
void install_halide_hooks();

}  // namespace ksconv::detail
