// libFuzzer target: the tool's argument parser. The input is split into words at newlines
// (an argument line per file in the corpus); parsing must succeed or throw UsageError, and
// every option value goes through the number parsers the commands use.
#include <cstdint>
#include <string>
#include <vector>

#include "cli_args.hpp"

namespace {

// convt's options, as in apps/cmd_convt.cpp.
const std::vector<ksconv::cli::OptionSpec> kSpecs = {
    {"--input", true},   {"--weight", true},         {"--bias", true},     {"--output", true},       {"--stride", true},
    {"--padding", true}, {"--output-padding", true}, {"--dilation", true}, {"--groups", true},       {"--method", true},
    {"--device", true},  {"--threads", true},        {"--verbose", false}, {"--max-elements", true},
};

template <typename Fn>
void usage_or_value(const Fn &fn) {
    try {
        fn();
    } catch (const ksconv::cli::UsageError &) {
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    std::vector<std::string> words(1);
    for (size_t i = 0; i < size; ++i) {
        if (data[i] == '\n') {
            words.emplace_back();
        } else {
            words.back() += char(data[i]);
        }
    }
    using namespace ksconv::cli;
    (void)wants_help(words);
    usage_or_value([&] {
        const Args args(words, kSpecs);
        for (const std::string &value : args.positional()) usage_or_value([&] { parse_int("--groups", value, 1); });
        for (const OptionSpec &spec : kSpecs) {
            if (!spec.takes_value || !args.has(spec.name)) continue;
            const std::string value = args.require(spec.name);
            usage_or_value([&] { parse_int(spec.name, value, 0); });
            usage_or_value([&] { parse_int64(spec.name, value, 1); });
            usage_or_value([&] { parse_pair(spec.name, value, 1); });
            usage_or_value([&] { parse_padding(spec.name, value); });
            usage_or_value([&] { parse_int_list(spec.name, value, {1, 2, 4}, 0); });
        }
    });
    return 0;
}
