// The FSRCNN network (ksconv/fsrcnn.hpp): against the float64 reference forward pass on
// random models and inputs of odd sizes, tiles against whole images, the image path
// (YCbCr, bicubic chroma and alpha, bit depths) against a float64 pipeline, the colour
// conversion, and the checks on models and arguments. The network tests run on every
// device (tests/device_test_util.hpp). Seeds are fixed: every run sees the same data.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "device_test_util.hpp"
#include "fsrcnn_reference.hpp"
#include "fsrcnn_test_util.hpp"
#include "ksconv/error.hpp"
#include "ksconv/fsrcnn.hpp"
#include "ksconv/upscale.hpp"
#include "ksconv/ycbcr.hpp"
#include "upscale_reference.hpp"

namespace {

using ksconv::Device;
using ksconv::Error;
using ksconv::FsrcnnDeconvolution;
using ksconv::FsrcnnModel;
using ksconv::FsrcnnUpscaler;
using ksconv::Image;
using ksconv::ImageFormat;
using ksconv_test::random_fsrcnn_model;

constexpr double kTolerance = 1e-5;  // relative L2 against the float64 reference

std::vector<float> random_luma(int64_t w, int64_t h, uint32_t seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> y(16.0f / 255, 235.0f / 255);
    std::vector<float> plane(size_t(w * h));
    for (float &v : plane) v = y(rng);
    return plane;
}

double relative_l2(const std::vector<float> &got, const std::vector<double> &want) {
    double num = 0, den = 0;
    for (size_t i = 0; i < want.size(); i++) {
        num += (got[i] - want[i]) * (got[i] - want[i]);
        den += want[i] * want[i];
    }
    return std::sqrt(num / den);
}

class FsrcnnDevice : public ksconv::test::DeviceTest {};

TEST_P(FsrcnnDevice, MatchesFloat64ReferenceAtEveryScale) {
    struct Size {
        int w, h;
    };
    for (int scale = 2; scale <= 4; scale++) {
        const FsrcnnModel model = random_fsrcnn_model(scale, 100 + scale);
        for (FsrcnnDeconvolution deconv : {FsrcnnDeconvolution::segregated, FsrcnnDeconvolution::zero_insert}) {
            const FsrcnnUpscaler up(model, device(), deconv);
            for (Size size : {Size{23, 17}, Size{1, 1}, Size{5, 38}}) {
                SCOPED_TRACE("x" + std::to_string(scale) + " " + ksconv::fsrcnn_deconvolution_name(deconv) + " " +
                             std::to_string(size.w) + "x" + std::to_string(size.h));
                const std::vector<float> y = random_luma(size.w, size.h, uint32_t(size.w * 1000 + size.h));
                std::vector<float> out(size_t(size.w * size.h * scale * scale), -1.0f);
                up.run_luma(y.data(), size.w, size.h, out.data());
                const std::vector<double> want = ksconv::test::fsrcnn_reference(model, y.data(), size.h, size.w);
                EXPECT_LT(relative_l2(out, want), kTolerance);
            }
        }
    }
}

// Tiles of every size, smaller and larger than the receptive field (8 pixels each side),
// given only the window they need, give the whole image's values.
TEST_P(FsrcnnDevice, TilesJoinTheWholeImage) {
    const int w = 41, h = 29, scale = 3;
    const FsrcnnUpscaler up(random_fsrcnn_model(scale, 7), device());
    const std::vector<float> y = random_luma(w, h, 11);
    std::vector<float> whole(size_t(w * h * scale * scale));
    up.run_luma(y.data(), w, h, whole.data());
    struct Tile {
        int w, h;
    };
    for (Tile t : {Tile{1, 1}, Tile{3, 5}, Tile{7, 7}, Tile{16, 11}, Tile{41, 2}}) {
        SCOPED_TRACE("tiles " + std::to_string(t.w) + "x" + std::to_string(t.h));
        double worst = 0;
        for (int ty = 0; ty < h; ty += t.h) {
            for (int tx = 0; tx < w; tx += t.w) {
                const int tw = std::min(t.w, w - tx), th = std::min(t.h, h - ty), r = up.reach();
                const int x0 = std::max(0, tx - r), y0 = std::max(0, ty - r);
                const int x1 = std::min(w, tx + tw + r), y1 = std::min(h, ty + th + r);
                // The window in its own buffer, so a tile cannot read past it unnoticed.
                std::vector<float> window;
                for (int yy = y0; yy < y1; yy++) window.insert(window.end(), &y[yy * w + x0], &y[yy * w + x1]);
                std::vector<float> out(size_t(tw * th * scale * scale));
                up.run_luma_tile({window.data(), x0, y0, x1 - x0, y1 - y0, x1 - x0}, w, h, tx, ty, tw, th, out.data(),
                                 tw * scale);
                for (int oy = 0; oy < th * scale; oy++) {
                    for (int ox = 0; ox < tw * scale; ox++) {
                        const float want = whole[size_t((ty * scale + oy) * w * scale + tx * scale + ox)];
                        worst = std::max(worst, double(std::fabs(out[size_t(oy * tw * scale + ox)] - want)));
                    }
                }
            }
        }
        EXPECT_LT(worst, 1e-5);
    }
}

TEST_P(FsrcnnDevice, ImagesMatchTheFloat64Pipeline) {
    const FsrcnnModel model = random_fsrcnn_model(2, 21);
    const FsrcnnUpscaler up(model, device());
    std::mt19937 rng(5);
    for (int channels = 1; channels <= 4; channels++) {
        for (int bits : {8, 16}) {
            SCOPED_TRACE(std::to_string(channels) + " channels, " + std::to_string(bits) + " bits");
            const Image image = ksconv_test::random_photo(19, 13, channels, bits, rng);
            const ImageFormat out_format = up.output_format(image.format);
            ASSERT_EQ(out_format.width, 38);
            ASSERT_EQ(out_format.height, 26);
            ASSERT_EQ(out_format.channels, channels);
            ASSERT_EQ(out_format.bit_depth, bits);
            std::vector<uint8_t> out(size_t(out_format.row_bytes() * out_format.height));
            up.run(image.format, image.data.data(), out.data());
            const std::vector<uint32_t> want = ksconv_test::reference_fsrcnn_image(model, image);
            const std::vector<uint32_t> got = ksconv_test::samples_of(out_format, out);
            uint32_t worst = 0;
            for (size_t i = 0; i < want.size(); i++) {
                worst = std::max(worst, uint32_t(std::abs(int64_t(got[i]) - int64_t(want[i]))));
            }
            // 16 bits: the float32 network's last bits show at 1/65535.
            EXPECT_LE(worst, bits == 8 ? 1u : 4u);
        }
    }
}

KSCONV_ON_EVERY_DEVICE(FsrcnnDevice);

// Plane wider than a kernel call takes (1024 columns): run_luma cuts it into tiles.
TEST(Fsrcnn, WidePlanesRunInTiles) {
    const int w = 1100, h = 3, scale = 2;
    const FsrcnnUpscaler up(random_fsrcnn_model(scale, 3));
    const std::vector<float> y = random_luma(w, h, 9);
    std::vector<float> tiled(size_t(w * h * scale * scale)), single(tiled.size());
    up.run_luma(y.data(), w, h, tiled.data());
    up.run_luma_tile({y.data(), 0, 0, w, h, w}, w, h, 0, 0, w, h, single.data(), w * scale);
    double worst = 0;
    for (size_t i = 0; i < tiled.size(); i++) worst = std::max(worst, double(std::fabs(tiled[i] - single[i])));
    EXPECT_LT(worst, 1e-5);
}

// One upscaler shared by threads: every call gives the single-threaded result.
TEST(Fsrcnn, ConcurrentCallsAgree) {
    const int w = 31, h = 19, scale = 4;
    const FsrcnnUpscaler up(random_fsrcnn_model(scale, 12));
    const std::vector<float> y = random_luma(w, h, 4);
    std::vector<float> want(size_t(w * h * scale * scale));
    up.run_luma(y.data(), w, h, want.data());
    std::vector<std::vector<float>> got(4, std::vector<float>(want.size()));
    std::vector<std::thread> threads;
    for (std::vector<float> &out : got) {
        threads.emplace_back([&] {
            for (int i = 0; i < 3; i++) up.run_luma(y.data(), w, h, out.data());
        });
    }
    for (std::thread &t : threads) t.join();
    for (const std::vector<float> &out : got) EXPECT_EQ(out, want);
}

// The conversion and its inverse on a grid of 8-bit colours: back within 1 (in fact exact
// after rounding), gray stays gray with neutral chroma.
TEST(Fsrcnn, YCbCrRoundTrip) {
    int worst = 0;
    for (int r = 0; r < 256; r += 5) {
        for (int g = 0; g < 256; g += 3) {
            for (int b = 0; b < 256; b += 7) {
                const ksconv::YCbCr c = ksconv::rgb_to_ycbcr({r / 255.0f, g / 255.0f, b / 255.0f});
                EXPECT_GE(c.y, 16.0f - 1e-3f);
                EXPECT_LE(c.y, 235.0f + 1e-3f);
                const ksconv::Rgb back = ksconv::ycbcr_to_rgb(c);
                worst = std::max({worst, std::abs(int(std::nearbyint(back.r * 255)) - r),
                                  std::abs(int(std::nearbyint(back.g * 255)) - g),
                                  std::abs(int(std::nearbyint(back.b * 255)) - b)});
            }
        }
    }
    EXPECT_EQ(worst, 0);
    // MATLAB's rgb2ycbcr of pure red: Y 81.481, Cb 90.203, Cr 240.
    const ksconv::YCbCr red = ksconv::rgb_to_ycbcr({1, 0, 0});
    EXPECT_NEAR(red.y, 81.481, 1e-4);
    EXPECT_NEAR(red.cb, 90.203, 1e-4);
    EXPECT_NEAR(red.cr, 240.0, 1e-4);
    for (int v = 0; v < 256; v++) {
        const ksconv::YCbCr gray = ksconv::rgb_to_ycbcr({v / 255.0f, v / 255.0f, v / 255.0f});
        EXPECT_NEAR(gray.y, ksconv::gray_to_y(v / 255.0f), 1e-4);
        EXPECT_NEAR(gray.cb, 128.0, 1e-4);
        EXPECT_NEAR(gray.cr, 128.0, 1e-4);
        EXPECT_EQ(int(std::nearbyint(ksconv::y_to_gray(ksconv::gray_to_y(v / 255.0f)) * 255)), v);
    }
}

TEST(Fsrcnn, RefusesModelsWithoutKernelsAndBadArguments) {
    FsrcnnModel other = random_fsrcnn_model(2, 1);
    other.d = 32;
    try {
        FsrcnnUpscaler up(other);
        FAIL() << "FSRCNN(d=32) accepted";
    } catch (const Error &e) {
        EXPECT_NE(std::string(e.what()).find("compiled for FSRCNN(d=56, s=12, m=4), not FSRCNN(d=32"),
                  std::string::npos)
            << e.what();
    }
    EXPECT_THROW(ksconv::Upscaler(ksconv::UpscaleMethod::fsrcnn, 2, ImageFormat{4, 4, 3, 8}), Error);
    const FsrcnnUpscaler up(random_fsrcnn_model(3, 2));
    EXPECT_EQ(up.scale(), 3);
    EXPECT_EQ(up.reach(), 8);
    const std::vector<float> y = random_luma(20, 20, 1);
    std::vector<float> out(9 * 400);
    // A window that misses the reach around the tile is refused, not read out of bounds.
    EXPECT_THROW(up.run_luma_tile({y.data() + 20 * 5, 0, 5, 20, 10, 20}, 20, 20, 0, 6, 20, 4, out.data(), 60), Error);
    EXPECT_THROW(up.run_luma_tile({y.data(), 0, 0, 20, 20, 20}, 20, 20, 15, 0, 10, 4, out.data(), 60), Error);
    EXPECT_THROW(up.run_luma(y.data(), 0, 20, out.data()), Error);
    const ImageFormat gray{20, 20, 1, 8};
    std::vector<uint8_t> rows(400), samples(9 * 400);
    EXPECT_THROW(up.run_strip(gray, rows.data(), 4, 10, 6, 4, samples.data()), Error);  // needs rows 0..17
}

}  // namespace
