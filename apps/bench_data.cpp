#include "bench_data.hpp"

#include <cmath>
#include <limits>
#include <random>

namespace ksconv::cli {

namespace {

// (input index, tap) pairs along one axis whose output coordinate i*s - pad_begin + k*d
// falls in [0, out_extent).
int64_t inside_pairs(int64_t in_extent, int64_t kernel, int64_t stride, int64_t pad_begin, int64_t dilation,
                     int64_t out_extent) {
    int64_t pairs = 0;
    for (int64_t k = 0; k < kernel; ++k) {
        for (int64_t i = 0; i < in_extent; ++i) {
            const int64_t o = i * stride - pad_begin + k * dilation;
            pairs += (o >= 0 && o < out_extent) ? 1 : 0;
        }
    }
    return pairs;
}

}  // namespace

std::vector<float> random_values(int64_t count, uint64_t seed) {
    // mt19937_64's output sequence is fixed by the standard (the distributions are not),
    // so the mapping to floats is done here: (2k+1)/2^24 - 1 for a 24-bit k is an odd
    // multiple of 2^-24, hence never zero, and lies strictly inside (-1, 1).
    std::mt19937_64 generator(seed);
    std::vector<float> values(static_cast<std::size_t>(count));
    for (float &v : values) {
        const int64_t k = int64_t(generator() >> 40);  // top 24 bits
        v = float(double(2 * k + 1 - (int64_t(1) << 24)) / double(int64_t(1) << 24));
    }
    return values;
}

uint64_t seed_for(const std::string &name, uint64_t salt) {
    uint64_t hash = 14695981039346656037ull ^ salt;  // FNV-1a
    for (unsigned char c : name) hash = (hash ^ c) * 1099511628211ull;
    return hash;
}

double relative_l2_error(const std::vector<float> &result, const std::vector<float> &reference) {
    if (result.size() != reference.size()) return std::numeric_limits<double>::infinity();
    double diff = 0.0, norm = 0.0;
    for (std::size_t i = 0; i < reference.size(); ++i) {
        const double d = double(result[i]) - double(reference[i]);
        diff += d * d;
        norm += double(reference[i]) * double(reference[i]);
    }
    // A layer whose taps all fall into the cropped border has an all-zero output.
    if (norm == 0.0) return diff == 0.0 ? 0.0 : std::numeric_limits<double>::infinity();
    const double error = std::sqrt(diff / norm);
    return std::isfinite(error) ? error : std::numeric_limits<double>::infinity();
}

double useful_flops(const BenchShape &s) {
    const ConvTransposeParams &p = s.params;
    const int64_t rows = inside_pairs(s.input.h, s.weights.kh, p.stride_h, p.pad_top, p.dilation_h, s.output.h);
    const int64_t cols = inside_pairs(s.input.w, s.weights.kw, p.stride_w, p.pad_left, p.dilation_w, s.output.w);
    return 2.0 * double(s.weights.cout_per_group) * double(s.input.c) * double(s.input.n) * double(rows) * double(cols);
}

}  // namespace ksconv::cli
