// PNG reading and writing with libpng.
//
// libpng reports errors by longjmp. Every libpng call here runs inside guarded(), whose
// setjmp frame and the lambda it calls hold only trivially destructible values, so the
// longjmp never skips a destructor; guarded() returns false and the caller throws. The C
// callbacks record what went wrong in a plain Channel struct instead of throwing.
#include <png.h>
#include <sys/stat.h>

#include <cerrno>
#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <limits>
#include <optional>
#include <string>

#include "ksconv/error.hpp"
#include "ksconv/png.hpp"
#include "temp_file.hpp"

namespace ksconv {
namespace {

constexpr bool kLittleEndian = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__;
constexpr png_uint_32 kMaxDimension = 0x7fffffff;       // PNG's own limit (2^31 - 1)
constexpr png_alloc_size_t kMaxChunkBytes = 64u << 20;  // bounds any one ancillary chunk
// Deflate codes at most 258 bytes in 2 bits, so N compressed bytes never hold more than
// 1032 * N bytes of image data.
constexpr uint64_t kMaxDeflateRatio = 1032;

// Known chunks whose content we never use: libpng skips them (checking only the CRC), so
// broken metadata such as a bad ICC profile cannot fail a read or cost memory.
constexpr png_byte kUnusedChunks[] =
    "bKGD\0cHRM\0eXIf\0gAMA\0hIST\0iCCP\0iTXt\0oFFs\0pCAL\0pHYs\0sBIT\0sCAL\0sPLT\0sRGB\0tEXt\0tIME\0zTXt";
constexpr int kUnusedChunkCount = int(sizeof kUnusedChunks / 5);

// What the C callbacks record; plain data, so longjmp may skip over frames that use it.
struct Channel {
    std::FILE *file = nullptr;  // reading
    int fd = -1;                // writing
    uint64_t offset = 0;        // bytes read so far, for the truncation message
    int io_errno = 0;           // a failed read or write
    bool truncated = false;     // the file ended early
    char message[256] = {};     // libpng's error message
    char warning[256] = {};     // its first warning, which may say what the error means
};

[[noreturn]] void on_error(png_structp png, png_const_charp message) {
    Channel *channel = static_cast<Channel *>(png_get_error_ptr(png));
    std::snprintf(channel->message, sizeof channel->message, "%s", message);
    png_longjmp(png, 1);
}

// libpng warns about things it recovers from; the library never prints, but keeps the
// first warning: libpng's "Invalid IHDR data" error (IHDR is the first chunk) gives the
// reason only in the warnings before it.
void on_warning(png_structp png, png_const_charp message) {
    Channel *channel = static_cast<Channel *>(png_get_error_ptr(png));
    if (channel->warning[0] == '\0') std::snprintf(channel->warning, sizeof channel->warning, "%s", message);
}

void read_data(png_structp png, png_bytep data, size_t length) {
    Channel *channel = static_cast<Channel *>(png_get_io_ptr(png));
    size_t got = std::fread(data, 1, length, channel->file);
    channel->offset += got;
    if (got == length) return;
    if (std::ferror(channel->file)) {
        channel->io_errno = errno != 0 ? errno : EIO;
        png_error(png, "read failed");
    }
    channel->truncated = true;
    png_error(png, "truncated");
}

void write_data(png_structp png, png_bytep data, size_t length) {
    Channel *channel = static_cast<Channel *>(png_get_io_ptr(png));
    channel->io_errno = detail::write_all(channel->fd, data, length);
    if (channel->io_errno != 0) png_error(png, "write failed");
}

void flush_data(png_structp) {}  // write_all does not buffer

// Runs fn with libpng's error longjmp landing here. fn may hold only trivially
// destructible locals. Returns false when libpng reported an error.
template <typename Fn>
bool guarded(png_structp png, const Fn &fn) {
    if (setjmp(png_jmpbuf(png)) != 0) return false;
    fn();
    return true;
}

// Keeps libpng's message on one short printable line.
std::string printable(const char *text) {
    std::string out;
    for (const char *c = text; *c != '\0' && out.size() < 200; ++c) out += (*c >= 0x20 && *c < 0x7f) ? *c : '?';
    return out;
}

std::string errno_text(int err) {
    return std::strerror(err);
}

std::string read_failure(const std::string &path, const Channel &channel) {
    if (channel.io_errno != 0) return path + ": read failed: " + errno_text(channel.io_errno);
    if (channel.truncated) {
        return path + ": truncated PNG data (the file ends after " + std::to_string(channel.offset) + " bytes)";
    }
    std::string message = path + ": cannot decode PNG: " + printable(channel.message);
    if (std::strcmp(channel.message, "Invalid IHDR data") == 0 && channel.warning[0] != '\0') {
        message += " (" + printable(channel.warning) + ")";
    }
    return message;
}

std::string write_failure(const std::string &path, const Channel &channel) {
    if (channel.io_errno != 0) return path + ": write failed: " + errno_text(channel.io_errno);
    return path + ": cannot encode PNG: " + printable(channel.message);
}

int color_type_for(int channels) {
    switch (channels) {
        case 1:
            return PNG_COLOR_TYPE_GRAY;
        case 2:
            return PNG_COLOR_TYPE_GRAY_ALPHA;
        case 3:
            return PNG_COLOR_TYPE_RGB;
        default:
            return PNG_COLOR_TYPE_RGBA;
    }
}

void check_writable(const std::string &path, const ImageFormat &format) {
    if (format.channels < 1 || format.channels > 4) {
        throw Error(path + ": cannot write a PNG with " + std::to_string(format.channels) +
                    " channels (1 to 4 are supported)");
    }
    if (format.bit_depth != 8 && format.bit_depth != 16) {
        throw Error(path + ": cannot write a PNG with bit depth " + std::to_string(format.bit_depth) +
                    " (8 and 16 are supported)");
    }
    if (format.width < 1 || format.width > kMaxDimension || format.height < 1 || format.height > kMaxDimension) {
        throw Error(path + ": cannot write a " + std::to_string(format.width) + "x" + std::to_string(format.height) +
                    " PNG (width and height must be 1 to " + std::to_string(kMaxDimension) + ")");
    }
}

}  // namespace

int64_t ImageFormat::row_bytes() const {
    return width * channels * bit_depth / 8;
}

// ---------------------------------------------------------------------------------------
// Reading.

struct PngReader::State {
    std::string path;
    Channel channel;
    png_structp png = nullptr;
    png_infop info = nullptr;
    ImageFormat format;
    bool interlaced = false;
    int64_t rows_read = 0;
    std::vector<uint8_t> whole;  // an interlaced image, decoded on the first read
    std::string failure;         // after a libpng error the decoder cannot go on

