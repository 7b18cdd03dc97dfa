// Halide's device interface of each ksconv::Device, for the code that moves buffers.
#pragma once

#include "HalideRuntime.h"
#include "ksconv/device.hpp"

namespace ksconv::detail {

// nullptr for the CPU and for a GPU API this build lacks.
const halide_device_interface_t *halide_device_interface(Device device);

// As above, but throws ksconv::Error with the reason when a GPU device is unavailable.
const halide_device_interface_t *usable_device_interface(Device device);

}  // namespace ksconv::detail
