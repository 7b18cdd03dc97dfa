// CPU schedules of the image kernels (x86: AVX-512, AVX2, SSE4.1).
#pragma once

#include "../generators/upscale_parts.h"

namespace ksconv {

void schedule_upscale_x86(UpscaleParts &parts, const Halide::Target &target);

}  // namespace ksconv