    ~State() {
        if (png != nullptr) png_destroy_read_struct(&png, info != nullptr ? &info : nullptr, nullptr);
        if (channel.file != nullptr) std::fclose(channel.file);
    }

    [[noreturn]] void fail() {
        failure = read_failure(path, channel);
        whole = {};
        throw Error(failure);
    }
};

PngReader::PngReader(const std::string &path, int64_t max_pixels) : state_(std::make_unique<State>()) {
    State &s = *state_;
    s.path = path;
    s.channel.file = std::fopen(path.c_str(), "rbe");
    if (s.channel.file == nullptr) {
        int err = errno;
        throw Error(path + ": cannot open: " + errno_text(err));
    }
    struct stat file_info;
    if (::fstat(fileno(s.channel.file), &file_info) != 0) {
        int err = errno;
        throw Error(path + ": cannot stat: " + errno_text(err));
    }
    if (S_ISDIR(file_info.st_mode)) throw Error(path + ": is a directory, not a PNG file");
    if (!S_ISREG(file_info.st_mode)) throw Error(path + ": not a regular file");

    // The signature first, so that "not a PNG" is told apart from a damaged PNG.
    png_byte signature[8];
    size_t got = std::fread(signature, 1, sizeof signature, s.channel.file);
    s.channel.offset = got;
    if (got < sizeof signature && std::ferror(s.channel.file)) {
        int err = errno != 0 ? errno : EIO;
        throw Error(path + ": read failed: " + errno_text(err));
    }
    if (got == 0) throw Error(path + ": not a PNG file (empty file)");
    if (png_sig_cmp(signature, 0, got) != 0) throw Error(path + ": not a PNG file (no PNG signature)");
    if (got < sizeof signature) {
        throw Error(path + ": truncated PNG data (the file ends after " + std::to_string(got) + " bytes)");
    }

    s.png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &s.channel, on_error, on_warning);
    if (s.png != nullptr) s.info = png_create_info_struct(s.png);
    if (s.info == nullptr) throw Error(path + ": cannot set up the PNG decoder (out of memory)");

