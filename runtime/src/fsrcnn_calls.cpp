#include "fsrcnn_calls.hpp"

#include <string>

#include "float_mode.hpp"
#include "halide_calls.hpp"
#include "ksconv/error.hpp"
#include "ksconv_all_kernels.h"

namespace ksconv::detail {
namespace {

using FsrcnnFn = decltype(&ksconv_fsrcnn_x2);

// One device's networks: [deconvolution: segregated, zero-insert][scale 2, 3, 4].
struct FsrcnnKernels {
    FsrcnnFn fn[2][3];
};

#define KSCONV_FSRCNN_KERNELS(device)                                                        \
    FsrcnnKernels {                                                                          \
        {                                                                                    \
            {ksconv_fsrcnn_x2##device, ksconv_fsrcnn_x3##device, ksconv_fsrcnn_x4##device},  \
                {ksconv_fsrcnn_zero_insert_x2##device, ksconv_fsrcnn_zero_insert_x3##device, \
                 ksconv_fsrcnn_zero_insert_x4##device},                                      \
        }                                                                                    \
    }

const FsrcnnKernels &fsrcnn_kernels(Device device) {
    static const FsrcnnKernels cpu = KSCONV_FSRCNN_KERNELS();
    switch (device) {
        case Device::cpu:
            return cpu;
        case Device::cuda: {
#ifdef KSCONV_HAVE_CUDA
            static const FsrcnnKernels cuda = KSCONV_FSRCNN_KERNELS(_cuda);
            return cuda;
#else
            break;
#endif
        }
        case Device::opencl: {
#ifdef KSCONV_HAVE_OPENCL
            static const FsrcnnKernels opencl = KSCONV_FSRCNN_KERNELS(_opencl);
            return opencl;
#else
            break;
#endif
        }
    }
    throw Error(std::string("ksconv was built without FSRCNN kernels for ") + device_name(device));
}

}  // namespace

void run_fsrcnn_kernel(Device device, FsrcnnDeconvolution deconvolution, int scale, const FsrcnnCall &c) {
    if (scale < 2 || scale > 4) throw Error("no FSRCNN kernel for scale " + std::to_string(scale));
    install_halide_hooks();
    FsrcnnFn fn = fsrcnn_kernels(device).fn[deconvolution == FsrcnnDeconvolution::zero_insert][scale - 2];
    const FloatModeGuard float_mode;  // as for every kernel call (halide_calls.cpp)
    check_kernel_status(fn(c.input, c.image_width, c.image_height, c.tile_x, c.tile_y, c.conv_parameters,
                           c.deconv_weights, c.deconv_bias, c.output),
                        "fsrcnn");
}

}  // namespace ksconv::detail
