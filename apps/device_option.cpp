#include "device_option.hpp"

#include "cli_args.hpp"

namespace ksconv::cli {

std::string parse_device(const std::string &text) {
    if (text != "auto" && text != "cpu" && text != "cuda" && text != "opencl") {
        throw UsageError("--device: expected auto, cpu, cuda or opencl, got '" + text + "'");
    }
    return text;
}

Device choose_device(const std::string &requested) {
    return select_device(requested);
}

}  // namespace ksconv::cli
