// NumPy .npy reading and writing (format versions 1.0, 2.0 and 3.0; float32, C order).
//
// File layout: the magic "\x93NUMPY", a major and a minor version byte, the header length
// (uint16 little-endian in 1.0, uint32 in 2.0 and 3.0), then the header: a Python dict
// literal such as {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), } padded with
// spaces and a final '\n'. The raw array data follows.
#include "ksconv/npy.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "file_descriptor.hpp"
#include "ksconv/error.hpp"
#include "temp_file.hpp"

// The float data is read and written as raw bytes; .npy '<f4' is little-endian.
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "ksconv's .npy I/O assumes a little-endian host"
#endif

namespace ksconv {
namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicSize = 6;
constexpr size_t kMaxHeaderSize = size_t(1) << 20;
constexpr size_t kAlign = 64;                // NumPy aligns the data offset to 64 bytes
constexpr size_t kGrowthAxisMaxDigits = 21;  // NumPy's spare room after the header dict
constexpr int kMaxNesting = 16;              // bounds recursion on hostile headers

std::string errno_text(int err) { return std::strerror(err); }

// Keeps a header-derived string on one short line inside an error message.
std::string printable(const std::string &text) {
    constexpr size_t kMaxShown = 40;
    std::string out;
    for (char c : text.substr(0, kMaxShown)) {
        out += (c >= 0x20 && c < 0x7f) ? c : '?';
    }
    if (text.size() > kMaxShown) out += "...";
    return out;
}

// Python's repr of a shape tuple: (), (5,), (2, 3).
std::string format_shape(const std::vector<int64_t> &shape) {
    std::string out = "(";
    for (size_t i = 0; i < shape.size(); ++i) {
        if (i > 0) out += ", ";
        out += std::to_string(shape[i]);
    }
    if (shape.size() == 1) out += ",";
    return out + ")";
}

using detail::Fd;

// ---------------------------------------------------------------------------------------
// Header parsing: a small parser for the subset of Python literals NumPy writes.

struct Value {
    enum class Kind { String, Int, Bool, None, Tuple, List };
    Kind kind = Kind::None;
    std::string text;          // String contents, or Int digits with an optional '-'
    bool boolean = false;      // Bool
    std::vector<Value> items;  // Tuple, List
    bool paren_only = false;   // "(5)" is an int in Python, not a tuple
};

class HeaderParser {
public:
    HeaderParser(const std::string &path, const std::string &text) : path_(path), text_(text) {}

    // Parses the whole header into its three entries; anything else is malformed.
    void parse(std::optional<Value> &descr, std::optional<Value> &fortran_order,
               std::optional<Value> &shape) {
        skip_space();
        expect('{');
        skip_space();
        while (peek() != '}') {
            Value key = parse_value(0);
            if (key.kind != Value::Kind::String) fail("dictionary keys must be strings");
            skip_space();
            expect(':');
            std::optional<Value> *slot = key.text == "descr"           ? &descr
                                         : key.text == "fortran_order" ? &fortran_order
                                         : key.text == "shape"         ? &shape
                                                                       : nullptr;
            if (slot == nullptr) fail("unexpected key '" + printable(key.text) + "'");
            if (slot->has_value()) fail("duplicate key '" + key.text + "'");
            *slot = parse_value(0);
            skip_space();
            if (peek() == ',') {
                ++pos_;
                skip_space();
            } else if (peek() != '}') {
                fail("expected ',' or '}'");
            }
        }
        ++pos_;
        skip_space();
        if (pos_ != text_.size()) fail("unexpected text after the dictionary");
    }

private:
    [[noreturn]] void fail(const std::string &what) const {
        std::string where = pos_ < text_.size()
                                ? "at byte " + std::to_string(pos_) + " of the header"
                                : "at the end of the header";
        throw Error(path_ + ": malformed header: " + what + " (" + where + ")");
    }

    char peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }

    void skip_space() {
        while (peek() == ' ' || peek() == '\t' || peek() == '\r' || peek() == '\n') ++pos_;
    }

    void expect(char c) {
        if (peek() != c) fail(std::string("expected '") + c + "'");
        ++pos_;
    }

    static bool is_digit(char c) { return c >= '0' && c <= '9'; }
    static bool is_name_char(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '_';
    }

