// The --device option shared by the commands: auto, cpu, cuda or opencl.
#pragma once

#include <string>

namespace ksconv::cli {

// Checks the spelling; throws UsageError for anything else.
std::string parse_device(const std::string &text);

// The device a run will use. Only the cpu kernels are built so far: auto means cpu, and
// asking for cuda or opencl is an error, never a silent fallback.
std::string choose_device(const std::string &requested);

}  // namespace ksconv::cli
