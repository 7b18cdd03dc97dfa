// Parameter validation and output-shape rules of ConvTranspose2d (PyTorch / ONNX semantics).
//
// Message naming: a 2-D parameter whose height and width values are equal is named without
// a suffix ("stride 0 must be at least 1"), as the user most likely gave one value; when they
// differ the failing side is named ("stride_w 0 must be at least 1"). Padding likewise reads
// "padding" when all four sides are equal and "padding_top" (left, bottom, right) otherwise.
#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <utility>

#include "ksconv/conv_transpose.hpp"
#include "ksconv/error.hpp"

namespace ksconv {

namespace {

// Every parameter and weight extent is at most 2^20, so products of two stay below 2^40 and
// the output-size formula stays far from int64 overflow.
constexpr int64_t kMaxParam = int64_t{1} << 20;
// Input extents up to 2^31, so (H-1)*stride stays below 2^51.
constexpr int64_t kMaxInputExtent = int64_t{1} << 31;
// Element counts of any tensor, so that elements() and byte sizes never overflow.
constexpr int64_t kMaxElements = int64_t{1} << 40;

std::string str(int64_t value) { return std::to_string(value); }

[[noreturn]] void fail(const std::string &message) { throw Error(message); }

void check_at_least_one(const std::string &name, int64_t value) {
    if (value < 1) fail(name + " " + str(value) + " must be at least 1");
}

void check_non_negative(const std::string &name, int64_t value) {
    if (value < 0) fail(name + " " + str(value) + " must be non-negative");
}

void check_at_most(const std::string &name, int64_t value, int64_t limit) {
    if (value > limit) fail(name + " " + str(value) + " must be at most " + str(limit));
}

// Name of the height (or width) half of a 2-D parameter: plain when both halves are equal.
std::string name_2d(const std::string &base, bool symmetric, const char *suffix) {
    return symmetric ? base : base + suffix;
}

// A positive 2-D parameter such as stride, dilation or kernel size.
void check_positive_2d(const std::string &base, int64_t h, int64_t w) {
    const bool symmetric = h == w;
    for (auto [value, suffix] : {std::pair{h, "_h"}, std::pair{w, "_w"}}) {
        check_at_least_one(name_2d(base, symmetric, suffix), value);
        check_at_most(name_2d(base, symmetric, suffix), value, kMaxParam);
    }
}

void check_padding(const ConvTransposeParams &p) {
    const bool symmetric = p.pad_top == p.pad_left && p.pad_top == p.pad_bottom &&
                           p.pad_top == p.pad_right;
    const std::pair<int, const char *> sides[] = {
        {p.pad_top, "_top"},
        {p.pad_left, "_left"},
        {p.pad_bottom, "_bottom"},
        {p.pad_right, "_right"},
    };
    for (auto [value, suffix] : sides) {
        check_non_negative(name_2d("padding", symmetric, suffix), value);
        check_at_most(name_2d("padding", symmetric, suffix), value, kMaxParam);
    }
}

// PyTorch's rule, output_padding < max(stride, dilation), kept so that every layer we accept
// is one PyTorch accepts too.
void check_output_padding_1d(int64_t op, int64_t stride, int64_t dilation, bool symmetric,
                             const char *suffix) {
    const std::string name = name_2d("output_padding", symmetric, suffix);
    check_non_negative(name, op);
    if (op >= std::max(stride, dilation)) {
        fail(name + " " + str(op) + " must be smaller than " +
             name_2d("stride", symmetric, suffix) + " " + str(stride) + " or " +
             name_2d("dilation", symmetric, suffix) + " " + str(dilation));
    }
}

void check_output_padding(const ConvTransposeParams &p) {
    const bool symmetric = p.output_padding_h == p.output_padding_w &&
                           p.stride_h == p.stride_w && p.dilation_h == p.dilation_w;
    check_output_padding_1d(p.output_padding_h, p.stride_h, p.dilation_h, symmetric, "_h");
    check_output_padding_1d(p.output_padding_w, p.stride_w, p.dilation_w, symmetric, "_w");
}

// True when the product of non-negative factors is at most `limit`, without overflowing.
bool product_at_most(std::initializer_list<int64_t> factors, int64_t limit) {
    int64_t product = 1;
    for (int64_t factor : factors) {
        if (factor != 0 && product > limit / factor) return false;
        product *= factor;
    }
    return true;
}

std::string shape_text(std::initializer_list<int64_t> extents) {
    std::string text;
    for (int64_t extent : extents) text += (text.empty() ? "" : "x") + str(extent);
    return text;
}

void check_element_count(const char *what, std::initializer_list<int64_t> extents) {
    if (!product_at_most(extents, kMaxElements))
        fail(std::string(what) + " shape " + shape_text(extents) + " has more than 2^40 elements");
}

void check_weights(const WeightShape &ws) {
    check_at_least_one("weight input channels", ws.cin);
    check_at_most("weight input channels", ws.cin, kMaxParam);
    check_at_least_one("weight output channels per group", ws.cout_per_group);
    check_at_most("weight output channels per group", ws.cout_per_group, kMaxParam);
    check_positive_2d("kernel", ws.kh, ws.kw);
    check_element_count("weight", {ws.cin, ws.cout_per_group, ws.kh, ws.kw});
}

void check_groups(int groups, const WeightShape &ws) {
    check_at_least_one("groups", groups);
    if (ws.cin % groups != 0)
        fail("groups " + str(groups) + " must divide input channels " + str(ws.cin));
}

void check_input(const Shape4 &in, const WeightShape &ws) {
    const std::pair<int64_t, const char *> extents[] = {
        {in.n, "input batch"},
        {in.c, "input channels"},
        {in.h, "input height"},
        {in.w, "input width"},
    };
    for (auto [value, name] : extents) {
        check_at_least_one(name, value);
        check_at_most(name, value, kMaxInputExtent);
    }
    if (in.c != ws.cin)
        fail("input channels " + str(in.c) + " do not match weight input channels " + str(ws.cin));
    check_element_count("input", {in.n, in.c, in.h, in.w});
}

// One output extent; each term is below 2^52 given the limits above, so int64 is exact.
int64_t output_extent(int64_t in, int64_t stride, int64_t pad_begin, int64_t pad_end,
                      int64_t dilation, int64_t kernel, int64_t output_padding) {
    return (in - 1) * stride - pad_begin - pad_end + dilation * (kernel - 1) + output_padding + 1;
}

}  // namespace

const char *method_name(Method method) {
    switch (method) {
    case Method::Segregated: return "segregated";
    case Method::ZeroInsert: return "zero-insert";
    case Method::Reference: return "reference";
    }
    return "unknown";
}

Method parse_method(const std::string &name) {
    for (Method method : {Method::Segregated, Method::ZeroInsert, Method::Reference}) {
        if (name == method_name(method)) return method;
    }
    fail("unknown method '" + name + "' (expected segregated, zero-insert or reference)");
}

void validate(const ConvTransposeParams &params, const WeightShape &weights) {
    check_positive_2d("stride", params.stride_h, params.stride_w);
    check_positive_2d("dilation", params.dilation_h, params.dilation_w);
    check_padding(params);
    check_output_padding(params);
    check_weights(weights);
    check_groups(params.groups, weights);
}

Shape4 output_shape(const ConvTransposeParams &p, const WeightShape &ws, const Shape4 &input) {
    validate(p, ws);
    check_input(input, ws);

    const int64_t out_h = output_extent(input.h, p.stride_h, p.pad_top, p.pad_bottom,
                                        p.dilation_h, ws.kh, p.output_padding_h);
    if (out_h < 1) {
        fail("output height " + str(out_h) + " must be at least 1 (H=" + str(input.h) +
             ", stride_h=" + str(p.stride_h) + ", padding_top+bottom=" + str(p.pad_top) + "+" +
             str(p.pad_bottom) + ", dilation_h=" + str(p.dilation_h) + ", kernel_h=" +
             str(ws.kh) + ", output_padding_h=" + str(p.output_padding_h) + ")");
    }
    const int64_t out_w = output_extent(input.w, p.stride_w, p.pad_left, p.pad_right,
                                        p.dilation_w, ws.kw, p.output_padding_w);
    if (out_w < 1) {
        fail("output width " + str(out_w) + " must be at least 1 (W=" + str(input.w) +
             ", stride_w=" + str(p.stride_w) + ", padding_left+right=" + str(p.pad_left) + "+" +
             str(p.pad_right) + ", dilation_w=" + str(p.dilation_w) + ", kernel_w=" +
             str(ws.kw) + ", output_padding_w=" + str(p.output_padding_w) + ")");
    }

    const int64_t out_c = ws.cout_per_group * p.groups;
    check_element_count("output", {input.n, out_c, out_h, out_w});
    return Shape4{input.n, out_c, out_h, out_w};
}

}  // namespace ksconv