    Value parse_value(int depth) {
        if (depth > kMaxNesting) fail("nested too deeply");
        skip_space();
        char c = peek();
        if (c == '\'' || c == '"') return parse_string();
        if (c == '-' || is_digit(c)) return parse_int();
        if (c == '(' || c == '[') return parse_sequence(depth);
        if (is_name_char(c)) return parse_name();
        if (pos_ >= text_.size()) fail("expected a value");
        fail(std::string("unexpected character '") + printable(std::string(1, c)) + "'");
    }

    Value parse_string() {
        Value value;
        value.kind = Value::Kind::String;
        char quote = text_[pos_++];
        while (peek() != quote) {
            if (pos_ >= text_.size()) fail("unterminated string");
            if (text_[pos_] == '\\') ++pos_;  // NumPy never escapes; take the next char as is
            if (pos_ >= text_.size()) fail("unterminated string");
            value.text += text_[pos_++];
        }
        ++pos_;
        return value;
    }

    Value parse_int() {
        Value value;
        value.kind = Value::Kind::Int;
        if (peek() == '-') value.text += text_[pos_++];
        if (!is_digit(peek())) fail("expected a digit after '-'");
        while (is_digit(peek())) value.text += text_[pos_++];
        if (peek() == 'L') ++pos_;  // Python 2 wrote long integers as 5L
        if (is_name_char(peek()) || peek() == '.') fail("expected an integer");
        return value;
    }

    Value parse_name() {
        std::string name;
        while (is_name_char(peek())) name += text_[pos_++];
        Value value;
        if (name == "True" || name == "False") {
            value.kind = Value::Kind::Bool;
            value.boolean = name == "True";
        } else if (name == "None") {
            value.kind = Value::Kind::None;
        } else {
            fail("unexpected name '" + printable(name) + "'");
        }
        return value;
    }

    Value parse_sequence(int depth) {
        Value value;
        char close = text_[pos_] == '(' ? ')' : ']';
        value.kind = close == ')' ? Value::Kind::Tuple : Value::Kind::List;
        ++pos_;
        bool saw_comma = false;
        skip_space();
        while (peek() != close) {
            value.items.push_back(parse_value(depth + 1));
            skip_space();
            if (peek() == ',') {
                saw_comma = true;
                ++pos_;
                skip_space();
            } else if (peek() != close) {
                fail(std::string("expected ',' or '") + close + "'");
            }
        }
        ++pos_;
        value.paren_only = close == ')' && value.items.size() == 1 && !saw_comma;
        return value;
    }

    const std::string &path_;
    const std::string &text_;
    size_t pos_ = 0;
};

// Converts one shape entry to int64, rejecting what does not fit or is negative.
int64_t parse_dimension(const std::string &path, const std::string &digits) {
    bool negative = digits[0] == '-';
    uint64_t magnitude = 0;
    for (size_t i = negative ? 1 : 0; i < digits.size(); ++i) {
        uint64_t digit = uint64_t(digits[i] - '0');
        if (magnitude > (uint64_t(std::numeric_limits<int64_t>::max()) - digit) / 10) {
            throw Error(path + ": dimension " + printable(digits) +
                        " in the shape does not fit in 64 bits");
        }
        magnitude = magnitude * 10 + digit;
    }
    if (negative && magnitude != 0) {
        throw Error(path + ": negative dimension " + printable(digits) + " in the shape");
    }
    return int64_t(magnitude);
}

// Multiplies the non-zero extents, stopping at the first product above `limit` (so it never
// overflows). Ignoring zeros keeps Tensor::element_count(), which multiplies left to right,
// overflow-free even for shapes such as (2^40, 2^40, 0).
std::optional<int64_t> nonzero_product(const std::vector<int64_t> &shape, int64_t limit) {
    int64_t product = 1;
    for (int64_t extent : shape) {
        if (extent == 0) continue;
        if (product > limit / extent) return std::nullopt;
        product *= extent;
    }
    return product;
}

