// NaN and +-Inf in inputs, weights and bias propagate as IEEE arithmetic on the layer's
// formula says: compared with the float64 scatter reference, NaN where it has NaN, the same
// infinity where it has one, and close values elsewhere. No crash, no hang.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "ksconv/conv_transpose.hpp"
#include "reference_scatter.hpp"
#include "test_params.hpp"

namespace ksconv::test {
namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

std::vector<float> random_floats(size_t count, unsigned seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
    std::vector<float> values(count);
    for (float &v : values) v = dist(rng);
    return values;
}

// The first element that breaks the IEEE comparison, or "" when all agree. With
// `extra_nan`, NaN is also accepted where the reference is a number (see ZeroInsert below).
std::string compare_ieee(const std::vector<float> &out, const std::vector<double> &ref, bool extra_nan = false) {
    if (out.size() != ref.size()) return "size " + std::to_string(out.size()) + " != " + std::to_string(ref.size());
    for (size_t i = 0; i < out.size(); ++i) {
        const double r = ref[i], o = out[i];
        bool ok;
        if (std::isnan(r)) {
            ok = std::isnan(o);
        } else if (std::isinf(r)) {
            ok = o == r;
        } else {
            ok = std::isfinite(o) && std::abs(o - r) <= 1e-4 * std::max(1.0, std::abs(r));
        }
        ok = ok || (extra_nan && std::isnan(o));
        if (!ok) {
            std::ostringstream text;
            text << "element " << i << ": got " << o << ", reference " << r;
            return text.str();
        }
    }
    return "";
}

struct Layer {
    ConvTransposeParams p = symmetric(2, 1);
    Shape4 in{1, 3, 5, 6};
    WeightShape ws{3, 2, 3, 3};
    std::vector<float> input = random_floats(size_t(in.elements()), 1);
    std::vector<float> weights = random_floats(size_t(ws.elements()), 2);
    std::vector<float> bias = random_floats(size_t(ws.cout_per_group), 3);

    // Every method the library computes with, against the reference. The zero-insert method
    // really multiplies its inserted zeros (and zero border) by every weight, so a NaN or
    // infinite weight makes NaN (0 * Inf) at outputs the layer formula leaves finite; that
    // is the conventional algorithm's IEEE arithmetic, documented in the README, and
    // `weights_nonfinite` allows exactly that there.
    void expect_ieee(bool weights_nonfinite = false) const {
        const std::vector<double> ref = reference_scatter(p, ws, weights.data(), bias.data(), input.data(), in);
        for (Method method : {Method::Segregated, Method::ZeroInsert, Method::Reference}) {
            const ConvTranspose2d layer(p, ws, weights.data(), bias.data(), method);
            std::vector<float> out(size_t(layer.output_shape(in).elements()));
            layer.run(input.data(), in, out.data());
            const bool extra_nan = weights_nonfinite && method == Method::ZeroInsert;
            EXPECT_EQ(compare_ieee(out, ref, extra_nan), "") << method_name(method);
        }
    }
};

TEST(NonFinite, NaNAndInfInInput) {
    Layer l;
    l.input[4] = kNaN;
    l.input[17] = kInf;
    l.input[40] = -kInf;
    l.expect_ieee();
}

TEST(NonFinite, InfAndMinusInfMeetingGiveNaN) {
    Layer l;
    l.ws = WeightShape{1, 1, 3, 3};
    l.in = Shape4{1, 1, 3, 3};
    l.p = symmetric(1, 1);
    l.weights.assign(9, 1.0f);
    l.input.assign(9, 0.5f);
    l.input[0] = kInf;  // both reach output (0, 0)..(1, 1)
    l.input[1] = -kInf;
    l.bias = {0.0f};
    l.expect_ieee();
}

TEST(NonFinite, NaNAndInfInWeights) {
    Layer l;
    l.weights[0] = kNaN;
    l.weights[10] = kInf;
    l.weights[30] = -kInf;
    l.expect_ieee(true);
}

TEST(NonFinite, InfWeightWithZeroInputGivesNaN) {
    Layer l;
    l.weights[5] = kInf;
    for (size_t i = 0; i < l.input.size(); i += 3) l.input[i] = 0.0f;  // 0 * Inf = NaN
    l.expect_ieee(true);
}

TEST(NonFinite, NaNAndInfInBias) {
    Layer l;
    l.bias[0] = kNaN;
    l.bias[1] = -kInf;
    l.expect_ieee();
}

}  // namespace
}  // namespace ksconv::test
