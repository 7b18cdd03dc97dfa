#include "gpu_drivers.hpp"

#include <dlfcn.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

namespace ksconv::detail {
namespace {

// Opens the first library of `names` that loads, RTLD_GLOBAL so that Halide's runtime
// resolves the driver's symbols from it too (it looks them up process-wide first).
void *open_first(const std::vector<const char *> &names) {
    for (const char *name : names) {
        if (void *handle = ::dlopen(name, RTLD_NOW | RTLD_GLOBAL)) return handle;
    }
    return nullptr;
}

void *cuda_library() {
    static void *handle = open_first({"libcuda.so.1", "libcuda.so"});
    return handle;
}

void *opencl_library() {
    static void *handle = open_first({"libOpenCL.so.1", "libOpenCL.so"});
    return handle;
}

template <typename Fn>
Fn symbol(void *library, const char *name) {
    return library ? reinterpret_cast<Fn>(::dlsym(library, name)) : nullptr;
}

// The few driver API types and constants used here (from the public CUDA and OpenCL headers,
// which this build does not need).
using CuInit = int (*)(unsigned);
using CuDeviceGetCount = int (*)(int *);
using CuDeviceGet = int (*)(int *, int);
using CuDeviceGetName = int (*)(char *, int, int);
using CuDeviceGetAttribute = int (*)(int *, int, int);
constexpr int kCuMultiprocessorCount = 16;  // CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT

using ClGetPlatformIDs = int32_t (*)(uint32_t, void **, uint32_t *);
using ClGetPlatformInfo = int32_t (*)(void *, uint32_t, size_t, void *, size_t *);
using ClGetDeviceIDs = int32_t (*)(void *, uint64_t, uint32_t, void **, uint32_t *);
using ClGetDeviceInfo = int32_t (*)(void *, uint32_t, size_t, void *, size_t *);
using ClGetContextInfo = int32_t (*)(void *, uint32_t, size_t, void *, size_t *);
constexpr uint32_t kClPlatformName = 0x0902;
constexpr uint64_t kClDeviceTypeGpu = 1 << 2;
constexpr uint32_t kClDeviceName = 0x102B;
constexpr uint32_t kClDevicePlatform = 0x1031;
constexpr uint32_t kClContextDevices = 0x1081;

std::string platform_name(void *platform) {
    auto info = symbol<ClGetPlatformInfo>(opencl_library(), "clGetPlatformInfo");
    char name[256] = {};
    if (info == nullptr || info(platform, kClPlatformName, sizeof(name) - 1, name, nullptr) != 0) return "?";
    return name;
}

}  // namespace

std::string load_cuda_driver() {
    if (cuda_library() == nullptr) return "no CUDA driver found (libcuda.so could not be loaded)";
    return "";
}

std::string load_opencl_driver() {
    if (opencl_library() == nullptr) return "no OpenCL driver found (libOpenCL.so could not be loaded)";
    return "";
}

std::string cuda_device_description() {
    void *lib = cuda_library();
    auto init = symbol<CuInit>(lib, "cuInit");
    auto count_fn = symbol<CuDeviceGetCount>(lib, "cuDeviceGetCount");
    auto get = symbol<CuDeviceGet>(lib, "cuDeviceGet");
    auto name_fn = symbol<CuDeviceGetName>(lib, "cuDeviceGetName");
    auto attribute = symbol<CuDeviceGetAttribute>(lib, "cuDeviceGetAttribute");
    int count = 0;
    if (!init || !count_fn || !get || !name_fn || !attribute || init(0) != 0 || count_fn(&count) != 0 || count < 1) {
        return "unknown CUDA device";
    }
    // Halide's rule: HL_GPU_DEVICE if set, else the device with the most multiprocessors
    // (the last of equals).
    int index = 0;
    if (const char *env = std::getenv("HL_GPU_DEVICE")) {
        index = std::atoi(env);
    } else {
        int best = 0;
        for (int i = 0; i < count; i++) {
            int dev = 0, cores = 0;
            if (get(&dev, i) == 0 && attribute(&cores, kCuMultiprocessorCount, dev) == 0 && cores >= best) {
                best = cores;
                index = i;
            }
        }
    }
    int dev = 0;
    char name[256] = {};
    if (get(&dev, index) != 0 || name_fn(name, sizeof(name) - 1, dev) != 0) return "unknown CUDA device";
    return std::string(name) + " (device " + std::to_string(index) + " of " + std::to_string(count) + ")";
}

}  // namespace ksconv::detail

// Halide's OpenCL runtime hands out the context it created (declared here: the runtime
// defines it, HalideRuntimeOpenCL.h does not declare it).
extern "C" int halide_acquire_cl_context(void *user_context, void **ctx, void **queue, bool create);
extern "C" int halide_release_cl_context(void *user_context);

namespace ksconv::detail {

std::string opencl_device_description() {
#ifdef KSCONV_HAVE_OPENCL
    void *lib = opencl_library();
    auto context_info = symbol<ClGetContextInfo>(lib, "clGetContextInfo");
    auto device_info = symbol<ClGetDeviceInfo>(lib, "clGetDeviceInfo");
    if (!context_info || !device_info) return "unknown OpenCL device";
    void *context = nullptr, *queue = nullptr;
    if (halide_acquire_cl_context(nullptr, &context, &queue, true) != 0) return "unknown OpenCL device";
    void *device = nullptr, *platform = nullptr;
    char name[256] = {};
    const bool ok = context_info(context, kClContextDevices, sizeof(device), &device, nullptr) == 0 &&
                    device_info(device, kClDeviceName, sizeof(name) - 1, name, nullptr) == 0 &&
                    device_info(device, kClDevicePlatform, sizeof(platform), &platform, nullptr) == 0;
    halide_release_cl_context(nullptr);
    if (!ok) return "unknown OpenCL device";
    return std::string(name) + " (" + platform_name(platform) + ")";
#else
    return "OpenCL not built";
#endif
}

std::string opencl_gpu_platform() {
    void *lib = opencl_library();
    auto platforms_fn = symbol<ClGetPlatformIDs>(lib, "clGetPlatformIDs");
    auto devices_fn = symbol<ClGetDeviceIDs>(lib, "clGetDeviceIDs");
    uint32_t count = 0;
    if (!platforms_fn || !devices_fn || platforms_fn(0, nullptr, &count) != 0 || count == 0) return "";
    std::vector<void *> platforms(count);
    if (platforms_fn(count, platforms.data(), &count) != 0) return "";
    for (void *platform : platforms) {
        uint32_t gpus = 0;
        if (devices_fn(platform, kClDeviceTypeGpu, 0, nullptr, &gpus) == 0 && gpus > 0) return platform_name(platform);
    }
    return "";
}

}  // namespace ksconv::detail