std::vector<int64_t> parse_shape(const std::string &path, const std::optional<Value> &value,
                                 int64_t max_elements) {
    bool valid = value->kind == Value::Kind::Tuple && !value->paren_only;
    for (const Value &item : value->items) valid = valid && item.kind == Value::Kind::Int;
    if (!valid) throw Error(path + ": malformed header: 'shape' must be a tuple of integers");

    std::vector<int64_t> shape;
    for (const Value &item : value->items) shape.push_back(parse_dimension(path, item.text));

    const int64_t limit = std::max<int64_t>(max_elements, 0);
    if (nonzero_product(shape, limit)) return shape;

    // Too large: say by how much, when the count fits in 64 bits at all.
    bool has_zero = std::find(shape.begin(), shape.end(), 0) != shape.end();
    std::optional<int64_t> count = nonzero_product(shape, std::numeric_limits<int64_t>::max());
    std::string prefix = path + ": shape " + format_shape(shape);
    if (has_zero) {
        throw LimitError(prefix + " has extents whose product exceeds the limit of " + std::to_string(limit) +
                         " elements");
    }
    if (!count) {
        throw LimitError(prefix + " has more elements than fit in 64 bits (limit " + std::to_string(limit) + ")");
    }
    throw LimitError(prefix + " has " + std::to_string(*count) + " elements, more than the limit of " +
                     std::to_string(limit));
}

// ---------------------------------------------------------------------------------------
// Low-level I/O.

// Reads exactly `size` bytes unless the file ends first; returns how many were read.
size_t read_fully(const std::string &path, int fd, char *buffer, size_t size) {
    size_t done = 0;
    while (done < size) {
        ssize_t n = ::read(fd, buffer + done, size - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            int err = errno;
            throw Error(path + ": read failed: " + errno_text(err));
        }
        if (n == 0) break;
        done += size_t(n);
    }
    return done;
}

uint32_t read_le(const unsigned char *bytes, size_t count) {
    uint32_t value = 0;
    for (size_t i = count; i-- > 0;) value = (value << 8) | bytes[i];
    return value;
}

// The header NumPy writes for this shape, byte for byte, including the preamble.
std::string make_header(const std::vector<int64_t> &shape) {
    std::string dict =
        "{'descr': '<f4', 'fortran_order': False, 'shape': " + format_shape(shape) + ", }";
    if (!shape.empty()) {
        size_t digits = std::to_string(shape[0]).size();
        dict.append(kGrowthAxisMaxDigits - std::min(digits, kGrowthAxisMaxDigits), ' ');
    }
    for (int major : {1, 2}) {
        size_t length_size = major == 1 ? 2 : 4;
        size_t preamble = kMagicSize + 2 + length_size;
        size_t unpadded = dict.size() + 1;  // + the final '\n'
        size_t padding = kAlign - (preamble + unpadded) % kAlign;
        size_t header_size = unpadded + padding;
        if (major == 1 && header_size > 0xffff) continue;

        std::string out(kMagic, kMagicSize);
        out += char(major);
        out += char(0);
        for (size_t i = 0; i < length_size; ++i) out += char((header_size >> (8 * i)) & 0xff);
        out += dict;
        out.append(padding, ' ');
        out += '\n';
        return out;
    }
    return {};  // unreachable: a version 2.0 header holds 4 GiB
}

}  // namespace

