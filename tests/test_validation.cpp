// Parameter validation, output-shape rules and the float64 reference on hand-computed cases.
// Error messages are part of the CLI contract, so the negative tests assert them exactly.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "ksconv/conv_transpose.hpp"
#include "ksconv/error.hpp"
#include "reference.hpp"
#include "test_params.hpp"

namespace ksconv {
namespace {

constexpr int64_t kTwoTo20 = int64_t{1} << 20;

// The message of the ksconv::Error that `action` throws, or a marker when it throws none.
template <typename Action>
std::string error_of(Action &&action) {
    try {
        action();
    } catch (const Error &error) {
        return error.what();
    }
    return "(no error)";
}

// A valid layer (4 -> 2 channels, 3x3 kernel) that each test breaks in one place.
const WeightShape kWeights{4, 2, 3, 3};
const Shape4 kInput{1, 4, 5, 5};

std::string validate_error(const ConvTransposeParams &p, const WeightShape &ws = kWeights) {
    return error_of([&] { validate(p, ws); });
}

std::string shape_error(const ConvTransposeParams &p, const WeightShape &ws, const Shape4 &in) {
    return error_of([&] { output_shape(p, ws, in); });
}

// ---- stride, dilation -------------------------------------------------------------------

TEST(Validation, Stride) {
    ConvTransposeParams p;
    p.stride_h = p.stride_w = 0;
    EXPECT_EQ(validate_error(p), "stride 0 must be at least 1");
    p.stride_h = 0, p.stride_w = 1;
    EXPECT_EQ(validate_error(p), "stride_h 0 must be at least 1");
    p.stride_h = 2, p.stride_w = -1;
    EXPECT_EQ(validate_error(p), "stride_w -1 must be at least 1");
    p.stride_h = p.stride_w = 2000000;
    EXPECT_EQ(validate_error(p), "stride 2000000 must be at most 1048576");
}

TEST(Validation, Dilation) {
    ConvTransposeParams p;
    p.dilation_h = p.dilation_w = 0;
    EXPECT_EQ(validate_error(p), "dilation 0 must be at least 1");
    p.dilation_h = -3, p.dilation_w = 2;
    EXPECT_EQ(validate_error(p), "dilation_h -3 must be at least 1");
    p.dilation_h = 1, p.dilation_w = 0;
    EXPECT_EQ(validate_error(p), "dilation_w 0 must be at least 1");
    p.dilation_h = 1, p.dilation_w = 1 << 21;
    EXPECT_EQ(validate_error(p), "dilation_w 2097152 must be at most 1048576");
}

// ---- padding ----------------------------------------------------------------------------

TEST(Validation, PaddingAllSides) {
    ConvTransposeParams p;
    p.pad_top = p.pad_left = p.pad_bottom = p.pad_right = -1;
    EXPECT_EQ(validate_error(p), "padding -1 must be non-negative");
    p.pad_top = p.pad_left = p.pad_bottom = p.pad_right = 2000000;
    EXPECT_EQ(validate_error(p), "padding 2000000 must be at most 1048576");
}

TEST(Validation, PaddingEachSide) {
    const struct {
        int ConvTransposeParams::*side;
        const char *message;
    } cases[] = {
        {&ConvTransposeParams::pad_top, "padding_top -1 must be non-negative"},
        {&ConvTransposeParams::pad_left, "padding_left -1 must be non-negative"},
        {&ConvTransposeParams::pad_bottom, "padding_bottom -1 must be non-negative"},
        {&ConvTransposeParams::pad_right, "padding_right -1 must be non-negative"},
    };
    for (const auto &c : cases) {
        ConvTransposeParams p;
        p.*c.side = -1;
        EXPECT_EQ(validate_error(p), c.message);
    }
}

// ---- output padding ---------------------------------------------------------------------

TEST(Validation, OutputPadding) {
    ConvTransposeParams p;
    p.stride_h = p.stride_w = 2;
    p.output_padding_h = p.output_padding_w = 2;
    EXPECT_EQ(validate_error(p), "output_padding 2 must be smaller than stride 2 or dilation 1");
    p.output_padding_h = p.output_padding_w = -1;
    EXPECT_EQ(validate_error(p), "output_padding -1 must be non-negative");
    p.output_padding_h = 0, p.output_padding_w = 2;
    EXPECT_EQ(validate_error(p),
              "output_padding_w 2 must be smaller than stride_w 2 or dilation_w 1");
    p.output_padding_h = -1, p.output_padding_w = 0;
    EXPECT_EQ(validate_error(p), "output_padding_h -1 must be non-negative");

    // Stride 1 admits no output padding unless the dilation is larger.
    p = ConvTransposeParams{};
    p.output_padding_h = p.output_padding_w = 1;
    EXPECT_EQ(validate_error(p), "output_padding 1 must be smaller than stride 1 or dilation 1");
    p.stride_w = 2;
    EXPECT_EQ(validate_error(p),
              "output_padding_h 1 must be smaller than stride_h 1 or dilation_h 1");
    p = ConvTransposeParams{};
    p.dilation_h = p.dilation_w = 2;
    p.output_padding_h = p.output_padding_w = 2;
    EXPECT_EQ(validate_error(p), "output_padding 2 must be smaller than stride 1 or dilation 2");
}

TEST(Validation, OutputPaddingBelowDilationIsValid) {
    ConvTransposeParams p;
    p.dilation_h = p.dilation_w = 2;
    p.output_padding_h = p.output_padding_w = 1;
    EXPECT_NO_THROW(validate(p, kWeights));
    p = ConvTransposeParams{};
    p.stride_h = p.stride_w = 3;
    p.output_padding_h = p.output_padding_w = 2;
    EXPECT_NO_THROW(validate(p, kWeights));
}

// ---- groups and weights -----------------------------------------------------------------

TEST(Validation, Groups) {
    ConvTransposeParams p;
    p.groups = 0;
    EXPECT_EQ(validate_error(p), "groups 0 must be at least 1");
    p.groups = -2;
    EXPECT_EQ(validate_error(p), "groups -2 must be at least 1");
    p.groups = 3;
    EXPECT_EQ(validate_error(p, {16, 2, 3, 3}), "groups 3 must divide input channels 16");
    p.groups = 32;
    EXPECT_EQ(validate_error(p, {16, 2, 3, 3}), "groups 32 must divide input channels 16");
    p.groups = 16;
    EXPECT_NO_THROW(validate(p, {16, 1, 3, 3}));
}

TEST(Validation, WeightExtents) {
    const ConvTransposeParams p;
    EXPECT_EQ(validate_error(p, {0, 2, 3, 3}), "weight input channels 0 must be at least 1");
    EXPECT_EQ(validate_error(p, {4, 0, 3, 3}),
              "weight output channels per group 0 must be at least 1");
    EXPECT_EQ(validate_error(p, {4, 2, 0, 0}), "kernel 0 must be at least 1");
    EXPECT_EQ(validate_error(p, {4, 2, 0, 3}), "kernel_h 0 must be at least 1");
    EXPECT_EQ(validate_error(p, {4, 2, 3, -1}), "kernel_w -1 must be at least 1");
    EXPECT_EQ(validate_error(p, {4, 2, 3, kTwoTo20 + 1}),
              "kernel_w 1048577 must be at most 1048576");
    EXPECT_EQ(validate_error(p, {kTwoTo20 + 1, 2, 3, 3}),
              "weight input channels 1048577 must be at most 1048576");
    EXPECT_EQ(validate_error(p, {kTwoTo20, kTwoTo20, 2, 1}),
              "weight shape 1048576x1048576x2x1 has more than 2^40 elements");
}

// ---- input and output shapes ------------------------------------------------------------

TEST(Validation, InputExtents) {
    const ConvTransposeParams p;
    EXPECT_EQ(shape_error(p, kWeights, {0, 4, 5, 5}), "input batch 0 must be at least 1");
    EXPECT_EQ(shape_error(p, kWeights, {1, 0, 5, 5}), "input channels 0 must be at least 1");
    EXPECT_EQ(shape_error(p, kWeights, {1, 4, 0, 5}), "input height 0 must be at least 1");
    EXPECT_EQ(shape_error(p, kWeights, {1, 4, 5, 0}), "input width 0 must be at least 1");
    EXPECT_EQ(shape_error(p, kWeights, {1, 4, 3000000000, 5}),
              "input height 3000000000 must be at most 2147483648");
    EXPECT_EQ(shape_error(p, kWeights, {int64_t{1} << 31, 4, 1024, 1024}),
              "input shape 2147483648x4x1024x1024 has more than 2^40 elements");
}

TEST(Validation, InputChannelMismatch) {
    EXPECT_EQ(shape_error({}, {16, 2, 3, 3}, {1, 8, 5, 5}),
              "input channels 8 do not match weight input channels 16");
}

TEST(Validation, ParamsCheckedBeforeInput) {
    ConvTransposeParams p;
    p.stride_h = p.stride_w = 0;
    EXPECT_EQ(shape_error(p, kWeights, kInput), "stride 0 must be at least 1");
}

TEST(Validation, OutputTooSmall) {
    ConvTransposeParams p;
    p.pad_top = p.pad_left = p.pad_bottom = p.pad_right = 2;
    EXPECT_EQ(shape_error(p, {4, 2, 1, 1}, {1, 4, 1, 1}),
              "output height -3 must be at least 1 (H=1, stride_h=1, padding_top+bottom=2+2, "
              "dilation_h=1, kernel_h=1, output_padding_h=0)");
    p = ConvTransposeParams{};
    p.pad_left = 1;
    EXPECT_EQ(shape_error(p, {4, 2, 1, 1}, {1, 4, 4, 1}),
              "output width 0 must be at least 1 (W=1, stride_w=1, padding_left+right=1+0, "
              "dilation_w=1, kernel_w=1, output_padding_w=0)");
}

TEST(Validation, OutputTooLarge) {
    EXPECT_EQ(shape_error({}, {1, 4, 1, 1}, {1, 1, kTwoTo20, kTwoTo20}),
              "output shape 1x4x1048576x1048576 has more than 2^40 elements");
}

TEST(Validation, Methods) {
    for (Method m : {Method::Segregated, Method::ZeroInsert, Method::Reference})
        EXPECT_EQ(parse_method(method_name(m)), m);
    EXPECT_STREQ(method_name(Method::ZeroInsert), "zero-insert");
    EXPECT_EQ(error_of([] { parse_method("foo"); }),
              "unknown method 'foo' (expected segregated, zero-insert or reference)");
    EXPECT_EQ(error_of([] { parse_method(""); }),
              "unknown method '' (expected segregated, zero-insert or reference)");
}

// ---- output_shape against PyTorch ConvTranspose2d ---------------------------------------

using test::symmetric;

TEST(OutputShape, MatchesPyTorch) {
    // DCGAN layer: H=4, K=4, s=2, p=1 doubles the size.
    EXPECT_EQ(output_shape(symmetric(2, 1, 0, 1), {512, 256, 4, 4}, {1, 512, 4, 4}),
              (Shape4{1, 256, 8, 8}));
    // K=3, s=2, p=1, output_padding=1 also doubles: (4-1)*2 - 2 + 2 + 1 + 1 = 8.
    EXPECT_EQ(output_shape(symmetric(2, 1, 1, 1), {8, 3, 3, 3}, {2, 8, 4, 4}),
              (Shape4{2, 3, 8, 8}));
    // Stride 1, dilation 2, output_padding 1 (valid because dilation > stride): 2 + 4 + 1 + 1.
    EXPECT_EQ(output_shape(symmetric(1, 0, 1, 2), {4, 2, 3, 3}, {1, 4, 3, 3}),
              (Shape4{1, 2, 8, 8}));
    // Kernel smaller than stride: (5-1)*3 + 0 + 1 = 13.
    EXPECT_EQ(output_shape(symmetric(3, 0, 0, 1), {4, 2, 1, 1}, {1, 4, 5, 5}),
              (Shape4{1, 2, 13, 13}));
    // Groups multiply the output channels: 2 groups of 3.
    EXPECT_EQ(output_shape(symmetric(1, 0, 0, 1, 2), {4, 3, 3, 3}, {1, 4, 5, 5}),
              (Shape4{1, 6, 7, 7}));
    // s=2, d=1, output_padding=2 is rejected.
    EXPECT_EQ(shape_error(symmetric(2, 0, 2, 1), {4, 2, 3, 3}, kInput),
              "output_padding 2 must be smaller than stride 2 or dilation 1");
}

TEST(OutputShape, AsymmetricParameters) {
    ConvTransposeParams p;
    p.stride_h = 2, p.stride_w = 3;
    p.pad_top = 1, p.pad_left = 0, p.pad_bottom = 0, p.pad_right = 2;
    p.dilation_h = 1, p.dilation_w = 2;
    p.output_padding_h = 1, p.output_padding_w = 0;
    // H: (5-1)*2 - 1 - 0 + 1*(3-1) + 1 + 1 = 11.   W: (6-1)*3 - 0 - 2 + 2*(2-1) + 0 + 1 = 16.
    EXPECT_EQ(output_shape(p, {4, 2, 3, 2}, {3, 4, 5, 6}), (Shape4{3, 2, 11, 16}));
}

// ---- reference implementation -----------------------------------------------------------

std::vector<float> run_reference(const ConvTransposeParams &p, const WeightShape &ws,
                                 const std::vector<float> &weights, const float *bias,
                                 const std::vector<float> &input, const Shape4 &in) {
    std::vector<float> out(output_shape(p, ws, in).elements(), -999.0f);
    detail::reference_conv_transpose(p, ws, weights.data(), bias, input.data(), in, out.data());
    return out;
}

TEST(Reference, SinglePixelGivesScaledKernel) {
    const std::vector<float> kernel{1, 2, 3, 4, 5, 6, 7, 8, 9};
    const auto out = run_reference(symmetric(2, 0, 0, 1), {1, 1, 3, 3}, kernel, nullptr, {2.0f},
                                   {1, 1, 1, 1});
    EXPECT_EQ(out, (std::vector<float>{2, 4, 6, 8, 10, 12, 14, 16, 18}));
}

TEST(Reference, StrideEqualToKernelTilesBlocks) {
    const std::vector<float> kernel{1, 10, 100, 1000};
    const auto out = run_reference(symmetric(2, 0, 0, 1), {1, 1, 2, 2}, kernel, nullptr,
                                   {1, 2, 3, 4}, {1, 1, 2, 2});
    EXPECT_EQ(out, (std::vector<float>{1,   10,   2,   20,    //
                                       100, 1000, 200, 2000,  //
                                       3,   30,   4,   40,    //
                                       300, 3000, 400, 4000}));
}

TEST(Reference, OverlappingTapsAdd) {
    // 1-D along W: [1 2 3] with kernel [1 1 1], stride 1 gives the full correlation.
    const auto out = run_reference({}, {1, 1, 1, 3}, {1, 1, 1}, nullptr, {1, 2, 3}, {1, 1, 1, 3});
    EXPECT_EQ(out, (std::vector<float>{1, 3, 6, 5, 3}));
}

TEST(Reference, PaddingCrops) {
    ConvTransposeParams p;
    p.pad_left = 1, p.pad_right = 1;
    const auto out = run_reference(p, {1, 1, 1, 3}, {1, 1, 1}, nullptr, {1, 2, 3}, {1, 1, 1, 3});
    EXPECT_EQ(out, (std::vector<float>{3, 6, 5}));
    p.pad_left = 2, p.pad_right = 0;
    EXPECT_EQ(run_reference(p, {1, 1, 1, 3}, {1, 1, 1}, nullptr, {1, 2, 3}, {1, 1, 1, 3}),
              (std::vector<float>{6, 5, 3}));
}

TEST(Reference, Dilation) {
    ConvTransposeParams p;
    p.dilation_w = 2;
    // ox = ix + 2*kx: 1*1, 2*1, 1*10, 2*10.
    const auto out = run_reference(p, {1, 1, 1, 2}, {1, 10}, nullptr, {1, 2}, {1, 1, 1, 2});
    EXPECT_EQ(out, (std::vector<float>{1, 2, 10, 20}));
}

TEST(Reference, BiasAndOutputPadding) {
    // Stride 2 with output_padding 1: the extra row and column receive the bias only.
    const float bias[] = {0.5f};
    const auto out = run_reference(symmetric(2, 0, 1, 1), {1, 1, 1, 1}, {3}, bias, {2, 4},
                                   {1, 1, 1, 2});
    EXPECT_EQ(out, (std::vector<float>{6.5f, 0.5f, 12.5f, 0.5f,  //
                                       0.5f, 0.5f, 0.5f, 0.5f}));
}

TEST(Reference, ChannelsSumWithinGroupOnly) {
    const std::vector<float> input{1, 2};  // two channels, 1x1 each
    const std::vector<float> weights{3, 5};
    // One group: one output channel summing both inputs.
    EXPECT_EQ(run_reference({}, {2, 1, 1, 1}, weights, nullptr, input, {1, 2, 1, 1}),
              (std::vector<float>{13}));
    // Two groups: each output channel sees only its own input channel.
    const float bias[] = {100, 200};
    EXPECT_EQ(run_reference(symmetric(1, 0, 0, 1, 2), {2, 1, 1, 1}, weights, bias, input,
                            {1, 2, 1, 1}),
              (std::vector<float>{103, 210}));
}

TEST(Reference, WeightLayoutAndBatch) {
    // Weight is Cin x Cout/groups x KH x KW: w[ci=0, co=1] = 20 and w[ci=1, co=0] = 30.
    const std::vector<float> weights{10, 20, 30, 40};
    const std::vector<float> input{1, 2, 3, 4};  // batch 2, two channels, 1x1
    EXPECT_EQ(run_reference({}, {2, 2, 1, 1}, weights, nullptr, input, {2, 2, 1, 1}),
              (std::vector<float>{1 * 10 + 2 * 30, 1 * 20 + 2 * 40,  //
                                  3 * 10 + 4 * 30, 3 * 20 + 4 * 40}));
}

}  // namespace
}  // namespace ksconv
