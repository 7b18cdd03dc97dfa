// Device choice: which GPU APIs were built, whether their drivers and a device are there,
// and Halide's device interface for each.
#include "ksconv/device.hpp"

#include <cstdlib>
#include <mutex>
#include <string>

#include "HalideBuffer.h"
#include "device_interface.hpp"
#include "gpu_drivers.hpp"
#include "halide_calls.hpp"
#include "ksconv/error.hpp"

#ifdef KSCONV_HAVE_CUDA
#include "HalideRuntimeCuda.h"
#endif
#ifdef KSCONV_HAVE_OPENCL
#include "HalideRuntimeOpenCL.h"
#endif

namespace ksconv {
namespace {

// What a GPU device's first use found out, kept for the process: Halide creates one
// context per API and keeps it.
struct Probe {
    std::once_flag once;
    std::string unavailable;  // empty: usable
    std::string description;
    Halide::Runtime::Buffer<float> token;  // a tiny device allocation to synchronize on
};

Probe &probe_of(Device device) {
    // Never destroyed: freeing the token at exit could run after the driver is gone.
    static Probe *cuda = new Probe, *opencl = new Probe;
    return device == Device::cuda ? *cuda : *opencl;
}

const char *api_name(Device device) {
    return device == Device::cuda ? "CUDA" : "OpenCL";
}

// Loads the driver, then lets Halide create its context by allocating a little device
// memory: the same path every kernel call takes.
void run_probe(Device device, Probe &p) {
    const halide_device_interface_t *interface = detail::halide_device_interface(device);
    if (interface == nullptr) {
        p.unavailable = std::string("ksconv was built without ") + api_name(device) + " (KSCONV_" +
                        (device == Device::cuda ? "CUDA" : "OPENCL") + "=OFF)";
        return;
    }
    p.unavailable = device == Device::cuda ? detail::load_cuda_driver() : detail::load_opencl_driver();
    if (!p.unavailable.empty()) return;
    detail::install_halide_hooks();
    p.token = Halide::Runtime::Buffer<float>(1);
    if (p.token.device_malloc(interface) != 0) {
        p.unavailable = std::string("no ") + api_name(device) + " device found (" + detail::last_halide_error() + ")";
        p.token = Halide::Runtime::Buffer<float>();
        return;
    }
    p.description = device == Device::cuda ? detail::cuda_device_description() : detail::opencl_device_description();
}

Probe &probed(Device device) {
    Probe &p = probe_of(device);
    std::call_once(p.once, [&] { run_probe(device, p); });
    return p;
}

// auto may only pick OpenCL for a real GPU: an OpenCL CPU device (PoCL) is slower than
// the CPU kernels. Halide is pointed at that platform and device type unless the user
// chose them through its environment variables.
bool opencl_gpu_present() {
#ifdef KSCONV_HAVE_OPENCL
    if (!detail::load_opencl_driver().empty()) return false;
    const std::string platform = detail::opencl_gpu_platform();
    if (platform.empty()) return false;
    if (std::getenv("HL_OCL_PLATFORM_NAME") == nullptr) halide_opencl_set_platform_name(platform.c_str());
    if (std::getenv("HL_OCL_DEVICE_TYPE") == nullptr) halide_opencl_set_device_type("gpu");
    return device_unavailable_reason(Device::opencl).empty();
#else
    return false;
#endif
}

}  // namespace

const char *device_name(Device device) {
    switch (device) {
        case Device::cpu:
            return "cpu";
        case Device::cuda:
            return "cuda";
        case Device::opencl:
            return "opencl";
    }
    return "unknown";
}

std::string device_unavailable_reason(Device device) {
    if (device == Device::cpu) return "";
    return probed(device).unavailable;
}

Device select_device(const std::string &request) {
    Device device;
    if (request == "cpu") {
        device = Device::cpu;
    } else if (request == "cuda") {
        device = Device::cuda;
    } else if (request == "opencl") {
        device = Device::opencl;
    } else if (request == "auto") {
        if (device_unavailable_reason(Device::cuda).empty()) return Device::cuda;
        return opencl_gpu_present() ? Device::opencl : Device::cpu;
    } else {
        throw Error("device '" + request + "' is not one of auto, cpu, cuda, opencl");
    }
    const std::string why = device_unavailable_reason(device);
    if (!why.empty()) throw Error(why);
    return device;
}

std::string describe_device(Device device) {
    if (device == Device::cpu) return "cpu";
    const Probe &p = probed(device);
    if (!p.unavailable.empty()) return std::string(device_name(device)) + ": unavailable: " + p.unavailable;
    return std::string(device_name(device)) + ": " + p.description;
}

void synchronize(Device device) {
    if (device == Device::cpu) return;
    Probe &p = probed(device);
    if (!p.unavailable.empty()) throw Error(p.unavailable);
    detail::check_kernel_status(p.token.device_sync(), "device synchronization");
}

namespace detail {

const halide_device_interface_t *halide_device_interface(Device device) {
    switch (device) {
        case Device::cpu:
            return nullptr;
        case Device::cuda:
#ifdef KSCONV_HAVE_CUDA
            return halide_cuda_device_interface();
#else
            return nullptr;
#endif
        case Device::opencl:
#ifdef KSCONV_HAVE_OPENCL
            return halide_opencl_device_interface();
#else
            return nullptr;
#endif
    }
    return nullptr;
}

const halide_device_interface_t *usable_device_interface(Device device) {
    if (device == Device::cpu) return nullptr;
    const std::string why = device_unavailable_reason(device);
    if (!why.empty()) throw Error(why);
    return halide_device_interface(device);
}

}  // namespace detail
}  // namespace ksconv
