// One table of generated kernels per device, built on first use.
#pragma once

#include <string>

#include "ksconv/device.hpp"
#include "ksconv/error.hpp"

// The GPU libraries exist only when CMake built them (KSCONV_CUDA, KSCONV_OPENCL), so a
// device's table is named only then.
#ifdef KSCONV_HAVE_CUDA
#define KSCONV_IF_CUDA(...) __VA_ARGS__
#else
#define KSCONV_IF_CUDA(...)
#endif
#ifdef KSCONV_HAVE_OPENCL
#define KSCONV_IF_OPENCL(...) __VA_ARGS__
#else
#define KSCONV_IF_OPENCL(...)
#endif

// Defines `const Type &name(Device)`: the table MAKE(suffix) of the kernels compiled for the
// device (MAKE() for the CPU, MAKE(_cuda), MAKE(_opencl)), or an Error naming `what` when
// ksconv was built without them.
#define KSCONV_DEFINE_KERNEL_TABLE(Type, name, MAKE, what)                                               \
    const Type &name(Device device) {                                                                    \
        static const Type cpu = MAKE();                                                                  \
        switch (device) {                                                                                \
            case Device::cpu:                                                                            \
                return cpu;                                                                              \
            case Device::cuda: {                                                                         \
                KSCONV_IF_CUDA(static const Type cuda = MAKE(_cuda); return cuda;)                       \
                break;                                                                                   \
            }                                                                                            \
            case Device::opencl: {                                                                       \
                KSCONV_IF_OPENCL(static const Type opencl = MAKE(_opencl); return opencl;)               \
                break;                                                                                   \
            }                                                                                            \
        }                                                                                                \
        throw Error(std::string("ksconv was built without ") + (what) + " for " + device_name(device)); \
    }
