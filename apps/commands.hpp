// The ksconv tool's commands. Each takes the words after its name, prints its result,
// and returns the exit status; failures are thrown (UsageError -> 2, anything else -> 1)
// and reported by main().
#pragma once

#include <string>
#include <vector>

namespace ksconv::cli {

// ksconv convt: one transposed-convolution layer on .npy files.
int run_convt(const std::vector<std::string> &words);

// ksconv bench: checks and times the methods (and oneDNN, when built) on a CSV of shapes.
int run_bench(const std::vector<std::string> &words);

// ksconv upscale: one PNG or a folder of PNGs upscaled by 2, 3 or 4.
int run_upscale(const std::vector<std::string> &words);

}  // namespace ksconv::cli
