// GPU schedules: one source for CUDA and OpenCL (Halide maps gpu_blocks / gpu_threads to
// either API). The target only decides which API the generated code calls.
#pragma once

#include "../generators/conv_transpose_parts.h"
#include "../generators/upscale_parts.h"

namespace ksconv {

void schedule_segregated_gpu(SegregatedParts &parts, const Halide::Target &target);
void schedule_zero_insert_gpu(ZeroInsertParts &parts, const Halide::Target &target);
void schedule_upscale_gpu(UpscaleParts &parts, const Halide::Target &target);

}  // namespace ksconv
