// The --device option shared by the commands: auto, cpu, cuda or opencl.
#pragma once

#include <string>

#include "ksconv/device.hpp"

namespace ksconv::cli {

// Checks the spelling; throws UsageError for anything else.
std::string parse_device(const std::string &text);

// The device a run will use: auto is the first available GPU (CUDA first), else the cpu;
// a named GPU that is absent is an error (ksconv::Error, e.g. "no CUDA driver found"),
// never a silent fallback to the cpu.
Device choose_device(const std::string &requested);

}  // namespace ksconv::cli
