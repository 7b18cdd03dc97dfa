// Replaces the test executable's global operator new/delete to record the largest request.
#include "largest_allocation.hpp"

#include <atomic>
#include <cstdlib>
#include <new>

namespace {
std::atomic<size_t> g_largest_allocation{0};
}  // namespace

// noinline keeps GCC from seeing malloc/free through the replaced operators and warning
// -Wmismatched-new-delete.
__attribute__((noinline)) void *operator new(size_t size) {
    size_t seen = g_largest_allocation.load();
    while (size > seen && !g_largest_allocation.compare_exchange_weak(seen, size)) {
    }
    if (void *p = std::malloc(size == 0 ? 1 : size)) return p;
    throw std::bad_alloc();
}
__attribute__((noinline)) void operator delete(void *p) noexcept {
    std::free(p);
}
__attribute__((noinline)) void operator delete(void *p, size_t) noexcept {
    std::free(p);
}

namespace ksconv_test {

void reset_largest_allocation() {
    g_largest_allocation = 0;
}
size_t largest_allocation() {
    return g_largest_allocation.load();
}

}  // namespace ksconv_test
