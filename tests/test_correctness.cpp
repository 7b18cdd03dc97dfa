// Correctness of ConvTranspose2d against the independent float64 scatter reference:
// a seeded randomized sweep over the parameter space, named edge cases, and concurrent use.
//
// Every run writes into a NaN-poisoned buffer framed by guard zones, so an output element
// the library forgets to write, or a write past either end, is caught.
//
// Every test runs on each device (tests/device_test_util.hpp): the CPU, and OpenCL and CUDA
// where present; CI runs the OpenCL ones on PoCL.
//
// Replay a failure with the seed it prints: KSCONV_TEST_SEED=<seed> ksconv_tests ...
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <iostream>
#include <limits>
#include <iterator>
#include <map>
#include <numeric>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "device_test_util.hpp"
#include "ksconv/conv_transpose.hpp"
#include "ksconv/error.hpp"
#include "reference_scatter.hpp"
#include "test_params.hpp"

namespace ksconv::test {
namespace {

// Float32 accumulation of a few thousand products stays around 1e-7 relative; 1e-5 leaves
// room for any summation order while catching a single wrong or missing tap.
constexpr double kTolerance = 1e-5;
constexpr uint64_t kDefaultSeed = 20240611;

uint64_t test_seed() {
    static const uint64_t seed = [] {
        const char *env = std::getenv("KSCONV_TEST_SEED");
        return env && *env ? std::strtoull(env, nullptr, 0) : kDefaultSeed;
    }();
    return seed;
}

std::string seed_text() { return "KSCONV_TEST_SEED=" + std::to_string(test_seed()); }

std::vector<float> random_floats(int64_t count, uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
    std::vector<float> values(static_cast<size_t>(count));
    for (float &v : values) v = dist(rng);
    return values;
}

// ---- one test case --------------------------------------------------------------------

struct Case {
    int64_t n = 1, cin = 1, cout = 1, h = 1, w = 1, kh = 1, kw = 1;
    ConvTransposeParams p;
    bool bias = false;
    uint64_t data_seed = 1;  // input, weights and bias all derive from it

    WeightShape weight_shape() const { return {cin, cout / p.groups, kh, kw}; }
    Shape4 input_shape() const { return {n, cin, h, w}; }
    Shape4 out_shape() const { return scatter_output_shape(p, weight_shape(), input_shape()); }
    bool valid() const {
        const Shape4 out = out_shape();
        return out.h >= 1 && out.w >= 1;
    }

    std::string describe() const {
        std::ostringstream s;
        s << "N=" << n << " Cin=" << cin << " HxW=" << h << "x" << w << " Cout=" << cout
          << " kernel=" << kh << "x" << kw << " stride=" << p.stride_h << "," << p.stride_w
          << " pads(t,l,b,r)=" << p.pad_top << "," << p.pad_left << "," << p.pad_bottom << ","
          << p.pad_right << " output_padding=" << p.output_padding_h << ","
          << p.output_padding_w << " dilation=" << p.dilation_h << "," << p.dilation_w
          << " groups=" << p.groups << " bias=" << (bias ? "yes" : "no")
          << " data_seed=" << data_seed << " (" << seed_text() << ")";
        return s.str();
    }
};

// Input, weights, bias and the reference output of a case.
struct CaseData {
    std::vector<float> input, weights, bias;
    Shape4 out_shape;
    std::vector<double> expected;

    const float *bias_ptr() const { return bias.empty() ? nullptr : bias.data(); }
};

CaseData make_data(const Case &c) {
    CaseData d;
    d.input = random_floats(c.input_shape().elements(), c.data_seed);
    d.weights = random_floats(c.weight_shape().elements(), c.data_seed + 1);
    if (c.bias) d.bias = random_floats(c.cout, c.data_seed + 2);
    d.out_shape = c.out_shape();
    d.expected = reference_scatter(c.p, c.weight_shape(), d.weights.data(), d.bias_ptr(),
                                   d.input.data(), c.input_shape());
    return d;
}

// ---- running and comparing ------------------------------------------------------------

std::string position_text(int64_t index, const Shape4 &s) {
    std::ostringstream t;
    t << "(n=" << index / (s.c * s.h * s.w) << ", c=" << index / (s.h * s.w) % s.c
      << ", y=" << index / s.w % s.h << ", x=" << index % s.w << ")";
    return t.str();
}

// Runs `layer` into a NaN-filled buffer with guard zones on both sides. Returns the output;
// `problem` receives what went wrong (an exception, a write outside the output) or stays empty.
std::vector<float> run_poisoned(const ConvTranspose2d &layer, const float *input,
                                const Shape4 &in_shape, int64_t out_elements,
                                std::string *problem) {
    // 16 floats keep the output as aligned as the allocation itself.
    constexpr int64_t kGuard = 16;
    constexpr float kGuardValue = -1.25e30f;
    std::vector<float> buffer(static_cast<size_t>(out_elements + 2 * kGuard),
                              std::numeric_limits<float>::quiet_NaN());
    std::fill(buffer.begin(), buffer.begin() + kGuard, kGuardValue);
    std::fill(buffer.end() - kGuard, buffer.end(), kGuardValue);
    try {
        layer.run(input, in_shape, buffer.data() + kGuard);
    } catch (const std::exception &e) {
        *problem = std::string("run() threw: ") + e.what();
        return {};
    }
    for (int64_t i = 0; i < kGuard; ++i) {
        if (buffer[i] != kGuardValue || buffer[buffer.size() - 1 - i] != kGuardValue) {
            *problem = "run() wrote outside the output buffer";
            return {};
        }
    }
    return std::vector<float>(buffer.begin() + kGuard, buffer.end() - kGuard);
}

// sqrt(sum (a-b)^2) / max(sqrt(sum b^2), 1e-30).
double relative_l2(const std::vector<float> &actual, const std::vector<double> &expected) {
    double diff2 = 0, ref2 = 0;
    for (size_t i = 0; i < expected.size(); ++i) {
        const double d = actual[i] - expected[i];
        diff2 += d * d;
        ref2 += expected[i] * expected[i];
    }
    return std::sqrt(diff2) / std::max(std::sqrt(ref2), 1e-30);
}

// Empty when `actual` is finite everywhere and within kTolerance of `expected`.
std::string compare(const std::vector<float> &actual, const std::vector<double> &expected,
                    const Shape4 &shape) {
    std::ostringstream why;
    if (actual.size() != expected.size()) {
        why << "output has " << actual.size() << " elements, expected " << expected.size();
        return why.str();
    }
    int64_t non_finite = 0, first_non_finite = -1;
    for (size_t i = 0; i < actual.size(); ++i) {
        if (!std::isfinite(actual[i]) && non_finite++ == 0)
            first_non_finite = static_cast<int64_t>(i);
    }
    if (non_finite > 0) {
        why << non_finite << " of " << actual.size()
            << " outputs are NaN/Inf (never written?), first at "
            << position_text(first_non_finite, shape);
        return why.str();
    }
    size_t worst = 0;
    for (size_t i = 0; i < actual.size(); ++i) {
        if (std::abs(actual[i] - expected[i]) > std::abs(actual[worst] - expected[worst]))
            worst = i;
    }
    const double error = relative_l2(actual, expected);
    if (!(error < kTolerance)) {
        why << "relative L2 error " << error << " >= " << kTolerance << "; worst at "
            << position_text(worst, shape) << ": got " << actual[worst] << ", expected "
            << expected[worst];
        return why.str();
    }
    return "";
}

// Builds the layer for `c` with `method` on `device`, checks its output shape, runs it and
// compares. Returns "" on success, else the failure with the method and device named.
std::string check_method(const Case &c, const CaseData &d, Method method, Device device) {
    const std::string prefix = std::string(method_name(method)) + " on " + device_name(device) + ": ";
    try {
        const ConvTranspose2d layer(c.p, c.weight_shape(), d.weights.data(), d.bias_ptr(), method, device);
        const Shape4 shape = layer.output_shape(c.input_shape());
        if (!(shape == d.out_shape)) {
            std::ostringstream why;
            why << prefix << "output_shape " << shape.n << "x" << shape.c << "x" << shape.h
                << "x" << shape.w << ", expected " << d.out_shape.n << "x" << d.out_shape.c
                << "x" << d.out_shape.h << "x" << d.out_shape.w;
            return why.str();
        }
        std::string problem;
        const std::vector<float> out =
            run_poisoned(layer, d.input.data(), c.input_shape(), shape.elements(), &problem);
        if (problem.empty()) problem = compare(out, d.expected, shape);
        if (!problem.empty()) return prefix + problem + " [variant " + layer.variant_name() + "]";
    } catch (const std::exception &e) {
        return prefix + "threw: " + e.what();
    }
    return "";
}

// Every method of the device on one case, as gtest failures carrying the case description.
void expect_case_correct(const Case &c, Device device, const std::vector<Method> &methods) {
    ASSERT_TRUE(c.valid()) << c.describe();
    const CaseData d = make_data(c);
    for (Method method : methods) {
        const std::string problem = check_method(c, d, method, device);
        EXPECT_TRUE(problem.empty()) << problem << "\n  case: " << c.describe();
    }
}

// Runs a layer built for `c` and returns its raw output (for tests that inspect values).
std::vector<float> run_case(const Case &c, const CaseData &d, Method method, Device device) {
    const ConvTranspose2d layer(c.p, c.weight_shape(), d.weights.data(), d.bias_ptr(), method, device);
    std::string problem;
    std::vector<float> out = run_poisoned(layer, d.input.data(), c.input_shape(),
                                          d.out_shape.elements(), &problem);
    EXPECT_TRUE(problem.empty()) << method_name(method) << ": " << problem;
    return out;
}

Case make_case(int64_t n, int64_t cin, int64_t h, int64_t w, int64_t cout, int64_t k,
               const ConvTransposeParams &p, bool bias) {
    Case c;
    c.n = n, c.cin = cin, c.h = h, c.w = w, c.cout = cout, c.kh = c.kw = k;
    c.p = p;
    c.bias = bias;
    c.data_seed = test_seed();
    return c;
}

// ---- the randomized sweep -------------------------------------------------------------

class CaseGenerator {
public:
    explicit CaseGenerator(uint64_t seed) : rng_(seed) {}

