#include "halide_calls.hpp"

#include <atomic>
#include <climits>
#include <mutex>
#include <string>
#include <vector>

#include "HalideBuffer.h"
#include "HalideRuntime.h"
#include "float_mode.hpp"
#include "ksconv/error.hpp"
#include "ksconv/memory.hpp"
#include "ksconv_segregated_s0x0.h"
#include "ksconv_segregated_s1x1.h"
#include "ksconv_segregated_s1x2.h"
#include "ksconv_segregated_s1x3.h"
#include "ksconv_segregated_s1x4.h"
#include "ksconv_segregated_s2x1.h"
#include "ksconv_segregated_s2x2.h"
#include "ksconv_segregated_s2x3.h"
#include "ksconv_segregated_s2x4.h"
#include "ksconv_segregated_s3x1.h"
#include "ksconv_segregated_s3x2.h"
#include "ksconv_segregated_s3x3.h"
#include "ksconv_segregated_s3x4.h"
#include "ksconv_segregated_s4x1.h"
#include "ksconv_segregated_s4x2.h"
#include "ksconv_segregated_s4x3.h"
#include "ksconv_segregated_s4x4.h"
#include "ksconv_zero_insert.h"

namespace ksconv::detail {
namespace {

using SegregatedFn = decltype(&ksconv_segregated_s2x2);
constexpr int kMaxFixedStride = 4;

// Indexed [stride_h - 1][stride_w - 1]; the generated names are s<stride_x>x<stride_y>.
const SegregatedFn kSegregated[kMaxFixedStride][kMaxFixedStride] = {
    {ksconv_segregated_s1x1, ksconv_segregated_s2x1, ksconv_segregated_s3x1, ksconv_segregated_s4x1},
    {ksconv_segregated_s1x2, ksconv_segregated_s2x2, ksconv_segregated_s3x2, ksconv_segregated_s4x2},
    {ksconv_segregated_s1x3, ksconv_segregated_s2x3, ksconv_segregated_s3x3, ksconv_segregated_s4x3},
    {ksconv_segregated_s1x4, ksconv_segregated_s2x4, ksconv_segregated_s3x4, ksconv_segregated_s4x4},
};

// Halide reports errors through a process-wide hook; keep the last message for the
// thread that turns the failed call into an exception.
std::mutex g_error_mutex;
std::string g_last_error;

void capture_error(void *, const char *message) {
    std::lock_guard<std::mutex> lock(g_error_mutex);
    g_last_error = message;
    while (!g_last_error.empty() && (g_last_error.back() == '\n' || g_last_error.back() == ' ')) g_last_error.pop_back();
}

void discard_print(void *, const char *) {}

// Scratch accounting: every Halide heap allocation carries its size in a header.
std::atomic<int64_t> g_scratch_bytes{0};
std::atomic<int64_t> g_scratch_peak{0};
constexpr size_t kHeader = 64;  // keeps Halide's alignment (32 bytes) for the payload

void *counting_malloc(void *user_context, size_t size) {
    auto *base = static_cast<char *>(halide_default_malloc(user_context, size + kHeader));
    if (base == nullptr) return nullptr;
    *reinterpret_cast<size_t *>(base) = size;
    int64_t now = g_scratch_bytes += int64_t(size);
    int64_t peak = g_scratch_peak.load();
    while (now > peak && !g_scratch_peak.compare_exchange_weak(peak, now)) {
    }
    return base + kHeader;
}

void counting_free(void *user_context, void *ptr) {
    if (ptr == nullptr) return;
    char *base = static_cast<char *>(ptr) - kHeader;
    g_scratch_bytes -= int64_t(*reinterpret_cast<size_t *>(base));
    halide_default_free(user_context, base);
}

void check(int status, const char *kernel) {
    if (status == 0) return;
    std::lock_guard<std::mutex> lock(g_error_mutex);
    throw Error(std::string(kernel) + " kernel failed (Halide error " + std::to_string(status) +
                "): " + g_last_error);
}

// Halide describes buffers with int32 extents and strides.
int checked_int(int64_t value, const char *what) {
    if (value > INT_MAX) throw Error(std::string(what) + " has more than 2^31-1 elements, too large for the kernels");
    return int(value);
}

// NCHW memory seen by Halide as (x, y, c, n).
template <typename T>
Halide::Runtime::Buffer<T> nchw_buffer(T *data, const Shape4 &s, const char *what) {
    checked_int(s.elements(), what);
    return Halide::Runtime::Buffer<T>(data, int(s.w), int(s.h), int(s.c), int(s.n));
}

}  // namespace

void check_kernel_status(int status, const char *kernel) { check(status, kernel); }

void install_halide_hooks() {
    static std::once_flag once;
    std::call_once(once, [] {
        halide_set_error_handler(capture_error);
        halide_set_custom_print(discard_print);
        halide_set_custom_malloc(counting_malloc);
        halide_set_custom_free(counting_free);
        install_float_mode_tasks();
    });
}

}  // namespace ksconv::detail

