#include "halide_calls.hpp"

#include <climits>
#include <mutex>
#include <numeric>
#include <string>
#include <vector>

#include "HalideRuntime.h"
#include "float_mode.hpp"
#include "gpu_tiles.h"
#include "ksconv/error.hpp"
#include "ksconv/memory.hpp"
#include "kernel_tables.hpp"
#include "packing.hpp"
#include "scratch_allocator.hpp"
#include "spinning_pool.hpp"
#include "ksconv_all_kernels.h"

namespace ksconv::detail {
namespace {

using SegregatedFn = decltype(&ksconv_segregated_s2x2);
using ZeroInsertFn = decltype(&ksconv_zero_insert);
constexpr int kMaxFixedStride = 4;

// One device's kernels. fixed[stride_h - 1][stride_w - 1]; the generated names are
// s<stride_x>x<stride_y>.
struct ConvKernels {
    SegregatedFn fixed[kMaxFixedStride][kMaxFixedStride];
    SegregatedFn runtime_stride;
    ZeroInsertFn zero_insert;
};

#define KSCONV_SEGREGATED_ROW(sy, device)                                                                        \
    {                                                                                                            \
        ksconv_segregated_s1x##sy##device, ksconv_segregated_s2x##sy##device, ksconv_segregated_s3x##sy##device, \
            ksconv_segregated_s4x##sy##device                                                                    \
    }
#define KSCONV_CONV_KERNELS(device)                                                                            \
    ConvKernels {                                                                                              \
        {KSCONV_SEGREGATED_ROW(1, device), KSCONV_SEGREGATED_ROW(2, device), KSCONV_SEGREGATED_ROW(3, device), \
         KSCONV_SEGREGATED_ROW(4, device)},                                                                    \
            ksconv_segregated_s0x0##device, ksconv_zero_insert##device                                         \
    }

KSCONV_DEFINE_KERNEL_TABLE(ConvKernels, conv_kernels, KSCONV_CONV_KERNELS, "kernels")

// Halide reports errors through a process-wide hook; keep the last message for the
// thread that turns the failed call into an exception.
std::mutex g_error_mutex;
std::string g_last_error;

void capture_error(void *, const char *message) {
    std::lock_guard<std::mutex> lock(g_error_mutex);
    g_last_error = message;
    while (!g_last_error.empty() && (g_last_error.back() == '\n' || g_last_error.back() == ' '))
        g_last_error.pop_back();
}

void discard_print(void *, const char *) {}

void check(int status, const char *kernel) {
    if (status == 0) return;
    std::lock_guard<std::mutex> lock(g_error_mutex);
    throw Error(std::string(kernel) + " kernel failed (Halide error " + std::to_string(status) + "): " + g_last_error);
}

}  // namespace

void check_kernel_status(int status, const char *kernel) {
    check(status, kernel);
}

std::string last_halide_error() {
    std::lock_guard<std::mutex> lock(g_error_mutex);
    return g_last_error;
}

void install_halide_hooks() {
    static std::once_flag once;
    std::call_once(once, [] {
        halide_set_error_handler(capture_error);
        halide_set_custom_print(discard_print);
        halide_set_custom_malloc(scratch_malloc);
        halide_set_custom_free(scratch_free);
        install_float_mode_tasks();
        install_spinning_pool();
        // GPU memory freed by one call is kept for the next instead of going back to the
        // driver (the per-call input and output buffers of GPU layers).
        halide_reuse_device_allocations(nullptr, true);
    });
}

namespace {

// Input pixels one block of the compile-time-stride GPU kernel stages along an axis: its
// quotient pixels, the reach of the taps (phase 0 has the most, tap_step input pixels
// apart) and the phases' offsets (0 down to 1 - d).
int64_t gpu_staged_extent(int tile, int s, int kernel, int d) {
    const int64_t tap_step = d / std::gcd(s, d), taps = axis_phase(0, s, kernel, d).count;
    return gpu_tiles::quotient_extent(tile, s) + (taps - 1) * tap_step + (d - 1);
}

// Shared memory of one such block: the block's phases plus one chunk of its input tile.
int64_t gpu_shared_bytes(const ConvTransposeParams &p, const WeightShape &ws) {
    using namespace gpu_tiles;
    const int64_t phases = int64_t(quotient_extent(kTileX, p.stride_w)) * quotient_extent(kTileY, p.stride_h) *
                           p.stride_w * p.stride_h * kBlockChannels;
    const int64_t staged = gpu_staged_extent(kTileX, p.stride_w, int(ws.kw), p.dilation_w) *
                           gpu_staged_extent(kTileY, p.stride_h, int(ws.kh), p.dilation_h) * kInputChunk;
    return int64_t(sizeof(float)) * (phases + staged);
}

// What a block may use (CUDA guarantees 48 KiB; OpenCL devices 32 KiB).
constexpr int64_t kGpuSharedBudget = 32 * 1024;

// The unequal-stride CPU libraries are AVX2+FMA code only (generators/CMakeLists.txt).
bool cpu_runs_unequal_stride_variants() {
#ifdef KSCONV_UNEQUAL_STRIDES_NEED_AVX2
    static const bool supported = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    return supported;
#else
    return true;
#endif
}

}  // namespace

bool uses_fixed_stride_variant(Device device, const ConvTransposeParams &p, const WeightShape &ws) {
    if (p.stride_h < 1 || p.stride_w < 1 || p.stride_h > kMaxFixedStride || p.stride_w > kMaxFixedStride) return false;
    if (device == Device::cpu) return p.stride_h == p.stride_w || cpu_runs_unequal_stride_variants();
    return p.groups == 1 && gpu_shared_bytes(p, ws) <= kGpuSharedBudget;
}

// The tap-products kernel takes ungrouped layers with fewer than kTapProductsChannels output
// channels (from 8, a vector of channels, the phases' channel tiles serve AVX2 better) at
// square strides 2 to 4, from kTapProductsMinInputs input channels (its GEMM reduces over
// them; each product is written and read back once, which costs more than 16 inputs' worth
// of reduction saves: on Zen 3, 4x4 kernels at stride 2, 1-6 outputs, 1.0-1.7x slower than
// the phases' column tile from 8 and 16 inputs, 0.3-0.75x from 32 and 64), and up to
// kTapProductsMaxTaps taps (kernel taps x output channels: a task's products take about
// 20 x 260 x taps floats).
constexpr int kTapProductsChannels = 8;
constexpr int kTapProductsMinInputs = 32;
constexpr int64_t kTapProductsMaxTaps = 256;

bool uses_tap_products_variant(Device device, const ConvTransposeParams &p, const WeightShape &ws) {
    return device == Device::cpu && p.groups == 1 && p.stride_w == p.stride_h && p.stride_w >= 2 &&
           p.stride_w <= 4 && ws.cout_per_group < kTapProductsChannels && ws.cin >= kTapProductsMinInputs &&
           ws.cout_per_group * ws.kh * ws.kw <= kTapProductsMaxTaps;
}

// Layers with a large reduction take the libraries that reduce input channels in blocks of
// kInputBlock (schedule_phase, schedules/x86_schedules.cpp; the block is the libraries'
// input_block, generators/CMakeLists.txt): at least two blocks of input channels, and
// input channels x taps per output pixel (a phase's, or the whole kernel's for zero
// insertion) from kBlockedMinReduction, where a 16-channel register tile's weights (32 KB)
// no longer fit L1 beside its input. Ungrouped layers with 16 or more output channels only
// (the channel tiles'), and for the segregated method stride 2 only. Zen 3, blocked time /
// one-block time, 1 thread: 64 outputs from 128, 256, 512 inputs (4x4 kernels, 16-32 x 48
// maps) 0.89-0.95x, 256 from 1024 (2x2) 0.91x, dcgan_l1-l3 0.97x; 2 threads: dcgan_l1-l3
// 0.96-0.98x, dcgan_b64_l3 0.96x, unet_up1 0.87x. With one block (zero insertion from 32
// inputs, 5x5) the extra pass over the sums cost 3%.
constexpr int64_t kInputBlock = 64;
constexpr int64_t kBlockedMinReduction = 512;
constexpr int64_t kBlockedMinChannels = 16;

bool uses_blocked_variant(Device device, Method method, const ConvTransposeParams &p, const WeightShape &ws) {
    if (device != Device::cpu || p.groups != 1 || ws.cout_per_group < kBlockedMinChannels || ws.cin < 2 * kInputBlock)
        return false;
    const int64_t kernel_reduction = ws.cin * ws.kh * ws.kw;
    if (method == Method::ZeroInsert) return kernel_reduction >= kBlockedMinReduction;
    return method == Method::Segregated && p.stride_w == 2 && p.stride_h == 2 &&
           !uses_tap_products_variant(device, p, ws) && kernel_reduction / 4 >= kBlockedMinReduction;
}

void run_tap_products(const ConvTransposeParams &p, const WeightShape &ws, halide_buffer_t *tap_weights,
                      halide_buffer_t *bias, halide_buffer_t *input, halide_buffer_t *output) {
    install_halide_hooks();
    using TapProductsFn = decltype(&ksconv_tap_products_s2);
    constexpr TapProductsFn kByStride[] = {ksconv_tap_products_s2, ksconv_tap_products_s3, ksconv_tap_products_s4};
    const FloatModeGuard float_mode;
    check(kByStride[p.stride_w - 2](input, tap_weights, bias, p.pad_left, p.pad_top, int(ws.kw), int(ws.kh),
                                    p.dilation_w, p.dilation_h, output->dim[0].extent, output->dim[1].extent, output),
          "segregated");
}

void run_segregated(Device device, const ConvTransposeParams &p, const WeightShape &ws, halide_buffer_t *sub_kernels,
                    halide_buffer_t *bias, halide_buffer_t *input, halide_buffer_t *output) {
    install_halide_hooks();
    const ConvKernels &kernels = conv_kernels(device);
    SegregatedFn fn = uses_fixed_stride_variant(device, p, ws) ? kernels.fixed[p.stride_h - 1][p.stride_w - 1]
                                                               : kernels.runtime_stride;
    if (uses_blocked_variant(device, Method::Segregated, p, ws)) fn = ksconv_segregated_blocked_s2x2;
    const FloatModeGuard float_mode;  // the pool's tasks are guarded by install_float_mode_tasks()
    check(fn(input, sub_kernels, bias, p.pad_left, p.pad_top, int(ws.kw), int(ws.kh), p.dilation_w, p.dilation_h,
             p.groups, output->dim[0].extent, output->dim[1].extent, p.stride_w, p.stride_h, output),
          "segregated");
}

void run_zero_insert(Device device, const ConvTransposeParams &p, const WeightShape &ws, halide_buffer_t *weights,
                     halide_buffer_t *bias, halide_buffer_t *input, halide_buffer_t *output) {
    install_halide_hooks();
    const ConvKernels &kernels = conv_kernels(device);
    const ZeroInsertFn fn =
        uses_blocked_variant(device, Method::ZeroInsert, p, ws) ? ksconv_zero_insert_blocked : kernels.zero_insert;
    const FloatModeGuard float_mode;
    check(fn(input, weights, bias, p.pad_left, p.pad_top, p.stride_w, p.stride_h, p.dilation_w, p.dilation_h, p.groups,
             output),
          "zero-insert");
}

}  // namespace ksconv::detail