    int range(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
    bool chance(double p) { return std::bernoulli_distribution(p)(rng_); }
    template <typename T>
    T pick(std::initializer_list<T> options) {
        return *(options.begin() + range(0, static_cast<int>(options.size()) - 1));
    }

    // A small random case. Callers override fields, then call fit_padding when they changed
    // stride, kernel or dilation.
    Case random_case() {
        Case c;
        c.data_seed = rng_();
        c.n = chance(0.2) ? range(2, 3) : 1;
        set_channels(c, pick({1, 1, 1, 2, 0, 0}));  // mostly dense, some grouped/depthwise
        c.h = chance(0.8) ? range(1, 8) : range(9, 13);
        c.w = chance(0.8) ? range(1, 8) : range(9, 13);
        c.kh = range(1, 9);
        c.kw = chance(0.5) ? c.kh : range(1, 9);
        c.p.stride_h = chance(0.9) ? range(1, 4) : range(5, 6);
        c.p.stride_w = chance(0.5) ? c.p.stride_h : range(1, 4);
        c.p.dilation_h = chance(0.6) ? 1 : range(2, 3);
        c.p.dilation_w = chance(0.6) ? c.p.dilation_h : range(1, 3);
        c.bias = chance(0.5);
        fit_padding(c);
        return c;
    }

    // groups: 1 or 2, or 0 for depthwise (groups == Cin, Cout/groups 1 or 2).
    void set_channels(Case &c, int groups) {
        if (groups == 0) {
            c.cin = pick({1, 2, 3, 4, 5, 8, 17});
            c.p.groups = static_cast<int>(c.cin);
            c.cout = c.cin * range(1, 2);
        } else {
            c.p.groups = groups;
            c.cin = groups * (groups == 1 ? pick({1, 2, 3, 4, 5, 8, 17}) : range(1, 3));
            c.cout = groups * (groups == 1 ? pick({1, 2, 3, 4, 5, 8, 17}) : range(1, 3));
        }
    }

    // Each side independently in [0, dilation*(K-1)], often exactly 0 or the maximum (the
    // edges of the range); output padding below max(stride, dilation).
    void fit_padding(Case &c) {
        const int max_h = c.p.dilation_h * static_cast<int>(c.kh - 1);
        const int max_w = c.p.dilation_w * static_cast<int>(c.kw - 1);
        c.p.pad_top = pad_value(max_h);
        c.p.pad_bottom = pad_value(max_h);
        c.p.pad_left = pad_value(max_w);
        c.p.pad_right = pad_value(max_w);
        c.p.output_padding_h =
            chance(0.5) ? 0 : range(0, std::max(c.p.stride_h, c.p.dilation_h) - 1);
        c.p.output_padding_w =
            chance(0.5) ? 0 : range(0, std::max(c.p.stride_w, c.p.dilation_w) - 1);
    }

    uint64_t next_seed() { return rng_(); }

private:
    int pad_value(int max) {
        const int kind = range(0, 9);
        return kind < 3 ? 0 : kind < 5 ? max : range(0, max);
    }

    std::mt19937_64 rng_;
};

// The features the sweep promises to cover; each must occur in at least one case that ran.
std::vector<std::string> features_of(const Case &c) {
    const ConvTransposeParams &p = c.p;
    std::vector<std::string> f;
    auto add = [&](bool on, const char *name) {
        if (on) f.push_back(name);
    };
    add(p.stride_h != p.stride_w, "unequal strides");
    add(std::max(p.stride_h, p.stride_w) >= 5, "stride 5 or 6");
    add(c.kh == 1 || c.kw == 1, "kernel 1");
    add(c.kh == 9 || c.kw == 9, "kernel 9");
    add(c.kh % 2 == 0 || c.kw % 2 == 0, "even kernel");
    add(c.kh % 2 == 1 && c.kw % 2 == 1 && c.kh > 1, "odd kernel");
    add(c.kh < p.stride_h || c.kw < p.stride_w, "kernel smaller than stride");
    add(c.kh != c.kw, "non-square kernel");
    add(p.pad_top != p.pad_bottom || p.pad_left != p.pad_right, "asymmetric padding");
    add(p.pad_top != p.pad_bottom && p.pad_left != p.pad_right && p.pad_top != p.pad_left,
        "four independent pads");
    add((c.kh > 1 && p.pad_top == p.dilation_h * (c.kh - 1)) ||
            (c.kw > 1 && p.pad_right == p.dilation_w * (c.kw - 1)),
        "maximum padding");
    add(p.output_padding_h > 0 || p.output_padding_w > 0, "output padding");
    add(p.output_padding_h >= p.stride_h || p.output_padding_w >= p.stride_w,
        "output padding >= stride");
    add(p.dilation_h == 2 || p.dilation_w == 2, "dilation 2");
    add(p.dilation_h == 3 || p.dilation_w == 3, "dilation 3");
    add(std::gcd(p.stride_h, p.dilation_h) > 1 || std::gcd(p.stride_w, p.dilation_w) > 1,
        "gcd(stride, dilation) > 1");
    add(p.groups == 2 && c.cin > 2, "groups 2");
    add(p.groups == c.cin && c.cin > 1 && c.cout == c.cin, "depthwise");
    add(p.groups == c.cin && c.cin > 1 && c.cout == 2 * c.cin, "depthwise x2");
    add(c.bias, "bias");
    add(!c.bias, "no bias");
    add(c.n == 3, "batch 3");
    add(c.cin == 1 || c.cout == 1, "1 channel");
    add(c.cin == 3 || c.cout == 3, "3 channels");
    add(c.cin == 17 || c.cout == 17, "17 channels");
    add(c.h == 1 && c.w == 1, "1x1 input");
    add(c.h == 1 && c.w > 1, "1xW input");
    add(c.h > 1 && c.w == 1, "Hx1 input");
    add(c.h > 1 && c.w > 1 && c.h != c.w, "non-square input");
    add(c.cin >= 32 && c.h >= 20, "larger case");
    add(p.groups == 1 && p.stride_h == p.stride_w && p.stride_h >= 2 && p.stride_h <= 4 && c.cin >= 32 && c.cout < 8,
        "few outputs from 32+ inputs");  // the CPU's tap-products kernel
    add(p.groups == 1 && c.cin >= 128 && c.cout >= 16 && c.cin * c.kh * c.kw >= 2048,
        "large reduction");  // the CPU's libraries with input channels in blocks
    return f;
}

class Sweep {
public:
    Sweep(uint64_t seed, Device device, std::vector<Method> methods)
        : gen(seed), device_(device), methods_(std::move(methods)) {}

