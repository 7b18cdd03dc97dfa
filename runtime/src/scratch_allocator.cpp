#include "scratch_allocator.hpp"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <vector>

#include "HalideRuntime.h"
#include "halide_calls.hpp"
#include "ksconv/memory.hpp"

namespace ksconv::detail {
namespace {

// Every block carries a header: its capacity and the size in use (the payload after the
// header keeps Halide's 32-byte alignment).
constexpr size_t kHeader = 64;
struct Header {
    size_t capacity, size;
};
Header &header(char *base) { return *reinterpret_cast<Header *>(base); }

std::atomic<int64_t> g_scratch_bytes{0};
std::atomic<int64_t> g_scratch_peak{0};

// Freed blocks kept for the next call, per thread. A kernel's tasks allocate and free their
// buffers on every call; given back to malloc, the few hundred KB at the top of the heap went
// back to the system (glibc trims the heap above 128 KB) and returned as fresh pages: page
// faults took half of dcgan_l4's time. Per thread, as malloc's own caches are, so that a
// task gets back memory its core has just used (one cache shared by the pool's threads made
// dcgan_l1 1.3x slower at 2 threads). Each holds at most kMaxBlocks blocks and kMaxBytes.
class BlockCache {
public:
    ~BlockCache() {
        for (char *base : blocks_) halide_default_free(nullptr, base);
    }
    // A kept block of at least `size` bytes, not more than twice that (so a small request
    // does not pin a large block), or nullptr.
    char *take(size_t size) {
        auto best = blocks_.end();
        for (auto it = blocks_.begin(); it != blocks_.end(); ++it) {
            const size_t capacity = header(*it).capacity;
            if (capacity >= size && capacity / 2 <= size && (best == blocks_.end() || capacity < header(*best).capacity))
                best = it;
        }
        if (best == blocks_.end()) return nullptr;
        char *base = *best;
        blocks_.erase(best);
        bytes_ -= header(base).capacity;
        return base;
    }
    // Keeps `base` unless the cache is full; false means the caller frees it.
    bool keep(char *base) {
        const size_t capacity = header(base).capacity;
        if (capacity < kMinBytes || blocks_.size() >= kMaxBlocks || bytes_ + capacity > kMaxBytes) return false;
        blocks_.push_back(base);
        bytes_ += capacity;
        return true;
    }

private:
    // Below kMinBytes malloc is fast enough.
    static constexpr size_t kMinBytes = 16 * 1024, kMaxBlocks = 32, kMaxBytes = size_t(32) << 20;
    std::vector<char *> blocks_;
    size_t bytes_ = 0;
};

thread_local BlockCache t_block_cache;

}  // namespace

void *scratch_malloc(void *user_context, size_t size) {
    char *base = t_block_cache.take(size);
    if (base == nullptr) {
        base = static_cast<char *>(halide_default_malloc(user_context, size + kHeader));
        if (base == nullptr) return nullptr;
        header(base).capacity = size;
    }
    header(base).size = size;
    const int64_t now = g_scratch_bytes += int64_t(size);
    int64_t peak = g_scratch_peak.load();
    while (now > peak && !g_scratch_peak.compare_exchange_weak(peak, now)) {
    }
    return base + kHeader;
}

void scratch_free(void *user_context, void *ptr) {
    if (ptr == nullptr) return;
    char *base = static_cast<char *>(ptr) - kHeader;
    g_scratch_bytes -= int64_t(header(base).size);
    if (!t_block_cache.keep(base)) halide_default_free(user_context, base);
}

}  // namespace ksconv::detail

namespace ksconv {

void reset_scratch_peak() {
    detail::install_halide_hooks();  // so that the next kernel call is counted
    detail::g_scratch_peak = detail::g_scratch_bytes.load();
}

int64_t scratch_peak_bytes() {
    return detail::g_scratch_peak.load();
}

}  // namespace ksconv
