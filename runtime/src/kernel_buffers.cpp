#include "kernel_buffers.hpp"

#include <climits>
#include <string>

#include "device_interface.hpp"
#include "halide_calls.hpp"
#include "ksconv/error.hpp"

namespace ksconv::detail {
namespace {

void check_copy(int status, const char *verb, const char *what) {
    if (status != 0) {
        throw Error(std::string(verb) + " " + what + " failed (Halide error " + std::to_string(status) +
                    "): " + last_halide_error());
    }
}

}  // namespace

int checked_int(int64_t value, const char *what) {
    if (value > INT_MAX) throw Error(std::string(what) + " has more than 2^31-1 elements, too large for the kernels");
    return int(value);
}

Halide::Runtime::Buffer<float> nchw_buffer(float *data, const Shape4 &s, const char *what) {
    checked_int(s.elements(), what);
    return Halide::Runtime::Buffer<float>(data, int(s.w), int(s.h), int(s.c), int(s.n));
}

Halide::Runtime::Buffer<const float> nchw_buffer(const float *data, const Shape4 &s, const char *what) {
    checked_int(s.elements(), what);
    return Halide::Runtime::Buffer<const float>(data, int(s.w), int(s.h), int(s.c), int(s.n));
}

void copy_to_device(Halide::Runtime::Buffer<const float> &buffer, Device device, const char *what) {
    const halide_device_interface_t *interface = usable_device_interface(device);
    if (interface == nullptr) return;
    install_halide_hooks();
    buffer.set_host_dirty();
    check_copy(buffer.copy_to_device(interface), "copying to the device", what);
}

void allocate_on_device(Halide::Runtime::Buffer<float> &buffer, Device device, const char *what) {
    const halide_device_interface_t *interface = usable_device_interface(device);
    if (interface == nullptr) return;
    install_halide_hooks();
    check_copy(buffer.device_malloc(interface), "allocating device memory for", what);
}

void copy_to_host(Halide::Runtime::Buffer<float> &buffer, const char *what) {
    if (buffer.raw_buffer()->device_interface == nullptr) return;
    check_copy(buffer.copy_to_host(), "copying from the device", what);
}

}  // namespace ksconv::detail
