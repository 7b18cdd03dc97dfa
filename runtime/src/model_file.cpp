// Reading FSRCNN .ksm model files (layout in models/README.md). Little-endian throughout:
//   "KSFSRCNN", uint32 version, scale, d, s, m, layer count          (32 bytes)
//   per layer: uint32 kind, out, in, kh, kw, stride, padding, output_padding, prelu count
//   per layer: float32 weights, bias, PReLU slopes
//   uint32 CRC-32 (zlib's) of every byte before it
// The header is checked against FSRCNN's structure before any size is trusted, so the
// payload size it implies is bounded and compared with the file size before allocating.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "file_descriptor.hpp"
#include "ksconv/error.hpp"
#include "ksconv/model.hpp"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "ksconv's model reader assumes a little-endian host"
#endif

namespace ksconv {
namespace {

constexpr char kMagic[8] = {'K', 'S', 'F', 'S', 'R', 'C', 'N', 'N'};
constexpr size_t kHeaderBytes = 8 + 6 * 4;
constexpr size_t kLayerFields = 9;
constexpr size_t kLayerBytes = kLayerFields * 4;
constexpr size_t kChecksumBytes = 4;

using Model = FsrcnnModel;
using Kind = FsrcnnModel::LayerKind;

// With d, s, m at their limits (m + 4 layers, none above 81 d s + 2 d floats) the payload
// is under 2^33 floats, so none of the size arithmetic below (in uint64) can overflow.
constexpr uint64_t kMaxFloats = uint64_t(kFsrcnnMaxMapping + 4) * (81 + 2) * kFsrcnnMaxChannels * kFsrcnnMaxChannels;
static_assert(kMaxFloats < (uint64_t(1) << 33), "payload bound");

// One layer's header record: nine uint32 in file order.
enum Field { kKind, kOut, kIn, kKernelH, kKernelW, kStride, kPadding, kOutputPadding, kPreluCount };
using LayerRecord = std::array<uint32_t, kLayerFields>;
constexpr const char *kFieldNames[kLayerFields] = {"kind",   "out_channels", "in_channels",    "kernel_h",   "kernel_w",
                                                   "stride", "padding",      "output_padding", "prelu_count"};

std::string layer_name(size_t index, int m) {
    std::string number = "layer " + std::to_string(index);
    if (index == 0) return number + " (feature extraction)";
    if (index == 1) return number + " (shrinking)";
    if (index < size_t(m) + 2) return number + " (mapping " + std::to_string(index - 1) + ")";
    if (index == size_t(m) + 2) return number + " (expanding)";
    return number + " (deconvolution)";
}

// The records FSRCNN(d, s, m) has at `scale`.
std::vector<LayerRecord> expected_layers(uint32_t scale, uint32_t d, uint32_t s, uint32_t m) {
    auto conv = [](uint32_t out, uint32_t in, uint32_t k) { return LayerRecord{0, out, in, k, k, 1, k / 2, 0, out}; };
    std::vector<LayerRecord> layers = {conv(d, 1, 5), conv(s, d, 1)};
    for (uint32_t i = 0; i < m; ++i) layers.push_back(conv(s, s, 3));
    layers.push_back(conv(d, s, 1));
    layers.push_back(LayerRecord{1, 1, d, 9, 9, scale, 4, scale - 1, 0});
    return layers;
}

uint64_t weight_count(const LayerRecord &r) {
    return uint64_t(r[kOut]) * r[kIn] * r[kKernelH] * r[kKernelW];
}

uint64_t float_count(const LayerRecord &r) {
    return weight_count(r) + r[kOut] + r[kPreluCount];
}

uint32_t le32(const unsigned char *p) {
    return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}

std::string hex32(uint32_t value) {
    char text[11];
    std::snprintf(text, sizeof text, "0x%08x", unsigned(value));
    return text;
}

// Explains the first field of `got` that differs from `want`: the deconvolution's against
// the scale, in_channels against the previous layer's out_channels, the rest plainly.
[[noreturn]] void shape_error(const std::string &path, size_t index, int m, const LayerRecord &got,
                              const LayerRecord &want, uint32_t scale) {
    const std::string where = path + ": " + layer_name(index, m);
    const bool deconv = want[kKind] == 1;
    if (got[kKind] != want[kKind]) {
        throw Error(where + " has kind " + std::to_string(got[kKind]) + ", expected " +
                    (deconv ? "1 (deconvolution)" : "0 (convolution)"));
    }
    for (size_t i = kOut; i < kLayerFields; ++i) {
        const uint32_t g = got[i], w = want[i];
        if (g == w) continue;
        const std::string what = where + " has " + kFieldNames[i] + " " + std::to_string(g);
        if (i == kIn && index > 0) {
            throw Error(what + ", but the layer before it gives " + std::to_string(w) + " channels");
        }
        if (deconv && i == kStride) throw Error(what + ", expected the scale " + std::to_string(scale));
        if (deconv && i == kOutputPadding) throw Error(what + ", expected scale - 1 = " + std::to_string(w));
        throw Error(what + ", expected " + std::to_string(w));
    }
    throw Error(where + " does not match FSRCNN");  // unreachable: the records differ somewhere
}

using detail::Fd;

// Appends up to `size` bytes of the file to `bytes`; returns how many it got before the end.
size_t read_more(const std::string &path, int fd, std::vector<unsigned char> &bytes, size_t size) {
    const size_t start = bytes.size();
    bytes.resize(start + size);
    size_t done = 0;
    while (done < size) {
        ssize_t n = ::read(fd, bytes.data() + start + done, size - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            int err = errno;
            throw Error(path + ": read failed: " + std::strerror(err));
        }
        if (n == 0) break;
        done += size_t(n);
    }
    bytes.resize(start + done);
    return done;
}

// Header fields after the magic: checked one by one, each against its rule.
struct Header {
    uint32_t version, scale, d, s, m, layer_count;
};

void check_header(const std::string &path, const Header &h) {
    if (h.version != uint32_t(kFsrcnnFormatVersion)) {
        throw Error(path + ": unsupported format version " + std::to_string(h.version) + " (this reader knows " +
                    std::to_string(kFsrcnnFormatVersion) + ")");
    }
    if (h.scale < 2 || h.scale > 4) {
        throw Error(path + ": scale " + std::to_string(h.scale) + " is not supported (2, 3 or 4)");
    }
    const struct {
        const char *name;
        uint32_t value, low, high;
    } sizes[] = {
        {"d", h.d, 1, kFsrcnnMaxChannels}, {"s", h.s, 1, kFsrcnnMaxChannels}, {"m", h.m, 0, kFsrcnnMaxMapping}};
    for (const auto &size : sizes) {
        if (size.value < size.low || size.value > size.high) {
            throw Error(path + ": " + size.name + " " + std::to_string(size.value) + " is out of range " +
                        std::to_string(size.low) + ".." + std::to_string(size.high));
        }
    }
    if (h.layer_count != h.m + 4) {
        throw Error(path + ": layer count " + std::to_string(h.layer_count) +
                    " does not match FSRCNN(d=" + std::to_string(h.d) + ", s=" + std::to_string(h.s) +
                    ", m=" + std::to_string(h.m) + "), which has " + std::to_string(h.m + 4) + " layers");
    }
}

// Copies `count` floats from the payload at `pos`, refusing NaN and infinities.
std::vector<float> take_floats(const std::string &path, const std::string &what, const unsigned char *payload,
                               size_t &pos, uint64_t count) {
    std::vector<float> values(static_cast<size_t>(count));
    if (count > 0) std::memcpy(values.data(), payload + pos, size_t(count) * sizeof(float));
    pos += size_t(count) * sizeof(float);
    for (size_t i = 0; i < values.size(); ++i) {
        if (!std::isfinite(values[i])) {
            throw Error(path + ": " + what + "[" + std::to_string(i) + "] is " +
                        (std::isnan(values[i]) ? "NaN"
                         : values[i] > 0       ? "+inf"
                                               : "-inf"));
        }
    }
    return values;
}

}  // namespace

FsrcnnModel read_fsrcnn_model(const std::string &path) {
    Fd file(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (file.get() < 0) {
        int err = errno;
        throw Error(path + ": cannot open: " + std::strerror(err));
    }
    struct stat info;
    if (::fstat(file.get(), &info) != 0) {
        int err = errno;
        throw Error(path + ": cannot stat: " + std::strerror(err));
    }
    if (S_ISDIR(info.st_mode)) throw Error(path + ": is a directory, not a model file");
    if (!S_ISREG(info.st_mode)) throw Error(path + ": not a regular file");
    const uint64_t file_size = uint64_t(info.st_size);

    std::vector<unsigned char> bytes;
    const size_t got = read_more(path, file.get(), bytes, kHeaderBytes);
    if (got == 0) throw Error(path + ": not an FSRCNN model file (empty file)");
    if (std::memcmp(bytes.data(), kMagic, std::min(got, sizeof kMagic)) != 0) {
        throw Error(path + ": not an FSRCNN model file (bad magic)");
    }
    if (got < kHeaderBytes) {
        throw Error(path + ": truncated header (file has " + std::to_string(got) + " bytes, the header needs " +
                    std::to_string(kHeaderBytes) + ")");
    }
    const unsigned char *p = bytes.data() + sizeof kMagic;
    const Header h{le32(p), le32(p + 4), le32(p + 8), le32(p + 12), le32(p + 16), le32(p + 20)};
    check_header(path, h);

    const size_t table_bytes = kLayerBytes * h.layer_count;
    if (read_more(path, file.get(), bytes, table_bytes) != table_bytes) {
        throw Error(path + ": truncated header (file ends inside the layer table: " + std::to_string(file_size) +
                    " bytes, the table ends at " + std::to_string(kHeaderBytes + table_bytes) + ")");
    }
    const std::vector<LayerRecord> want = expected_layers(h.scale, h.d, h.s, h.m);
    uint64_t floats = 0;
    for (size_t i = 0; i < want.size(); ++i) {
        LayerRecord got_layer;
        for (size_t k = 0; k < kLayerFields; ++k) {
            got_layer[k] = le32(bytes.data() + kHeaderBytes + i * kLayerBytes + 4 * k);
        }
        if (got_layer != want[i]) shape_error(path, i, int(h.m), got_layer, want[i], h.scale);
        floats += float_count(want[i]);
    }

    // Every size is now known and bounded: compare with the file before allocating.
    const uint64_t header_end = kHeaderBytes + table_bytes;
    const uint64_t expected_size = header_end + floats * sizeof(float) + kChecksumBytes;
    if (file_size < expected_size) {
        throw Error(path + ": truncated payload (the header implies " + std::to_string(expected_size) +
                    " bytes, file has " + std::to_string(file_size) + ")");
    }
    if (file_size > expected_size) {
        throw Error(path + ": " + std::to_string(file_size - expected_size) + " unexpected bytes after the checksum");
    }
    const size_t rest = size_t(expected_size - header_end);
    if (read_more(path, file.get(), bytes, rest) != rest) {
        throw Error(path + ": truncated payload (file shrank while reading)");
    }

    const size_t checked = bytes.size() - kChecksumBytes;
    const uint32_t stored = le32(bytes.data() + checked);
    const uint32_t actual = uint32_t(crc32_z(crc32(0L, Z_NULL, 0), bytes.data(), checked));
    if (stored != actual) {
        throw Error(path + ": checksum mismatch (file says " + hex32(stored) + ", contents give " + hex32(actual) +
                    ")");
    }

    FsrcnnModel model;
    model.scale = int(h.scale);
    model.d = int(h.d);
    model.s = int(h.s);
    model.m = int(h.m);
    const unsigned char *payload = bytes.data() + header_end;
    size_t pos = 0;
    for (size_t i = 0; i < want.size(); ++i) {
        const LayerRecord &r = want[i];
        const std::string name = layer_name(i, model.m);
        Model::Layer layer;
        layer.kind = r[kKind] == 1 ? Kind::deconv : Kind::conv;
        layer.out_channels = int(r[kOut]);
        layer.in_channels = int(r[kIn]);
        layer.kernel_h = int(r[kKernelH]);
        layer.kernel_w = int(r[kKernelW]);
        layer.stride = int(r[kStride]);
        layer.padding = int(r[kPadding]);
        layer.output_padding = int(r[kOutputPadding]);
        layer.weights = take_floats(path, name + " weights", payload, pos, weight_count(r));
        layer.bias = take_floats(path, name + " bias", payload, pos, r[kOut]);
        layer.prelu = take_floats(path, name + " PReLU slopes", payload, pos, r[kPreluCount]);
        model.layers.push_back(std::move(layer));
    }
    return model;
}

FsrcnnModel read_fsrcnn_model(const std::string &path, int scale) {
    FsrcnnModel model = read_fsrcnn_model(path);
    if (model.scale != scale) {
        throw Error(path + ": the model upscales by " + std::to_string(model.scale) + ", not by " +
                    std::to_string(scale));
    }
    return model;
}

}  // namespace ksconv
