#include "device_option.hpp"

#include "cli_args.hpp"
#include "ksconv/error.hpp"

namespace ksconv::cli {

std::string parse_device(const std::string &text) {
    if (text != "auto" && text != "cpu" && text != "cuda" && text != "opencl") {
        throw UsageError("--device: expected auto, cpu, cuda or opencl, got '" + text + "'");
    }
    return text;
}

std::string choose_device(const std::string &requested) {
    if (requested == "cpu" || requested == "auto") return "cpu";
    throw Error("device '" + requested + "' is not available in this build");
}

}  // namespace ksconv::cli
