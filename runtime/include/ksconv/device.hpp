// Where the kernels run: the CPU, or a GPU through CUDA or OpenCL. GPU devices are found at
// run time (the driver libraries are loaded only when a GPU is asked for), so one build
// runs everywhere and asking for an absent device is an error, never a silent fallback.
#pragma once

#include <string>

namespace ksconv {

enum class Device { cpu, cuda, opencl };

// "cpu", "cuda", "opencl".
const char *device_name(Device device);

// Empty when `device` can run kernels in this process; otherwise one line saying why not,
// e.g. "no CUDA driver found (libcuda.so could not be loaded)". The first call for a GPU
// loads its driver and creates its context; the answer is remembered.
std::string device_unavailable_reason(Device device);

// The device for a request: "cpu", "cuda", "opencl", or "auto" = the first available GPU
// (CUDA first, then an OpenCL device of GPU type), else the CPU. A named device that is
// unavailable throws ksconv::Error with the reason; an unknown name throws naming the
// accepted ones.
Device select_device(const std::string &request);

// One line for diagnostics: "cpu", "cuda: NVIDIA H200 (device 0 of 1)",
// "opencl: cpu-znver1 (Portable Computing Language)".
std::string describe_device(Device device);

// Waits until every kernel and copy queued on the device has finished (no-op on the CPU).
void synchronize(Device device);

}  // namespace ksconv
