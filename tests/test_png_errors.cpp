// Tests of PNG failures: malformed, truncated, corrupt and oversized input, unreadable
// paths, and the writer's refusals. Every failure is a ksconv::Error with one line naming
// the file; none may crash or leave a file behind.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <png.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "ksconv/error.hpp"
#include "ksconv/npy.hpp"
#include "ksconv/png.hpp"
#include "png_test_util.hpp"

namespace {

using ksconv::Error;
using ksconv::Image;
using ksconv::ImageFormat;
using ksconv_test::Chunk;
using ksconv_test::RawPng;
using ksconv_test::ScratchDir;
using ::testing::HasSubstr;
using ::testing::StartsWith;

// The message of the Error `action` throws; checks that it is one line naming `path`.
std::string error_of(const std::string &path, const std::function<void()> &action) {
    try {
        action();
    } catch (const Error &e) {
        std::string message = e.what();
        EXPECT_THAT(message, StartsWith(path + ": "));
        EXPECT_EQ(message.find('\n'), std::string::npos) << "message must be one line";
        return message;
    }
    ADD_FAILURE() << "no ksconv::Error for " << path;
    return "";
}

std::string read_error(const std::string &path, int64_t max_pixels = ksconv::kDefaultMaxPixels) {
    return error_of(path, [&] { ksconv::read_png(path, max_pixels); });
}

// A small RGB image with a tEXt chunk after IDAT, so the file has trailing chunks too.
RawPng small_rgb(int compression_level = -1) {
    RawPng raw;
    raw.width = 13;
    raw.height = 11;
    raw.color_type = PNG_COLOR_TYPE_RGB;
    raw.compression_level = compression_level;
    for (uint32_t i = 0; i < raw.width * raw.height * 3; ++i) raw.samples.push_back(uint16_t((i * 37) % 256));
    raw.texts = {"trailing metadata"};
    return raw;
}

std::string ihdr_data(uint32_t width, uint32_t height, int bit_depth, int color_type, int interlace) {
    return ksconv_test::be32(width) + ksconv_test::be32(height) + char(bit_depth) + char(color_type) + char(0) +
           char(0) + char(interlace);
}

// A file whose IHDR claims `width` x `height` (with a correct CRC), then a token IDAT.
std::string png_claiming(uint32_t width, uint32_t height, int interlace = 0, int color_type = PNG_COLOR_TYPE_RGB) {
    return std::string(ksconv_test::kPngSignature, 8) +
           ksconv_test::make_chunk("IHDR", ihdr_data(width, height, 8, color_type, interlace)) +
           ksconv_test::make_chunk("IDAT", std::string("\x78\x9c\x03\x00\x00\x00\x00\x01", 8)) +
           ksconv_test::make_chunk("IEND", "");
}

// ---------------------------------------------------------------------------------------
// Not PNG at all.

TEST(PngErrors, NotAPngFile) {
    ScratchDir dir;
    EXPECT_THAT(read_error(dir.write("empty.png", "")), HasSubstr(": not a PNG file (empty file)"));
    EXPECT_THAT(read_error(dir.write("seven.png", "GIF89a!")), HasSubstr(": not a PNG file (no PNG signature)"));
    EXPECT_THAT(read_error(dir.write("text.png", "hello, world\nthis is text\n")),
                HasSubstr(": not a PNG file (no PNG signature)"));

    ksconv::Tensor tensor;
    tensor.shape = {2, 2};
    tensor.data = {1, 2, 3, 4};
    ksconv::write_npy(dir.path("t.npy"), tensor);
    EXPECT_THAT(read_error(dir.path("t.npy")), HasSubstr(": not a PNG file (no PNG signature)"));

    // A signature damaged the classic way: CR LF turned into LF by a text-mode transfer.
    std::string png = ksconv_test::encode_raw_png(small_rgb());
    std::string damaged = png.substr(0, 4) + "\n" + png.substr(6);
    EXPECT_THAT(read_error(dir.write("crlf.png", damaged)), HasSubstr(": not a PNG file (no PNG signature)"));
    png[0] = 'x';
    EXPECT_THAT(read_error(dir.write("sig.png", png)), HasSubstr(": not a PNG file (no PNG signature)"));
}

TEST(PngErrors, UnreadablePaths) {
    ScratchDir dir;
    EXPECT_THAT(read_error(dir.path("missing.png")), HasSubstr(": cannot open: No such file or directory"));
    EXPECT_THAT(read_error(dir.dir()), HasSubstr(": is a directory, not a PNG file"));
    EXPECT_THAT(read_error("/dev/null"), HasSubstr("/dev/null: not a regular file"));
}

// ---------------------------------------------------------------------------------------
// Damaged PNG files.

TEST(PngErrors, TruncatedAtEveryOffset) {
    ScratchDir dir;
    const std::string png = ksconv_test::encode_raw_png(small_rgb());
    ASSERT_NO_THROW(ksconv::read_png(dir.write("whole.png", png)));
    for (size_t size = 1; size < png.size(); ++size) {
        SCOPED_TRACE("truncated to " + std::to_string(size) + " of " + std::to_string(png.size()) + " bytes");
        EXPECT_THAT(read_error(dir.write("cut.png", png.substr(0, size))),
                    HasSubstr(": truncated PNG data (the file ends after " + std::to_string(size) + " bytes)"));
    }
}

TEST(PngErrors, CorruptCrcInCriticalChunks) {
    ScratchDir dir;
    const std::string png = ksconv_test::encode_raw_png(small_rgb());
    const auto chunks = ksconv_test::list_chunks(png);
    for (const char *type : {"IHDR", "IDAT", "IEND"}) {
        SCOPED_TRACE(type);
        std::string bad = png;
        bad[ksconv_test::find_chunk(chunks, type).crc_offset()] ^= 0x01;
        EXPECT_THAT(read_error(dir.write("crc.png", bad)),
                    HasSubstr(": cannot decode PNG: " + std::string(type) + ": CRC error"));
    }
}

TEST(PngErrors, CorruptCrcInMetadataIsToleratedSilently) {
    // libpng only warns about a bad CRC in an ancillary chunk and drops the chunk; the
    // pixels are intact, so the image reads, and nothing is printed.
    ScratchDir dir;
    std::string png = ksconv_test::encode_raw_png(small_rgb());
    png[ksconv_test::find_chunk(ksconv_test::list_chunks(png), "tEXt").crc_offset()] ^= 0x01;
    ::testing::internal::CaptureStderr();
    Image image = ksconv::read_png(dir.write("text_crc.png", png));
    EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
    EXPECT_EQ(image.format.width, 13);
}

TEST(PngErrors, CorruptImageDataWithValidCrc) {
    ScratchDir dir;
    // A broken zlib header.
    {
        std::string png = ksconv_test::encode_raw_png(small_rgb());
        const Chunk idat = ksconv_test::find_chunk(ksconv_test::list_chunks(png), "IDAT");
        png[idat.data_offset()] = 0x7f;
        ksconv_test::fix_crc(png, idat);
        EXPECT_THAT(read_error(dir.write("zhead.png", png)),
                    HasSubstr(": cannot decode PNG: IDAT: incorrect header check"));
    }
    // Damage inside compressed data: zlib notices (a bad code or, at the latest, the checksum).
    {
        const std::string png = ksconv_test::encode_raw_png(small_rgb());
        const Chunk idat = ksconv_test::find_chunk(ksconv_test::list_chunks(png), "IDAT");
        for (uint32_t i = 2; i < idat.length; i += 7) {
            SCOPED_TRACE("byte " + std::to_string(i) + " of IDAT");
            std::string bad = png;
            bad[idat.data_offset() + i] ^= 0x5a;
            ksconv_test::fix_crc(bad, idat);
            EXPECT_THAT(read_error(dir.write("zdata.png", bad)), HasSubstr(": cannot decode PNG: "));
        }
    }
    // Stored (uncompressed) blocks: a flipped pixel byte decodes fine and only the zlib
    // checksum (Adler-32) at the end tells; libpng calls that a benign error.
    {
        std::string png = ksconv_test::encode_raw_png(small_rgb(0));
        const Chunk idat = ksconv_test::find_chunk(ksconv_test::list_chunks(png), "IDAT");
        png[idat.data_offset() + 20] ^= 0x01;
        ksconv_test::fix_crc(png, idat);
        EXPECT_THAT(read_error(dir.write("adler.png", png)),
                    HasSubstr(": cannot decode PNG: IDAT: incorrect data check"));
    }
}

TEST(PngErrors, TooLittleOrTooMuchImageData) {
    ScratchDir dir;
    const RawPng raw = small_rgb();
    const std::string png = ksconv_test::encode_raw_png(raw);
    const auto chunks = ksconv_test::list_chunks(png);
    const Chunk idat = ksconv_test::find_chunk(chunks, "IDAT");
    const std::string head = png.substr(0, idat.offset);
    const std::string data = png.substr(idat.data_offset(), idat.length);
    const std::string tail = png.substr(idat.crc_offset() + 4);

    // The zlib stream cut short, inside a well-formed chunk.
    EXPECT_THAT(read_error(dir.write("short.png", head + ksconv_test::make_chunk("IDAT", data.substr(0, 20)) + tail)),
                HasSubstr(": cannot decode PNG: Not enough image data"));
    // A taller image than the data holds.
    std::string taller = png;
    const Chunk ihdr = ksconv_test::find_chunk(chunks, "IHDR");
    taller.replace(ihdr.data_offset() + 4, 4, ksconv_test::be32(raw.height + 5));
    ksconv_test::fix_crc(taller, ihdr);
    EXPECT_THAT(read_error(dir.write("taller.png", taller)), HasSubstr(": cannot decode PNG: Not enough image data"));
    // Bytes after the end of the zlib stream inside its IDAT.
    EXPECT_THAT(read_error(dir.write("extra.png", head + ksconv_test::make_chunk("IDAT", data + "junk") + tail)),
                HasSubstr(": cannot decode PNG: IDAT: Extra compressed data"));
    // libpng skips whole IDAT chunks after the stream's end by design: the pixels are intact.
    const Image twice = ksconv::read_png(dir.write(
        "twice.png", head + ksconv_test::make_chunk("IDAT", data) + ksconv_test::make_chunk("IDAT", data) + tail));
    EXPECT_EQ(twice.data, ksconv::read_png(dir.write("once.png", png)).data);
}

TEST(PngErrors, RandomDamageNeverCrashes) {
    // Random bytes changed, then every CRC recomputed so the damage reaches the decoder:
    // each file must either decode or fail with an Error (run under ASan to mean much).
    ScratchDir dir;
    RawPng plain = small_rgb(), adam7 = small_rgb(), palette;
    adam7.interlaced = true;
    palette.width = 9;
    palette.height = 5;
    palette.color_type = PNG_COLOR_TYPE_PALETTE;
    palette.bit_depth = 2;
    palette.palette = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    palette.palette_alpha = {0, 128};
    palette.samples.assign(45, 1);
    const uint32_t seed = 424242;
    std::mt19937 rng(seed);
    for (const RawPng *raw : {&plain, &adam7, &palette}) {
        const std::string png = ksconv_test::encode_raw_png(*raw);
        for (int trial = 0; trial < 300; ++trial) {
            std::string bad = png;
            for (int flips = 1 + int(rng() % 4); flips > 0; --flips) bad[8 + rng() % (bad.size() - 8)] = char(rng());
            for (const Chunk &chunk : ksconv_test::list_chunks(bad)) {
                if (chunk.crc_offset() + 4 <= bad.size()) ksconv_test::fix_crc(bad, chunk);
            }
            const std::string path = dir.write("random.png", bad);
            try {
                ksconv::read_png(path);
            } catch (const Error &e) {
                EXPECT_THAT(e.what(), StartsWith(path + ": ")) << "seed " << seed << ", trial " << trial;
            }
        }
    }
}

TEST(PngErrors, PaletteIndexBeyondThePaletteIsOpaqueBlack) {
    // Invalid per the PNG spec, but libpng's check for it runs after the palette expansion
    // and so never fires; such pixels decode as opaque black, as in most viewers.
    ScratchDir dir;
    RawPng raw;
    raw.width = 4;
    raw.height = 1;
    raw.color_type = PNG_COLOR_TYPE_PALETTE;
    raw.bit_depth = 4;
    raw.palette = {10, 20, 30, 40, 50, 60};  // 2 entries
    raw.palette_alpha = {100};
    raw.samples = {0, 1, 9, 0};  // index 9 has no entry
    const Image image = ksconv::read_png(dir.write("index.png", ksconv_test::encode_raw_png(raw)));
    EXPECT_EQ(image.format.channels, 4);
    EXPECT_EQ(image.data, (std::vector<uint8_t>{10, 20, 30, 100, 40, 50, 60, 255, 0, 0, 0, 255, 10, 20, 30, 100}));
}

TEST(PngErrors, BadHeaders) {
    ScratchDir dir;
    auto with_ihdr = [](const std::string &ihdr) {
        return std::string(ksconv_test::kPngSignature, 8) + ksconv_test::make_chunk("IHDR", ihdr) +
               ksconv_test::make_chunk("IEND", "");
    };
    // libpng gives the reason for "Invalid IHDR data" only as a warning; the message has it.
    EXPECT_THAT(read_error(dir.write("zero.png", with_ihdr(ihdr_data(0, 5, 8, 2, 0)))),
                HasSubstr(": cannot decode PNG: Invalid IHDR data (Image width is zero in IHDR)"));
    EXPECT_THAT(read_error(dir.write("depth.png", with_ihdr(ihdr_data(5, 5, 3, 2, 0)))),
                HasSubstr(": cannot decode PNG: Invalid IHDR data (Invalid bit depth in IHDR)"));
    EXPECT_THAT(read_error(dir.write("type.png", with_ihdr(ihdr_data(5, 5, 8, 5, 0)))),
                HasSubstr(": cannot decode PNG: Invalid IHDR data (Invalid color type in IHDR)"));
    EXPECT_THAT(read_error(dir.write("big.png", with_ihdr(ihdr_data(0x80000000u, 1, 8, 2, 0)))),
                HasSubstr(": cannot decode PNG: PNG unsigned integer out of range"));
    EXPECT_THAT(read_error(dir.write("short_ihdr.png", with_ihdr("\x00\x00"))),
                HasSubstr(": cannot decode PNG: IHDR: invalid"));
    // No image data at all, a palette image without a palette, an unknown critical chunk.
    std::string png = ksconv_test::encode_raw_png(small_rgb());
    const Chunk idat = ksconv_test::find_chunk(ksconv_test::list_chunks(png), "IDAT");
    EXPECT_THAT(read_error(dir.write("none.png", with_ihdr(ihdr_data(5, 5, 8, 2, 0)))),
                HasSubstr(": cannot decode PNG: IEND: out of place"));
    EXPECT_THAT(read_error(dir.write("noplte.png", png_claiming(3, 3, 0, PNG_COLOR_TYPE_PALETTE))),
                HasSubstr(": cannot decode PNG: IDAT: Missing PLTE before IDAT"));
    png.insert(idat.offset, ksconv_test::make_chunk("XYZW", "critical"));
    EXPECT_THAT(read_error(dir.write("critical.png", png)),
                HasSubstr(": cannot decode PNG: XYZW: unhandled critical chunk"));
}

TEST(PngErrors, HugeDimensionsAreRefusedFromTheHeader) {
    ScratchDir dir;
    // A correct CRC, so only our pixel limit stands in the way; an allocation of the image
    // (30 GB) first would fail with std::bad_alloc or run out of memory, not this Error.
    EXPECT_THAT(read_error(dir.write("huge.png", png_claiming(100000, 100000))),
                HasSubstr(": image 100000x100000 has 10000000000 pixels, more than the limit 268435456"));
    EXPECT_THAT(read_error(dir.write("huge7.png", png_claiming(100000, 100000, 1))),
                HasSubstr(": image 100000x100000 has 10000000000 pixels, more than the limit 268435456"));
    EXPECT_THAT(read_error(dir.write("wide.png", png_claiming(0x7fffffff, 0x7fffffff))),
                HasSubstr(": image 2147483647x2147483647 has 4611686014132420609 pixels, more than the limit"));
    // A caller's own limit.
    const std::string small = dir.write("small.png", ksconv_test::encode_raw_png(small_rgb()));
    EXPECT_THAT(read_error(small, 100), HasSubstr(": image 13x11 has 143 pixels, more than the limit 100"));
    EXPECT_NO_THROW(ksconv::read_png(small, 143));
}

TEST(PngErrors, HeadersTheFileCannotHoldAreRefused) {
    // Within the pixel limit, but the file is far too short for that much image data even
    // at deflate's best ratio (1032:1): refused before any caller sizes a buffer from it.
    ScratchDir dir;
    const std::string tall = dir.write("tall.png", png_claiming(1, 1000000));
    EXPECT_THAT(error_of(tall, [&] { ksconv::PngReader reader(tall, INT64_MAX); }),
                HasSubstr(": truncated PNG data (a 1x1000000 image needs more than the 24 bytes left in the file)"));
    const std::string adam7 = dir.write("adam7.png", png_claiming(16384, 16384, 1));
    EXPECT_THAT(error_of(adam7, [&] { ksconv::PngReader reader(adam7); }),
                HasSubstr(": truncated PNG data (a 16384x16384 image needs more than the 24 bytes left in the file)"));

    // Highly compressible data at the edge of the bound still reads: a black 3000x3000 RGB
    // image is 27 MB of samples in a file of about 30 kB.
    RawPng black;
    black.width = black.height = 3000;
    black.color_type = PNG_COLOR_TYPE_RGB;
    black.compression_level = 9;
    black.samples.assign(size_t(3000) * 3000 * 3, 0);
    const std::string png = ksconv_test::encode_raw_png(black);
    EXPECT_LT(png.size() * 1000, black.samples.size() * 2);  // better than 500:1
    const Image image = ksconv::read_png(dir.write("black.png", png));
    EXPECT_EQ(image.format.width, 3000);
    EXPECT_TRUE(std::all_of(image.data.begin(), image.data.end(), [](uint8_t v) { return v == 0; }));
}

TEST(PngErrors, ReaderRowAccounting) {
    ScratchDir dir;
    const std::string path = dir.write("r.png", ksconv_test::encode_raw_png(small_rgb()));
    ksconv::PngReader reader(path);
    std::vector<uint8_t> rows(size_t(reader.format().height * reader.format().row_bytes()));
    EXPECT_THAT(error_of(path, [&] { reader.read_rows(rows.data(), 12); }),
                HasSubstr(": asked for 12 rows but only 11 remain"));
    EXPECT_THAT(error_of(path, [&] { reader.read_rows(rows.data(), -1); }),
                HasSubstr(": asked for -1 rows but only 11 remain"));
    reader.read_rows(rows.data(), 0);
    reader.read_rows(rows.data(), 11);
    EXPECT_THAT(error_of(path, [&] { reader.read_rows(rows.data(), 1); }),
                HasSubstr(": asked for 1 rows but only 0 remain"));

    // After a decoding error every later read repeats it.
    std::string png = ksconv_test::read_file(path);
    const Chunk idat = ksconv_test::find_chunk(ksconv_test::list_chunks(png), "IDAT");
    png[idat.crc_offset()] ^= 1;
    const std::string bad = dir.write("bad.png", png);
    ksconv::PngReader broken(bad);
    // (The IDAT's CRC is checked once its data is used up, so reading one row may succeed.)
    const std::string first = error_of(bad, [&] { broken.read_rows(rows.data(), 11); });
    EXPECT_THAT(first, HasSubstr("IDAT: CRC error"));
    EXPECT_EQ(error_of(bad, [&] { broken.read_rows(rows.data(), 11); }), first);
}

// ---------------------------------------------------------------------------------------
// The writer.

ImageFormat rgb8(int64_t width, int64_t height) {
    return {width, height, 3, 8};
}

TEST(PngWriterErrors, NoFileWithoutCommit) {
    ScratchDir dir;
    const std::vector<uint8_t> rows(size_t(rgb8(5, 11).row_bytes() * 11), 7);
    {
        ksconv::PngWriter writer(dir.path("a.png"), rgb8(5, 11));
        writer.write_rows(rows.data(), 4);
        EXPECT_EQ(dir.list().size(), 1u);  // the temporary file
    }
    EXPECT_TRUE(dir.list().empty());

    ksconv::PngWriter writer(dir.path("b.png"), rgb8(5, 11));
    writer.write_rows(rows.data(), 3);
    EXPECT_THAT(error_of(dir.path("b.png"), [&] { writer.commit(); }), HasSubstr(": only 3 of 11 rows were written"));
    EXPECT_TRUE(dir.list().empty());
    EXPECT_THAT(error_of(dir.path("b.png"), [&] { writer.write_rows(rows.data(), 8); }),
                HasSubstr(": only 3 of 11 rows were written"));
    EXPECT_TRUE(dir.list().empty());
}

TEST(PngWriterErrors, RowAccountingAndReplacingAFile) {
    ScratchDir dir;
    const std::string path = dir.path("c.png");
    const std::vector<uint8_t> rows(size_t(rgb8(5, 11).row_bytes() * 12), 9);
    {
        ksconv::PngWriter writer(path, rgb8(5, 11));
        EXPECT_THAT(error_of(path, [&] { writer.write_rows(rows.data(), 12); }),
                    HasSubstr(": given 12 rows to write but only 11 remain"));
        writer.write_rows(rows.data(), 11);  // the refusal left the writer usable
        writer.commit();
        EXPECT_THAT(error_of(path, [&] { writer.commit(); }), HasSubstr(": PNG already committed"));
    }
    EXPECT_EQ(dir.list(), std::vector<std::string>{"c.png"});
    Image image;
    image.format = {2, 2, 1, 16};
    image.data = {1, 2, 3, 4, 5, 6, 7, 8};
    ksconv::write_png(path, image);  // replaces the RGB file
    EXPECT_EQ(ksconv::read_png(path).data, image.data);
    EXPECT_EQ(dir.list(), std::vector<std::string>{"c.png"});
}

TEST(PngWriterErrors, UnwritablePlaces) {
    ScratchDir dir;
    const std::string nowhere = dir.path("no_such_dir/out.png");
    EXPECT_THAT(error_of(nowhere, [&] { ksconv::PngWriter writer(nowhere, rgb8(2, 2)); }),
                HasSubstr(": cannot create temporary file: No such file or directory"));

    // Onto a directory: the rename at commit fails, and the temporary file goes.
    ASSERT_EQ(mkdir(dir.path("sub").c_str(), 0755), 0);
    Image image;
    image.format = rgb8(2, 2);
    image.data.assign(12, 0);
    EXPECT_THAT(error_of(dir.path("sub"), [&] { ksconv::write_png(dir.path("sub"), image); }),
                HasSubstr(": cannot rename temporary file into place"));
    EXPECT_EQ(dir.list(), std::vector<std::string>{"sub"});
}

TEST(PngWriterErrors, RefusesFormatsItCannotWrite) {
    ScratchDir dir;
    const std::string path = dir.path("f.png");
    struct Case {
        ImageFormat format;
        const char *message;
    };
    const Case cases[] = {
        {{4, 4, 0, 8}, "cannot write a PNG with 0 channels (1 to 4 are supported)"},
        {{4, 4, 5, 8}, "cannot write a PNG with 5 channels (1 to 4 are supported)"},
        {{4, 4, 3, 4}, "cannot write a PNG with bit depth 4 (8 and 16 are supported)"},
        {{4, 4, 3, 32}, "cannot write a PNG with bit depth 32 (8 and 16 are supported)"},
        {{0, 4, 3, 8}, "cannot write a 0x4 PNG (width and height must be 1 to 2147483647)"},
        {{4, 0, 3, 8}, "cannot write a 4x0 PNG"},
        {{-1, 4, 3, 8}, "cannot write a -1x4 PNG"},
        {{int64_t(1) << 31, 1, 3, 8}, "cannot write a 2147483648x1 PNG"},
    };
    for (const Case &c : cases) {
        SCOPED_TRACE(c.message);
        EXPECT_THAT(error_of(path, [&] { ksconv::PngWriter writer(path, c.format); }), HasSubstr(c.message));
        Image image;
        image.format = c.format;
        EXPECT_THAT(error_of(path, [&] { ksconv::write_png(path, image); }), HasSubstr(c.message));
    }
    Image wrong_size;
    wrong_size.format = rgb8(3, 2);
    wrong_size.data.assign(17, 0);
    EXPECT_THAT(error_of(path, [&] { ksconv::write_png(path, wrong_size); }),
                HasSubstr(": a 3x2 image with 3 channels of 8 bits needs 18 bytes but the image holds 17"));
    EXPECT_TRUE(dir.list().empty());
}

}  // namespace
