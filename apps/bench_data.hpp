// Numbers the benchmark needs besides the timings: deterministic test data, the error
// measure of the correctness check, and the useful-work FLOP count.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "shapes_csv.hpp"

namespace ksconv::cli {

// `count` values uniform in (-1, 1), never exactly zero (so every tap contributes), from a
// fixed generator seeded with `seed`: the same on every machine and run.
std::vector<float> random_values(int64_t count, uint64_t seed);

// A seed derived from the shape name, so a shape gets the same data whatever else the
// file holds or --only selects.
uint64_t seed_for(const std::string &name, uint64_t salt);

// ||result - reference|| / ||reference|| over all elements; infinity when the result holds
// NaN or Inf (an all-zero reference must be matched exactly).
double relative_l2_error(const std::vector<float> &result, const std::vector<float> &reference);

// Floating-point operations that contribute to the output: 2 * (Cout/groups) * Cin * N *
// (number of (input pixel, kernel tap) pairs whose output position lies inside the output).
// Pairs cut off by the padding and the zeros a zero-insertion method multiplies are not
// counted. The condition separates into rows and columns, so the pair count is
// exactly rows(H, KH) * columns(W, KW).
double useful_flops(const BenchShape &shape);

}  // namespace ksconv::cli