namespace ksconv {

void reset_scratch_peak() {
    detail::install_halide_hooks();
    detail::g_scratch_peak = detail::g_scratch_bytes.load();
}

int64_t scratch_peak_bytes() { return detail::g_scratch_peak.load(); }

}  // namespace ksconv

namespace ksconv::detail {

bool has_fixed_stride_variant(int stride_h, int stride_w) {
    return stride_h >= 1 && stride_w >= 1 && stride_h <= kMaxFixedStride && stride_w <= kMaxFixedStride;
}

void run_segregated(const ConvTransposeParams &p, const WeightShape &ws, const SubKernels &sub, const float *bias,
                    const float *input, const Shape4 &in, float *output, const Shape4 &out) {
    install_halide_hooks();
    auto in_buf = nchw_buffer(input, in, "input");
    auto out_buf = nchw_buffer(output, out, "output");
    checked_int(int64_t(sub.data.size()), "packed weights");
    std::vector<int> sub_extents{sub.cout_padded, sub.taps_x, sub.taps_y, sub.cin, sub.stride_x, sub.stride_y};
    Halide::Runtime::Buffer<const float> sub_buf(sub.data.data(), sub_extents);
    Halide::Runtime::Buffer<const float> bias_buf(bias, int(out.c));
    SegregatedFn fn = has_fixed_stride_variant(p.stride_h, p.stride_w) ? kSegregated[p.stride_h - 1][p.stride_w - 1]
                                                                       : ksconv_segregated_s0x0;
    const FloatModeGuard float_mode;  // the pool's tasks are guarded by install_float_mode_tasks()
    check(fn(in_buf, sub_buf, bias_buf, p.pad_left, p.pad_top, int(ws.kw), int(ws.kh), p.dilation_w, p.dilation_h,
             p.groups, p.stride_w, p.stride_h, out_buf),
          "segregated");
}

void run_zero_insert(const ConvTransposeParams &p, const PackedKernel &kernel, const float *bias,
                     const float *input, const Shape4 &in, float *output, const Shape4 &out) {
    install_halide_hooks();
    auto in_buf = nchw_buffer(input, in, "input");
    auto out_buf = nchw_buffer(output, out, "output");
    checked_int(int64_t(kernel.data.size()), "packed weights");
    Halide::Runtime::Buffer<const float> w_buf(kernel.data.data(), kernel.cout_padded, kernel.kw, kernel.kh, kernel.cin);
    Halide::Runtime::Buffer<const float> bias_buf(bias, int(out.c));
    const FloatModeGuard float_mode;
    check(ksconv_zero_insert(in_buf, w_buf, bias_buf, p.pad_left, p.pad_top, p.stride_w, p.stride_h, p.dilation_w,
                             p.dilation_h, p.groups, out_buf),
          "zero-insert");
}

}  // namespace ksconv::detail
