#include "fsrcnn_calls.hpp"

#include <string>

#include "float_mode.hpp"
#include "halide_calls.hpp"
#include "ksconv/error.hpp"
#include "kernel_tables.hpp"
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

KSCONV_DEFINE_KERNEL_TABLE(FsrcnnKernels, fsrcnn_kernels, KSCONV_FSRCNN_KERNELS, "FSRCNN kernels")

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
