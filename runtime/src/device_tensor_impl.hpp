// What a DeviceTensor holds: a Halide buffer (x, y, c, n) with device memory on a GPU, or
// over its own host memory on the CPU.
#pragma once

#include <vector>

#include "HalideBuffer.h"
#include "ksconv/device_tensor.hpp"

namespace ksconv {

struct DeviceTensor::Impl {
    Device device = Device::cpu;
    Shape4 shape;
    std::vector<float> host;  // cpu only
    Halide::Runtime::Buffer<float> buffer;
};

}  // namespace ksconv
