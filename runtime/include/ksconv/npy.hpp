// NumPy .npy reading and writing: format v1.0 and v2.0, little-endian float32, C order.
// Anything else (other dtypes, Fortran order, broken or truncated files, absurd shapes)
// throws ksconv::Error with a one-line message naming the file and the problem.
#pragma once

#include <cstdint>
#include <string>

#include "ksconv/tensor.hpp"

namespace ksconv {

// Largest element count read_npy accepts (2^31 floats = 8 GiB); larger headers are refused
// before anything is allocated.
constexpr int64_t kNpyMaxElements = int64_t(1) << 31;

Tensor read_npy(const std::string &path, int64_t max_elements = kNpyMaxElements);

// Writes atomically: the data goes to a temporary file in the same directory, which is
// renamed over `path` only once it is complete. On failure no file is left behind.
void write_npy(const std::string &path, const Tensor &tensor);

}  // namespace ksconv
