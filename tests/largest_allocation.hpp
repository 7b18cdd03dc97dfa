// The largest single allocation made through operator new since the last reset, so tests can
// prove that a file claiming a huge size is refused before anything that large is allocated.
// (largest_allocation.cpp replaces the global operator new of the test executable.)
#pragma once

#include <cstddef>

namespace ksconv_test {

void reset_largest_allocation();
size_t largest_allocation();

}  // namespace ksconv_test