    CaseGenerator gen;

    // Runs a case (all methods) or, if its output would be empty, checks that the library
    // refuses it.
    void add(const Case &c) {
        if (failures_ >= kMaxFailures) return;
        if (!c.valid()) {
            ++rejected_;
            bool threw = false;
            try {
                const auto weights = random_floats(c.weight_shape().elements(), c.data_seed);
                const ConvTranspose2d layer(c.p, c.weight_shape(), weights.data(), nullptr);
                (void)layer.output_shape(c.input_shape());
            } catch (const Error &) {
                threw = true;
            }
            if (!threw) fail("an empty output was not rejected", c);
            return;
        }
        ++run_;
        for (const std::string &f : features_of(c)) ++features_[f];
        if (c.p.stride_h <= 4 && c.p.stride_w <= 4)
            stride_pairs_.insert({c.p.stride_h, c.p.stride_w});

        const CaseData d = make_data(c);
        for (Method method : methods_) {
            const std::string problem = check_method(c, d, method, device_);
            if (!problem.empty()) fail(problem, c);
        }
    }

    // A random case with the given strides, kernel overridden and padding refitted.
    Case with(int sh, int sw, int kh, int kw) {
        Case c = gen.random_case();
        c.p.stride_h = sh, c.p.stride_w = sw, c.kh = kh, c.kw = kw;
        gen.fit_padding(c);
        return c;
    }

    void report_coverage() const {
        std::cout << "[ sweep    ] " << run_ << " cases run (x" << methods_.size() << " methods on "
                  << device_name(device_) << "), " << rejected_ << " rejected as empty, " << seed_text() << "\n";
        EXPECT_EQ(stride_pairs_.size(), 16u) << "not every stride pair in 1..4 x 1..4 ran";
        const char *required[] = {
            "unequal strides", "stride 5 or 6", "kernel 1", "kernel 9", "even kernel",
            "odd kernel", "kernel smaller than stride", "non-square kernel",
            "asymmetric padding", "four independent pads", "maximum padding",
            "output padding", "output padding >= stride", "dilation 2", "dilation 3",
            "gcd(stride, dilation) > 1", "groups 2", "depthwise", "depthwise x2", "bias",
            "no bias", "batch 3", "1 channel", "3 channels", "17 channels", "1x1 input",
            "1xW input", "Hx1 input", "non-square input", "larger case", "few outputs from 32+ inputs",
            "large reduction"};
        for (const char *feature : required) {
            const auto it = features_.find(feature);
            EXPECT_TRUE(it != features_.end() && it->second > 0)
                << "the sweep ran no case with: " << feature;
        }
    }

private:
    static constexpr int kMaxFailures = 20;  // enough to see a pattern, not a flood

    void fail(const std::string &problem, const Case &c) {
        ADD_FAILURE() << problem << "\n  case: " << c.describe();
        if (++failures_ == kMaxFailures)
            ADD_FAILURE() << "stopping the sweep after " << kMaxFailures << " failures";
    }

