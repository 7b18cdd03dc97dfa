// Helpers for the PNG tests: PNG files written by raw libpng calls (independent of
// ksconv's writer), chunk-level surgery for malformed files, and a scratch directory.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ksconv_test {

// One image as a PNG file stores it: samples before packing, big-endian 16-bit.
struct RawPng {
    uint32_t width = 0, height = 0;
    int color_type = 0;  // PNG_COLOR_TYPE_*
    int bit_depth = 8;
    bool interlaced = false;
    int compression_level = -1;               // zlib level; 0 writes stored blocks
    std::vector<uint16_t> samples;            // row-major, channels interleaved (indexes for palette)
    std::vector<uint8_t> palette;             // RGB triples
    std::vector<uint8_t> palette_alpha;       // tRNS for palette images
    std::vector<uint16_t> transparent_color;  // tRNS for gray (1 value) or RGB (3 values)
    std::vector<std::string> texts;           // tEXt chunks, written after IDAT
    int channels() const;
};

// Encodes with libpng directly; throws std::runtime_error if libpng refuses.
std::string encode_raw_png(const RawPng &spec);

// Chunk surgery on a PNG file's bytes.
struct Chunk {
    size_t offset;  // of the length field
    uint32_t length;
    std::string type;
    size_t data_offset() const { return offset + 8; }
    size_t crc_offset() const { return offset + 8 + length; }
};
std::vector<Chunk> list_chunks(const std::string &png);
const Chunk &find_chunk(const std::vector<Chunk> &chunks, const std::string &type);  // first of `type`
void fix_crc(std::string &png, const Chunk &chunk);
std::string make_chunk(const std::string &type, const std::string &data);
std::string be32(uint32_t value);
extern const char kPngSignature[9];

// A fresh directory under GoogleTest's temp dir, removed with its files on destruction
// (the .npy tests use it too).
class ScratchDir {
public:
    ScratchDir();
    ~ScratchDir();
    ScratchDir(const ScratchDir &) = delete;
    ScratchDir &operator=(const ScratchDir &) = delete;
    std::string path(const std::string &name) const { return dir_ + "/" + name; }
    const std::string &dir() const { return dir_; }
    std::vector<std::string> list() const;  // file names, sorted
    std::string write(const std::string &name, const std::string &bytes) const;

private:
    std::string dir_;
};

std::string read_file(const std::string &path);

}  // namespace ksconv_test