    png_uint_32 width = 0, height = 0;
    int bit_depth = 0, color_type = 0, interlace = 0, file_channels = 0;
    bool ok = guarded(s.png, [&] {
        png_set_read_fn(s.png, &s.channel, read_data);
        png_set_sig_bytes(s.png, 8);
        // Our own pixel limit decides, not libpng's default of 1,000,000 per side.
        png_set_user_limits(s.png, kMaxDimension, kMaxDimension);
        png_set_chunk_malloc_max(s.png, kMaxChunkBytes);
        png_set_keep_unknown_chunks(s.png, PNG_HANDLE_CHUNK_NEVER, nullptr, 0);
        png_set_keep_unknown_chunks(s.png, PNG_HANDLE_CHUNK_NEVER, kUnusedChunks, kUnusedChunkCount);
        png_read_info(s.png, s.info);
        png_get_IHDR(s.png, s.info, &width, &height, &bit_depth, &color_type, &interlace, nullptr, nullptr);
        file_channels = png_get_channels(s.png, s.info);
    });
    if (!ok) s.fail();

    // The header alone decides the limit, before any row buffer exists.
    const int64_t pixels = int64_t(width) * int64_t(height);
    if (pixels > max_pixels) {
        throw LimitError(path + ": image " + std::to_string(width) + "x" + std::to_string(height) + " has " +
                         std::to_string(pixels) + " pixels, more than the limit " + std::to_string(max_pixels));
    }
    // A header whose image data could not fit in the rest of the file is refused here, so
    // that no caller sizes buffers from it (a 100-byte file may claim 16384x16384 pixels).
    const uint64_t file_bytes = uint64_t(file_info.st_size);
    const uint64_t left = file_bytes > s.channel.offset ? file_bytes - s.channel.offset : 0;
    const uint64_t min_row_bytes = uint64_t(width) * uint64_t(file_channels) * uint64_t(bit_depth) / 8;
    if (left < std::numeric_limits<uint64_t>::max() / kMaxDeflateRatio / 2 &&
        min_row_bytes > (left + 1) * kMaxDeflateRatio / height) {
        throw Error(path + ": truncated PNG data (a " + std::to_string(width) + "x" + std::to_string(height) +
                    " image needs more than the " + std::to_string(left) + " bytes left in the file)");
    }

