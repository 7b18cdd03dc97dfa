// Tests of PNG reading and writing that succeed: round trips through ksconv's writer and
// reader, and the reader on every colour type and bit depth written by raw libpng calls.
#include <gtest/gtest.h>
#include <png.h>
#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "ksconv/error.hpp"
#include "ksconv/png.hpp"
#include "png_test_util.hpp"

namespace {

using ksconv::Image;
using ksconv::ImageFormat;
using ksconv_test::RawPng;
using ksconv_test::ScratchDir;

// The decoded samples as numbers, whatever the bit depth.
std::vector<uint16_t> samples_of(const Image &image) {
    std::vector<uint16_t> out;
    if (image.format.bit_depth == 16) {
        out.resize(image.data.size() / 2);
        std::memcpy(out.data(), image.data.data(), out.size() * 2);
    } else {
        out.assign(image.data.begin(), image.data.end());
    }
    return out;
}

Image random_image(int64_t width, int64_t height, int channels, int bit_depth, std::mt19937 &rng) {
    Image image;
    image.format = {width, height, channels, bit_depth};
    image.data.resize(size_t(image.format.height * image.format.row_bytes()));
    for (uint8_t &byte : image.data) byte = uint8_t(rng());
    return image;
}

const std::pair<int64_t, int64_t> kSizes[] = {{1, 1}, {1, 7}, {7, 1}, {13, 11}, {257, 3}};

// ---------------------------------------------------------------------------------------
// Round trips.

TEST(PngRoundTrip, EveryChannelCountAndDepth) {
    ScratchDir dir;
    std::mt19937 rng(20261125);
    for (int bit_depth : {8, 16}) {
        for (int channels = 1; channels <= 4; ++channels) {
            for (auto [width, height] : kSizes) {
                SCOPED_TRACE(std::to_string(width) + "x" + std::to_string(height) + ", " + std::to_string(channels) +
                             " channels, " + std::to_string(bit_depth) + " bits");
                Image original = random_image(width, height, channels, bit_depth, rng);
                ksconv::write_png(dir.path("rt.png"), original);
                Image back = ksconv::read_png(dir.path("rt.png"));
                EXPECT_EQ(back.format.width, width);
                EXPECT_EQ(back.format.height, height);
                EXPECT_EQ(back.format.channels, channels);
                EXPECT_EQ(back.format.bit_depth, bit_depth);
                EXPECT_EQ(back.data, original.data);
            }
        }
    }
    EXPECT_EQ(dir.list(), std::vector<std::string>{"rt.png"});
}

TEST(PngRoundTrip, StreamingInUnevenBatches) {
    ScratchDir dir;
    std::mt19937 rng(7);
    for (int bit_depth : {8, 16}) {
        for (int channels = 1; channels <= 4; ++channels) {
            SCOPED_TRACE(std::to_string(channels) + " channels, " + std::to_string(bit_depth) + " bits");
            Image original = random_image(37, 23, channels, bit_depth, rng);
            const size_t row_bytes = size_t(original.format.row_bytes());

            // Written 1, 2, 3, ... rows at a time.
            {
                ksconv::PngWriter writer(dir.path("s.png"), original.format);
                int64_t y = 0;
                for (int64_t batch = 1; y < original.format.height; ++batch) {
                    int64_t count = std::min(batch, original.format.height - y);
                    writer.write_rows(original.data.data() + size_t(y) * row_bytes, count);
                    y += count;
                }
                writer.commit();
            }

            // Read 5, 1, 4, 2, ... rows at a time.
            ksconv::PngReader reader(dir.path("s.png"));
            ASSERT_EQ(reader.format().row_bytes(), int64_t(row_bytes));
            EXPECT_FALSE(reader.interlaced());
            std::vector<uint8_t> back(original.data.size());
            const int64_t batches[] = {5, 1, 4, 2, 3};
            int64_t y = 0;
            for (int i = 0; y < original.format.height; ++i) {
                int64_t count = std::min(batches[i % 5], original.format.height - y);
                reader.read_rows(back.data() + size_t(y) * row_bytes, count);
                y += count;
            }
            EXPECT_EQ(back, original.data);
            EXPECT_THROW(reader.read_rows(back.data(), 1), ksconv::Error);  // none left
        }
    }
}

TEST(PngRoundTrip, SixteenBitIsBigEndianInTheFile) {
    ScratchDir dir;
    Image image;
    image.format = {2, 1, 1, 16};
    const uint16_t values[] = {0x1234, 0xabcd};
    image.data.resize(4);
    std::memcpy(image.data.data(), values, 4);
    ksconv::write_png(dir.path("be.png"), image);

    // Inflate the single IDAT and undo the row filter: the stored bytes are big-endian.
    const std::string file = ksconv_test::read_file(dir.path("be.png"));
    const auto chunks = ksconv_test::list_chunks(file);
    const ksconv_test::Chunk &idat = ksconv_test::find_chunk(chunks, "IDAT");
    unsigned char row[5];  // filter type, then 2 samples of 2 bytes
    uLongf row_size = sizeof row;
    ASSERT_EQ(
        uncompress(row, &row_size, reinterpret_cast<const Bytef *>(file.data() + idat.data_offset()), idat.length),
        Z_OK);
    ASSERT_EQ(row_size, sizeof row);
    // The first row's Up filter equals None, Paeth equals Sub; Average adds half the left byte.
    for (int i = 3; i < 5; ++i) {
        int left = row[i - 2];
        if (row[0] == 1 || row[0] == 4) row[i] = uint8_t(row[i] + left);
        if (row[0] == 3) row[i] = uint8_t(row[i] + left / 2);
    }
    EXPECT_EQ(std::vector<int>(row + 1, row + 5), (std::vector<int>{0x12, 0x34, 0xab, 0xcd}));
    EXPECT_EQ(samples_of(ksconv::read_png(dir.path("be.png"))), (std::vector<uint16_t>{0x1234, 0xabcd}));
}

// ---------------------------------------------------------------------------------------
// The reader on files written by raw libpng: every colour type and bit depth.

struct Case {
    const char *name;
    int color_type;
    int bit_depth;
    bool transparency;
};

// Random samples for `spec`, with a palette or transparent colour where the case has one.
RawPng make_raw(const Case &c, uint32_t width, uint32_t height, std::mt19937 &rng) {
    RawPng raw;
    raw.width = width;
    raw.height = height;
    raw.color_type = c.color_type;
    raw.bit_depth = c.bit_depth;
    const uint32_t max_value = (1u << c.bit_depth) - 1;
    uint32_t palette_size = 0;
    if (c.color_type == PNG_COLOR_TYPE_PALETTE) {
        palette_size = std::min(max_value + 1, 200u);  // fewer than 256: not every index used
        for (uint32_t i = 0; i < palette_size * 3; ++i) raw.palette.push_back(uint8_t(rng()));
        if (c.transparency) {
            for (uint32_t i = 0; i < (palette_size + 1) / 2; ++i) raw.palette_alpha.push_back(uint8_t(rng()));
        }
    }
    const size_t count = size_t(width) * height * raw.channels();
    for (size_t i = 0; i < count; ++i) {
        raw.samples.push_back(uint16_t(palette_size > 0 ? rng() % palette_size : rng() & max_value));
    }
    if (c.transparency && c.color_type != PNG_COLOR_TYPE_PALETTE) {
        // The first pixel's colour is the transparent one, so some pixels match it.
        raw.transparent_color.assign(raw.samples.begin(), raw.samples.begin() + raw.channels());
        for (size_t i = 0; i < count; i += raw.channels() * 3) {
            std::copy(raw.transparent_color.begin(), raw.transparent_color.end(), raw.samples.begin() + i);
        }
    }
    return raw;
}

// What the reader must produce for `raw`: channel count, bit depth and samples.
struct Expected {
    int channels;
    int bit_depth;
    std::vector<uint16_t> samples;
};

Expected expected_decode(const RawPng &raw) {
    Expected e;
    const size_t pixels = size_t(raw.width) * raw.height;
    const int in_channels = raw.channels();
    if (raw.color_type == PNG_COLOR_TYPE_PALETTE) {
        e.bit_depth = 8;
        e.channels = raw.palette_alpha.empty() ? 3 : 4;
        for (size_t p = 0; p < pixels; ++p) {
            size_t index = raw.samples[p];
            for (int k = 0; k < 3; ++k) e.samples.push_back(raw.palette[index * 3 + size_t(k)]);
            if (e.channels == 4) {
                e.samples.push_back(index < raw.palette_alpha.size() ? raw.palette_alpha[index] : 255);
            }
        }
        return e;
    }
    e.bit_depth = raw.bit_depth == 16 ? 16 : 8;
    const bool alpha_added = !raw.transparent_color.empty();
    e.channels = in_channels + (alpha_added ? 1 : 0);
    const uint16_t scale = raw.bit_depth == 1 ? 255 : raw.bit_depth == 2 ? 85 : raw.bit_depth == 4 ? 17 : 1;
    const uint16_t opaque = e.bit_depth == 16 ? 0xffff : 0xff;
    for (size_t p = 0; p < pixels; ++p) {
        const uint16_t *px = raw.samples.data() + p * size_t(in_channels);
        for (int k = 0; k < in_channels; ++k) e.samples.push_back(uint16_t(px[k] * scale));
        if (alpha_added) {
            bool transparent = std::equal(raw.transparent_color.begin(), raw.transparent_color.end(), px);
            e.samples.push_back(transparent ? 0 : opaque);
        }
    }
    return e;
}

const Case kCases[] = {
    {"gray1", PNG_COLOR_TYPE_GRAY, 1, false},
    {"gray2", PNG_COLOR_TYPE_GRAY, 2, false},
    {"gray4", PNG_COLOR_TYPE_GRAY, 4, false},
    {"gray8", PNG_COLOR_TYPE_GRAY, 8, false},
    {"gray16", PNG_COLOR_TYPE_GRAY, 16, false},
    {"gray_alpha8", PNG_COLOR_TYPE_GRAY_ALPHA, 8, false},
    {"gray_alpha16", PNG_COLOR_TYPE_GRAY_ALPHA, 16, false},
    {"rgb8", PNG_COLOR_TYPE_RGB, 8, false},
    {"rgb16", PNG_COLOR_TYPE_RGB, 16, false},
    {"rgba8", PNG_COLOR_TYPE_RGBA, 8, false},
    {"rgba16", PNG_COLOR_TYPE_RGBA, 16, false},
    {"palette1", PNG_COLOR_TYPE_PALETTE, 1, false},
    {"palette2", PNG_COLOR_TYPE_PALETTE, 2, false},
    {"palette4", PNG_COLOR_TYPE_PALETTE, 4, false},
    {"palette8", PNG_COLOR_TYPE_PALETTE, 8, false},
    {"palette1_trns", PNG_COLOR_TYPE_PALETTE, 1, true},
    {"palette2_trns", PNG_COLOR_TYPE_PALETTE, 2, true},
    {"palette4_trns", PNG_COLOR_TYPE_PALETTE, 4, true},
    {"palette8_trns", PNG_COLOR_TYPE_PALETTE, 8, true},
    {"gray1_trns", PNG_COLOR_TYPE_GRAY, 1, true},
    {"gray4_trns", PNG_COLOR_TYPE_GRAY, 4, true},
    {"gray8_trns", PNG_COLOR_TYPE_GRAY, 8, true},
    {"gray16_trns", PNG_COLOR_TYPE_GRAY, 16, true},
    {"rgb8_trns", PNG_COLOR_TYPE_RGB, 8, true},
    {"rgb16_trns", PNG_COLOR_TYPE_RGB, 16, true},
};

void expect_decodes_to(const Image &image, const Expected &expected) {
    EXPECT_EQ(image.format.channels, expected.channels);
    EXPECT_EQ(image.format.bit_depth, expected.bit_depth);
    EXPECT_EQ(samples_of(image), expected.samples);
}

TEST(PngReader, EveryColourTypeAndBitDepth) {
    ScratchDir dir;
    std::mt19937 rng(1234);
    for (const Case &c : kCases) {
        for (auto [width, height] : {std::pair<uint32_t, uint32_t>{13, 11}, {1, 1}, {9, 2}}) {
            SCOPED_TRACE(std::string(c.name) + " " + std::to_string(width) + "x" + std::to_string(height));
            RawPng raw = make_raw(c, width, height, rng);
            Image image = ksconv::read_png(dir.write("c.png", ksconv_test::encode_raw_png(raw)));
            EXPECT_EQ(image.format.width, width);
            EXPECT_EQ(image.format.height, height);
            expect_decodes_to(image, expected_decode(raw));
        }
    }
}

TEST(PngReader, InterlacedEqualsNonInterlaced) {
    ScratchDir dir;
    std::mt19937 rng(99);
    const Case cases[] = {{"rgb8", PNG_COLOR_TYPE_RGB, 8, false},
                          {"rgb16", PNG_COLOR_TYPE_RGB, 16, false},
                          {"gray1", PNG_COLOR_TYPE_GRAY, 1, false},
                          {"palette4_trns", PNG_COLOR_TYPE_PALETTE, 4, true}};
    for (const Case &c : cases) {
        for (auto [width, height] : {std::pair<uint32_t, uint32_t>{13, 11}, {1, 1}, {3, 9}, {33, 17}}) {
            SCOPED_TRACE(std::string(c.name) + " " + std::to_string(width) + "x" + std::to_string(height));
            RawPng raw = make_raw(c, width, height, rng);
            Image plain = ksconv::read_png(dir.write("plain.png", ksconv_test::encode_raw_png(raw)));
            raw.interlaced = true;
            const std::string interlaced = dir.write("adam7.png", ksconv_test::encode_raw_png(raw));
            Image whole = ksconv::read_png(interlaced);
            EXPECT_EQ(whole.format.channels, plain.format.channels);
            EXPECT_EQ(whole.format.bit_depth, plain.format.bit_depth);
            EXPECT_EQ(whole.data, plain.data);
            expect_decodes_to(whole, expected_decode(raw));

            // Streaming API in batches of 2 rows: the first call decodes the whole image.
            ksconv::PngReader reader(interlaced);
            EXPECT_TRUE(reader.interlaced());
            const size_t row_bytes = size_t(reader.format().row_bytes());
            std::vector<uint8_t> rows(plain.data.size());
            for (int64_t y = 0; y < reader.format().height; y += 2) {
                int64_t count = std::min<int64_t>(2, reader.format().height - y);
                reader.read_rows(rows.data() + size_t(y) * row_bytes, count);
            }
            EXPECT_EQ(rows, plain.data);
        }
    }
}

TEST(PngReader, SkipsMetadataChunks) {
    ScratchDir dir;
    std::mt19937 rng(5);
    RawPng raw = make_raw({"rgb8", PNG_COLOR_TYPE_RGB, 8, false}, 5, 4, rng);
    raw.texts = {"made by a test", std::string(100000, 'x')};
    Image image = ksconv::read_png(dir.write("text.png", ksconv_test::encode_raw_png(raw)));
    expect_decodes_to(image, expected_decode(raw));
}

}  // namespace
