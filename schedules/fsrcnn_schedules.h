// Schedules of the FSRCNN network: CPU (x86) and GPU (CUDA and OpenCL from one source).
#pragma once

#include "../generators/fsrcnn_parts.h"

namespace ksconv {

void schedule_fsrcnn_x86(FsrcnnParts &parts, const Halide::Target &target);
void schedule_fsrcnn_gpu(FsrcnnParts &parts, const Halide::Target &target);

}  // namespace ksconv
