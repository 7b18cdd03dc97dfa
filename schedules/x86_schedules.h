// CPU schedules (x86: AVX-512, AVX2, SSE4.1; the vector width comes from the target).
#pragma once

#include "../generators/conv_transpose_parts.h"

namespace ksconv {

void schedule_segregated_x86(SegregatedParts &parts, const Halide::Target &target);
void schedule_tap_products_x86(TapProductParts &parts, const Halide::Target &target);
void schedule_zero_insert_x86(ZeroInsertParts &parts, const Halide::Target &target);

}  // namespace ksconv
