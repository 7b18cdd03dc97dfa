// Calls into the generated Halide libraries. Everything that touches the generated
// functions or the Halide runtime's hooks lives here; failures come back as ksconv::Error.
// Operands are Halide buffers already on the device the kernel runs on (kernel_buffers.hpp).
#pragma once

#include <string>

#include "HalideRuntime.h"
#include "ksconv/conv_transpose.hpp"
#include "ksconv/device.hpp"

namespace ksconv::detail {

// True when the segregated kernel compiled for this layer's strides serves it on `device`;
// otherwise the run-time-stride variant does. Strides 1 to 4 have compiled kernels; on GPUs
// they take ungrouped layers whose block tiles fit in shared memory (schedules/gpu_tiles.h).
bool uses_fixed_stride_variant(Device device, const ConvTransposeParams &p, const WeightShape &ws);

// True when the tap-products kernel (few output channels, see
// generators/tap_products_generator.cpp) serves this segregated layer on `device`.
bool uses_tap_products_variant(Device device, const ConvTransposeParams &p, const WeightShape &ws);

// True when the layer's method runs from a library that reduces input channels in blocks
// (large reductions on CPUs; see halide_calls.cpp).
bool uses_blocked_variant(Device device, Method method, const ConvTransposeParams &p, const WeightShape &ws);

// `tap_weights` as laid out by pack_tap_weights (packing.hpp); otherwise as run_segregated.
void run_tap_products(const ConvTransposeParams &p, const WeightShape &ws, halide_buffer_t *tap_weights,
                      halide_buffer_t *bias, halide_buffer_t *input, halide_buffer_t *output);

// `sub_kernels` as laid out by segregate_kernel (packing.hpp), `bias` Cout floats,
// `input` and `output` NCHW as (x, y, c, n).
void run_segregated(Device device, const ConvTransposeParams &p, const WeightShape &ws, halide_buffer_t *sub_kernels,
                    halide_buffer_t *bias, halide_buffer_t *input, halide_buffer_t *output);

// `weights` as laid out by pack_kernel (packing.hpp).
void run_zero_insert(Device device, const ConvTransposeParams &p, const WeightShape &ws, halide_buffer_t *weights,
                     halide_buffer_t *bias, halide_buffer_t *input, halide_buffer_t *output);

// Throws Error with Halide's last message when a kernel returned a non-zero status.
void check_kernel_status(int status, const char *kernel);

// The last error message Halide reported (process-wide).
std::string last_halide_error();

// Routes Halide's error and print hooks into the library (never stderr); idempotent.
void install_halide_hooks();

}  // namespace ksconv::detail
