// libFuzzer target: ksconv::read_png (the streaming PngReader underneath) on arbitrary
// bytes. Every input must decode or throw ksconv::Error. A small decoded image is written
// back with PngWriter and must decode to the same pixels.
#include <cstdint>
#include <string>

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
    ksconv::write_png(copy.path(), image);
    const ksconv::Image again = ksconv::read_png(copy.path(), kMaxPixels);
    if (again.data != image.data || again.format.channels != image.format.channels ||
        again.format.bit_depth != image.format.bit_depth) {
        __builtin_trap();
    }
    return 0;
}
