#include "image_calls.hpp"

#include <climits>

#include "HalideRuntime.h"
#include "float_mode.hpp"
#include "halide_calls.hpp"
#include "ksconv/error.hpp"
#include "ksconv_upscale_bicubic_x2_u16.h"
#include "ksconv_upscale_bicubic_x2_u8.h"
#include "ksconv_upscale_bicubic_x3_u16.h"
#include "ksconv_upscale_bicubic_x3_u8.h"
#include "ksconv_upscale_bicubic_x4_u16.h"
#include "ksconv_upscale_bicubic_x4_u8.h"
#include "ksconv_upscale_bilinear_x2_u16.h"
#include "ksconv_upscale_bilinear_x2_u8.h"
#include "ksconv_upscale_bilinear_x3_u16.h"
#include "ksconv_upscale_bilinear_x3_u8.h"
#include "ksconv_upscale_bilinear_x4_u16.h"
#include "ksconv_upscale_bilinear_x4_u8.h"
#include "ksconv_upscale_lanczos3_x2_u16.h"
#include "ksconv_upscale_lanczos3_x2_u8.h"
#include "ksconv_upscale_lanczos3_x3_u16.h"
#include "ksconv_upscale_lanczos3_x3_u8.h"
#include "ksconv_upscale_lanczos3_x4_u16.h"
#include "ksconv_upscale_lanczos3_x4_u8.h"
#include "ksconv_upscale_lanczos4_x2_u16.h"
#include "ksconv_upscale_lanczos4_x2_u8.h"
#include "ksconv_upscale_lanczos4_x3_u16.h"
#include "ksconv_upscale_lanczos4_x3_u8.h"
#include "ksconv_upscale_lanczos4_x4_u16.h"
#include "ksconv_upscale_lanczos4_x4_u8.h"
#include "ksconv_upscale_nearest_x2_u16.h"
#include "ksconv_upscale_nearest_x2_u8.h"
#include "ksconv_upscale_nearest_x3_u16.h"
#include "ksconv_upscale_nearest_x3_u8.h"
#include "ksconv_upscale_nearest_x4_u16.h"
#include "ksconv_upscale_nearest_x4_u8.h"

namespace ksconv::detail {
namespace {

using UpscaleFn = decltype(&ksconv_upscale_bilinear_x2_u8);

// [method][bits 8, 16][scale 2, 3, 4], methods in UpscaleMethod order.
const UpscaleFn kUpscaleKernels[5][2][3] = {
    {{ksconv_upscale_nearest_x2_u8, ksconv_upscale_nearest_x3_u8, ksconv_upscale_nearest_x4_u8},
     {ksconv_upscale_nearest_x2_u16, ksconv_upscale_nearest_x3_u16, ksconv_upscale_nearest_x4_u16}},
    {{ksconv_upscale_bilinear_x2_u8, ksconv_upscale_bilinear_x3_u8, ksconv_upscale_bilinear_x4_u8},
     {ksconv_upscale_bilinear_x2_u16, ksconv_upscale_bilinear_x3_u16, ksconv_upscale_bilinear_x4_u16}},
    {{ksconv_upscale_bicubic_x2_u8, ksconv_upscale_bicubic_x3_u8, ksconv_upscale_bicubic_x4_u8},
     {ksconv_upscale_bicubic_x2_u16, ksconv_upscale_bicubic_x3_u16, ksconv_upscale_bicubic_x4_u16}},
    {{ksconv_upscale_lanczos3_x2_u8, ksconv_upscale_lanczos3_x3_u8, ksconv_upscale_lanczos3_x4_u8},
     {ksconv_upscale_lanczos3_x2_u16, ksconv_upscale_lanczos3_x3_u16, ksconv_upscale_lanczos3_x4_u16}},
    {{ksconv_upscale_lanczos4_x2_u8, ksconv_upscale_lanczos4_x3_u8, ksconv_upscale_lanczos4_x4_u8},
     {ksconv_upscale_lanczos4_x2_u16, ksconv_upscale_lanczos4_x3_u16, ksconv_upscale_lanczos4_x4_u16}},
};

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

void run_upscale_kernel(UpscaleMethod method, int scale, const ImageFormat &source, const void *rows,
                        int64_t rows_first, int64_t rows_count, int64_t strip_row, int64_t strip_rows, void *output) {
    install_halide_hooks();
    ImageFormat out_format = source;
    out_format.width = source.width * scale;
    halide_dimension_t in_dims[3], out_dims[3];
    halide_buffer_t in = image_buffer(source, rows, rows_first, rows_count, in_dims);
    halide_buffer_t out = image_buffer(out_format, output, 0, strip_rows * scale, out_dims);
    UpscaleFn fn = kUpscaleKernels[int(method)][source.bit_depth == 16][scale - 2];
    const FloatModeGuard float_mode;  // as for every kernel call (halide_calls.cpp)
    check_kernel_status(fn(&in, int(source.height), int(strip_row), &out), "upscale");
}

}  // namespace ksconv::detail
