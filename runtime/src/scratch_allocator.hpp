// The heap allocator the generated kernels use for their scratch (input slabs, phase rows,
// tap products): it counts the bytes for ksconv/memory.hpp and keeps freed blocks for the
// next call.
#pragma once

#include <cstddef>

namespace ksconv::detail {

void *scratch_malloc(void *user_context, size_t size);
void scratch_free(void *user_context, void *ptr);

}  // namespace ksconv::detail
