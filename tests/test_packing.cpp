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
    // 65 padded channels, one tap: blocks of 65 floats 80 apart (5 lines), plus the line that
    // aligns the start.
    EXPECT_EQ(layer.packed_weight_bytes(), int64_t(sizeof(float)) * (80 * (1 << 16) + 16));
}

// Element (co, tx, ty, ci, px, py) of the packed layout, through its Halide dimensions.
float at(const detail::SubKernels &sub, const std::vector<halide_dimension_t> &dims, std::initializer_list<int> index) {
    int64_t offset = 0;
    size_t d = 0;
    for (int i : index) offset += int64_t(i) * dims[d++].stride;
    return sub.values()[offset];
}

// The cache-friendly layout (packing.hpp) holds the same weights as the definition, starts
// on a 64-byte line, and spaces input channels an odd number of lines apart.
TEST(Packing, SubKernelLayoutHoldsEveryWeight) {
    const int kernel = 3, stride = 2, cin = 5, cout = 7;
    const WeightShape ws{cin, cout, kernel, kernel};
    std::vector<float> weights(size_t(ws.elements()));
    for (size_t i = 0; i < weights.size(); i++) weights[i] = float(i + 1);
    const ConvTransposeParams p = symmetric(stride, 1);
    const detail::SubKernels sub = detail::segregate_kernel(p, ws, weights.data());
    EXPECT_EQ(reinterpret_cast<uintptr_t>(sub.values()) % 64, 0u);
    EXPECT_EQ(sub.ci_stride % 16, 0);
    EXPECT_EQ(sub.ci_stride / 16 % 2, 1);
    EXPECT_GE(sub.ci_stride, int64_t(sub.cout_padded) * sub.taps_x * sub.taps_y);
    const std::vector<halide_dimension_t> dims = sub.dimensions();
    for (int py = 0; py < stride; py++)
        for (int px = 0; px < stride; px++) {
            const detail::AxisPhase ax = detail::axis_phase(px, stride, kernel, 1);
            const detail::AxisPhase ay = detail::axis_phase(py, stride, kernel, 1);
            for (int ci = 0; ci < cin; ci++)
                for (int ty = 0; ty < sub.taps_y; ty++)
                    for (int tx = 0; tx < sub.taps_x; tx++)
                        for (int co = 0; co < sub.cout_padded; co++) {
                            float want = 0.0f;
                            if (tx < ax.count && ty < ay.count && co < cout) {
                                const int kx = ax.first + tx * ax.step, ky = ay.first + ty * ay.step;
                                want = weights[size_t(((ci * cout + co) * kernel + ky) * kernel + kx)];
                            }
                            ASSERT_EQ(at(sub, dims, {co, tx, ty, ci, px, py}), want)
                                << "co=" << co << " tap=(" << tx << "," << ty << ") ci=" << ci << " phase=(" << px
                                << "," << py << ")";
                        }
        }
}

}  // namespace
}  // namespace ksconv::test
