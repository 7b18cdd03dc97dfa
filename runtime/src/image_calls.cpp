#include "image_calls.hpp"

#include <climits>

#include "HalideRuntime.h"
#include "device_interface.hpp"
#include "float_mode.hpp"
#include "halide_calls.hpp"
#include "ksconv/error.hpp"
#include "kernel_tables.hpp"
#include "ksconv_all_kernels.h"

namespace ksconv::detail {
namespace {

using UpscaleFn = decltype(&ksconv_upscale_bilinear_x2_u8);

// One device's kernels: [method][bits 8, 16][scale 2, 3, 4], methods in UpscaleMethod order.
struct UpscaleKernels {
    UpscaleFn fn[5][2][3];
};

#define KSCONV_UPSCALE_SCALES(filter, bits, device)                                                 \
    {                                                                                               \
        ksconv_upscale_##filter##_x2_u##bits##device, ksconv_upscale_##filter##_x3_u##bits##device, \
            ksconv_upscale_##filter##_x4_u##bits##device                                            \
    }
#define KSCONV_UPSCALE_FILTER(filter, device) \
    { KSCONV_UPSCALE_SCALES(filter, 8, device), KSCONV_UPSCALE_SCALES(filter, 16, device) }
#define KSCONV_UPSCALE_KERNELS(device)                                                           \
    UpscaleKernels {                                                                             \
        {                                                                                        \
            KSCONV_UPSCALE_FILTER(nearest, device), KSCONV_UPSCALE_FILTER(bilinear, device),     \
                KSCONV_UPSCALE_FILTER(bicubic, device), KSCONV_UPSCALE_FILTER(lanczos3, device), \
                KSCONV_UPSCALE_FILTER(lanczos4, device)                                          \
        }                                                                                        \
    }

KSCONV_DEFINE_KERNEL_TABLE(UpscaleKernels, upscale_kernels, KSCONV_UPSCALE_KERNELS, "upscaling kernels")

// Frees the device memory of a raw buffer when the call is over, however it ends.
struct DeviceAllocation {
    halide_buffer_t *buffer;
    ~DeviceAllocation() {
        if (buffer->device != 0) halide_device_free(nullptr, buffer);
    }
};

void check_copy(int status, const char *what) {
    if (status != 0) {
        throw Error(std::string(what) + " failed (Halide error " + std::to_string(status) +
                    "): " + last_halide_error());
    }
}

// Interleaved rows seen by Halide as (c, x, y); y starts at `first_row`.
halide_buffer_t image_buffer(const ImageFormat &f, const void *data, int64_t first_row, int64_t rows,
                             halide_dimension_t (&dims)[3]) {
    const int64_t row_samples = f.width * f.channels;
    if (row_samples * rows > INT_MAX || first_row + rows > INT_MAX) {
        throw Error("image strip of " + std::to_string(rows) + " rows is too large for the kernels");
    }
    dims[0] = {0, f.channels, 1, 0};
    dims[1] = {0, int32_t(f.width), f.channels, 0};
    dims[2] = {int32_t(first_row), int32_t(rows), int32_t(row_samples), 0};
    halide_buffer_t buffer{};
    buffer.host = static_cast<uint8_t *>(const_cast<void *>(data));  // the kernels never write their input
    buffer.type = halide_type_t(halide_type_uint, uint8_t(f.bit_depth));
    buffer.dimensions = 3;
    buffer.dim = dims;
    return buffer;
}

}  // namespace

void run_upscale_kernel(Device device, UpscaleMethod method, int scale, const ImageFormat &source, const void *rows,
                        int64_t rows_first, int64_t rows_count, int64_t strip_row, int64_t strip_rows, void *output) {
    install_halide_hooks();
    ImageFormat out_format = source;
    out_format.width = source.width * scale;
    halide_dimension_t in_dims[3], out_dims[3];
    halide_buffer_t in = image_buffer(source, rows, rows_first, rows_count, in_dims);
    halide_buffer_t out = image_buffer(out_format, output, 0, strip_rows * scale, out_dims);
    UpscaleFn fn = upscale_kernels(device).fn[int(method)][source.bit_depth == 16][scale - 2];
    DeviceAllocation in_device{&in}, out_device{&out};
    if (const halide_device_interface_t *interface = usable_device_interface(device)) {
        in.set_host_dirty(true);
        check_copy(halide_copy_to_device(nullptr, &in, interface), "copying image rows to the device");
        check_copy(halide_device_malloc(nullptr, &out, interface), "allocating device memory for image rows");
    }
    {
        const FloatModeGuard float_mode;  // as for every kernel call (halide_calls.cpp)
        check_kernel_status(fn(&in, int(source.height), int(strip_row), &out), "upscale");
    }
    if (out.device != 0) check_copy(halide_copy_to_host(nullptr, &out), "copying upscaled rows from the device");
}

}  // namespace ksconv::detail
