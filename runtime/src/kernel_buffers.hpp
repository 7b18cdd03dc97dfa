// Halide views of ksconv's arrays, and the explicit copies between host and GPU memory:
// no kernel call is left to copy anything implicitly.
#pragma once

#include "HalideBuffer.h"
#include "ksconv/conv_transpose.hpp"
#include "ksconv/device.hpp"

namespace ksconv::detail {

// Halide describes buffers with int32 extents and strides; throws Error naming `what`
// for larger ones.
int checked_int(int64_t value, const char *what);

// NCHW memory seen by Halide as (x, y, c, n).
Halide::Runtime::Buffer<float> nchw_buffer(float *data, const Shape4 &s, const char *what);
Halide::Runtime::Buffer<const float> nchw_buffer(const float *data, const Shape4 &s, const char *what);

// Allocates device memory for `buffer` on `device` and copies its host contents there
// (nothing for the CPU). The buffer frees that memory when destroyed.
void copy_to_device(Halide::Runtime::Buffer<const float> &buffer, Device device, const char *what);
// Allocates device memory for a buffer the kernel will write (nothing for the CPU).
void allocate_on_device(Halide::Runtime::Buffer<float> &buffer, Device device, const char *what);
// Copies what the kernel wrote on the device back to the buffer's host memory.
void copy_to_host(Halide::Runtime::Buffer<float> &buffer, const char *what);

}  // namespace ksconv::detail
