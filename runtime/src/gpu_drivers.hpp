// The GPU driver libraries, loaded on demand with dlopen (never linked), and the little
// this library asks them directly: is there a driver, which device will Halide use.
// Everything else goes through Halide's runtime, which finds the same symbols once these
// libraries are loaded globally.
#pragma once

#include <string>

namespace ksconv::detail {

// Loads libcuda (libcuda.so.1, else libcuda.so) globally. Empty on success, else the reason.
std::string load_cuda_driver();
// Loads the OpenCL ICD loader (libOpenCL.so.1, else libOpenCL.so) globally.
std::string load_opencl_driver();

// The CUDA device Halide's runtime picks (HL_GPU_DEVICE, else the one with the most
// multiprocessors), as "NAME (device I of N)". Needs load_cuda_driver() first.
std::string cuda_device_description();

// The device of the OpenCL context Halide's runtime created, as "NAME (PLATFORM)".
std::string opencl_device_description();

// The name of the first OpenCL platform with a device of GPU type, or empty when there is
// none (PoCL, for example, only offers the CPU).
std::string opencl_gpu_platform();

}  // namespace ksconv::detail