    ok = guarded(s.png, [&] {
        if (color_type == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(s.png);
        if (color_type == PNG_COLOR_TYPE_GRAY && bit_depth < 8) png_set_expand_gray_1_2_4_to_8(s.png);
        if (png_get_valid(s.png, s.info, PNG_INFO_tRNS) != 0) png_set_tRNS_to_alpha(s.png);
        if (kLittleEndian && bit_depth == 16) png_set_swap(s.png);
        if (interlace != PNG_INTERLACE_NONE) png_set_interlace_handling(s.png);
        png_read_update_info(s.png, s.info);
        // From here on the pixels must be exact: libpng's "benign" errors in the image data
        // (a failed zlib checksum, bytes after the end of the zlib stream) become errors.
        png_set_benign_errors(s.png, 0);
    });
    if (!ok) s.fail();

    s.interlaced = interlace != PNG_INTERLACE_NONE;
    s.format.width = width;
    s.format.height = height;
    s.format.channels = png_get_channels(s.png, s.info);
    s.format.bit_depth = png_get_bit_depth(s.png, s.info);
    const bool layout_ok = s.format.channels >= 1 && s.format.channels <= 4 &&
                           (s.format.bit_depth == 8 || s.format.bit_depth == 16) &&
                           png_get_rowbytes(s.png, s.info) == size_t(s.format.row_bytes());
    if (!layout_ok) {
        throw Error(path + ": unexpected decoded layout (" + std::to_string(s.format.channels) + " channels, " +
                    std::to_string(s.format.bit_depth) + " bits)");
    }
    // A caller's limit may be far above the default; the whole image must still be addressable.
    if (s.format.height > std::numeric_limits<int64_t>::max() / s.format.row_bytes()) {
        throw Error(path + ": image " + std::to_string(width) + "x" + std::to_string(height) + " is too large");
    }
}

PngReader::~PngReader() = default;

const ImageFormat &PngReader::format() const {
    return state_->format;
}

bool PngReader::interlaced() const {
    return state_->interlaced;
}

void PngReader::read_rows(void *dst, int64_t count) {
    State &s = *state_;
    if (!s.failure.empty()) throw Error(s.failure);
    const int64_t remaining = s.format.height - s.rows_read;
    if (count < 0 || count > remaining) {
        throw Error(s.path + ": asked for " + std::to_string(count) + " rows but only " + std::to_string(remaining) +
                    " remain");
    }
    if (count == 0) return;
    const size_t row_bytes = size_t(s.format.row_bytes());
    png_bytep out = static_cast<png_bytep>(dst);

    if (s.interlaced) {
        // Adam7 spreads every row over seven passes, so the whole image is decoded at once.
        if (s.rows_read == 0) {
            s.whole.resize(size_t(s.format.height) * row_bytes);
            std::vector<png_bytep> rows(size_t(s.format.height));
            for (size_t y = 0; y < rows.size(); ++y) rows[y] = s.whole.data() + y * row_bytes;
            png_bytepp row_pointers = rows.data();
            if (!guarded(s.png, [&] {
                    png_read_image(s.png, row_pointers);
                    png_read_end(s.png, nullptr);
                })) {
                s.fail();
            }
        }
        std::memcpy(out, s.whole.data() + size_t(s.rows_read) * row_bytes, size_t(count) * row_bytes);
        s.rows_read += count;
        if (s.rows_read == s.format.height) s.whole = {};
        return;
    }

    const bool last = count == remaining;
    if (!guarded(s.png, [&] {
            for (int64_t y = 0; y < count; ++y) png_read_row(s.png, out + size_t(y) * row_bytes, nullptr);
            if (last) png_read_end(s.png, nullptr);  // checks the trailing chunks and IEND
        })) {
        s.fail();
    }
    s.rows_read += count;
}

Image read_png(const std::string &path, int64_t max_pixels) {
    PngReader reader(path, max_pixels);
    Image image;
    image.format = reader.format();
    image.data.resize(size_t(image.format.height * image.format.row_bytes()));
    reader.read_rows(image.data.data(), image.format.height);
    return image;
}

// ---------------------------------------------------------------------------------------
// Writing.

struct PngWriter::State {
    std::string path;
    ImageFormat format;
    std::optional<detail::TempFile> temp;
    Channel channel;
    png_structp png = nullptr;
    png_infop info = nullptr;
    int64_t rows_written = 0;
    bool committed = false;
    std::string failure;  // after an error the encoder cannot go on

