// A float32 NCHW tensor in a device's memory, so that layers can run one after another
// without copies to and from the host (and benchmarks can time the kernels alone).
#pragma once

#include <memory>

#include "ksconv/conv_transpose.hpp"
#include "ksconv/device.hpp"

namespace ksconv {

class DeviceTensor {
public:
    // Allocates shape.elements() floats on `device` (host memory for Device::cpu), contents
    // undefined. Throws Error when the device is unavailable or the allocation fails.
    DeviceTensor(Device device, const Shape4 &shape);
    ~DeviceTensor();
    DeviceTensor(DeviceTensor &&) noexcept;
    DeviceTensor &operator=(DeviceTensor &&) noexcept;

    Device device() const;
    const Shape4 &shape() const;

    // Copies shape().elements() floats from the host into the tensor (blocking).
    void upload(const float *host);
    // Copies the tensor to `host` (shape().elements() floats), after all queued work that
    // writes it has finished.
    void download(float *host) const;

    struct Impl;
    Impl &impl() const;  // for the library's kernel calls

private:
    std::unique_ptr<Impl> impl_;
};

}  // namespace ksconv
