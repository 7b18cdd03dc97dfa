// Image upscaling: every method, scale, channel count and bit depth against the float64
// reference (tests/upscale_reference.cpp), odd sizes, strips, validation, and PNG files.
// The kernel tests run on every device (tests/device_test_util.hpp).
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "device_test_util.hpp"
#include "ksconv/error.hpp"
#include "ksconv/upscale.hpp"
#include "png_test_util.hpp"
#include "upscale_reference.hpp"

namespace {

using ksconv::Device;
using ksconv::Error;
using ksconv::Image;
using ksconv::ImageFormat;
using ksconv::UpscaleMethod;
using ksconv::Upscaler;
using ksconv_test::samples_of;

const UpscaleMethod kMethods[] = {UpscaleMethod::nearest, UpscaleMethod::bilinear, UpscaleMethod::bicubic,
                                  UpscaleMethod::lanczos3, UpscaleMethod::lanczos4};

uint32_t seed() {
    static const uint32_t value = [] {
        const char *text = std::getenv("KSCONV_TEST_SEED");
        return text ? uint32_t(std::strtoul(text, nullptr, 10)) : uint32_t(std::random_device{}());
    }();
    return value;
}

// Random samples, stored as the kernels expect them (uint8 or native uint16 bytes).
Image random_image(int64_t w, int64_t h, int channels, int bits, std::mt19937 &rng) {
    Image image;
    image.format = ImageFormat{w, h, channels, bits};
    image.data.resize(size_t(image.format.row_bytes() * h));
    std::uniform_int_distribution<int> sample(0, bits == 8 ? 255 : 65535);
    if (bits == 8) {
        for (uint8_t &v : image.data) v = uint8_t(sample(rng));
    } else {
        for (size_t i = 0; i < image.data.size(); i += 2) {
            const uint16_t v = uint16_t(sample(rng));
            std::memcpy(&image.data[i], &v, 2);
        }
    }
    return image;
}

std::string describe(UpscaleMethod m, int scale, const ImageFormat &f, Device device) {
    return std::string(ksconv::upscale_method_name(m)) + " x" + std::to_string(scale) + " on " +
           ksconv::device_name(device) + ", " +
           std::to_string(f.width) + "x" + std::to_string(f.height) + "x" + std::to_string(f.channels) + " " +
           std::to_string(f.bit_depth) + "-bit (KSCONV_TEST_SEED=" + std::to_string(seed()) + ")";
}

// Every sample equal to the float64 reference, or within 1 of it where the exact value is
// within float32 error of a tie (x.5). Bilinear on 8 bits is exact integer arithmetic: equal.
void expect_matches_reference(UpscaleMethod m, int scale, const Image &image, Device device) {
    const Upscaler up(m, scale, image.format, device);
    const ImageFormat &of = up.output_format();
    std::vector<uint8_t> out(size_t(of.row_bytes() * of.height), 0xA5);
    up.run(image.data.data(), out.data());
    const std::vector<uint32_t> got = samples_of(of, out);
    const std::vector<uint32_t> samples = samples_of(image.format, image.data);
    const std::vector<uint32_t> want = ksconv_test::reference_upscale(image.format, samples, scale, m);
    const std::vector<double> exact_sums = ksconv_test::reference_upscale_unrounded(image.format, samples, scale, m);
    ASSERT_EQ(got.size(), want.size());
    const bool exact = m == UpscaleMethod::nearest || (m == UpscaleMethod::bilinear && image.format.bit_depth == 8);
    // The kernels sum in float32 (about 1e-6 relative over a few dozen products), so they may
    // round the other way only where the exact sum is that close to a tie (x.5); anywhere
    // else a difference is a wrong rounding rule or a wrong weight. (A count of mismatches
    // instead failed now and then on tiny random images, whose few ties repeat over rows.)
    const double tie_window = 2e-6 * (image.format.bit_depth == 8 ? 255 : 65535) + 1e-3;
    for (size_t i = 0; i < got.size(); i++) {
        const int64_t diff = std::abs(int64_t(got[i]) - int64_t(want[i]));
        if (diff == 0) continue;
        const double tie_distance = std::abs(exact_sums[i] - std::floor(exact_sums[i]) - 0.5);
        ASSERT_TRUE(!exact && diff == 1 && tie_distance < tie_window)
            << describe(m, scale, image.format, device) << ": sample " << i << " is " << got[i] << ", reference "
            << want[i] << " (exact " << exact_sums[i] << ")";
    }
}

class Upscale : public ksconv::test::DeviceTest {};
KSCONV_ON_EVERY_DEVICE(Upscale);

TEST_P(Upscale, EveryMethodScaleChannelsAndDepthMatchesTheReference) {
    std::mt19937 rng(seed());
    const int64_t sizes[][2] = {{1, 1}, {1, 7}, {7, 1}, {13, 11}, {31, 17}, {2, 2}};
    for (UpscaleMethod m : kMethods) {
        for (int scale = 2; scale <= 4; scale++) {
            for (int channels = 1; channels <= 4; channels++) {
                for (int bits : {8, 16}) {
                    for (const auto &size : sizes) {
                        expect_matches_reference(m, scale, random_image(size[0], size[1], channels, bits, rng),
                                                 device());
                        if (HasFatalFailure()) return;
                    }
                }
            }
        }
    }
}

TEST_P(Upscale, WideImagesUseTheVectorPathsAndTails) {
    // Widths around the vector sizes (16, 32, 64 samples) and a tall strip-crossing height.
    std::mt19937 rng(seed() + 1);
    for (UpscaleMethod m : kMethods) {
        for (int64_t w : {15, 16, 17, 33, 67}) {
            expect_matches_reference(m, 2 + int(w % 3), random_image(w, 70, 3, 8, rng), device());
            if (HasFatalFailure()) return;
        }
    }
    expect_matches_reference(UpscaleMethod::bicubic, 2, random_image(131, 150, 4, 16, rng), device());
}

TEST_P(Upscale, FlatImagesStayFlat) {
    // Normalized weights: a constant image upscales to the same constant, edges included.
    for (UpscaleMethod m : kMethods) {
        for (int scale = 2; scale <= 4; scale++) {
            Image image{ImageFormat{9, 5, 3, 8}, std::vector<uint8_t>(9 * 5 * 3, 200)};
            const Upscaler up(m, scale, image.format, device());
            std::vector<uint8_t> out(size_t(up.output_format().row_bytes() * up.output_format().height));
            up.run(image.data.data(), out.data());
            for (uint8_t v : out) ASSERT_EQ(v, 200) << ksconv::upscale_method_name(m) << " x" << scale;
        }
    }
}

TEST_P(Upscale, StripsEqualTheWholeImage) {
    std::mt19937 rng(seed() + 2);
    for (UpscaleMethod m : kMethods) {
        const Image image = random_image(23, 19, 3, 8, rng);
        const Upscaler up(m, 3, image.format, device());
        const ImageFormat &of = up.output_format();
        std::vector<uint8_t> whole(size_t(of.row_bytes() * of.height));
        up.run(image.data.data(), whole.data());
        const int reach = ksconv::upscale_reach(m);
        for (int64_t strip : {1, 2, 5, 19}) {
            std::vector<uint8_t> pieces(whole.size());
            for (int64_t first = 0; first < image.format.height; first += strip) {
                const int64_t count = std::min(strip, image.format.height - first);
                const int64_t lo = std::max<int64_t>(0, first - reach);
                const int64_t hi = std::min(image.format.height, first + count + reach);
                up.run_strip(image.data.data() + lo * image.format.row_bytes(), lo, hi - lo, first, count,
                             pieces.data() + first * 3 * of.row_bytes());
            }
            ASSERT_EQ(pieces, whole) << ksconv::upscale_method_name(m) << " in strips of " << strip << " rows";
        }
    }
}

TEST(UpscaleValidation, RejectsBadParameters) {
    const ImageFormat rgb{4, 4, 3, 8};
    EXPECT_THROW(Upscaler(UpscaleMethod::bilinear, 1, rgb), Error);
    EXPECT_THROW(Upscaler(UpscaleMethod::bilinear, 5, rgb), Error);
    EXPECT_THROW(Upscaler(UpscaleMethod::bilinear, 2, ImageFormat{4, 4, 5, 8}), Error);
    EXPECT_THROW(Upscaler(UpscaleMethod::bilinear, 2, ImageFormat{4, 4, 0, 8}), Error);
    EXPECT_THROW(Upscaler(UpscaleMethod::bilinear, 2, ImageFormat{4, 4, 3, 4}), Error);
    EXPECT_THROW(Upscaler(UpscaleMethod::bilinear, 2, ImageFormat{0, 4, 3, 8}), Error);
    EXPECT_THROW(Upscaler(UpscaleMethod::bilinear, 4, ImageFormat{int64_t(1) << 29, 1, 1, 8}), Error);
    EXPECT_THROW(ksconv::parse_upscale_method("bicubicc"), Error);
    EXPECT_EQ(ksconv::parse_upscale_method("lanczos4"), UpscaleMethod::lanczos4);
    try {
        Upscaler(UpscaleMethod::bicubic, 7, rgb);
        FAIL() << "scale 7 accepted";
    } catch (const Error &e) {
        EXPECT_STREQ(e.what(), "scale 7 must be 2, 3 or 4");
    }
    // A strip whose source rows miss the kernel's reach is refused, not read out of bounds.
    const Upscaler up(UpscaleMethod::bicubic, 2, ImageFormat{4, 10, 1, 8});
    std::vector<uint8_t> rows(40), out(8 * 2 * 4);
    EXPECT_THROW(up.run_strip(rows.data(), 3, 4, 4, 2, out.data()), Error);   // needs rows 2..7
    EXPECT_THROW(up.run_strip(rows.data(), 0, 10, 9, 2, out.data()), Error);  // past the last row
}

class UpscaleFiles : public ::testing::Test {
protected:
    ksconv_test::ScratchDir dir;
};

TEST_F(UpscaleFiles, FileEqualsInMemoryForEveryDepthAndLayout) {
    std::mt19937 rng(seed() + 3);
    for (int channels = 1; channels <= 4; channels++) {
        for (int bits : {8, 16}) {
            const Image image = random_image(37, 29, channels, bits, rng);
            const std::string in = dir.path("in.png"), out = dir.path("out.png");
            ksconv::write_png(in, image);
            ksconv::UpscaleFileOptions options;
            options.method = UpscaleMethod::lanczos4;
            options.scale = 3;
            ksconv::upscale_png_file(in, out, options);
            const Image result = ksconv::read_png(out);
            const Upscaler up(options.method, options.scale, image.format);
            std::vector<uint8_t> want(size_t(up.output_format().row_bytes() * up.output_format().height));
            up.run(image.data.data(), want.data());
            EXPECT_EQ(result.format.channels, channels);
            EXPECT_EQ(result.format.bit_depth, bits);
            EXPECT_EQ(result.format.width, 111);
            EXPECT_EQ(result.format.height, 87);
            EXPECT_EQ(result.data, want) << channels << " channels, " << bits << " bits";
        }
    }
}

TEST_F(UpscaleFiles, InterlacedInputGivesTheSameOutput) {
    ksconv_test::RawPng spec;
    spec.width = 21;
    spec.height = 13;
    spec.color_type = 2;  // RGB
    std::mt19937 rng(seed() + 4);
    for (int i = 0; i < 21 * 13 * 3; i++) spec.samples.push_back(uint16_t(rng() % 256));
    const std::string plain = dir.write("plain.png", ksconv_test::encode_raw_png(spec));
    spec.interlaced = true;
    const std::string adam7 = dir.write("adam7.png", ksconv_test::encode_raw_png(spec));
    ksconv::UpscaleFileOptions options;
    ksconv::upscale_png_file(plain, dir.path("a.png"), options);
    ksconv::upscale_png_file(adam7, dir.path("b.png"), options);
    EXPECT_EQ(ksconv_test::read_file(dir.path("a.png")), ksconv_test::read_file(dir.path("b.png")));
}

TEST_F(UpscaleFiles, RefusesToOverwriteTheInputAndLeavesNothingOnFailure) {
    std::mt19937 rng(seed() + 5);
    const std::string in = dir.path("in.png");
    ksconv::write_png(in, random_image(8, 8, 3, 8, rng));
    const std::string before = ksconv_test::read_file(in);
    ksconv::UpscaleFileOptions options;
    EXPECT_THROW(ksconv::upscale_png_file(in, in, options), Error);
    EXPECT_EQ(ksconv_test::read_file(in), before);
    // Output over the pixel limit: refused before decoding, nothing written.
    options.max_output_pixels = 255;  // 16x16 = 256 output pixels
    try {
        ksconv::upscale_png_file(in, dir.path("big.png"), options);
        FAIL() << "limit not enforced";
    } catch (const Error &e) {
        EXPECT_NE(std::string(e.what()).find("more than the limit 255"), std::string::npos) << e.what();
    }
    // A truncated input fails part way: no output, no temporary file.
    const std::string whole = ksconv_test::read_file(in);
    const std::string cut = dir.write("cut.png", whole.substr(0, whole.size() - 30));
    EXPECT_THROW(ksconv::upscale_png_file(cut, dir.path("out.png"), ksconv::UpscaleFileOptions{}), Error);
    EXPECT_EQ(dir.list(), (std::vector<std::string>{"cut.png", "in.png"}));
}

}  // namespace
