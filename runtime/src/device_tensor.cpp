#include "ksconv/device_tensor.hpp"

#include <algorithm>
#include <string>

#include "device_interface.hpp"
#include "device_tensor_impl.hpp"
#include "halide_calls.hpp"
#include "kernel_buffers.hpp"
#include "ksconv/error.hpp"

namespace ksconv {
namespace {

void check_copy(int status, const char *what) {
    if (status != 0) {
        throw Error(std::string(what) + " failed (Halide error " + std::to_string(status) +
                    "): " + detail::last_halide_error());
    }
}

}  // namespace

DeviceTensor::DeviceTensor(Device device, const Shape4 &shape) : impl_(std::make_unique<Impl>()) {
    if (shape.n < 1 || shape.c < 1 || shape.h < 1 || shape.w < 1) throw Error("device tensor extents must be >= 1");
    Impl &im = *impl_;
    im.device = device;
    im.shape = shape;
    const halide_device_interface_t *interface = detail::usable_device_interface(device);
    if (interface == nullptr) {
        im.host.resize(size_t(detail::checked_int(shape.elements(), "device tensor")));
        im.buffer = detail::nchw_buffer(im.host.data(), shape, "device tensor");
        return;
    }
    // Device memory only: no host copy is kept.
    im.buffer = detail::nchw_buffer(static_cast<float *>(nullptr), shape, "device tensor");
    detail::install_halide_hooks();
    check_copy(im.buffer.device_malloc(interface), "allocating device memory for a tensor");
}

DeviceTensor::~DeviceTensor() = default;
DeviceTensor::DeviceTensor(DeviceTensor &&) noexcept = default;
DeviceTensor &DeviceTensor::operator=(DeviceTensor &&) noexcept = default;

Device DeviceTensor::device() const {
    return impl_->device;
}
const Shape4 &DeviceTensor::shape() const {
    return impl_->shape;
}
DeviceTensor::Impl &DeviceTensor::impl() const {
    return *impl_;
}

void DeviceTensor::upload(const float *host) {
    if (host == nullptr) throw Error("upload: host array must not be null");
    Impl &im = *impl_;
    if (im.device == Device::cpu) {
        std::copy(host, host + im.host.size(), im.host.begin());
        return;
    }
    auto source = detail::nchw_buffer(host, im.shape, "host array");
    check_copy(halide_buffer_copy(nullptr, const_cast<halide_buffer_t *>(source.raw_buffer()),
                                  im.buffer.raw_buffer()->device_interface, im.buffer.raw_buffer()),
               "copying a tensor to the device");
}

void DeviceTensor::download(float *host) const {
    if (host == nullptr) throw Error("download: host array must not be null");
    Impl &im = *impl_;  // copying out reads the buffer but updates its dirty bits
    if (im.device == Device::cpu) {
        std::copy(im.host.begin(), im.host.end(), host);
        return;
    }
    auto target = detail::nchw_buffer(host, im.shape, "host array");
    check_copy(halide_buffer_copy(nullptr, im.buffer.raw_buffer(), nullptr, target.raw_buffer()),
               "copying a tensor from the device");
}

}  // namespace ksconv
