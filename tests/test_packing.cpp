// The host-side phase rule (runtime/src/packing.cpp) against the definition, and the size
// checks that keep packing from allocating what the kernels cannot address.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ksconv/error.hpp"
#include "packing.hpp"
#include "test_params.hpp"

namespace ksconv::test {
namespace {

// The definition: the smallest k in [0, s) with k*d = r (mod s), taps k, k+step, ... < K.
detail::AxisPhase brute_force(int r, int s, int kernel, int d) {
    detail::AxisPhase taps;
    taps.step = s;
    for (int t = 1; t <= s; ++t) {
        if (t * d % s == 0) {
            taps.step = t;
            break;
        }
    }
    for (int k = 0; k < s; ++k) {
        if (((k * d - r) % s + s) % s == 0) {
            taps.first = k;
            taps.count = k < kernel ? (kernel - k + taps.step - 1) / taps.step : 0;
            break;
        }
    }
    return taps;
}

TEST(Packing, AxisPhaseMatchesTheDefinition) {
    for (int s = 1; s <= 12; ++s)
        for (int d = 1; d <= 12; ++d)
            for (int kernel = 1; kernel <= 7; ++kernel)
                for (int r = 0; r < s; ++r) {
                    const detail::AxisPhase got = detail::axis_phase(r, s, kernel, d);
                    const detail::AxisPhase want = brute_force(r, s, kernel, d);
                    ASSERT_EQ(got.step, want.step) << "s=" << s << " d=" << d << " r=" << r;
                    ASSERT_EQ(got.count, want.count) << "s=" << s << " d=" << d << " K=" << kernel << " r=" << r;
                    if (want.count > 0) {
                        ASSERT_EQ(got.first, want.first) << "s=" << s << " d=" << d << " r=" << r;
                    }
                }
}

// Strides up to 2^20 pass validation, and the sub-kernels grow with stride_h * stride_w: a
// size past int32 is refused before anything is allocated (it once wrapped around).
TEST(Packing, HugeStridesAreRefusedBeforeAllocating) {
    const WeightShape ws{256, 256, 1, 1};
    const std::vector<float> weights(size_t(ws.elements()), 1.0f);
    try {
        ConvTranspose2d layer(symmetric(1 << 20, 0), ws, weights.data(), nullptr, Method::Segregated);
        FAIL() << "accepted";
    } catch (const Error &e) {
        EXPECT_NE(std::string(e.what()).find("segregated sub-kernels 320x1x1x256x1048576x1048576 would exceed"),
                  std::string::npos)
            << e.what();
    }
}

// A large stride on one axis packs (the phases are found directly, not by trying every
// tap offset, which took O(stride^2)).
TEST(Packing, LargeStrideOnOneAxis) {
    const WeightShape ws{1, 1, 1, 1};
    const float weight = 1.0f;
    ConvTransposeParams p;
    p.stride_h = 1 << 16;
    const ConvTranspose2d layer(p, ws, &weight, nullptr, Method::Segregated);
    EXPECT_EQ(layer.packed_weight_bytes(), int64_t(sizeof(float)) * 65 * (1 << 16));
}

}  // namespace
}  // namespace ksconv::test
