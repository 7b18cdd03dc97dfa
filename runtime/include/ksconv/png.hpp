// PNG reading and writing with libpng. The reader streams rows so memory stays proportional
// to the image width; the writer streams rows into a temporary file that is renamed into
// place only on commit(). Every failure throws ksconv::Error with a one-line message naming
// the file and the problem.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace ksconv {

// Default pixel limit for decoded images (width * height); callers may pass their own.
constexpr int64_t kDefaultMaxPixels = int64_t(1) << 28;

// A decoded image's layout: channels interleaved, rows top to bottom, no row padding;
// 8-bit samples as uint8_t, 16-bit as native-endian uint16_t.
struct ImageFormat {
    int64_t width = 0;
    int64_t height = 0;
    int channels = 0;           // 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA
    int bit_depth = 0;          // 8 or 16
    int64_t row_bytes() const;  // width * channels * bit_depth / 8
};

// Streams a PNG row by row so memory stays proportional to the width (except interlaced
// files, which are decoded whole on the first read_rows call, subject to the same limit).
// Palette images decode to RGB (RGBA with a tRNS chunk), gray below 8 bits to 8-bit gray,
// gray and RGB with a tRNS chunk gain an alpha channel; 16-bit stays 16-bit.
class PngReader {
public:
    // Reads the header; throws if the file is not a readable PNG or has more than
    // `max_pixels` pixels (checked before anything large is allocated).
    PngReader(const std::string &path, int64_t max_pixels = kDefaultMaxPixels);
    ~PngReader();
    PngReader(const PngReader &) = delete;
    PngReader &operator=(const PngReader &) = delete;

    const ImageFormat &format() const;
    bool interlaced() const;

    // Reads the next `count` rows (count * row_bytes() bytes) into dst; throws on corrupt or
    // truncated data or when asked for more rows than remain. Reading the last row also
    // checks the rest of the file up to IEND.
    void read_rows(void *dst, int64_t count);

private:
    struct State;
    std::unique_ptr<State> state_;
};

// Writes a PNG row by row to a temporary file next to `path`; commit() (after all rows)
// renames it into place. Destroyed without commit (an error, an exception), it removes the
// temporary file so no partial output is ever left. Writes 8- or 16-bit, 1 to 4 channels,
// non-interlaced; anything else is refused by the constructor.
class PngWriter {
public:
    PngWriter(const std::string &path, const ImageFormat &format);
    ~PngWriter();
    PngWriter(const PngWriter &) = delete;
    PngWriter &operator=(const PngWriter &) = delete;

    // Encodes the next `count` rows (count * row_bytes() bytes) from src.
    void write_rows(const void *src, int64_t count);
    void commit();  // throws if not all rows were written

private:
    struct State;
    std::unique_ptr<State> state_;
};

// Whole-image helpers (tests, small images).
struct Image {
    ImageFormat format;
    std::vector<uint8_t> data;  // 16-bit: native-endian uint16 samples stored in these bytes
};

Image read_png(const std::string &path, int64_t max_pixels = kDefaultMaxPixels);
void write_png(const std::string &path, const Image &image);

}  // namespace ksconv
