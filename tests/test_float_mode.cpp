// Denormals: the kernels run with flush-to-zero / denormals-are-zero on every thread that
// computes (the caller and Halide's pool workers), and the caller's MXCSR comes back as it
// was. The speed this buys is measured by hand (README, "Denormals"), not asserted here.
#include <gtest/gtest.h>
#include <xmmintrin.h>

#include <cstdint>
#include <vector>

#include "HalideRuntime.h"
#include "float_mode.hpp"
#include "halide_calls.hpp"
#include "ksconv/conv_transpose.hpp"
#include "test_params.hpp"

namespace ksconv::test {
namespace {

constexpr unsigned kFtz = 0x8000, kDaz = 0x0040, kRoundTowardZero = 0x6000, kRoundToNearest = 0, kFlags = 0x3f;
constexpr float kDenormal = 1e-39f;  // below FLT_MIN (1.18e-38)

unsigned mode_bits() {
    return _mm_getcsr() & ~kFlags;
}

// Sets a distinctive caller mode (round toward zero, no FTZ/DAZ) and restores it after.
class CallerMode {
public:
    CallerMode() : saved_(_mm_getcsr()) { _mm_setcsr((saved_ & ~(kFtz | kDaz | 0x6000u)) | kRoundTowardZero); }
    ~CallerMode() { _mm_setcsr(saved_); }

private:
    unsigned saved_;
};

TEST(FloatMode, GuardSetsFlushToZeroAndRestoresTheCallersMode) {
    CallerMode caller;
    const unsigned before = mode_bits();
    {
        detail::FloatModeGuard guard;
        EXPECT_EQ(_mm_getcsr() & (kFtz | kDaz), kFtz | kDaz);
        EXPECT_EQ(_mm_getcsr() & 0x6000u, kRoundToNearest) << "kernels must round to nearest";
    }
    EXPECT_EQ(mode_bits(), before);
}

// Records each task's MXCSR. Halide's workers copy their creator's MXCSR when the pool
// starts (inside a guarded call, normally), so the layer tests below could pass without the
// per-task hook; this checks the hook itself, on whatever threads the pool has.
int record_mxcsr(void *, int index, uint8_t *closure) {
    reinterpret_cast<unsigned *>(closure)[index] = _mm_getcsr();
    return 0;
}

TEST(FloatMode, EveryPoolTaskRunsFlushedAndTheCallerIsRestored) {
    detail::install_halide_hooks();
    CallerMode caller;
    const unsigned before = mode_bits();
    std::vector<unsigned> seen(256, 0);
    ASSERT_EQ(halide_do_par_for(nullptr, record_mxcsr, 0, int(seen.size()), reinterpret_cast<uint8_t *>(seen.data())),
              0);
    for (size_t i = 0; i < seen.size(); ++i) {
        ASSERT_EQ(seen[i] & (kFtz | kDaz), kFtz | kDaz) << "task " << i;
        ASSERT_EQ(seen[i] & 0x6000u, kRoundToNearest) << "task " << i << ": not rounding to nearest";
    }
    EXPECT_EQ(mode_bits(), before);
}

// A layer big enough that Halide's pool splits it over its workers.
struct BigLayer {
    Shape4 in{2, 16, 48, 48};
    WeightShape ws{16, 16, 4, 4};
    ConvTransposeParams p = symmetric(2, 1);
};

std::vector<float> run(const BigLayer &b, Method method, float input_value, float weight_value) {
    const std::vector<float> input(size_t(b.in.elements()), input_value);
    const std::vector<float> weights(size_t(b.ws.elements()), weight_value);
    const ConvTranspose2d layer(b.p, b.ws, weights.data(), nullptr, method);
    std::vector<float> out(size_t(layer.output_shape(b.in).elements()), -1.0f);
    layer.run(input.data(), b.in, out.data());
    return out;
}

// Denormal products flushed on every thread: a worker without FTZ/DAZ would leave
// denormal (non-zero) outputs in its part of the tensor.
TEST(FloatMode, DenormalInputsAreFlushedOnEveryThread) {
    CallerMode caller;
    const unsigned before = mode_bits();
    for (Method method : {Method::Segregated, Method::ZeroInsert}) {
        const std::vector<float> out = run(BigLayer{}, method, kDenormal, 1.0f);
        int64_t nonzero = 0;
        for (float v : out) nonzero += v != 0.0f;
        EXPECT_EQ(nonzero, 0) << method_name(method) << ": outputs not flushed to zero";
        EXPECT_EQ(mode_bits(), before) << method_name(method) << ": caller's MXCSR mode changed";
    }
}

TEST(FloatMode, DenormalWeightsAreFlushed) {
    for (Method method : {Method::Segregated, Method::ZeroInsert}) {
        const std::vector<float> out = run(BigLayer{}, method, 1.0f, kDenormal);
        int64_t nonzero = 0;
        for (float v : out) nonzero += v != 0.0f;
        EXPECT_EQ(nonzero, 0) << method_name(method);
    }
}

// Normal values are unaffected: 0.5 * 0.25 summed over the taps stays exact.
TEST(FloatMode, NormalValuesUnchanged) {
    const BigLayer b;
    const std::vector<float> out = run(b, Method::Segregated, 0.5f, 0.25f);
    for (float v : out) {
        ASSERT_GT(v, 0.0f);
        ASSERT_EQ(v, float(int(v / 0.125f)) * 0.125f);
    }
}

// The caller's rounding mode does not reach the kernels, on its own thread or on pool workers
// (which keep the mode of the thread that started the pool): a layer gives the same bits
// under round-toward-zero as under round-to-nearest, and a later default-mode call too.
TEST(FloatMode, ResultsDoNotDependOnTheCallersRoundingMode) {
    const BigLayer b;
    for (Method method : {Method::Segregated, Method::ZeroInsert}) {
        const std::vector<float> nearest = run(b, method, 0.3f, 0.7f);
        std::vector<float> toward_zero;
        {
            CallerMode caller;
            toward_zero = run(b, method, 0.3f, 0.7f);
        }
        EXPECT_EQ(toward_zero, nearest) << method_name(method) << ": a caller in round-toward-zero changed the result";
        EXPECT_EQ(run(b, method, 0.3f, 0.7f), nearest) << method_name(method) << ": a later call changed the result";
    }
}

}  // namespace
}  // namespace ksconv::test