    ~State() {
        if (png != nullptr) png_destroy_write_struct(&png, info != nullptr ? &info : nullptr);
        // temp, destroyed after this body, removes the temporary file unless committed.
    }

    [[noreturn]] void fail(const std::string &message) {
        failure = message;
        temp.reset();  // no partial output, even while the writer object lives on
        throw Error(failure);
    }
};

PngWriter::PngWriter(const std::string &path, const ImageFormat &format) : state_(std::make_unique<State>()) {
    check_writable(path, format);
    State &s = *state_;
    s.path = path;
    s.format = format;
    s.temp.emplace(path);
    s.channel.fd = s.temp->fd();

    s.png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &s.channel, on_error, on_warning);
    if (s.png != nullptr) s.info = png_create_info_struct(s.png);
    if (s.info == nullptr) s.fail(path + ": cannot set up the PNG encoder (out of memory)");

    const png_uint_32 width = png_uint_32(format.width), height = png_uint_32(format.height);
    const int bit_depth = format.bit_depth, color_type = color_type_for(format.channels);
    if (!guarded(s.png, [&] {
            png_set_write_fn(s.png, &s.channel, write_data, flush_data);
            png_set_user_limits(s.png, kMaxDimension, kMaxDimension);  // libpng's default is 10^6
            png_set_compression_buffer_size(s.png, 1 << 16);           // fewer, larger IDAT chunks
            png_set_IHDR(s.png, s.info, width, height, bit_depth, color_type, PNG_INTERLACE_NONE,
                         PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
            png_write_info(s.png, s.info);
            if (kLittleEndian && bit_depth == 16) png_set_swap(s.png);  // PNG stores big-endian
        })) {
        s.fail(write_failure(path, s.channel));
    }
}

PngWriter::~PngWriter() = default;

void PngWriter::write_rows(const void *src, int64_t count) {
    State &s = *state_;
    if (!s.failure.empty()) throw Error(s.failure);
    const int64_t remaining = s.format.height - s.rows_written;
    if (count < 0 || count > remaining) {
        throw Error(s.path + ": given " + std::to_string(count) + " rows to write but only " +
                    std::to_string(remaining) + " remain");
    }
    const size_t row_bytes = size_t(s.format.row_bytes());
    // libpng's row pointer is not const, but it only reads from it when writing.
    png_bytep in = static_cast<png_bytep>(const_cast<void *>(src));
    if (!guarded(s.png, [&] {
            for (int64_t y = 0; y < count; ++y) png_write_row(s.png, in + size_t(y) * row_bytes);
        })) {
        s.fail(write_failure(s.path, s.channel));
    }
    s.rows_written += count;
}

void PngWriter::commit() {
    State &s = *state_;
    if (!s.failure.empty()) throw Error(s.failure);
    if (s.committed) throw Error(s.path + ": PNG already committed");
    if (s.rows_written != s.format.height) {
        s.fail(s.path + ": only " + std::to_string(s.rows_written) + " of " + std::to_string(s.format.height) +
               " rows were written");
    }
    if (!guarded(s.png, [&] { png_write_end(s.png, nullptr); })) s.fail(write_failure(s.path, s.channel));
    try {
        s.temp->commit();
    } catch (const Error &e) {
        s.fail(e.what());
    }
    s.committed = true;
}

void write_png(const std::string &path, const Image &image) {
    check_writable(path, image.format);
    const uint64_t expected = uint64_t(image.format.height) * uint64_t(image.format.row_bytes());
    if (image.data.size() != expected) {
        throw Error(path + ": a " + std::to_string(image.format.width) + "x" + std::to_string(image.format.height) +
                    " image with " + std::to_string(image.format.channels) + " channels of " +
                    std::to_string(image.format.bit_depth) + " bits needs " + std::to_string(expected) +
                    " bytes but the image holds " + std::to_string(image.data.size()));
    }
    PngWriter writer(path, image.format);
    writer.write_rows(image.data.data(), image.format.height);
    writer.commit();
}

}  // namespace ksconv
