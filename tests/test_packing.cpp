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
    // One channel padded to one block of 16, one tap per phase, plus the line that aligns
    // the start.
    EXPECT_EQ(layer.packed_weight_bytes(), int64_t(sizeof(float)) * (16 * (1 << 16) + 16));
}

// Element `index` of a packed layout, through its Halide dimensions.
float at(const detail::ChannelBlocks &packed, const std::vector<halide_dimension_t> &dims,
         std::initializer_list<int> index) {
    int64_t offset = 0;
    size_t d = 0;
    for (int i : index) offset += int64_t(i) * dims[d++].stride;
    return packed.values()[offset];
}

// The blocked layout (packing.hpp) holds the same weights as the definition, starts on a
// 64-byte line, and a block's channel runs follow each other in the reduction's order:
// input channel fastest, then tap x, then tap y.
TEST(Packing, SubKernelLayoutHoldsEveryWeight) {
    const int kernel = 3, stride = 2, cin = 5, cout = 7;
    const WeightShape ws{cin, cout, kernel, kernel};
    std::vector<float> weights(size_t(ws.elements()));
    for (size_t i = 0; i < weights.size(); i++) weights[i] = float(i + 1);
    const ConvTransposeParams p = symmetric(stride, 1);
    const detail::SubKernels sub = detail::segregate_kernel(p, ws, weights.data());
    EXPECT_EQ(reinterpret_cast<uintptr_t>(sub.values()) % 64, 0u);
    ASSERT_EQ(sub.block, detail::kChannelBlock);
    EXPECT_EQ(sub.blocks * sub.block, 16);  // 7 channels padded to one block
    const std::vector<halide_dimension_t> dims = sub.dimensions();
    ASSERT_EQ(dims.size(), 7u);
    EXPECT_EQ(dims[3].stride, sub.block);                    // ci: the next run
    EXPECT_EQ(dims[1].stride, sub.block * cin);              // tap x: after every input channel
    EXPECT_EQ(dims[2].stride, dims[1].stride * sub.taps_x);  // tap y: after every tap x
    for (int py = 0; py < stride; py++)
        for (int px = 0; px < stride; px++) {
            const detail::AxisPhase ax = detail::axis_phase(px, stride, kernel, 1);
            const detail::AxisPhase ay = detail::axis_phase(py, stride, kernel, 1);
            for (int ci = 0; ci < cin; ci++)
                for (int ty = 0; ty < sub.taps_y; ty++)
                    for (int tx = 0; tx < sub.taps_x; tx++)
                        for (int co = 0; co < sub.blocks * sub.block; co++) {
                            float want = 0.0f;
                            if (tx < ax.count && ty < ay.count && co < cout) {
                                const int kx = ax.first + tx * ax.step, ky = ay.first + ty * ay.step;
                                want = weights[size_t(((ci * cout + co) * kernel + ky) * kernel + kx)];
                            }
                            const int in_block = co % sub.block, block = co / sub.block;
                            ASSERT_EQ(at(sub, dims, {in_block, tx, ty, ci, block, px, py}), want)
                                << "co=" << co << " tap=(" << tx << "," << ty << ") ci=" << ci << " phase=(" << px
                                << "," << py << ")";
                        }
        }
}

// The zero-insert method's whole kernel, blocked the same way.
TEST(Packing, WholeKernelLayoutHoldsEveryWeight) {
    const int kw = 3, kh = 2, cin = 3, cout = 17;
    const WeightShape ws{cin, cout, kh, kw};
    std::vector<float> weights(size_t(ws.elements()));
    for (size_t i = 0; i < weights.size(); i++) weights[i] = float(i + 1);
    const detail::PackedKernel k = detail::pack_kernel(ws, weights.data());
    EXPECT_EQ(reinterpret_cast<uintptr_t>(k.values()) % 64, 0u);
    EXPECT_EQ(k.blocks * k.block, 64);  // 17 channels padded to a multiple of 64
    const std::vector<halide_dimension_t> dims = k.dimensions();
    ASSERT_EQ(dims.size(), 5u);
    EXPECT_EQ(dims[3].stride, k.block);
    for (int ci = 0; ci < cin; ci++)
        for (int ky = 0; ky < kh; ky++)
            for (int kx = 0; kx < kw; kx++)
                for (int co = 0; co < k.blocks * k.block; co++) {
                    const float want = co < cout ? weights[size_t(((ci * cout + co) * kh + ky) * kw + kx)] : 0.0f;
                    ASSERT_EQ(at(k, dims, {co % k.block, kx, ky, ci, co / k.block}), want)
                        << "co=" << co << " tap=(" << kx << "," << ky << ") ci=" << ci;
                }
}

// The channel axis is padded to the next multiple of kChannelPadding (64), no further: a
// register tile reads at most to the end of its task's block of 16, 32 or 64 channels. Up to
// 16 channels, to one block of 16: no tile is wider than 16 channels there.
TEST(Packing, ChannelsArePaddedToAMultipleOf64) {
    for (const auto &[cout, padded] : std::vector<std::pair<int, int>>{
             {1, 16}, {8, 16}, {16, 16}, {17, 64}, {63, 64}, {64, 64}, {65, 128}, {256, 256}}) {
        const WeightShape ws{2, cout, 2, 2};
        const std::vector<float> weights(size_t(ws.elements()), 1.0f);
        EXPECT_EQ(detail::segregate_kernel(symmetric(2, 0), ws, weights.data()).blocks * detail::kChannelBlock, padded)
            << cout << " channels";
        EXPECT_EQ(detail::pack_kernel(ws, weights.data()).blocks * detail::kChannelBlock, padded)
            << cout << " channels";
    }
}

// Without channel padding (FSRCNN's one-channel deconvolution) the layout is one dense block.
TEST(Packing, UnpaddedLayoutIsDense) {
    const WeightShape ws{4, 1, 9, 9};
    const std::vector<float> weights(size_t(ws.elements()), 1.0f);
    const detail::SubKernels sub = detail::segregate_kernel(symmetric(3, 4), ws, weights.data(), 0);
    EXPECT_EQ(sub.offset, 0u);
    EXPECT_EQ(sub.block, 1);
    EXPECT_EQ(sub.blocks, 1);
    EXPECT_EQ(sub.data.size(), size_t(3 * 3 * 4 * 3 * 3));  // taps 3x3, 4 input channels, 3x3 phases
}

}  // namespace
}  // namespace ksconv::test