    Device device_;
    std::vector<Method> methods_;
    int run_ = 0, rejected_ = 0, failures_ = 0;
    std::map<std::string, int> features_;
    std::set<std::pair<int, int>> stride_pairs_;
};

class CorrectnessSweep : public DeviceTest {};
KSCONV_ON_EVERY_DEVICE(CorrectnessSweep);

TEST_P(CorrectnessSweep, RandomizedAgainstScatterReference) {
    std::cout << "[ sweep    ] " << seed_text() << " (set it to replay)\n";
    SCOPED_TRACE(seed_text());
    const auto start = std::chrono::steady_clock::now();
    Sweep sweep(test_seed(), device(), methods());
    CaseGenerator &gen = sweep.gen;

    // Every stride pair in 1..4 x 1..4 (equal and unequal), with kernels smaller than,
    // equal to and larger than the stride, odd and even, square and not.
    for (int sh = 1; sh <= 4; ++sh)
        for (int sw = 1; sw <= 4; ++sw)
            for (auto [kh, kw] : {std::pair{1, 1}, {2, 3}, {3, 3}, {4, 4}, {5, 2}})
                sweep.add(sweep.with(sh, sw, kh, kw));

    // Every kernel size 1..9, square and with a random other side.
    for (int k = 1; k <= 9; ++k) {
        sweep.add(sweep.with(gen.range(1, 4), gen.range(1, 4), k, k));
        sweep.add(sweep.with(gen.range(1, 4), gen.range(1, 4), k, gen.range(1, 9)));
    }

    // Strides 5 and 6 (the generic variant), kernels below, at and above the stride.
    for (auto [sh, sw] : {std::pair{5, 5}, {6, 6}, {5, 1}, {2, 6}, {6, 3}})
        for (int k : {3, 6, 9}) sweep.add(sweep.with(sh, sw, k, k));

    // Dilation 1..3 in each dimension against strides 1..3: covers gcd(s, d) > 1, where some
    // phases have no taps, and dilation > stride, where output padding may exceed the stride.
    for (int dh = 1; dh <= 3; ++dh)
        for (int dw = 1; dw <= 3; ++dw)
            for (int s : {1, 2, 3}) {
                Case c = gen.random_case();
                c.p.stride_h = c.p.stride_w = s;
                c.p.dilation_h = dh, c.p.dilation_w = dw;
                c.kh = gen.range(2, 4), c.kw = gen.range(2, 4);
                gen.fit_padding(c);
                sweep.add(c);
            }

    // Padding: each side independently 0 or its maximum dilation*(K-1), plus maximum output
    // padding, so every asymmetric combination of the edge values occurs.
    for (int mask = 0; mask < 16; ++mask)
        for (auto [k, d, s] : {std::tuple{3, 2, 2}, {4, 1, 3}}) {
            Case c = gen.random_case();
            c.h = gen.range(3, 7), c.w = gen.range(3, 7);  // room for all the padding
            c.kh = c.kw = k;
            c.p.dilation_h = c.p.dilation_w = d;
            c.p.stride_h = c.p.stride_w = s;
            const int max = d * (k - 1);
            c.p.pad_top = mask & 1 ? max : 0;
            c.p.pad_left = mask & 2 ? max : 0;
            c.p.pad_bottom = mask & 4 ? max : 0;
            c.p.pad_right = mask & 8 ? max : 0;
            c.p.output_padding_h = c.p.output_padding_w = std::max(s, d) - 1;
            sweep.add(c);
        }
    // And fully random, independent pads on all four sides.
    for (int i = 0; i < 12; ++i) {
        Case c = sweep.with(gen.range(1, 4), gen.range(1, 4), gen.range(3, 7), gen.range(3, 7));
        c.p.pad_top = gen.range(0, static_cast<int>(c.kh - 1));
        c.p.pad_bottom = gen.range(0, static_cast<int>(c.kh - 1));
        c.p.pad_left = gen.range(0, static_cast<int>(c.kw - 1));
        c.p.pad_right = gen.range(0, static_cast<int>(c.kw - 1));
        c.p.dilation_h = c.p.dilation_w = 1;
        c.p.output_padding_h = c.p.output_padding_w = 0;
        sweep.add(c);
    }

    // Every allowed output padding for stride 3x2 with dilation 1x3 and stride 1 dilation 2.
    for (auto [s, d] : {std::pair{3, 1}, {1, 2}})
        for (int oph = 0; oph < std::max(s, d); ++oph)
            for (int opw = 0; opw < 3; ++opw) {
                Case c = sweep.with(s, 2, 3, 3);
                c.p.dilation_h = d, c.p.dilation_w = 3;
                c.p.pad_top = c.p.pad_bottom = 1, c.p.pad_left = c.p.pad_right = 2;
                c.p.output_padding_h = oph, c.p.output_padding_w = opw;
                sweep.add(c);
            }

    // Groups: dense, two groups, depthwise (Cout/groups 1 and 2), with and without bias,
    // over channel counts with odd tails.
    for (int groups : {1, 2, 0})
        for (int rep = 0; rep < 4; ++rep) {
            Case c = gen.random_case();
            gen.set_channels(c, groups);
            if (groups == 0 && rep < 2) {  // pin both depthwise multipliers down
                c.cin = c.p.groups = rep == 0 ? 17 : 3;
                c.cout = c.cin * (rep + 1);
            }
            c.bias = rep % 2 == 0;
            sweep.add(c);
        }

    // Tiny and non-square inputs.
    for (auto [h, w] : {std::pair{1, 1}, {1, 9}, {9, 1}, {7, 5}, {2, 13}, {13, 2}})
        for (auto [sh, sw] : {std::pair{1, 1}, {2, 2}, {3, 1}}) {
            Case c = sweep.with(sh, sw, gen.range(1, 5), gen.range(1, 5));
            c.h = h, c.w = w;
            // Small inputs only survive light padding; drop it half the time.
            if (gen.chance(0.5)) c.p.pad_top = c.p.pad_left = c.p.pad_bottom = c.p.pad_right = 0;
            sweep.add(c);
        }

    // Batch 1..3 against channel counts 1, 3, 17.
    for (int n = 1; n <= 3; ++n)
        for (int ch : {1, 3, 17}) {
            Case c = gen.random_case();
            c.n = n, c.cin = ch, c.cout = gen.pick({1, 3, 17}), c.p.groups = 1;
            sweep.add(c);
        }

    // Fully random cases.
    for (int i = 0; i < 150; ++i) sweep.add(gen.random_case());

    // Few outputs from many inputs at square strides 2-4 (the CPU's tap-products kernel),
    // random kernels, padding and dilation.
    for (int i = 0; i < 12; ++i) {
        const int s = gen.range(2, 4);
        Case c = sweep.with(s, s, gen.range(1, 9), gen.range(1, 9));
        c.cin = gen.range(32, 48), c.cout = gen.range(1, 7), c.p.groups = 1;
        sweep.add(c);
    }

    // Large reductions (the CPU's libraries that reduce input channels in blocks of 64): input
    // channels that end inside a block, random kernels, padding and dilation, small maps.
    for (int i = 0; i < 6; ++i) {
        Case c = sweep.with(2, 2, gen.range(4, 6), gen.range(4, 6));
        c.cin = gen.range(128, 200), c.cout = gen.range(16, 40), c.p.groups = 1;
        c.h = gen.range(2, 9), c.w = gen.range(2, 9);
        gen.fit_padding(c);
        sweep.add(c);
    }

    // A handful of larger layers: 32 -> 32 channels on 20x20.
    auto large = [&](int sh, int sw, int kh, int kw, int pad, int d, int groups) {
        Case c;
        c.data_seed = gen.next_seed();
        c.cin = c.cout = 32, c.h = c.w = 20, c.kh = kh, c.kw = kw;
        c.p.stride_h = sh, c.p.stride_w = sw;
        c.p.pad_top = c.p.pad_left = c.p.pad_bottom = c.p.pad_right = pad;
        c.p.dilation_h = c.p.dilation_w = d;
        c.p.output_padding_h = std::max(sh, d) > 1 ? 1 : 0;
        c.p.output_padding_w = std::max(sw, d) > 1 ? 1 : 0;
        c.p.groups = groups;
        c.bias = true;
        sweep.add(c);
    };
    large(2, 2, 4, 4, 1, 1, 1);
    large(1, 1, 3, 3, 1, 1, 1);
    large(3, 3, 5, 5, 2, 1, 1);
    large(2, 1, 3, 5, 1, 2, 2);
    large(4, 4, 8, 8, 2, 1, 1);
    large(2, 2, 3, 3, 1, 1, 32);

    sweep.report_coverage();
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::cout << "[ sweep    ] took " << seconds << " s\n";
}

// ---- named edge cases -----------------------------------------------------------------

class Correctness : public DeviceTest {};
KSCONV_ON_EVERY_DEVICE(Correctness);

// K=1, s=3: only rows and columns that are multiples of 3 receive an input; the other
// two thirds of the outputs (in each dimension) are exactly the bias.
TEST_P(Correctness, KernelSmallerThanStride) {
    SCOPED_TRACE(seed_text());
    const Case c = make_case(2, 3, 5, 4, 4, 1, symmetric(3, 0, 2), true);
    expect_case_correct(c, device(), methods());
    const CaseData d = make_data(c);
    const Shape4 s = d.out_shape;
    ASSERT_EQ(s.h, 4 * 3 + 2 + 1);
    for (Method method : methods()) {
        const std::vector<float> out = run_case(c, d, method, device());
        ASSERT_EQ(static_cast<int64_t>(out.size()), s.elements());
        int64_t bias_only = 0;
        for (int64_t i = 0; i < s.elements(); ++i) {
            const int64_t y = i / s.w % s.h, x = i % s.w, co = i / (s.h * s.w) % s.c;
            if (y % 3 == 0 && x % 3 == 0) continue;
            ++bias_only;
            ASSERT_EQ(out[i], d.bias[co]) << method_name(method) << " at " << position_text(i, s);
        }
        EXPECT_GT(bias_only, s.elements() / 2);
    }
}

// A 1x1 kernel with stride 1 is a pointwise matmul over channels; checked against that
// formula directly rather than the scatter reference.
TEST_P(Correctness, PointwiseKernelIsMatmul) {
    SCOPED_TRACE(seed_text());
    const Case c = make_case(2, 17, 6, 5, 9, 1, symmetric(1, 0), true);
    const CaseData d = make_data(c);
    const int64_t pixels = c.h * c.w;
    std::vector<double> expected(static_cast<size_t>(c.n * c.cout * pixels));
    for (int64_t n = 0; n < c.n; ++n)
        for (int64_t co = 0; co < c.cout; ++co)
            for (int64_t px = 0; px < pixels; ++px) {
                double sum = d.bias[co];
                for (int64_t ci = 0; ci < c.cin; ++ci)
                    sum += double{d.weights[ci * c.cout + co]} *
                           d.input[(n * c.cin + ci) * pixels + px];
                expected[(n * c.cout + co) * pixels + px] = sum;
            }
    for (Method method : methods()) {
        const std::vector<float> out = run_case(c, d, method, device());
        EXPECT_EQ(compare(out, expected, d.out_shape), "") << method_name(method);
    }
}

// s=2, d=2: every tap lands on rows/columns of one parity, so the other phase has no taps
// and is bias only. With pad_top=1 the empty phase flips to the even rows.
TEST_P(Correctness, StrideAndDilationShareFactor) {
    SCOPED_TRACE(seed_text());
    for (int pad : {0, 1}) {
        ConvTransposeParams p = symmetric(2, pad, 1, 2);
        Case c = make_case(1, 4, 5, 6, 3, 3, p, true);
        expect_case_correct(c, device(), methods());
        const CaseData d = make_data(c);
        const Shape4 s = d.out_shape;
        for (Method method : methods()) {
            const std::vector<float> out = run_case(c, d, method, device());
            ASSERT_EQ(static_cast<int64_t>(out.size()), s.elements());
            for (int64_t i = 0; i < s.elements(); ++i) {
                const int64_t y = i / s.w % s.h, x = i % s.w, co = i / (s.h * s.w) % s.c;
                if ((y + pad) % 2 == 0 && (x + pad) % 2 == 0) continue;
                ASSERT_EQ(out[i], d.bias[co])
                    << method_name(method) << " pad " << pad << " at " << position_text(i, s);
            }
        }
    }
}

// Run-time strides (above 4) against dilations sharing none, some or all of their factors:
// the run-time-stride variant finds each phase's first tap by a modular inverse.
TEST_P(Correctness, RuntimeStrideWithDilations) {
    SCOPED_TRACE(seed_text());
    for (int stride : {5, 6, 8, 9, 12})
        for (int dilation : {1, 2, 3, 4, 6, 9, 10})
            for (int k : {2, 7}) {
                ConvTransposeParams p = symmetric(stride, 1, 0, dilation);
                p.stride_w = stride == 5 ? 1 : stride - 1;
                p.output_padding_h = stride - 1;
                SCOPED_TRACE("stride " + std::to_string(stride) + " dilation " + std::to_string(dilation) + " k " +
                             std::to_string(k));
                expect_case_correct(make_case(1, 2, 3, 4, 3, k, p, true), device(), methods());
            }
}

// Output padding 2 with stride 1 is legal only because dilation 3 exceeds the stride.
TEST_P(Correctness, OutputPaddingBeyondStrideWithDilation) {
    SCOPED_TRACE(seed_text());
    expect_case_correct(make_case(1, 3, 5, 4, 5, 3, symmetric(1, 1, 2, 3), true), device(), methods());
    ConvTransposeParams p = symmetric(1, 0, 0, 3);
    p.output_padding_h = 2, p.output_padding_w = 1;
    expect_case_correct(make_case(2, 2, 4, 6, 3, 2, p, false), device(), methods());
}

TEST_P(Correctness, DepthwiseWithBias) {
    SCOPED_TRACE(seed_text());
    expect_case_correct(make_case(1, 6, 7, 5, 6, 3, symmetric(2, 1, 1, 1, 6), true), device(), methods());
    expect_case_correct(make_case(2, 6, 7, 5, 12, 4, symmetric(2, 1, 0, 1, 6), true), device(), methods());
    expect_case_correct(make_case(1, 17, 4, 4, 17, 3, symmetric(1, 1, 0, 1, 17), true), device(), methods());
}

// A batch of 3 equals three single-image runs, and the reference.
TEST_P(Correctness, BatchOfThree) {
    SCOPED_TRACE(seed_text());
    const Case c = make_case(3, 5, 6, 7, 4, 3, symmetric(2, 1, 1), true);
    expect_case_correct(c, device(), methods());
    const CaseData d = make_data(c);
    Case single = c;
    single.n = 1;
    const int64_t in_per_image = c.cin * c.h * c.w;
    const int64_t out_per_image = d.out_shape.elements() / 3;
    for (Method method : methods()) {
        const ConvTranspose2d layer(c.p, c.weight_shape(), d.weights.data(), d.bias_ptr(), method, device());
        const std::vector<float> batched = run_case(c, d, method, device());
        ASSERT_EQ(static_cast<int64_t>(batched.size()), d.out_shape.elements());
        for (int64_t n = 0; n < 3; ++n) {
            std::string problem;
            const std::vector<float> one =
                run_poisoned(layer, d.input.data() + n * in_per_image, single.input_shape(),
                             out_per_image, &problem);
            ASSERT_EQ(problem, "") << method_name(method);
            EXPECT_EQ(std::memcmp(one.data(), batched.data() + n * out_per_image,
                                  sizeof(float) * out_per_image),
                      0)
                << method_name(method) << ": image " << n
                << " differs between batch and single run";
        }
    }
}

// DCGAN generator layer: 1x512x4x4 -> 256 channels, k4 s2 p1 (8x8 out).
TEST_P(Correctness, DcganLayer) {
    SCOPED_TRACE(seed_text());
    const Case c = make_case(1, 512, 4, 4, 256, 4, symmetric(2, 1), true);
    ASSERT_EQ(c.out_shape(), (Shape4{1, 256, 8, 8}));
    expect_case_correct(c, device(), methods());
}

// The CPU kernels for strides up to 2x2 have two variants chosen by the output's width (a
// phase at most 32 columns wide gets clamped columns and 4-pixel tiles, wider ones 6-pixel
// tiles), and every kernel sizes its tasks' channel blocks (16, 32 or 64) by how many row
// blocks the layer has. The sweep's maps are all narrow and its channels few; these cases
// take the other branches, with channel counts that leave partial tiles and blocks.
TEST_P(Correctness, WideMapsAndChannelBlocks) {
    SCOPED_TRACE(seed_text());
    ConvTransposeParams one_by_two = symmetric(1, 1);
    one_by_two.stride_w = 2;
    ConvTransposeParams uneven = symmetric(2, 1, 1);
    uneven.pad_left = 2;
    const Case cases[] = {
        make_case(1, 8, 5, 37, 24, 4, symmetric(2, 1), true),      // wide, 16-channel tiles and a partial one
        make_case(2, 5, 9, 40, 12, 3, symmetric(2, 1, 1), true),   // wide, 8-channel tiles, batch
        make_case(1, 6, 4, 70, 20, 3, symmetric(1, 1), false),     // stride 1, wide
        make_case(1, 4, 6, 50, 17, 4, one_by_two, true),           // 1x2, wide
        make_case(1, 7, 3, 3, 40, 4, symmetric(2, 1), true),       // narrow: 16-channel blocks, partial tile
        make_case(1, 3, 20, 6, 70, 4, symmetric(2, 1), true),      // narrow and tall: several row blocks
        make_case(1, 9, 4, 17, 33, 5, uneven, true),               // narrow, asymmetric padding
        make_case(1, 6, 5, 34, 3, 4, symmetric(2, 1), true),       // wide by one column, few channels
    };
    for (const Case &c : cases) expect_case_correct(c, device(), methods());
}

// The packed weights hold output channels in blocks of 16 (runtime/src/packing.hpp). The
// CPU's channel tiles read whole blocks in ungrouped layers; grouped layers with 8 or more
// channels per group and a reduction (inputs per group x taps / stride_h*stride_w) of 32 or
// more run on the CPU as one ungrouped layer per group on channel slices
// (runtime/src/conv_transpose.cpp), as do groups of fewer channels whose layer takes the
// tap-products kernel (32+ inputs per group at stride 2); the others take the grouped
// kernels' one-channel tiles. Channel counts around the block size, groups of 3, 7, 8, 16,
// 17 and 40 channels, strides 1 to 4, small and wide maps, and per-group layers with a
// batch, unequal strides, asymmetric padding, output padding and dilation.
TEST_P(Correctness, ChannelBlocksAndGroupsWithManyChannels) {
    SCOPED_TRACE(seed_text());
    std::vector<Case> cases = {
        make_case(1, 5, 6, 5, 15, 4, symmetric(2, 1), true),     // one block, not full
        make_case(1, 6, 5, 7, 16, 3, symmetric(2, 1, 1), true),  // exactly one block
        make_case(2, 4, 3, 4, 33, 4, symmetric(2, 1), true),     // two blocks and one channel, batch
        make_case(1, 3, 4, 40, 72, 2, symmetric(2, 0), false),   // wide map, channel blocks of 64 and 8
        make_case(1, 7, 9, 30, 24, 8, symmetric(4, 2), true),    // stride 4, a block and a half
        make_case(1, 5, 7, 9, 48, 5, symmetric(3, 2, 2), true),  // stride 3
        make_case(1, 9, 6, 33, 20, 3, symmetric(1, 1), true),    // stride 1
    };
    struct Grouped {
        int groups, cin_per_group, cout_per_group;
    };
    for (const Grouped g : {Grouped{2, 3, 8}, Grouped{3, 2, 17}, Grouped{2, 5, 40}, Grouped{3, 4, 7},
                            Grouped{2, 40, 3}, Grouped{2, 8, 16}, Grouped{3, 9, 8}}) {
        Case c = make_case(1, g.groups * g.cin_per_group, 6, 19, g.groups * g.cout_per_group, 4, symmetric(2, 1), true);
        c.p.groups = g.groups;
        cases.push_back(c);
    }
    Case batch = make_case(3, 3 * 8, 7, 11, 3 * 16, 5, symmetric(3, 2, 1, 1, 3), false);
    batch.p.stride_w = 2, batch.p.pad_left = 1, batch.p.pad_bottom = 0, batch.p.output_padding_w = 0;
    cases.push_back(batch);
    cases.push_back(make_case(2, 4 * 16, 9, 8, 4 * 9, 3, symmetric(2, 2, 1, 2, 4), true));  // dilation 2
    for (const Case &c : cases) {
        if (c.p.groups == 1) continue;
        const WeightShape ws = c.weight_shape();
        const ConvTranspose2d layer(c.p, ws, std::vector<float>(size_t(ws.elements())).data(), nullptr,
                                    Method::Segregated, device());
        const int64_t cin = ws.cin / c.p.groups, reduction = cin * ws.kh * ws.kw / (c.p.stride_h * c.p.stride_w);
        const bool tap_products = cin >= 32 && c.p.stride_h == 2 && c.p.stride_w == 2;
        const bool per_group =
            device() == Device::cpu && (ws.cout_per_group >= 8 ? reduction >= 32 : tap_products);
        EXPECT_EQ(layer.variant_name().find("_per_group") != std::string::npos, per_group) << layer.variant_name();
    }
    for (const Case &c : cases) expect_case_correct(c, device(), methods());
}

// Strides of 3 and more interleave the phases in groups of stride_x columns (the CPU
// schedule): every padding phase, widths that end inside a group and inside a vector,
// unequal strides, a kernel smaller than the stride.
TEST_P(Correctness, LargeStrideInterleaveEveryPaddingPhase) {
    SCOPED_TRACE(seed_text());
    std::vector<Case> cases;
    for (int stride : {3, 4}) {
        for (int pad = 0; pad <= stride; pad++) {
            ConvTransposeParams p = symmetric(stride, pad);
            p.pad_right = stride - pad;  // asymmetric
            p.pad_top = (pad + 1) % stride;
            p.output_padding_w = pad % 2;
            cases.push_back(make_case(1, 3, 4, 13, 5, stride + 1, p, true));
        }
    }
    ConvTransposeParams three_by_four = symmetric(4, 1);
    three_by_four.stride_h = 3;
    ConvTransposeParams four_by_one = symmetric(1, 1);
    four_by_one.stride_w = 4;
    cases.push_back(make_case(2, 4, 5, 11, 6, 3, three_by_four, true));
    cases.push_back(make_case(1, 5, 3, 9, 17, 5, four_by_one, false));
    cases.push_back(make_case(1, 2, 3, 21, 3, 2, symmetric(4, 0), true));  // kernel < stride
    for (const Case &c : cases) expect_case_correct(c, device(), methods());
}

// On the CPU, ungrouped layers with fewer than 8 output channels and at least 32 inputs at
// square strides 2-4 take the tap-products kernel (a GEMM per kernel tap, then each phase sums
// its taps): every pad residue with asymmetric padding and output padding, dilation, a kernel
// smaller than the stride, tap counts that are no multiple of the GEMM tile, 1 to 7 channels
// (at most 256 taps: kernel taps x channels), batch 2, and a map of several column blocks
// (256 phase columns) and row blocks (16 phase rows).
TEST_P(Correctness, TapProductsFewOutputChannels) {
    SCOPED_TRACE(seed_text());
    std::vector<Case> cases;
    for (int stride : {2, 3, 4}) {
        for (int pad = 0; pad <= stride; pad++) {
            ConvTransposeParams p = symmetric(stride, pad);
            p.pad_right = (pad + 1) % stride;
            p.pad_top = (pad + 2) % (stride + 1);
            p.output_padding_h = pad % 2;
            cases.push_back(make_case(1 + pad % 2, 32 + pad, 5 + pad, 13 + 2 * pad, 1 + pad % 3, 2 * stride + 1, p,
                                      pad % 2 == 0));
        }
    }
    ConvTransposeParams dilated = symmetric(2, 2);
    dilated.dilation_h = 2;
    dilated.dilation_w = 3;
    cases.push_back(make_case(1, 33, 6, 7, 3, 3, dilated, true));
    cases.push_back(make_case(2, 34, 4, 9, 2, 2, symmetric(3, 0), true));       // kernel < stride
    cases.push_back(make_case(1, 35, 3, 5, 7, 6, symmetric(2, 2), true));       // 252 taps
    cases.push_back(make_case(1, 32, 37, 261, 1, 9, symmetric(2, 4, 1), true));  // 2 x 3 blocks
    for (const Case &c : cases) {
        if (device() == Device::cpu) {
            const CaseData d = make_data(c);
            const ConvTranspose2d layer(c.p, c.weight_shape(), d.weights.data(), d.bias_ptr());
            EXPECT_EQ(layer.variant_name(), "segregated_tap_products_s" + std::to_string(c.p.stride_h)) << c.describe();
        }
        expect_case_correct(c, device(), methods());
    }
}

// On the CPU, ungrouped layers with 16+ output channels and large reductions (128+ input
// channels, input channels x taps per output pixel >= 512: a phase's at stride 2, the whole
// kernel's for zero insertion) reduce input channels in blocks of 64: channel counts that end
// inside a block (129) and on one (192), one row of tiles and several (the narrow and wide
// tiles), output channels that are no multiple of a tile, every pad residue with asymmetric and
// output padding, dilation, batch 2.
TEST_P(Correctness, BlockedInputChannelsLargeReductions) {
    SCOPED_TRACE(seed_text());
    std::vector<Case> cases;
    for (int pad = 0; pad <= 2; pad++) {
        ConvTransposeParams p = symmetric(2, pad);
        p.pad_right = (pad + 1) % 3;
        p.output_padding_h = pad % 2;
        cases.push_back(make_case(1 + pad % 2, pad == 1 ? 192 : 129, 3 + 5 * pad, 4 + 7 * pad, 16 + 9 * pad, 4, p,
                                  pad != 1));
    }
    ConvTransposeParams dilated = symmetric(2, 1);
    dilated.dilation_h = 2;
    cases.push_back(make_case(1, 160, 5, 9, 24, 5, dilated, true));
    cases.push_back(make_case(1, 512, 7, 6, 33, 2, symmetric(2, 0), true));  // unet-like: one tap a phase
    for (const Case &c : cases) {
        if (device() == Device::cpu) {
            const CaseData d = make_data(c);
            for (Method method : {Method::Segregated, Method::ZeroInsert}) {
                const ConvTranspose2d layer(c.p, c.weight_shape(), d.weights.data(), d.bias_ptr(), method);
                const std::string want = method == Method::Segregated ? "segregated_s2x2_blocked" : "zero_insert_blocked";
                EXPECT_EQ(layer.variant_name(), want) << c.describe();
            }
        }
        expect_case_correct(c, device(), methods());
    }
}

// Few output channels from few inputs take the column tile, which spans two phase rows:
// every row count from one (a task's last tile then overlaps the one before), odd and even,
// with every pad residue at strides 1-3, widths ending inside a vector, depthwise groups and
// batch 2.
TEST_P(Correctness, ColumnTileEveryRowCount) {
    SCOPED_TRACE(seed_text());
    std::vector<Case> cases;
    for (int stride : {1, 2, 3}) {
        for (int pad = 0; pad < stride + 1; pad++) {
            for (int h : {1, 2, 3, 5}) {
                ConvTransposeParams p = symmetric(stride, pad);
                p.pad_bottom = (pad + 1) % (stride + 1);
                const int kernel = stride + 1;
                if ((h - 1) * stride - p.pad_top - p.pad_bottom + kernel < 1) continue;  // no output row
                cases.push_back(make_case(2, 3, h, 11, 3, kernel, p, true));
            }
        }
    }
    cases.push_back(make_case(1, 6, 7, 37, 1, 4, symmetric(2, 1), true));
    cases.push_back(make_case(2, 4, 9, 19, 4, 3, symmetric(2, 1, 1, 1, 4), true));  // depthwise
    for (const Case &c : cases) expect_case_correct(c, device(), methods());
}

TEST_P(Correctness, InputAndWeightsUnmodified) {
    SCOPED_TRACE(seed_text());
    const Case c = make_case(2, 4, 5, 6, 6, 3, symmetric(2, 1, 1, 1, 2), true);
    const CaseData d = make_data(c);
    for (Method method : methods()) {
        CaseData copy = d;  // the call gets copies, compared with the originals after
        const ConvTranspose2d layer(c.p, c.weight_shape(), copy.weights.data(), copy.bias_ptr(),
                                    method, device());
        std::string problem;
        run_poisoned(layer, copy.input.data(), c.input_shape(), d.out_shape.elements(), &problem);
        EXPECT_EQ(problem, "");
        EXPECT_TRUE(copy.input == d.input) << method_name(method) << " modified the input";
        EXPECT_TRUE(copy.weights == d.weights) << method_name(method) << " modified the weights";
        EXPECT_TRUE(copy.bias == d.bias) << method_name(method) << " modified the bias";
    }
}

TEST_P(Correctness, RepeatedRunsIdentical) {
    SCOPED_TRACE(seed_text());
    const Case c = make_case(2, 5, 7, 6, 3, 4, symmetric(3, 2, 1), true);
    const CaseData d = make_data(c);
    for (Method method : methods()) {
        const ConvTranspose2d layer(c.p, c.weight_shape(), d.weights.data(), d.bias_ptr(), method, device());
        std::string problem1, problem2;
        const auto first = run_poisoned(layer, d.input.data(), c.input_shape(),
                                        d.out_shape.elements(), &problem1);
        const auto second = run_poisoned(layer, d.input.data(), c.input_shape(),
                                         d.out_shape.elements(), &problem2);
        ASSERT_EQ(problem1 + problem2, "") << method_name(method);
        EXPECT_EQ(compare(first, d.expected, d.out_shape), "") << method_name(method);
        ASSERT_EQ(first.size(), second.size());
        EXPECT_EQ(std::memcmp(first.data(), second.data(), sizeof(float) * first.size()), 0)
            << method_name(method) << ": two runs of the same layer differ";
    }
}

// A moved-to layer (by construction and by assignment) still computes the original layer;
// the caller's weight and bias arrays are overwritten after construction to show the layer
// holds its own copy.
TEST_P(Correctness, UsableAfterMove) {
    SCOPED_TRACE(seed_text());
    const Case c = make_case(1, 3, 5, 5, 4, 3, symmetric(2, 1, 1), true);
    const CaseData d = make_data(c);
    const Case other = make_case(1, 2, 3, 3, 2, 2, symmetric(1, 0), false);
    const CaseData od = make_data(other);
    for (Method method : methods()) {
        std::vector<float> weights = d.weights, bias = d.bias;
        ConvTranspose2d original(c.p, c.weight_shape(), weights.data(), bias.data(), method, device());
        std::fill(weights.begin(), weights.end(), std::numeric_limits<float>::quiet_NaN());
        std::fill(bias.begin(), bias.end(), std::numeric_limits<float>::quiet_NaN());

        ConvTranspose2d moved(std::move(original));
        EXPECT_EQ(moved.params().stride_h, 2);
        EXPECT_EQ(moved.out_channels(), 4);
        EXPECT_EQ(moved.method(), method);
        std::string problem;
        auto out = run_poisoned(moved, d.input.data(), c.input_shape(), d.out_shape.elements(),
                                &problem);
        ASSERT_EQ(problem, "") << method_name(method);
        EXPECT_EQ(compare(out, d.expected, d.out_shape), "") << method_name(method) << " (moved)";

        ConvTranspose2d assigned(other.p, other.weight_shape(), od.weights.data(), nullptr, method, device());
        assigned = std::move(moved);
        EXPECT_EQ(assigned.weight_shape().kh, 3);
        out = run_poisoned(assigned, d.input.data(), c.input_shape(), d.out_shape.elements(),
                           &problem);
        ASSERT_EQ(problem, "") << method_name(method);
        EXPECT_EQ(compare(out, d.expected, d.out_shape), "")
            << method_name(method) << " (move-assigned)";
    }
}

// ---- concurrent use -------------------------------------------------------------------

class CorrectnessThreads : public DeviceTest {};
KSCONV_ON_EVERY_DEVICE(CorrectnessThreads);

// One layer shared by 8 threads, each running it 100 times on its own input and output;
// every result is checked.
TEST_P(CorrectnessThreads, OneLayerEightThreads) {
    SCOPED_TRACE(seed_text());
    constexpr int kThreads = 8, kRuns = 100;
    const Case c = make_case(1, 8, 12, 10, 8, 4, symmetric(2, 1), true);
    const CaseData d = make_data(c);

    // Distinct inputs per thread, so a thread reading another's buffer would show.
    std::vector<std::vector<float>> inputs(kThreads);
    std::vector<std::vector<double>> expected(kThreads);
    for (int t = 0; t < kThreads; ++t) {
        inputs[t] = random_floats(c.input_shape().elements(), test_seed() + 100 + t);
        expected[t] = reference_scatter(c.p, c.weight_shape(), d.weights.data(), d.bias_ptr(),
                                        inputs[t].data(), c.input_shape());
    }

    for (Method method : {Method::Segregated, Method::ZeroInsert}) {
        const ConvTranspose2d layer(c.p, c.weight_shape(), d.weights.data(), d.bias_ptr(), method, device());
        // Threads record their first problem; gtest assertions stay on the main thread.
        std::vector<std::string> problems(kThreads);
        std::vector<std::thread> threads;
        for (int t = 0; t < kThreads; ++t) {
            threads.emplace_back([&, t] {
                for (int r = 0; r < kRuns && problems[t].empty(); ++r) {
                    std::string problem;
                    const auto out = run_poisoned(layer, inputs[t].data(), c.input_shape(),
                                                  d.out_shape.elements(), &problem);
                    if (problem.empty()) problem = compare(out, expected[t], d.out_shape);
                    if (!problem.empty()) problems[t] = "run " + std::to_string(r) + ": " + problem;
                }
            });
        }
        for (std::thread &thread : threads) thread.join();
        for (int t = 0; t < kThreads; ++t)
            EXPECT_EQ(problems[t], "") << method_name(method) << ", thread " << t;
    }
}

}  // namespace
}  // namespace ksconv::test
