#include "png_test_util.hpp"

#include <dirent.h>
#include <gtest/gtest.h>
#include <png.h>
#include <stdlib.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <csetjmp>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <stdexcept>

namespace ksconv_test {

const char kPngSignature[9] = "\x89PNG\r\n\x1a\n";

int RawPng::channels() const {
    switch (color_type) {
        case PNG_COLOR_TYPE_GRAY_ALPHA:
            return 2;
        case PNG_COLOR_TYPE_RGB:
            return 3;
        case PNG_COLOR_TYPE_RGBA:
            return 4;
        default:
            return 1;  // gray, palette
    }
}

namespace {

void append(png_structp png, png_bytep data, size_t length) {
    static_cast<std::string *>(png_get_io_ptr(png))->append(reinterpret_cast<const char *>(data), length);
}
void flush(png_structp) {}

// Everything the libpng calls need, prepared outside the setjmp frame.
struct Prepared {
    const RawPng *spec;
    png_bytepp rows;
    png_colorp palette;
    png_color_16 transparent;
    png_textp texts;
    int text_count;
    std::string *out;
};

// Only trivially destructible locals: libpng's errors longjmp back here.
bool encode_c(const Prepared *p) {
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
    png_infop info = png_create_info_struct(png);
    if (setjmp(png_jmpbuf(png)) != 0) {
        png_destroy_write_struct(&png, &info);
        return false;
    }
    const RawPng &s = *p->spec;
    png_set_write_fn(png, p->out, append, flush);
    png_set_IHDR(png, info, s.width, s.height, s.bit_depth, s.color_type,
                 s.interlaced ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
                 PNG_FILTER_TYPE_DEFAULT);
    if (s.compression_level >= 0) png_set_compression_level(png, s.compression_level);
    if (!s.palette.empty()) png_set_PLTE(png, info, p->palette, int(s.palette.size() / 3));
    if (!s.palette_alpha.empty()) {
        png_set_tRNS(png, info, s.palette_alpha.data(), int(s.palette_alpha.size()), nullptr);
    }
    if (!s.transparent_color.empty()) png_set_tRNS(png, info, nullptr, 0, &p->transparent);
    png_write_info(png, info);
    png_write_image(png, p->rows);  // with interlacing, writes all seven passes
    if (p->text_count > 0) png_set_text(png, info, p->texts, p->text_count);
    png_write_end(png, info);
    png_destroy_write_struct(&png, &info);
    return true;
}

// Packs one row of samples the way PNG stores them.
std::vector<png_byte> pack_row(const uint16_t *samples, size_t count, int bit_depth) {
    std::vector<png_byte> row;
    if (bit_depth == 16) {
        for (size_t i = 0; i < count; ++i) {
            row.push_back(png_byte(samples[i] >> 8));
            row.push_back(png_byte(samples[i] & 0xff));
        }
    } else if (bit_depth == 8) {
        for (size_t i = 0; i < count; ++i) row.push_back(png_byte(samples[i]));
    } else {
        const int per_byte = 8 / bit_depth;
        row.assign((count + size_t(per_byte) - 1) / size_t(per_byte), 0);
        for (size_t i = 0; i < count; ++i) {
            int shift = 8 - bit_depth * int(i % size_t(per_byte) + 1);
            row[i / size_t(per_byte)] |= png_byte(samples[i] << shift);
        }
    }
    return row;
}

}  // namespace

std::string encode_raw_png(const RawPng &spec) {
    const size_t row_samples = size_t(spec.width) * size_t(spec.channels());
    if (spec.samples.size() != row_samples * spec.height) throw std::runtime_error("RawPng: wrong sample count");
    std::vector<std::vector<png_byte>> rows;
    std::vector<png_bytep> row_pointers;
    for (uint32_t y = 0; y < spec.height; ++y) {
        rows.push_back(pack_row(spec.samples.data() + y * row_samples, row_samples, spec.bit_depth));
    }
    for (auto &row : rows) row_pointers.push_back(row.data());

    std::vector<png_color> palette;
    for (size_t i = 0; i + 2 < spec.palette.size(); i += 3) {
        palette.push_back({spec.palette[i], spec.palette[i + 1], spec.palette[i + 2]});
    }
    png_color_16 transparent = {};
    if (spec.transparent_color.size() == 1) transparent.gray = spec.transparent_color[0];
    if (spec.transparent_color.size() == 3) {
        transparent.red = spec.transparent_color[0];
        transparent.green = spec.transparent_color[1];
        transparent.blue = spec.transparent_color[2];
    }
    std::vector<png_text> texts;
    for (const std::string &text : spec.texts) {
        png_text t = {};
        t.compression = PNG_TEXT_COMPRESSION_NONE;
        t.key = const_cast<char *>("Comment");
        t.text = const_cast<char *>(text.c_str());
        t.text_length = text.size();
        texts.push_back(t);
    }

    std::string out;
    Prepared prepared = {&spec, row_pointers.data(), palette.data(), transparent, texts.data(), int(texts.size()),
                         &out};
    if (!encode_c(&prepared)) throw std::runtime_error("RawPng: libpng refused the image");
    return out;
}

std::string be32(uint32_t value) {
    std::string out;
    for (int shift = 24; shift >= 0; shift -= 8) out += char((value >> shift) & 0xff);
    return out;
}

static uint32_t read_be32(const std::string &bytes, size_t offset) {
    uint32_t value = 0;
    for (size_t i = 0; i < 4; ++i) value = (value << 8) | uint8_t(bytes[offset + i]);
    return value;
}

std::vector<Chunk> list_chunks(const std::string &png) {
    std::vector<Chunk> chunks;
    for (size_t offset = 8; offset + 12 <= png.size();) {
        Chunk chunk{offset, read_be32(png, offset), png.substr(offset + 4, 4)};
        chunks.push_back(chunk);
        offset = chunk.crc_offset() + 4;
    }
    return chunks;
}

const Chunk &find_chunk(const std::vector<Chunk> &chunks, const std::string &type) {
    auto it = std::find_if(chunks.begin(), chunks.end(), [&](const Chunk &c) { return c.type == type; });
    if (it == chunks.end()) throw std::runtime_error("no " + type + " chunk");
    return *it;
}

void fix_crc(std::string &png, const Chunk &chunk) {
    uLong crc = crc32(0, reinterpret_cast<const Bytef *>(png.data() + chunk.offset + 4), uInt(chunk.length + 4));
    png.replace(chunk.crc_offset(), 4, be32(uint32_t(crc)));
}

std::string make_chunk(const std::string &type, const std::string &data) {
    std::string body = type + data;
    uLong crc = crc32(0, reinterpret_cast<const Bytef *>(body.data()), uInt(body.size()));
    return be32(uint32_t(data.size())) + body + be32(uint32_t(crc));
}

ScratchDir::ScratchDir() {
    std::string pattern = ::testing::TempDir() + "ksconv_test_XXXXXX";
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    dir_ = pattern;
}

ScratchDir::~ScratchDir() {
    for (const std::string &name : list()) std::remove(path(name).c_str());
    rmdir(dir_.c_str());
}

std::vector<std::string> ScratchDir::list() const {
    std::vector<std::string> names;
    if (DIR *d = opendir(dir_.c_str())) {
        while (dirent *entry = readdir(d)) {
            std::string name = entry->d_name;
            if (name != "." && name != "..") names.push_back(name);
        }
        closedir(d);
    }
    std::sort(names.begin(), names.end());
    return names;
}

std::string ScratchDir::write(const std::string &name, const std::string &bytes) const {
    std::ofstream(path(name), std::ios::binary) << bytes;
    return path(name);
}

std::string read_file(const std::string &path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace ksconv_test
