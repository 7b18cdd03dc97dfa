#include "float_mode.hpp"

#include <mutex>

#include "HalideRuntime.h"

#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
#define KSCONV_HAVE_MXCSR 1
#endif

namespace ksconv::detail {
namespace {

#ifdef KSCONV_HAVE_MXCSR
constexpr unsigned kFlushToZero = 0x8000;       // MXCSR bit 15
constexpr unsigned kDenormalsAreZero = 0x0040;  // MXCSR bit 6
constexpr unsigned kRoundingControl = 0x6000;   // MXCSR bits 13-14; 0 is round to nearest
#endif

// The handlers Halide had before ours; each task is passed on to them.
halide_do_task_t g_next_do_task = nullptr;
halide_do_loop_task_t g_next_do_loop_task = nullptr;

int guarded_do_task(void *user_context, halide_task_t f, int idx, uint8_t *closure) {
    FloatModeGuard guard;
    return g_next_do_task(user_context, f, idx, closure);
}

int guarded_do_loop_task(void *user_context, halide_loop_task_t f, int min, int extent, uint8_t *closure,
                         void *task_parent) {
    FloatModeGuard guard;
    return g_next_do_loop_task(user_context, f, min, extent, closure, task_parent);
}

}  // namespace

FloatModeGuard::FloatModeGuard() {
#ifdef KSCONV_HAVE_MXCSR
    // Round to nearest as well, whatever this thread had: a pool worker keeps the mode of the
    // thread that started the pool, so a caller's mode would otherwise leak into later calls.
    saved_ = _mm_getcsr();
    _mm_setcsr((saved_ & ~kRoundingControl) | kFlushToZero | kDenormalsAreZero);
#endif
}

FloatModeGuard::~FloatModeGuard() {
#ifdef KSCONV_HAVE_MXCSR
    // Keep the exception flags the kernels raised (as any float code would), restore the mode bits.
    constexpr unsigned kStickyFlags = 0x3f;
    _mm_setcsr(saved_ | (_mm_getcsr() & kStickyFlags));
#endif
}

void install_float_mode_tasks() {
    static std::once_flag once;
    std::call_once(once, [] {
        g_next_do_task = halide_set_custom_do_task(guarded_do_task);
        g_next_do_loop_task = halide_set_custom_do_loop_task(guarded_do_loop_task);
        if (g_next_do_task == nullptr) g_next_do_task = halide_default_do_task;
        if (g_next_do_loop_task == nullptr) g_next_do_loop_task = halide_default_do_loop_task;
    });
}

}  // namespace ksconv::detail
