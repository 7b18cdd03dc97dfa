#include "shapes_csv.hpp"

#include <cstdint>
#include <fstream>
#include <set>

#include "ksconv/error.hpp"

namespace ksconv::cli {

const char kShapesHeader[] = "name,N,Cin,H,W,Cout,KH,KW,stride,pad,output_pad,dilation,groups";

namespace {

constexpr std::size_t kFieldCount = 13;

// Far beyond any sensible layer (8 GiB per tensor), but small enough that the benchmark
// fails with a clear message instead of trying to allocate it.
constexpr int64_t kMaxTensorElements = int64_t(1) << 31;

std::vector<std::string> split_commas(const std::string &line) {
    std::vector<std::string> fields;
    std::size_t start = 0;
    while (true) {
        const std::size_t comma = line.find(',', start);
        fields.push_back(line.substr(start, comma - start));
        if (comma == std::string::npos) return fields;
        start = comma + 1;
    }
}

// The name goes unquoted into CSV output and tables, so keep it to a safe alphabet.
bool valid_name(const std::string &name) {
    if (name.empty()) return false;
    for (char c : name) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                        c == '-' || c == '.';
        if (!ok) return false;
    }
    return true;
}

// Plain decimal digits only (no sign, spaces or suffix), at most 2^31 - 1; -1 otherwise.
int64_t to_count(const std::string &text) {
    if (text.empty() || text.size() > 10) return -1;
    int64_t value = 0;
    for (char c : text) {
        if (c < '0' || c > '9') return -1;
        value = value * 10 + (c - '0');
    }
    return value <= INT32_MAX ? value : -1;
}

class LineParser {
public:
    LineParser(const std::string &path, int line) : path_(path), line_(line) {}

    [[noreturn]] void fail(const std::string &message) const {
        throw Error(path_ + " line " + std::to_string(line_) + ": " + message);
    }

    BenchShape parse(const std::string &text) const {
        const std::vector<std::string> fields = split_commas(text);
        if (fields.size() != kFieldCount) {
            fail("expected " + std::to_string(kFieldCount) + " comma-separated fields (" + kShapesHeader + "), got " +
                 std::to_string(fields.size()));
        }
        if (!valid_name(fields[0])) {
            fail("name '" + fields[0] + "' must be non-empty and use only letters, digits, '_', '-' and '.'");
        }
        static const std::vector<std::string> field_names = split_commas(kShapesHeader);
        int64_t v[kFieldCount] = {};
        for (std::size_t i = 1; i < kFieldCount; ++i) {
            v[i] = to_count(fields[i]);
            if (v[i] < 0) {
                fail("field " + field_names[i] + " is '" + fields[i] + "', expected a non-negative integer below 2^31");
            }
        }
        BenchShape s;
        s.name = fields[0];
        s.line = line_;
        const int64_t n = v[1], cin = v[2], h = v[3], w = v[4], cout = v[5], kh = v[6], kw = v[7];
        const int stride = int(v[8]), pad = int(v[9]), output_pad = int(v[10]), dilation = int(v[11]);
        const int groups = int(v[12]);
        // Cout and groups are checked here because the library only sees Cout / groups.
        if (groups < 1) fail("groups 0 must be at least 1");
        if (cout < 1) fail("Cout 0 must be at least 1");
        if (cout % groups != 0) {
            fail("groups " + std::to_string(groups) + " must divide Cout " + std::to_string(cout));
        }
        s.input = Shape4{n, cin, h, w};
        s.weights = WeightShape{cin, cout / groups, kh, kw};
        ConvTransposeParams &p = s.params;
        p.stride_h = p.stride_w = stride;
        p.pad_top = p.pad_left = p.pad_bottom = p.pad_right = pad;
        p.output_padding_h = p.output_padding_w = output_pad;
        p.dilation_h = p.dilation_w = dilation;
        p.groups = groups;
        try {
            s.output = output_shape(p, s.weights, s.input);
        } catch (const Error &e) {
            fail("shape " + s.name + ": " + e.what());
        }
        check_size(s.name, "input", s.input.elements());
        check_size(s.name, "output", s.output.elements());
        check_size(s.name, "weight", s.weights.elements());
        return s;
    }

private:
    void check_size(const std::string &name, const char *what, int64_t elements) const {
        if (elements > kMaxTensorElements) {
            fail("shape " + name + ": " + what + " has " + std::to_string(elements) +
                 " elements, more than the 2^31 bench allows");
        }
    }

    const std::string &path_;
    int line_;
};

}  // namespace

std::vector<BenchShape> read_shapes_csv(const std::string &path) {
    std::ifstream file(path, std::ios::binary);
    if (!file) throw Error("cannot open shapes file " + path);
    std::vector<BenchShape> shapes;
    std::set<std::string> names;
    std::string text;
    int line = 0;
    while (std::getline(file, text)) {
        ++line;
        if (!text.empty() && text.back() == '\r') text.pop_back();  // files saved on Windows
        const LineParser parser(path, line);
        if (line == 1) {
            if (text.rfind("\xEF\xBB\xBF", 0) == 0) text.erase(0, 3);  // UTF-8 byte order mark (spreadsheets)
            if (text != kShapesHeader) parser.fail("expected the header '" + std::string(kShapesHeader) + "'");
            continue;
        }
        if (text.empty() || text[0] == '#') continue;
        BenchShape shape = parser.parse(text);
        if (!names.insert(shape.name).second) parser.fail("shape name '" + shape.name + "' appears twice");
        shapes.push_back(shape);
    }
    if (file.bad()) throw Error("cannot read shapes file " + path);
    if (line == 0) throw Error(path + " line 1: the file is empty; expected the header '" + kShapesHeader + "'");
    if (shapes.empty()) throw Error(path + ": no shapes after the header");
    return shapes;
}

}  // namespace ksconv::cli
