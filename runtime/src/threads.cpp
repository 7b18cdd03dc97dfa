#include "ksconv/threads.hpp"

#include <string>

#include "HalideRuntime.h"
#include "ksconv/error.hpp"
#include "spinning_pool.hpp"

namespace ksconv {

void set_num_threads(int n) {
    if (n < 0) throw Error("threads " + std::to_string(n) + " must be at least 1 (or 0 for one per core)");
    // Halide's pool treats 0 as "its default": one worker per core, or HL_NUM_THREADS.
    halide_set_num_threads(n);  // for loops that fall back to Halide's pool
    detail::set_spinning_pool_threads(n);
}

}  // namespace ksconv
