// Calls into the generated image kernels (one library per filter, scale and sample type).
#pragma once

#include <cstdint>

#include "ksconv/device.hpp"
#include "ksconv/upscale.hpp"

namespace ksconv::detail {

// Output rows s*strip_row .. s*(strip_row + strip_rows) - 1 of an image `image_height` rows
// tall from `rows` (source rows rows_first ..), samples as in `source`. On a GPU device the
// rows are copied there and the output back before this returns.
void run_upscale_kernel(Device device, UpscaleMethod method, int scale, const ImageFormat &source, const void *rows,
                        int64_t rows_first, int64_t rows_count, int64_t strip_row, int64_t strip_rows, void *output);

}  // namespace ksconv::detail
