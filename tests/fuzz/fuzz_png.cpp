// libFuzzer target: ksconv::read_png (the streaming PngReader underneath) on arbitrary
// bytes. Every input must decode or throw ksconv::Error. A small decoded image must stream
// row by row to the same pixels, and written back with PngWriter decode to them again.
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz_file.hpp"
#include "ksconv/error.hpp"
#include "ksconv/png.hpp"

constexpr int64_t kMaxPixels = int64_t(1) << 20;  // 8 MiB at most decoded (RGBA16)
constexpr int64_t kMaxRoundTripPixels = 64 * 64;  // keeps most executions in memory

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static ksconv::fuzz::ScratchFile input("png");
    static ksconv::fuzz::ScratchFile copy("png");
    input.write(data, size);
    ksconv::Image image;
    try {
        image = ksconv::read_png(input.path(), kMaxPixels);
    } catch (const ksconv::Error &) {
        return 0;
    }
    if (image.format.width * image.format.height > kMaxRoundTripPixels) return 0;
    // Streaming row by row must give the same pixels as the whole-image read.
    {
        ksconv::PngReader reader(input.path(), kMaxPixels);
        std::vector<uint8_t> rows(image.data.size());
        const size_t row_bytes = size_t(reader.format().row_bytes());
        for (int64_t y = 0; y < reader.format().height; ++y) reader.read_rows(rows.data() + size_t(y) * row_bytes, 1);
        if (rows != image.data) __builtin_trap();
    }
    ksconv::write_png(copy.path(), image);
    const ksconv::Image again = ksconv::read_png(copy.path(), kMaxPixels);
    if (again.data != image.data || again.format.channels != image.format.channels ||
        again.format.bit_depth != image.format.bit_depth) {
        __builtin_trap();
    }
    return 0;
}