Tensor read_npy(const std::string &path, int64_t max_elements) {
    Fd file(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (file.get() < 0) {
        int err = errno;
        throw Error(path + ": cannot open: " + errno_text(err));
    }
    struct stat info;
    if (::fstat(file.get(), &info) != 0) {
        int err = errno;
        throw Error(path + ": cannot stat: " + errno_text(err));
    }
    if (S_ISDIR(info.st_mode)) throw Error(path + ": is a directory, not a .npy file");
    if (!S_ISREG(info.st_mode)) throw Error(path + ": not a regular file");
    const uint64_t file_size = uint64_t(info.st_size);

    // Preamble: magic, version, header length.
    unsigned char preamble[12];
    size_t got = read_fully(path, file.get(), reinterpret_cast<char *>(preamble), 8);
    if (got == 0) throw Error(path + ": not a .npy file (empty file)");
    if (std::memcmp(preamble, kMagic, std::min(got, kMagicSize)) != 0) {
        throw Error(path + ": not a .npy file (bad magic)");
    }
    if (got < 8) {
        throw Error(path + ": truncated header (file has only " + std::to_string(got) + " bytes)");
    }
    const int major = preamble[6], minor = preamble[7];
    if (major < 1 || major > 3 || minor != 0) {
        throw Error(path + ": unsupported .npy format version " + std::to_string(major) + "." +
                    std::to_string(minor) + " (only 1.0, 2.0 and 3.0 are supported)");
    }
    const size_t length_size = major == 1 ? 2 : 4;
    if (read_fully(path, file.get(), reinterpret_cast<char *>(preamble + 8), length_size) !=
        length_size) {
        throw Error(path + ": truncated header (file ends inside the header length)");
    }
    const uint32_t header_size = read_le(preamble + 8, length_size);
    const uint64_t data_offset = 8 + length_size + uint64_t(header_size);
    if (header_size > kMaxHeaderSize) {
        throw Error(path + ": header length " + std::to_string(header_size) +
                    " exceeds the limit of " + std::to_string(kMaxHeaderSize) + " bytes");
    }
    if (data_offset > file_size) {
        uint64_t available = std::max<uint64_t>(file_size, 8 + length_size) - 8 - length_size;
        throw Error(path + ": truncated header (expected " + std::to_string(header_size) +
                    " bytes, file has " + std::to_string(available) + ")");
    }

    std::string header(header_size, '\0');
    if (read_fully(path, file.get(), header.data(), header_size) != header_size) {
        throw Error(path + ": truncated header (file shrank while reading)");
    }
    std::optional<Value> descr, fortran_order, shape_value;
    HeaderParser(path, header).parse(descr, fortran_order, shape_value);
    const std::pair<const std::optional<Value> *, const char *> required[] = {
        {&descr, "descr"}, {&fortran_order, "fortran_order"}, {&shape_value, "shape"}};
    for (const auto &[value, key] : required) {
        if (!value->has_value()) {
            throw Error(path + ": malformed header: missing key '" + key + "'");
        }
    }

    if (descr->kind != Value::Kind::String) {
        throw Error(path +
                    ": unsupported dtype (structured dtypes are not supported; only "
                    "little-endian float32 '<f4' is)");
    }
    if (descr->text != "<f4") {
        throw Error(path + ": unsupported dtype '" + printable(descr->text) +
                    "' (only little-endian float32 '<f4' is supported)");
    }
    if (fortran_order->kind != Value::Kind::Bool) {
        throw Error(path + ": malformed header: 'fortran_order' must be True or False");
    }
    if (fortran_order->boolean) throw Error(path + ": Fortran-order arrays are not supported");

    Tensor tensor;
    tensor.shape = parse_shape(path, shape_value, max_elements);
    const int64_t count = tensor.element_count();
    if (uint64_t(count) > std::numeric_limits<size_t>::max() / sizeof(float)) {
        throw Error(path + ": shape " + format_shape(tensor.shape) + " is too large");
    }
    const uint64_t data_size = uint64_t(count) * sizeof(float);

    // Compare with the file size before allocating, so a lying header costs nothing.
    const uint64_t available = file_size - data_offset;
    if (available < data_size) {
        throw Error(path + ": truncated data (expected " + std::to_string(data_size) +
                    " bytes, file has " + std::to_string(available) + ")");
    }
    if (available > data_size) {
        throw Error(path + ": " + std::to_string(available - data_size) +
                    " unexpected bytes after the data");
    }

    tensor.data.resize(size_t(count));
    if (read_fully(path, file.get(), reinterpret_cast<char *>(tensor.data.data()), data_size) !=
        data_size) {
        throw Error(path + ": truncated data (file shrank while reading)");
    }
    return tensor;
}

void write_npy(const std::string &path, const Tensor &tensor) {
    for (int64_t extent : tensor.shape) {
        if (extent < 0) {
            throw Error(path + ": cannot write shape " + format_shape(tensor.shape) +
                        " with a negative dimension");
        }
    }
    std::optional<int64_t> product =
        nonzero_product(tensor.shape, std::numeric_limits<int64_t>::max() / int64_t(sizeof(float)));
    if (!product) throw Error(path + ": shape " + format_shape(tensor.shape) + " is too large");
    const int64_t count = tensor.element_count();
    if (uint64_t(count) != tensor.data.size()) {
        throw Error(path + ": shape " + format_shape(tensor.shape) + " needs " +
                    std::to_string(count) + " values but the tensor holds " +
                    std::to_string(tensor.data.size()));
    }

    const std::string header = make_header(tensor.shape);
    detail::TempFile temp(path);
    temp.write(header.data(), header.size());
    temp.write(tensor.data.data(), tensor.data.size() * sizeof(float));
    temp.commit();
}

}  // namespace ksconv
